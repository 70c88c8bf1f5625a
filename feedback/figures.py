"""Complaint figures for charts, dashboards and the management review (9.1.2, 9.1.3, 9.3.2).

Every function counts complaints only (kind "complaint"). Common keyword arguments:

- ``user``: when given, only the complaints that user may see (the permission engine's ``restrict``);
- ``start`` / ``end``: local calendar dates, both inclusive, on ``received_at`` unless the function says
  it counts by resolution date;
- ``customer``, ``category``, ``product``, ``segment`` (the customer's segment): optional filters.

Counting is done in SQL. Percentiles are computed in Python from the sorted values, by linear
interpolation between closest ranks (as PostgreSQL's ``percentile_cont`` and NumPy's default), so the
answer is the same on SQLite and PostgreSQL. Percentages are 0–100, rounded to one decimal; durations
are working days (working hours ÷ 24), rounded to two decimals.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal

from django.db.models import Count, DateField, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek
from django.utils import timezone

from .choices import FeedbackKind
from .models import FeedbackItem

Period = Literal["month", "quarter", "week"]
UNCATEGORISED = "Uncategorised"
NO_PRODUCT = "Not recorded"
NO_CUSTOMER = "No customer recorded"
_TRUNC = {"month": TruncMonth, "quarter": TruncQuarter, "week": TruncWeek}


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _between(field: str, start: dt.date | None, end: dt.date | None) -> Q:
    """``field`` on a local date from ``start`` to ``end`` inclusive, as a range the indexes can use."""
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": _local_midnight(start)})
    if end is not None:
        q &= Q(**{f"{field}__lt": _local_midnight(end + dt.timedelta(days=1))})
    return q


def _complaints(
    *,
    user=None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    date_field: str = "received_at",
    customer=None,
    category=None,
    product: str | None = None,
    segment: str | None = None,
) -> QuerySet[FeedbackItem]:
    items = FeedbackItem.objects.restrict(user, "view") if user is not None else FeedbackItem.objects.all()
    items = items.filter(_between(date_field, start, end), kind=FeedbackKind.COMPLAINT)
    if customer is not None:
        items = items.filter(customer=customer)
    if category is not None:
        items = items.filter(category=category)
    if product:
        items = items.filter(product__iexact=product)
    if segment:
        items = items.filter(customer__segment=segment)
    return items.order_by()


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def complaints_by_category(
    *,
    user=None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    customer=None,
    product: str | None = None,
    segment: str | None = None,
) -> list[dict[str, Any]]:
    """Complaints per category, most first, with the cumulative share for a Pareto chart.

    ``[{"category": "Delivery", "count": 7, "cumulative_pct": 58.3}, ...]``; complaints without a
    category count as "Uncategorised"; ties are in name order; the last row's ``cumulative_pct`` is
    100.0. An empty list when there are no complaints.
    """
    rows = (
        _complaints(user=user, start=start, end=end, customer=customer, product=product, segment=segment)
        .values("category__name")
        .annotate(count=Count("pk"))
    )
    counted = sorted(
        ((row["category__name"] or UNCATEGORISED, row["count"]) for row in rows), key=lambda r: (-r[1], r[0])
    )
    total = sum(count for _, count in counted)
    result, running = [], 0
    for name, count in counted:
        running += count
        result.append({"category": name, "count": count, "cumulative_pct": round(100 * running / total, 1)})
    return result


def _period_starts(start: dt.date, end: dt.date, period: Period) -> list[dt.date]:
    if period == "week":
        first = start - dt.timedelta(days=start.weekday())
        return [first + dt.timedelta(weeks=n) for n in range((end - first).days // 7 + 1)]
    step = 3 if period == "quarter" else 1
    month = (start.month - 1) // step * step + 1
    current, starts = dt.date(start.year, month, 1), []
    while current <= end:
        starts.append(current)
        months = current.month - 1 + step
        current = dt.date(current.year + months // 12, months % 12 + 1, 1)
    return starts


def complaints_received(
    *,
    start: dt.date,
    end: dt.date,
    period: Period = "month",
    user=None,
    customer=None,
    category=None,
    product: str | None = None,
    segment: str | None = None,
) -> list[dict[str, Any]]:
    """Complaints received per period from ``start`` to ``end``, every period listed (zero when none).

    ``[{"period": date(2026, 1, 1), "count": 3}, ...]``: ``period`` is the first day of the month, of the
    quarter, or the Monday of the (ISO) week, in the portal's time zone; oldest first.
    """
    if period not in _TRUNC:
        raise ValueError(f"period must be one of {', '.join(_TRUNC)}, not {period!r}")
    if end < start:
        return []
    rows = (
        _complaints(
            user=user,
            start=start,
            end=end,
            customer=customer,
            category=category,
            product=product,
            segment=segment,
        )
        .annotate(period=_TRUNC[period]("received_at", output_field=DateField()))
        .values("period")
        .annotate(count=Count("pk"))
    )
    counts = {row["period"]: row["count"] for row in rows}
    return [{"period": day, "count": counts.get(day, 0)} for day in _period_starts(start, end, period)]


def complaints_by_product(
    *,
    user=None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    customer=None,
    category=None,
    segment: str | None = None,
) -> list[dict[str, Any]]:
    """Complaints per product or service, most first: ``[{"product": "Pumps", "count": 4}, ...]``.

    Products differing only in case or surrounding spaces are one; blank ones count as "Not recorded";
    ties are in name order.
    """
    rows = (
        _complaints(user=user, start=start, end=end, customer=customer, category=category, segment=segment)
        .values("product")
        .annotate(count=Count("pk"))
    )
    # "Pumps" and "pumps " are one product (the filter matches case-insensitively too): the commonest
    # spelling names the row.
    groups: dict[str, dict[str, int]] = {}
    for row in rows:
        name = (row["product"] or "").strip() or NO_PRODUCT
        spellings = groups.setdefault(name.casefold(), {})
        spellings[name] = spellings.get(name, 0) + row["count"]
    counted = [
        (min(spellings, key=lambda name: (-spellings[name], name)), sum(spellings.values()))
        for spellings in groups.values()
    ]
    return [{"product": name, "count": count} for name, count in sorted(counted, key=lambda item: (-item[1], item[0]))]


def complaints_by_customer(
    *,
    user=None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    category=None,
    product: str | None = None,
    segment: str | None = None,
) -> list[dict[str, Any]]:
    """Complaints per customer, most first: ``[{"customer_id": 4, "customer": "Acme", "count": 5}, ...]``.

    Complaints from no known customer are one row with ``customer_id`` None; ties are in name order.
    """
    rows = (
        _complaints(user=user, start=start, end=end, category=category, product=product, segment=segment)
        .values("customer_id", "customer__name")
        .annotate(count=Count("pk"))
    )
    result = [
        {"customer_id": row["customer_id"], "customer": row["customer__name"] or NO_CUSTOMER, "count": row["count"]}
        for row in rows
    ]
    return sorted(result, key=lambda row: (-row["count"], row["customer"]))


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """The ``fraction`` (0–1) percentile of ascending values, interpolating linearly between ranks."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * fraction
    lower, upper = math.floor(position), math.ceil(position)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (position - lower)


def _durations(items: QuerySet[FeedbackItem], field: str) -> dict[str, float | int | None]:
    hours = list(items.filter(**{f"{field}__isnull": False}).order_by(field).values_list(field, flat=True))
    days = [value / 24 for value in hours]
    median, p90 = percentile(days, 0.5), percentile(days, 0.9)
    return {
        "median": None if median is None else round(median, 2),
        "p90": None if p90 is None else round(p90, 2),
        "count": len(days),
    }


def time_to_acknowledge(
    *,
    user=None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    customer=None,
    category=None,
    product: str | None = None,
    segment: str | None = None,
) -> dict[str, float | int | None]:
    """Working days from receipt to acknowledgement of the complaints received in the period.

    ``{"median": 0.5, "p90": 1.2, "count": 10}``, percentiles by linear interpolation (see the module);
    complaints not yet acknowledged are left out; median and p90 are None when there are none.
    """
    items = _complaints(
        user=user, start=start, end=end, customer=customer, category=category, product=product, segment=segment
    )
    return _durations(items, "acknowledge_working_hours")


def time_to_resolve(
    *,
    user=None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    customer=None,
    category=None,
    product: str | None = None,
    segment: str | None = None,
) -> dict[str, float | int | None]:
    """Working days to resolution (pauses excluded) of the complaints received in the period.

    As ``time_to_acknowledge``; unresolved complaints are left out. After a reopening the clock counts
    from the reopening, so the figure is that of the latest resolution.
    """
    items = _complaints(
        user=user, start=start, end=end, customer=customer, category=category, product=product, segment=segment
    )
    return _durations(items, "resolve_working_hours")


def resolved_within_target_pct(
    *,
    user=None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    customer=None,
    category=None,
    product: str | None = None,
    segment: str | None = None,
) -> float | None:
    """Of the complaints resolved in the period (by ``resolved_at``), the % resolved within their target.

    None when none was resolved in the period.
    """
    items = _complaints(
        user=user,
        start=start,
        end=end,
        date_field="resolved_at",
        customer=customer,
        category=category,
        product=product,
        segment=segment,
    ).filter(resolved_at__isnull=False, resolved_within_target__isnull=False)
    counts = items.aggregate(total=Count("pk"), within=Count("pk", filter=Q(resolved_within_target=True)))
    return _pct(counts["within"], counts["total"])


def reopen_rate(
    *,
    user=None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    customer=None,
    category=None,
    product: str | None = None,
    segment: str | None = None,
) -> float | None:
    """Of the complaints resolved in the period (by ``resolved_at``), the % that had been reopened.

    A percentage (0–100), None when none was resolved in the period. A complaint reopened and not yet
    resolved again has no resolution date and is not counted until it is.
    """
    items = _complaints(
        user=user,
        start=start,
        end=end,
        date_field="resolved_at",
        customer=customer,
        category=category,
        product=product,
        segment=segment,
    ).filter(resolved_at__isnull=False)
    counts = items.aggregate(total=Count("pk"), reopened=Count("pk", filter=Q(reopen_count__gt=0)))
    return _pct(counts["reopened"], counts["total"])
