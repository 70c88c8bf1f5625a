"""The customer-focus scorecard (5.1.2 a, b, c): panels of figures, trends, KPI tiles and objectives.

``build_scorecard`` computes it as a JSON-ready dict; ``scorecard`` serves it from a ``DashboardSnapshot``
while that is younger than ``settings.KPI_DASHBOARD_MAX_AGE`` seconds. Figures come only through the
figure registry (and the "extras" registry below), so this module never imports a domain app.

The number of queries depends on the number of months in the range, never on the number of records:
every figure aggregates in the database, and the monthly trends of closed months are read from
``FigureValue`` (written once per closed month, never recomputed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from .choices import KpiSource, ObjectiveStatus, Rag
from .figures import PRODUCT, REGISTRY, SEGMENT
from .models import DashboardSnapshot, FigureValue, Kpi, Objective, ObjectiveKpi
from .periods import is_closed, last_months, period_end, period_label, periods_between
from .selectors import RAG_ORDER, tiles, with_status
from .status import rag

# Status of a scorecard figure when no active KPI is defined on it: (target, warning threshold).
# The direction is the figure's own. Higher is better: green at or above the target, amber at or above
# the warning; lower is better: green at or below the target, amber at or below the warning.
DEFAULT_TARGETS: dict[str, tuple[Decimal, Decimal | None]] = {
    "requirements_met_pct": (Decimal("95"), Decimal("85")),
    "acknowledgement_coverage_pct": (Decimal("90"), Decimal("75")),
    "overdue_evaluations": (Decimal("0"), Decimal("3")),
    "open_high_critical_risks": (Decimal("0"), Decimal("2")),
    "treatments_effective_pct": (Decimal("80"), Decimal("60")),
    "nps": (Decimal("30"), Decimal("0")),
    "csat_pct": (Decimal("85"), Decimal("75")),
    "survey_response_rate": (Decimal("30"), Decimal("15")),
    "complaints_received": (Decimal("10"), Decimal("20")),
    "resolved_within_target_pct": (Decimal("90"), Decimal("80")),
}

# The three items of 5.1.2, each with the figures that evidence it and the extras shown beside them.
PANELS: list[dict[str, Any]] = [
    {
        "key": "requirements",
        "clause": "5.1.2 a)",
        "title": "Customer and statutory requirements",
        "question": "Are requirements determined, understood and consistently met?",
        "figures": ["requirements_met_pct", "acknowledgement_coverage_pct", "overdue_evaluations"],
        "extras": [],
    },
    {
        "key": "risks",
        "clause": "5.1.2 b)",
        "title": "Risks and opportunities",
        "question": "Are the risks and opportunities determined and addressed?",
        "figures": ["open_high_critical_risks", "treatments_effective_pct"],
        "extras": ["open_risks_per_band"],
    },
    {
        "key": "satisfaction",
        "clause": "5.1.2 c)",
        "title": "Customer satisfaction",
        "question": "Is the focus on enhancing customer satisfaction maintained?",
        "figures": ["nps", "csat_pct", "survey_response_rate", "complaints_received", "resolved_within_target_pct"],
        "extras": [],
    },
]

# Monthly trends shown as charts and tables (flow figures only: a closed month's value never changes).
TREND_FIGURES = ["complaints_received", "nps", "csat_pct", "resolved_within_target_pct"]

# Extras: breakdowns a domain app registers (e.g. open risks per band), each ``fn(start, end)`` returning
# ``{"label": str, "rows": [{"label", "count", "url"}]}``.
EXTRAS: dict[str, Callable[[dt.date, dt.date], dict[str, Any]]] = {}


def register_extra(key: str, function: Callable[[dt.date, dt.date], dict[str, Any]]) -> None:
    """Add a breakdown shown in a panel (each domain app registers its own in ``AppConfig.ready``)."""
    EXTRAS[key] = function


def _number(value) -> float | None:
    return None if value is None else float(value)


def _worst(statuses: list[str]) -> str:
    """The worst measured status (red before amber before green); "none" when nothing is measured."""
    measured = [status for status in statuses if status != Rag.NONE]
    return min(measured, key=RAG_ORDER.__getitem__) if measured else Rag.NONE


def _kpis_on_figures(keys: list[str]) -> dict[str, Kpi]:
    """The active unfiltered computed KPI on each figure (first by name); one query."""
    found: dict[str, Kpi] = {}
    for kpi in Kpi.objects.filter(active=True, source=KpiSource.COMPUTED, figure__in=keys, segment="", product=""):
        found.setdefault(kpi.figure, kpi)
    return found


def figure_status(key: str, value, kpi: Kpi | None) -> dict[str, Any]:
    """Target, warning, direction and status of a figure's value: the KPI's when one is defined, else the
    default of ``DEFAULT_TARGETS``."""
    figure = REGISTRY[key]
    if kpi is not None:
        target, warning, direction, source = kpi.target, kpi.warning_threshold, kpi.direction, "kpi"
    else:
        target, warning = DEFAULT_TARGETS.get(key, (None, None))
        direction, source = figure.direction, "default"
    status = rag(value, target, warning, direction)
    return {
        "target": _number(target),
        "warning": _number(warning),
        "direction": direction,
        "target_source": source,
        "kpi_url": kpi.get_absolute_url() if kpi is not None else None,
        "status": str(status),
        "status_label": Rag(status).label,
    }


def _figure_row(key: str, start, end, segment, product, kpi: Kpi | None) -> dict[str, Any]:
    figure = REGISTRY[key]
    value = figure.value(start, end, segment=segment, product=product)
    per_period, period_name, compared = None, "", value
    if figure.additive and value is not None:
        # A count over the whole range against a per-month (or per-quarter) target: compare the average.
        quarterly = kpi is not None and kpi.frequency == "quarterly"
        periods = len(periods_between(start, end)) / (3 if quarterly else 1)
        compared = per_period = (Decimal(value) / Decimal(str(max(periods, 1)))).quantize(Decimal("0.1"))
        period_name = "quarter" if quarterly else "month"
    return {
        "key": key,
        "label": figure.label,
        "unit": figure.unit,
        "kind": figure.kind,
        "description": figure.description,
        "value": _number(value),
        "url": figure.drilldown_url(start, end, segment=segment, product=product),
        "filters": sorted(figure.filters),
        "per_period": _number(per_period),
        "period_name": period_name,
        **figure_status(key, compared, kpi),
    }


def _monthly_values(keys: list[str], months: list[dt.date], today: dt.date, segment: str, product: str):
    """``{key: {month: Decimal|None}}`` for whole calendar months: closed months from ``FigureValue``
    (computed and stored once when missing), the current month computed live to today. Queries: one
    read, one insert, and the live ones."""
    segment_of = {key: segment if SEGMENT in REGISTRY[key].filters else "" for key in keys}
    product_of = {key: product if PRODUCT in REGISTRY[key].filters else "" for key in keys}
    closed = [month for month in months if is_closed(month, today)]
    wanted = Q(pk__in=[])
    for key in keys:
        wanted |= Q(figure=key, segment=segment_of[key], product=product_of[key])
    stored = {
        (row.figure, row.month): row.value
        for row in FigureValue.objects.filter(wanted, month__in=closed, closed=True).only("figure", "month", "value")
    }
    now, missing, result = timezone.now(), [], {key: {} for key in keys}
    for key in keys:
        figure = REGISTRY[key]
        for month in months:
            if month in closed:
                if (key, month) not in stored:
                    value = figure.value(month, period_end(month), segment=segment, product=product)
                    stored[(key, month)] = value
                    missing.append(
                        FigureValue(
                            figure=key,
                            month=month,
                            segment=segment_of[key],
                            product=product_of[key],
                            value=value,
                            closed=True,
                            computed_at=now,
                        )
                    )
                result[key][month] = stored[(key, month)]
            else:
                result[key][month] = figure.value(
                    month, min(period_end(month), today), segment=segment, product=product
                )
    if missing:
        # Two builds at once may both store a month: the first row wins, the value is the same.
        FigureValue.objects.bulk_create(missing, ignore_conflicts=True)
    return result


def _trends(start, end, today, segment, product) -> dict[str, Any]:
    months = [month for month in periods_between(start, min(end, today)) if month <= today]
    keys = [key for key in TREND_FIGURES if key in REGISTRY]
    values = _monthly_values(keys, months, today, segment, product)
    complaints = REGISTRY.get("complaints_received")
    rows = []
    for month in months:
        row = {
            "month": month.isoformat(),
            "label": period_label(month),
            "closed": is_closed(month, today),
            "complaints_url": (
                complaints.drilldown_url(month, period_end(month), segment=segment, product=product)
                if complaints
                else None
            ),
        }
        for key in keys:
            row[key] = _number(values[key][month])
        rows.append(row)
    return {
        "figures": [{"key": key, "label": REGISTRY[key].label, "unit": REGISTRY[key].unit} for key in keys],
        "months": rows,
    }


def _tiles(start, end) -> list[dict[str, Any]]:
    kpis = list(Kpi.objects.filter(active=True).select_related("owner"))
    result = []
    for tile in tiles(kpis, start=start, end=end):
        kpi = tile["kpi"]
        result.append(
            {
                "id": kpi.pk,
                "name": kpi.name,
                "unit": kpi.unit,
                "url": kpi.get_absolute_url(),
                "direction": kpi.direction,
                "owner": kpi.owner.get_full_name() or kpi.owner.get_username(),
                "value": _number(tile["value"]),
                "period": tile["period"],
                "final": tile["final"],
                "target": _number(tile["target"]),
                "warning": _number(kpi.warning_threshold),
                "status": str(tile["status"]),
                "status_label": Rag(tile["status"]).label,
                "points": [
                    {"period": day.isoformat(), "label": period_label(day, kpi.frequency), "value": _number(value)}
                    for day, value in tile["points"]
                ],
            }
        )
    return result


def _objectives(today) -> list[dict[str, Any]]:
    objectives = list(
        Objective.objects.select_related("owner").prefetch_related(
            Prefetch("measures", queryset=ObjectiveKpi.objects.select_related("kpi"))
        )
    )
    result = []
    for objective in with_status(objectives, today=today):
        result.append(
            {
                "reference": objective.reference,
                "statement": str(objective).removeprefix(objective.reference).strip(),
                "url": objective.get_absolute_url(),
                "owner": objective.owner.get_full_name() or objective.owner.get_username(),
                "target_date": objective.target_date.isoformat(),
                "status": objective.status or "",
                "status_label": ObjectiveStatus(objective.status).label if objective.status else "Not measured yet",
                "set_by_hand": bool(objective.status_override),
                "measures": [
                    {
                        "kpi": row["kpi"].name,
                        "value": _number(row["value"]),
                        "target": _number(row["target"]),
                        "period": row["period"],
                        "status": str(row["status"]),
                        "status_label": Rag(row["status"]).label,
                    }
                    for row in objective.measure_rows
                ],
            }
        )
    return result


def build_scorecard(*, start: dt.date, end: dt.date, segment: str = "", product: str = "") -> dict[str, Any]:
    """The scorecard for ``start`` … ``end`` (local dates, inclusive) and the optional segment/product
    filter, as a JSON-ready dict (ISO dates, floats or None). A fixed number of queries for a given
    number of months, whatever the number of records."""
    today = timezone.localdate()
    keys = [key for panel in PANELS for key in panel["figures"] if key in REGISTRY]
    kpis = _kpis_on_figures(keys)
    panels = []
    for panel in PANELS:
        figures = [
            _figure_row(key, start, end, segment, product, kpis.get(key)) for key in panel["figures"] if key in REGISTRY
        ]
        status = _worst([figure["status"] for figure in figures])
        panels.append(
            {
                "key": panel["key"],
                "clause": panel["clause"],
                "title": panel["title"],
                "question": panel["question"],
                "status": str(status),
                "status_label": Rag(status).label,
                "figures": figures,
                "extras": [EXTRAS[key](start, end) for key in panel["extras"] if key in EXTRAS],
            }
        )
    unfiltered = sorted(
        {
            REGISTRY[key].label
            for key in keys + TREND_FIGURES
            if key in REGISTRY
            and (
                (segment and SEGMENT not in REGISTRY[key].filters) or (product and PRODUCT not in REGISTRY[key].filters)
            )
        }
    )
    return {
        "params": {"start": start.isoformat(), "end": end.isoformat(), "segment": segment, "product": product},
        "computed_at": timezone.now().isoformat(),
        "panels": panels,
        "unfiltered": unfiltered,
        "trends": _trends(start, end, today, segment, product),
        "kpis": _tiles(start, end),
        "objectives": _objectives(today),
    }


def snapshot_key(params: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()


def max_age() -> int:
    return getattr(settings, "KPI_DASHBOARD_MAX_AGE", 600)


def scorecard(
    *, start: dt.date, end: dt.date, segment: str = "", product: str = "", refresh: bool = False
) -> dict[str, Any]:
    """The scorecard for these parameters: the stored snapshot while younger than the maximum age (unless
    ``refresh``), else built again and stored. Safe when two requests build the same one at once."""
    params = {"start": start.isoformat(), "end": end.isoformat(), "segment": segment, "product": product}
    key = snapshot_key(params)
    now = timezone.now()
    if not refresh:
        snapshot = DashboardSnapshot.objects.filter(key=key, computed_at__gt=now - dt.timedelta(seconds=max_age()))
        snapshot = snapshot.only("data").first()
        if snapshot is not None:
            return snapshot.data
    data = build_scorecard(start=start, end=end, segment=segment, product=product)
    try:
        with transaction.atomic():
            DashboardSnapshot.objects.update_or_create(
                key=key, defaults={"params": params, "data": data, "computed_at": timezone.now()}
            )
    except IntegrityError:
        pass  # another request stored the same snapshot at the same moment; ours is as fresh
    return data


def default_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last 12 months, to today."""
    return last_months(today or timezone.localdate(), 12)


def refresh_default() -> dict[str, Any]:
    """Rebuild the default scorecard (last 12 months, no filter); what the 10-minute job runs."""
    start, end = default_range()
    return scorecard(start=start, end=end, refresh=True)
