"""Reading KPIs and objectives for pages, the API and the dashboards, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.apps import apps
from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from .choices import Rag
from .models import Kpi, KpiValue, Objective, ObjectiveKpi, OrderVolume
from .periods import period_label, period_start, periods_between
from .status import objective_status, rag


def segment_choices() -> list[tuple[str, str]]:
    """The customer segments, read from the customer model's field (this app never imports customers)."""
    try:
        field = apps.get_model("customers", "Customer")._meta.get_field("segment")
    except LookupError:
        return []
    return [(str(value), str(label)) for value, label in field.choices or []]


def orders_in(start: dt.date, end: dt.date) -> int | None:
    """Orders entered for the months starting from ``start`` to ``end``; None when none was entered."""
    return OrderVolume.objects.filter(month__gte=start, month__lte=end).aggregate(total=Sum("orders"))["total"]


def kpi_status(kpi: Kpi, value, target=None) -> str:
    """Red / amber / green of ``value`` against the KPI's target (or ``target`` when given)."""
    return rag(value, kpi.target if target is None else target, kpi.warning_threshold, kpi.direction)


def kpi_list(*, user) -> QuerySet[Kpi]:
    return Kpi.objects.restrict(user, "view").select_related("owner")


def values_by_kpi(
    kpis: list[Kpi], *, start: dt.date | None = None, end: dt.date | None = None
) -> dict[int, list[KpiValue]]:
    """Each KPI's values (oldest first) whose period starts within ``start`` … ``end``; one query."""
    values = KpiValue.objects.filter(kpi__in=[kpi.pk for kpi in kpis]).select_related("recorded_by")
    if start is not None:
        values = values.filter(period_start__gte=start)
    if end is not None:
        values = values.filter(period_start__lte=end)
    grouped: dict[int, list[KpiValue]] = defaultdict(list)
    for value in values.order_by("kpi_id", "period_start"):
        grouped[value.kpi_id].append(value)
    return grouped


def series(kpi: Kpi, *, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Every period of the KPI from ``start`` to ``end``, oldest first, with its value when recorded:
    ``[{"period_start", "label", "value", "status", "record"}, ...]`` (``record``: the KpiValue or None)."""
    stored = {
        value.period_start: value
        for value in values_by_kpi([kpi], start=period_start(start, kpi.frequency), end=end)[kpi.pk]
    }
    rows = []
    for start_day in periods_between(start, end, kpi.frequency):
        record = stored.get(start_day)
        value = record.value if record else None
        rows.append(
            {
                "period_start": start_day,
                "label": period_label(start_day, kpi.frequency),
                "value": value,
                "status": kpi_status(kpi, value),
                "record": record,
            }
        )
    return rows


def tiles(kpis: list[Kpi], *, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """One tile per KPI: latest value in the range, its period, target, status and the trend points.
    Two queries whatever the number of KPIs and values (the KPIs and owners are already loaded)."""
    grouped = values_by_kpi(kpis, start=period_start(start), end=end)
    result = []
    for kpi in kpis:
        values = [value for value in grouped.get(kpi.pk, []) if value.value is not None]
        latest = values[-1] if values else None
        result.append(
            {
                "kpi": kpi,
                "value": latest.value if latest else None,
                "period": period_label(latest.period_start, kpi.frequency) if latest else "",
                "final": latest.final if latest else False,
                "target": kpi.target,
                "status": kpi_status(kpi, latest.value if latest else None),
                "points": [(value.period_start, value.value) for value in values],
            }
        )
    return result


def objective_list(*, user) -> QuerySet[Objective]:
    return (
        Objective.objects.restrict(user, "view")
        .select_related("owner")
        .prefetch_related(Prefetch("measures", queryset=ObjectiveKpi.objects.select_related("kpi")))
    )


def latest_values(kpi_ids: list[int]) -> dict[int, KpiValue]:
    """The latest value with a number of each KPI; one query."""
    latest: dict[int, KpiValue] = {}
    for value in KpiValue.objects.filter(kpi__in=kpi_ids, value__isnull=False).order_by("kpi_id", "period_start"):
        latest[value.kpi_id] = value
    return latest


def with_status(objectives: list[Objective], *, today: dt.date | None = None) -> list[Objective]:
    """Set ``derived_status``, ``status`` (the hand-set one wins) and ``measure_rows`` on each objective
    (measures prefetched with their KPIs, as ``objective_list`` does); one query for the values."""
    today = today or timezone.localdate()
    links = [link for objective in objectives for link in objective.measures.all()]
    latest = latest_values(sorted({link.kpi_id for link in links}))
    for objective in objectives:
        rows = []
        for link in objective.measures.all():
            value = latest.get(link.kpi_id)
            number = value.value if value else None
            rows.append(
                {
                    "link": link,
                    "kpi": link.kpi,
                    "target": link.effective_target,
                    "value": number,
                    "period": period_label(value.period_start, link.kpi.frequency) if value else "",
                    "status": kpi_status(link.kpi, number, link.effective_target),
                }
            )
        objective.measure_rows = rows
        objective.derived_status = objective_status(
            [row["status"] for row in rows], target_date_passed=objective.target_date < today
        )
        objective.status = objective.status_override or objective.derived_status
    return objectives


RAG_ORDER = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, Rag.NONE: 3}
