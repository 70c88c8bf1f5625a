"""Risk and opportunity figures for the dashboard and the management review (6.1, 9.1.3 e, 9.3.2 e).

``user``, when given, limits counting to the entries that user may see. Percentages are 0–100, rounded
to one decimal; None when there is nothing to divide by.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.utils import timezone

from qms.actions.choices import OPEN_STATUSES as OPEN_ACTION_STATUSES
from qms.actions.models import Action

from .choices import OPEN_STATUSES, BandName, EntryKind
from .models import EffectivenessReview, RiskEntry


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _open(user, kind: str | None = None):
    entries = RiskEntry.objects.restrict(user, "view") if user is not None else RiskEntry.objects.all()
    entries = entries.filter(status__in=OPEN_STATUSES)
    return entries.filter(kind=kind) if kind else entries


def open_entries_per_band(*, user=None, kind: str = EntryKind.RISK) -> dict[str, int]:
    """Open entries of ``kind`` per current band (residual once scored after treatment, else inherent),
    every band present (0 when empty), plus "unscored"."""
    band = Case(
        When(~Q(residual_band=""), then="residual_band"),
        When(~Q(inherent_band=""), then="inherent_band"),
        default=Value("unscored"),
    )
    rows = _open(user, kind).order_by().annotate(band=band).values("band").annotate(count=Count("pk"))
    counts = {name: 0 for name in BandName.values} | {"unscored": 0}
    for row in rows:
        counts[row["band"]] = row["count"]
    return counts


def high_critical_with_open_treatment_pct(*, user=None) -> float | None:
    """Of the open risks now in the high or critical band, the share with at least one open treatment
    action (one query)."""
    risk_type = ContentType.objects.get_for_model(RiskEntry)
    treatment = Action.objects.filter(
        source_type=risk_type,
        source_id=OuterRef("pk"),
        kind="treatment",
        status__in=OPEN_ACTION_STATUSES,
    )
    high = Q(residual_band__in=[BandName.HIGH, BandName.CRITICAL]) | Q(
        residual_band="", inherent_band__in=[BandName.HIGH, BandName.CRITICAL]
    )
    counts = (
        _open(user, EntryKind.RISK)
        .filter(high)
        .annotate(treated=Exists(treatment))
        .aggregate(whole=Count("pk"), part=Count("pk", filter=Q(treated=True)))
    )
    return _pct(counts["part"], counts["whole"])


def overdue_review_count(*, user=None) -> int:
    """Open entries whose next review date has passed."""
    return _open(user).filter(next_review_date__lt=timezone.localdate()).count()


def treatments_effective_pct(*, start: dt.date, end: dt.date) -> float | None:
    """Share of the effectiveness reviews made from ``start`` to ``end`` (local dates, inclusive) that
    found the target score reached."""
    tz = timezone.get_current_timezone()
    counts = EffectivenessReview.objects.filter(
        reviewed_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        reviewed_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    ).aggregate(whole=Count("pk"), part=Count("pk", filter=Q(target_reached=True)))
    return _pct(counts["part"], counts["whole"])
