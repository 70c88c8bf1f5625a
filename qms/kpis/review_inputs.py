"""This app's inputs to the management review (9.3.2), registered in ``ready``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q

from .choices import ObjectiveStatus, Rag
from .models import Kpi, KpiValue, Objective, ObjectiveKpi
from .periods import period_label
from .selectors import kpi_status
from .status import objective_status


def _objective_label(status: str | None) -> str:
    return ObjectiveStatus(status).label if status else "Without a KPI value yet"


def objectives_and_kpis(start: dt.date, end: dt.date) -> dict:
    """9.3.2 c 2 and 5: each active KPI's latest value for a period starting by the end of the review
    period, with its status against target, and each quality objective with its status from those same
    values (a status set by hand wins). Four queries."""
    from qms.reviews.inputs import figure, json_ready, listing, row

    objectives = list(
        Objective.objects.prefetch_related(
            Prefetch("measures", queryset=ObjectiveKpi.objects.select_related("kpi"))
        ).order_by("target_date", "reference")
    )
    measured = {link.kpi_id for objective in objectives for link in objective.measures.all()}
    kpis = list(Kpi.objects.filter(active=True).order_by("name"))
    latest: dict[int, KpiValue] = {}
    values = KpiValue.objects.filter(
        Q(kpi__in=[kpi.pk for kpi in kpis]) | Q(kpi__in=measured), value__isnull=False, period_start__lte=end
    )
    for value in values.order_by("kpi_id", "period_start"):
        latest[value.kpi_id] = value

    kpi_rows, kpi_counts = [], dict.fromkeys(Rag.values, 0)
    for kpi in kpis:
        value = latest.get(kpi.pk)
        number = value.value if value else None
        status = kpi_status(kpi, number)
        kpi_counts[status] += 1
        shown = f"{json_ready(number)} {kpi.unit}".strip() if value else "no value"
        period = f" for {period_label(value.period_start, kpi.frequency)}" if value else ""
        kpi_rows.append(
            row(
                kpi.name,
                f"{shown}{period}",
                f"{Rag(status).label} (target {json_ready(kpi.target)} {kpi.unit})".strip(),
            )
        )

    objective_rows, objective_counts = [], dict.fromkeys([*ObjectiveStatus.values, None], 0)
    for objective in objectives:
        statuses = []
        for link in objective.measures.all():
            value = latest.get(link.kpi_id)
            statuses.append(kpi_status(link.kpi, value.value if value else None, link.effective_target))
        status = objective.status_override or objective_status(statuses, target_date_passed=objective.target_date < end)
        objective_counts[status] += 1
        objective_rows.append(
            row(
                objective.reference,
                str(objective).removeprefix(objective.reference).strip(),
                f"{_objective_label(status)} · target date {objective.target_date.isoformat()}",
            )
        )
    return {
        "figures": [
            *(figure(f"KPIs {Rag(status).label.lower()}", count) for status, count in kpi_counts.items()),
            *(
                figure(f"Objectives: {_objective_label(status).lower().replace('kpi', 'KPI')}", count)
                for status, count in objective_counts.items()
            ),
        ],
        "lists": [
            listing("KPIs", kpi_rows, "No active KPI is defined yet."),
            listing("Quality objectives", objective_rows, "No quality objective is defined yet."),
        ],
    }


def register_review_inputs() -> None:
    """Register this app's management-review inputs with ``qms.reviews``."""
    from qms.reviews.inputs import register_input

    register_input(
        "objectives_and_kpis",
        title="Quality objectives and KPIs met",
        clause="9.3.2 c",
        order=40,
        provider=objectives_and_kpis,
    )
