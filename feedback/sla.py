"""Time-target arithmetic in working days: a pure module, no database, so it can be proven on its own.

Working time is the time that falls on working days (whole local calendar days of the working week that
are not holidays), minus the pauses while a complaint waits on the customer. A target of N working
days is reached when N × 24 hours of working time have passed since the start. Something received on
a weekend therefore starts its clock at the next working day's midnight.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

DAY = dt.timedelta(days=1)
# Long enough for any real target; stops a calendar without working days from looping for ever.
HORIZON_DAYS = 3660


@dataclass(frozen=True)
class Calendar:
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday = 0
    holidays: frozenset[dt.date] = frozenset()
    tz: dt.tzinfo = field(default_factory=lambda: ZoneInfo("UTC"))

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.working_days and day not in self.holidays


Pause = tuple[dt.datetime, dt.datetime | None]  # an open pause has no end yet


def _day_bounds(day: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(day + DAY, dt.time.min, tzinfo=tz)


def _subtract(segment: tuple[dt.datetime, dt.datetime], pauses: Sequence[Pause], far: dt.datetime):
    """The parts of ``segment`` not covered by any pause, in order."""
    parts = [segment]
    for pause_start, pause_end in pauses:
        pause_end = pause_end or far
        next_parts = []
        for start, end in parts:
            if pause_end <= start or pause_start >= end:
                next_parts.append((start, end))
                continue
            if start < pause_start:
                next_parts.append((start, pause_start))
            if pause_end < end:
                next_parts.append((pause_end, end))
        parts = next_parts
    return parts


def _segments(start: dt.datetime, calendar: Calendar, pauses: Sequence[Pause]) -> Iterable[tuple]:
    """Working, unpaused stretches of time from ``start`` on, day by day."""
    far = start + DAY * (HORIZON_DAYS + 2)
    day = start.astimezone(calendar.tz).date()
    for _ in range(HORIZON_DAYS):
        if calendar.is_working_day(day):
            day_start, day_end = _day_bounds(day, calendar.tz)
            segment = (max(day_start, start), day_end)
            if segment[0] < segment[1]:
                yield from _subtract(segment, pauses, far)
        day += DAY


def working_time(
    start: dt.datetime, end: dt.datetime, calendar: Calendar, pauses: Sequence[Pause] = ()
) -> dt.timedelta:
    """Working, unpaused time between ``start`` and ``end`` (zero when ``end`` is not after ``start``)."""
    total = dt.timedelta()
    if end <= start:
        return total
    for seg_start, seg_end in _segments(start, calendar, pauses):
        if seg_start >= end:
            break
        total += min(seg_end, end) - seg_start
    return total


def due_at(
    start: dt.datetime, working_days: float, calendar: Calendar, pauses: Sequence[Pause] = ()
) -> dt.datetime | None:
    """When ``working_days`` of working, unpaused time will have passed since ``start``.

    None while a pause is open (the clock is stopped, so there is no due time) or when the calendar
    has no working day within the horizon.
    """
    if any(end is None for _, end in pauses):
        return None
    remaining = dt.timedelta(days=working_days)
    if remaining <= dt.timedelta():
        return start
    for seg_start, seg_end in _segments(start, calendar, pauses):
        length = seg_end - seg_start
        if length >= remaining:
            return seg_start + remaining
        remaining -= length
    return None
