"""Complaint figures: exact numbers on a small known data set."""

from __future__ import annotations

import datetime as dt

import pytest

from customers.tests.factories import CustomerFactory
from feedback import figures
from feedback.tests.factories import CategoryFactory, FeedbackItemFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=UTC)


@pytest.fixture
def categories():
    return {name: CategoryFactory(name=name) for name in ("Delivery", "Quality", "Billing")}


@pytest.fixture
def pareto(categories):
    """Delivery 3, Quality 2, none 1 (and one compliment, which is not a complaint)."""
    for _ in range(3):
        FeedbackItemFactory(category=categories["Delivery"], received_at=at("2026-03-10"))
    for _ in range(2):
        FeedbackItemFactory(category=categories["Quality"], received_at=at("2026-03-11"))
    FeedbackItemFactory(category=None, received_at=at("2026-03-12"))
    FeedbackItemFactory(kind="compliment", category=categories["Billing"], received_at=at("2026-03-12"))


def test_complaints_by_category_is_sorted_with_cumulative_share_reaching_100(pareto):
    assert figures.complaints_by_category() == [
        {"category": "Delivery", "count": 3, "cumulative_pct": 50.0},
        {"category": "Quality", "count": 2, "cumulative_pct": 83.3},
        {"category": "Uncategorised", "count": 1, "cumulative_pct": 100.0},
    ]


def test_complaints_by_category_counts_only_the_period(pareto):
    assert figures.complaints_by_category(start=dt.date(2026, 3, 11), end=dt.date(2026, 3, 11)) == [
        {"category": "Quality", "count": 2, "cumulative_pct": 100.0},
    ]


def test_complaints_by_category_ties_are_in_name_order(categories):
    FeedbackItemFactory(category=categories["Quality"])
    FeedbackItemFactory(category=categories["Billing"])
    assert [row["category"] for row in figures.complaints_by_category()] == ["Billing", "Quality"]


def test_complaints_by_category_is_empty_without_complaints():
    assert figures.complaints_by_category() == []


def test_figures_for_staff_count_only_what_they_may_see(pareto, staff, categories):
    FeedbackItemFactory(category=categories["Billing"], logged_by=staff)
    assert figures.complaints_by_category(user=staff) == [
        {"category": "Billing", "count": 1, "cumulative_pct": 100.0},
    ]


def test_figures_for_a_manager_count_everything(pareto, quality):
    assert sum(row["count"] for row in figures.complaints_by_category(user=quality)) == 6


def test_complaints_received_per_month_lists_empty_months_as_zero():
    FeedbackItemFactory(received_at=at("2026-01-05"))
    FeedbackItemFactory(received_at=at("2026-01-31", 23))
    FeedbackItemFactory(received_at=at("2026-03-01", 0))
    FeedbackItemFactory(received_at=at("2026-05-01"))  # after the end
    FeedbackItemFactory(kind="suggestion", received_at=at("2026-02-02"))
    assert figures.complaints_received(start=dt.date(2026, 1, 1), end=dt.date(2026, 4, 30)) == [
        {"period": dt.date(2026, 1, 1), "count": 2},
        {"period": dt.date(2026, 2, 1), "count": 0},
        {"period": dt.date(2026, 3, 1), "count": 1},
        {"period": dt.date(2026, 4, 1), "count": 0},
    ]


def test_complaints_received_per_quarter_and_week():
    FeedbackItemFactory(received_at=at("2026-02-10"))
    FeedbackItemFactory(received_at=at("2026-07-01"))
    assert figures.complaints_received(start=dt.date(2026, 1, 1), end=dt.date(2026, 9, 30), period="quarter") == [
        {"period": dt.date(2026, 1, 1), "count": 1},
        {"period": dt.date(2026, 4, 1), "count": 0},
        {"period": dt.date(2026, 7, 1), "count": 1},
    ]
    # 2026-02-10 is a Tuesday: its week starts on Monday the 9th.
    assert figures.complaints_received(start=dt.date(2026, 2, 4), end=dt.date(2026, 2, 16), period="week") == [
        {"period": dt.date(2026, 2, 2), "count": 0},
        {"period": dt.date(2026, 2, 9), "count": 1},
        {"period": dt.date(2026, 2, 16), "count": 0},
    ]


def test_complaints_received_filters_by_segment_and_category(categories):
    public = CustomerFactory(segment="public")
    FeedbackItemFactory(customer=public, category=categories["Delivery"], received_at=at("2026-01-05"))
    FeedbackItemFactory(customer=public, category=categories["Quality"], received_at=at("2026-01-06"))
    FeedbackItemFactory(received_at=at("2026-01-07"))  # an SME customer
    january = {"start": dt.date(2026, 1, 1), "end": dt.date(2026, 1, 31)}
    assert figures.complaints_received(**january, segment="public") == [{"period": dt.date(2026, 1, 1), "count": 2}]
    assert figures.complaints_received(**january, category=categories["Quality"])[0]["count"] == 1
    assert figures.complaints_received(**january, customer=public)[0]["count"] == 2


def test_complaints_received_refuses_an_unknown_period():
    with pytest.raises(ValueError, match="period"):
        figures.complaints_received(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), period="year")


def test_complaints_by_product_and_by_customer():
    acme, bolt = CustomerFactory(name="Acme"), CustomerFactory(name="Bolt")
    FeedbackItemFactory(customer=acme, product="Pumps")
    FeedbackItemFactory(customer=acme, product="pumps ")
    FeedbackItemFactory(customer=bolt, product="Pumps")
    FeedbackItemFactory(customer=bolt, product="Valves")
    FeedbackItemFactory(customer=None, product="")
    assert figures.complaints_by_product() == [
        {"product": "Pumps", "count": 3},
        {"product": "Not recorded", "count": 1},
        {"product": "Valves", "count": 1},
    ]
    assert figures.complaints_by_customer() == [
        {"customer_id": acme.pk, "customer": "Acme", "count": 2},
        {"customer_id": bolt.pk, "customer": "Bolt", "count": 2},
        {"customer_id": None, "customer": "No customer recorded", "count": 1},
    ]
    assert figures.complaints_by_customer(product="PUMPS") == [
        {"customer_id": acme.pk, "customer": "Acme", "count": 1},
        {"customer_id": bolt.pk, "customer": "Bolt", "count": 1},
    ]


def test_time_to_acknowledge_median_and_p90_with_an_even_count():
    for hours in (96, 12, 36, 24):  # 4, 0.5, 1.5 and 1 working days
        FeedbackItemFactory(acknowledge_working_hours=hours)
    FeedbackItemFactory(acknowledge_working_hours=None)  # not acknowledged yet
    # Linear interpolation: median (1 + 1.5) / 2; p90 at rank 2.7 → 1.5 + 0.7 × (4 − 1.5).
    assert figures.time_to_acknowledge() == {"median": 1.25, "p90": 3.25, "count": 4}


def test_time_to_resolve_with_one_value_and_with_none():
    assert figures.time_to_resolve() == {"median": None, "p90": None, "count": 0}
    FeedbackItemFactory(resolve_working_hours=60)
    assert figures.time_to_resolve() == {"median": 2.5, "p90": 2.5, "count": 1}


def test_time_to_resolve_counts_by_the_received_date():
    FeedbackItemFactory(resolve_working_hours=24, received_at=at("2026-01-10"))
    FeedbackItemFactory(resolve_working_hours=48, received_at=at("2026-02-10"))
    result = figures.time_to_resolve(start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 28))
    assert result == {"median": 2.0, "p90": 2.0, "count": 1}


@pytest.fixture
def resolutions():
    """Resolved in March: two in time, one late (reopened once); one resolved in April; one still open."""
    march = at("2026-03-15")
    FeedbackItemFactory(status="resolved", resolved_at=march, resolved_within_target=True)
    FeedbackItemFactory(status="closed", resolved_at=march, resolved_within_target=True)
    FeedbackItemFactory(status="resolved", resolved_at=march, resolved_within_target=False, reopen_count=1)
    FeedbackItemFactory(status="resolved", resolved_at=at("2026-04-02"), resolved_within_target=True, reopen_count=2)
    FeedbackItemFactory(status="investigating", reopen_count=1)


MARCH = {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 3, 31)}


def test_resolved_within_target_pct_counts_the_resolutions_of_the_period(resolutions):
    assert figures.resolved_within_target_pct(**MARCH) == 66.7
    assert figures.resolved_within_target_pct() == 75.0


def test_reopen_rate_is_the_share_of_resolved_complaints_that_had_been_reopened(resolutions):
    assert figures.reopen_rate(**MARCH) == 33.3
    assert figures.reopen_rate() == 50.0


def test_rates_are_none_without_resolutions():
    assert figures.resolved_within_target_pct(**MARCH) is None
    assert figures.reopen_rate(**MARCH) is None


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [([1.0, 2.0, 3.0], 0.5, 2.0), ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5), ([0.0, 10.0], 0.9, 9.0), ([], 0.5, None)],
)
def test_percentile_interpolates_linearly(values, fraction, expected):
    assert figures.percentile(values, fraction) == (None if expected is None else pytest.approx(expected))
