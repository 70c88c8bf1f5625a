"""Reads of the risk and opportunity log, limited to what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import CharField, Count, Q, QuerySet, Value
from django.urls import reverse
from django.utils import timezone

from .choices import OPEN_STATUSES, AssessmentKind, EntryKind
from .models import RiskAssessment, RiskEntry, RiskMatrix

REVIEW_HORIZON_DAYS = 14


def _entries(user) -> QuerySet[RiskEntry]:
    return RiskEntry.objects.restrict(user, "view") if user is not None else RiskEntry.objects.all()


def open_q() -> Q:
    return Q(status__in=OPEN_STATUSES)


def due_for_review_q(day: dt.date) -> Q:
    """Open entries whose next review falls by ``day`` + 14 days (overdue ones included)."""
    return open_q() & Q(next_review_date__lte=day + dt.timedelta(days=REVIEW_HORIZON_DAYS))


def entry_list(*, user, filters: dict | None = None) -> QuerySet[RiskEntry]:
    """Entries the user may see, with owner and category; ``filters`` as the list page and API take."""
    queryset = _entries(user).select_related("owner", "category").order_by("-inherent_score", "reference")
    if filters:
        from .filters import RiskEntryFilterSet

        filterset = RiskEntryFilterSet(filters, queryset=queryset)
        queryset = filterset.qs if filterset.is_valid() else queryset.none()
    return queryset


def heat_map(*, user, kind: str = EntryKind.RISK, which: str = "inherent", matrix: RiskMatrix | None = None) -> dict:
    """The grid of ``matrix`` (default the one in use) with the number of open entries of ``kind`` in
    each cell by their latest ``which`` ("inherent" or "residual") likelihood and impact. Rows run from
    the highest likelihood down, as the grid is drawn; one query for the counts."""
    from .services import active_matrix

    if which not in (AssessmentKind.INHERENT, AssessmentKind.RESIDUAL):
        raise ValueError(f"which must be inherent or residual, not {which!r}")
    matrix = matrix or active_matrix()
    likelihood, impact = f"{which}_likelihood", f"{which}_impact"
    counts = {
        (row[likelihood], row[impact]): row["count"]
        for row in _entries(user)
        .filter(open_q(), kind=kind, **{f"{likelihood}__isnull": False, f"{impact}__isnull": False})
        .order_by()
        .values(likelihood, impact)
        .annotate(count=Count("pk"))
    }
    return _grid(matrix, counts, kind=kind, which=which)


def heat_maps(*, user, kind: str = EntryKind.RISK, matrix: RiskMatrix | None = None) -> dict[str, dict]:
    """``heat_map`` for inherent and residual scores at once, both counted in one query."""
    from .services import active_matrix

    matrix = matrix or active_matrix()
    counts = heat_map_counts(user=user, kind=kind)
    return heat_maps_from_counts(matrix, counts, kind=kind)


HEAT_MAP_WHICHES = (AssessmentKind.INHERENT, AssessmentKind.RESIDUAL)


def heat_map_counts(*, user, kind: str = EntryKind.RISK) -> dict[str, list[list[int]]]:
    """Open entries of ``kind`` per matrix cell, inherent and residual, as ``[likelihood, impact, count]``
    lists (JSON, for the roll-up); one query for both."""
    columns = [f"{which}_{axis}" for which in HEAT_MAP_WHICHES for axis in ("likelihood", "impact")]
    counts: dict[str, dict[tuple[int, int], int]] = {which: {} for which in HEAT_MAP_WHICHES}
    for row in _entries(user).filter(open_q(), kind=kind).order_by().values(*columns).annotate(count=Count("pk")):
        for which in HEAT_MAP_WHICHES:
            cell = (row[f"{which}_likelihood"], row[f"{which}_impact"])
            if None not in cell:
                counts[which][cell] = counts[which].get(cell, 0) + row["count"]
    return {which: [[*cell, count] for cell, count in sorted(counts[which].items())] for which in HEAT_MAP_WHICHES}


def heat_maps_from_counts(matrix: RiskMatrix, counts: dict[str, list[list[int]]], *, kind: str) -> dict[str, dict]:
    """The inherent and residual grids of ``matrix`` filled with ``heat_map_counts``' figures."""
    return {
        which: _grid(matrix, {(row[0], row[1]): row[2] for row in counts[which]}, kind=kind, which=which)
        for which in HEAT_MAP_WHICHES
    }


def _grid(matrix: RiskMatrix, counts: dict[tuple[int, int], int], *, kind: str, which: str) -> dict:
    rows_count, columns = matrix.size
    rows = []
    for level in range(rows_count, 0, -1):
        cells = []
        for column in range(1, columns + 1):
            score = matrix.score(level, column)
            band = matrix.band_for(score)
            cells.append(
                {
                    "impact": column,
                    "label": matrix.impact_levels[column - 1]["label"],
                    "score": score,
                    "band": band["name"],
                    "colour": band.get("colour", ""),
                    "count": counts.get((level, column), 0),
                }
            )
        rows.append({"level": level, "label": matrix.likelihood_levels[level - 1]["label"], "cells": cells})
    return {"matrix": matrix, "kind": kind, "which": which, "rows": rows}


@dataclass(frozen=True)
class LinkedRecord:
    reference: str
    text: str
    url: str


def linked_records(entry: RiskEntry, *, user) -> dict[str, list[LinkedRecord]]:
    """The requirements, customers and feedback linked to ``entry`` that ``user`` may see, in one query."""
    from customers.models import Customer
    from feedback.models import FeedbackItem
    from requirements.models import Requirement

    def rows(model, kind: str, reference: str, text: str):
        return (
            model.objects.restrict(user, "view")
            .filter(risk_entries=entry)
            .order_by()
            .annotate(link_kind=Value(kind, output_field=CharField()))
            .values_list("link_kind", "pk", reference, text)
        )

    views = {
        "requirements": "requirements:requirement_detail",
        "customers": "customers:customer_detail",
        "feedback": "feedback:item_detail",
    }
    combined = rows(Requirement, "requirements", "reference", "title").union(
        rows(Customer, "customers", "code", "name"), rows(FeedbackItem, "feedback", "reference", "summary"), all=True
    )
    linked: dict[str, list[LinkedRecord]] = {kind: [] for kind in views}
    for kind, pk, reference, text in sorted(combined, key=lambda row: (row[0], row[2], row[1])):
        linked[kind].append(LinkedRecord(reference, text, reverse(views[kind], args=[pk])))
    return linked


def top_entries(*, user, kind: str = EntryKind.RISK, limit: int = 5) -> list[RiskEntry]:
    """The open entries of ``kind`` with the highest current score (residual once scored, else inherent)."""
    from django.db.models.functions import Coalesce

    return list(
        _entries(user)
        .filter(open_q(), kind=kind)
        .annotate(current_score=Coalesce("residual_score", "inherent_score"))
        .filter(current_score__isnull=False)
        .select_related("owner", "category")
        .order_by("-current_score", "reference")[:limit]
    )


def overdue_reviews(*, user=None, today: dt.date | None = None) -> QuerySet[RiskEntry]:
    """Open entries whose next review date has passed, most overdue first."""
    today = today or timezone.localdate()
    return (
        _entries(user)
        .filter(open_q(), next_review_date__lt=today)
        .select_related("owner", "category")
        .order_by("next_review_date", "reference")
    )


def awaiting_approval_q() -> Q:
    """Open entries whose acceptance waits for top management's approval."""
    return open_q() & Q(approval_required=True, accepted_at__isnull=False, approved_at__isnull=True)


def awaiting_approval(*, user=None) -> QuerySet[RiskEntry]:
    """Open entries whose acceptance waits for top management's approval."""
    return _entries(user).filter(awaiting_approval_q()).select_related("owner", "accepted_by").order_by("accepted_at")


def score_history(entry: RiskEntry) -> list[RiskAssessment]:
    """Every assessment of ``entry``, oldest first, each with the matrix version it was scored on."""
    return list(entry.assessments.select_related("matrix", "assessed_by").order_by("assessed_at", "pk"))
