"""Reporting periods: calendar months and quarters in the portal's time zone. Pure functions."""

from __future__ import annotations

import datetime as dt

from .choices import Frequency

MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3}


def period_start(day: dt.date, frequency: str = Frequency.MONTHLY) -> dt.date:
    """The first day of the month or quarter holding ``day``."""
    step = MONTHS[frequency]
    return dt.date(day.year, (day.month - 1) // step * step + 1, 1)


def add_periods(start: dt.date, count: int, frequency: str = Frequency.MONTHLY) -> dt.date:
    """The period ``count`` periods after (or before, when negative) the one starting on ``start``."""
    months = start.year * 12 + start.month - 1 + count * MONTHS[frequency]
    return dt.date(months // 12, months % 12 + 1, 1)


def period_end(start: dt.date, frequency: str = Frequency.MONTHLY) -> dt.date:
    """The last day of the period starting on ``start``."""
    return add_periods(start, 1, frequency) - dt.timedelta(days=1)


def periods_between(start: dt.date, end: dt.date, frequency: str = Frequency.MONTHLY) -> list[dt.date]:
    """The starts of every period touching ``start`` … ``end``, oldest first (empty when end < start)."""
    current, starts = period_start(start, frequency), []
    while current <= end:
        starts.append(current)
        current = add_periods(current, 1, frequency)
    return starts


def period_label(start: dt.date, frequency: str = Frequency.MONTHLY) -> str:
    """ "Mar 2026" or "Q1 2026"."""
    if frequency == Frequency.QUARTERLY:
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return start.strftime("%b %Y")


def is_closed(start: dt.date, today: dt.date, frequency: str = Frequency.MONTHLY) -> bool:
    """Whether the period starting on ``start`` ended before ``today``."""
    return period_end(start, frequency) < today


def last_months(today: dt.date, count: int = 12) -> tuple[dt.date, dt.date]:
    """The default dashboard range: the ``count`` months ending with the current one (to ``today``)."""
    return add_periods(period_start(today), -(count - 1)), today


# The dashboards' trends are month by month: a range of centuries would keep a worker busy for minutes.
MAX_RANGE_YEARS = 10
