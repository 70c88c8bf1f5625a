"""Working-day arithmetic: fixed cases with weekends, holidays, pauses and time zones, then properties
that must hold for any start, target and pauses."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.sla import Calendar, due_at, working_time

UTC = dt.UTC
WEEK = Calendar()


def at(day: str, time: str = "10:00", tz=UTC) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=tz)


# 2026-11-23 is a Monday.
@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (at("2026-11-23"), 1, at("2026-11-24")),  # Monday → Tuesday, same time
        (at("2026-11-27", "16:00"), 1, at("2026-11-30", "16:00")),  # Friday → Monday: the weekend skipped
        (at("2026-11-28"), 1, at("2026-12-01", "00:00")),  # Saturday: the clock starts Monday at midnight
        (at("2026-11-23"), 10, at("2026-12-07")),  # two working weeks
        (at("2026-11-23"), 0.5, at("2026-11-23", "22:00")),
        (at("2026-11-27", "18:00"), 0.5, at("2026-11-30", "06:00")),  # half a day across the weekend
    ],
)
def test_due_at_counts_working_days_only(start, days, expected):
    assert due_at(start, days, WEEK) == expected


def test_a_holiday_does_not_count():
    calendar = Calendar(holidays=frozenset({dt.date(2026, 11, 30)}))  # the Monday
    assert due_at(at("2026-11-27", "16:00"), 1, calendar) == at("2026-12-01", "16:00")


def test_a_six_day_week_counts_saturday():
    calendar = Calendar(working_days=frozenset({0, 1, 2, 3, 4, 5}))
    assert due_at(at("2026-11-27", "16:00"), 1, calendar) == at("2026-11-28", "16:00")


def test_a_pause_moves_the_due_time_by_its_working_length():
    pause = (at("2026-11-24", "10:00"), at("2026-11-25", "10:00"))  # a whole working day
    assert due_at(at("2026-11-23"), 2, WEEK, [pause]) == at("2026-11-26")


def test_a_pause_over_the_weekend_only_costs_its_working_part():
    pause = (at("2026-11-27", "12:00"), at("2026-11-30", "12:00"))  # Friday noon to Monday noon
    assert working_time(at("2026-11-27", "12:00"), at("2026-11-30", "12:00"), WEEK) == dt.timedelta(days=1)
    assert due_at(at("2026-11-27", "12:00"), 1, WEEK, [pause]) == at("2026-12-01", "12:00")


def test_an_open_pause_stops_the_clock():
    assert due_at(at("2026-11-23"), 2, WEEK, [(at("2026-11-24"), None)]) is None


def test_a_calendar_without_working_days_never_comes_due():
    assert due_at(at("2026-11-23"), 1, Calendar(working_days=frozenset())) is None


def test_working_days_follow_the_local_calendar():
    paris = ZoneInfo("Europe/Paris")
    calendar = Calendar(tz=paris)
    # Friday 23:30 in Paris is 22:30 UTC; half an hour of Friday remains, then Monday local midnight.
    start = at("2026-11-27", "22:30")
    assert due_at(start, 1, calendar) == dt.datetime(2026, 11, 30, 23, 30, tzinfo=paris)


def test_working_time_is_zero_backwards():
    assert working_time(at("2026-11-24"), at("2026-11-23"), WEEK) == dt.timedelta()


# Properties ------------------------------------------------------------------------------------------

# Hypothesis takes naive bounds and attaches the time zone itself.
starts = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
targets = st.floats(min_value=0.1, max_value=30, allow_nan=False).map(lambda x: round(x, 2))
calendars = st.builds(
    Calendar,
    working_days=st.frozensets(st.integers(0, 6), min_size=1),
    holidays=st.frozensets(st.dates(dt.date(2026, 1, 1), dt.date(2028, 3, 1)), max_size=20),
)


@st.composite
def closed_pauses(draw, start):
    pauses, cursor = [], start
    for _ in range(draw(st.integers(0, 3))):
        begin = cursor + dt.timedelta(hours=draw(st.integers(0, 200)))
        end = begin + dt.timedelta(hours=draw(st.integers(1, 100)))
        pauses.append((begin, end))
        cursor = end
    return pauses


@settings(max_examples=150, deadline=None)
@given(data=st.data(), start=starts, days=targets, calendar=calendars)
def test_the_working_time_until_the_due_time_is_the_target(data, start, days, calendar):
    pauses = data.draw(closed_pauses(start))
    due = due_at(start, days, calendar, pauses)
    assert due is not None and due >= start
    elapsed = working_time(start, due, calendar, pauses)
    assert abs(elapsed - dt.timedelta(days=days)) < dt.timedelta(seconds=1)


@settings(max_examples=100, deadline=None)
@given(start=starts, days=targets, more=targets, calendar=calendars)
def test_a_longer_target_is_never_due_earlier(start, days, more, calendar):
    assert due_at(start, days, calendar) <= due_at(start, days + more, calendar)


@settings(max_examples=100, deadline=None)
@given(a=starts, gap1=st.integers(0, 500), gap2=st.integers(0, 500), calendar=calendars)
def test_working_time_adds_up_and_never_exceeds_the_clock(a, gap1, gap2, calendar):
    b = a + dt.timedelta(hours=gap1)
    c = b + dt.timedelta(hours=gap2)
    assert working_time(a, b, calendar) + working_time(b, c, calendar) == working_time(a, c, calendar)
    assert working_time(a, c, calendar) <= c - a


@settings(max_examples=50, deadline=None)
@given(start=starts, days=targets)
def test_with_every_day_working_the_due_time_is_plain_addition(start, days):
    every_day = Calendar(working_days=frozenset(range(7)))
    assert due_at(start, days, every_day) == start + dt.timedelta(days=days)
