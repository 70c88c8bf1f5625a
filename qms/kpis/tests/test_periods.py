import datetime as dt

import pytest

from qms.kpis.periods import (
    add_periods,
    is_closed,
    last_months,
    period_end,
    period_label,
    period_start,
    periods_between,
)

D = dt.date


@pytest.mark.parametrize(
    ("day", "frequency", "expected"),
    [
        (D(2026, 3, 31), "monthly", D(2026, 3, 1)),
        (D(2026, 3, 1), "monthly", D(2026, 3, 1)),
        (D(2026, 3, 31), "quarterly", D(2026, 1, 1)),
        (D(2026, 4, 1), "quarterly", D(2026, 4, 1)),
        (D(2026, 12, 31), "quarterly", D(2026, 10, 1)),
    ],
)
def test_period_start(day, frequency, expected):
    assert period_start(day, frequency) == expected


@pytest.mark.parametrize(
    ("start", "count", "frequency", "expected"),
    [
        (D(2026, 12, 1), 1, "monthly", D(2027, 1, 1)),
        (D(2026, 1, 1), -1, "monthly", D(2025, 12, 1)),
        (D(2026, 10, 1), 1, "quarterly", D(2027, 1, 1)),
        (D(2026, 1, 1), -4, "quarterly", D(2025, 1, 1)),
        (D(2026, 5, 1), -11, "monthly", D(2025, 6, 1)),
    ],
)
def test_add_periods_crosses_years(start, count, frequency, expected):
    assert add_periods(start, count, frequency) == expected


def test_period_end_of_february_in_a_leap_year_and_of_a_quarter():
    assert period_end(D(2028, 2, 1)) == D(2028, 2, 29)
    assert period_end(D(2026, 2, 1)) == D(2026, 2, 28)
    assert period_end(D(2026, 10, 1), "quarterly") == D(2026, 12, 31)


def test_periods_between_lists_every_period_touching_the_range():
    assert periods_between(D(2026, 1, 15), D(2026, 4, 2)) == [
        D(2026, 1, 1),
        D(2026, 2, 1),
        D(2026, 3, 1),
        D(2026, 4, 1),
    ]
    assert periods_between(D(2026, 2, 15), D(2026, 7, 1), "quarterly") == [D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1)]
    assert periods_between(D(2026, 5, 1), D(2026, 4, 30)) == []


def test_period_labels():
    assert period_label(D(2026, 3, 1)) == "Mar 2026"
    assert period_label(D(2026, 7, 1), "quarterly") == "Q3 2026"


def test_a_period_is_closed_only_after_its_last_day():
    assert not is_closed(D(2026, 3, 1), D(2026, 3, 31))
    assert is_closed(D(2026, 3, 1), D(2026, 4, 1))
    assert not is_closed(D(2026, 1, 1), D(2026, 3, 31), "quarterly")


def test_last_twelve_months_end_today_and_start_on_a_first():
    assert last_months(D(2026, 11, 25)) == (D(2025, 12, 1), D(2026, 11, 25))
    assert last_months(D(2026, 11, 25), 3) == (D(2026, 9, 1), D(2026, 11, 25))
