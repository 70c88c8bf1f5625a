"""The quality manager's work queues: what each counts, its first items and links, in constant queries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.tests.factories import FeedbackItemFactory
from qms.actions.tests.factories import ActionFactory
from qms.kpis.queues import QUEUES, work_queues
from requirements.tests.factories import EvaluationFactory, RequirementFactory
from risks.tests.factories import RiskEntryFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


def hours(count: int) -> dt.datetime:
    return NOW + dt.timedelta(hours=count)


def queue(key: str):
    return next(item for item in work_queues(TODAY) if item.key == key)


def test_every_domain_registers_its_queues_in_order():
    assert [item.key for item in work_queues(TODAY)] == [
        "complaints_past_target",
        "complaints_near_target",
        "overdue_actions",
        "overdue_evaluations",
        "risk_reviews_overdue",
    ]
    assert set(QUEUES) >= {"overdue_actions", "risk_reviews_overdue"}


def test_complaints_past_their_target_longest_overdue_first():
    later = FeedbackItemFactory(status="acknowledged", resolve_due_at=hours(-2), resolve_warn_at=hours(-30))
    first = FeedbackItemFactory(status="received", acknowledge_due_at=hours(-50), acknowledge_warn_at=hours(-60))
    FeedbackItemFactory(status="acknowledged", resolve_due_at=hours(20), resolve_warn_at=hours(-1))  # near only
    FeedbackItemFactory(status="closed", resolve_due_at=hours(-90))  # done
    FeedbackItemFactory(
        status="acknowledged", resolve_due_at=hours(-5), paused_since=hours(-10)
    )  # waiting on the customer
    past = queue("complaints_past_target")
    assert past.count == 2
    assert [item.url for item in past.items] == [first.get_absolute_url(), later.get_absolute_url()]
    assert past.list_url == "/feedback/?kind=complaint&overdue=true"


def test_complaints_near_their_target_are_those_past_the_warning_only():
    near = FeedbackItemFactory(status="investigating", resolve_due_at=hours(20), resolve_warn_at=hours(-1))
    FeedbackItemFactory(status="investigating", resolve_due_at=hours(20), resolve_warn_at=hours(2))  # not yet
    FeedbackItemFactory(status="investigating", resolve_due_at=hours(-1), resolve_warn_at=hours(-9))  # past
    near_queue = queue("complaints_near_target")
    assert near_queue.count == 1
    assert near_queue.items[0].label == str(near)
    assert near_queue.items[0].due == near.resolve_due_at


def test_overdue_actions_with_owner_and_due_date():
    action = ActionFactory(due_date=TODAY - dt.timedelta(days=3))
    ActionFactory(due_date=TODAY + dt.timedelta(days=3))
    ActionFactory(due_date=TODAY - dt.timedelta(days=3), status="done")
    actions = queue("overdue_actions")
    assert actions.count == 1
    assert (actions.items[0].label, actions.items[0].due, actions.items[0].note) == (
        str(action),
        action.due_date,
        str(action.owner),
    )
    assert actions.list_url == "/actions/?overdue=true"


def test_requirements_overdue_for_review_or_evaluation():
    review = RequirementFactory(next_review_date=TODAY - dt.timedelta(days=1))
    evaluation = RequirementFactory()
    EvaluationFactory(requirement=evaluation, next_due_date=TODAY - dt.timedelta(days=10))
    RequirementFactory()  # on time
    overdue = queue("overdue_evaluations")
    assert overdue.count == 2
    assert {item.label for item in overdue.items} == {str(review), str(evaluation)}
    assert overdue.list_url == "/requirements/?overdue=true"


def test_risk_reviews_overdue():
    entry = RiskEntryFactory(next_review_date=TODAY - dt.timedelta(days=1))
    RiskEntryFactory(next_review_date=TODAY + dt.timedelta(days=1))
    RiskEntryFactory(next_review_date=TODAY - dt.timedelta(days=1), status="closed")
    reviews = queue("risk_reviews_overdue")
    assert (reviews.count, reviews.items[0].label, reviews.items[0].due) == (1, str(entry), entry.next_review_date)


def test_a_queue_lists_its_first_five_and_counts_all():
    for days in range(1, 8):
        ActionFactory(due_date=TODAY - dt.timedelta(days=days))
    actions = queue("overdue_actions")
    assert actions.count == 7
    assert len(actions.items) == 5
    assert actions.items[0].due == TODAY - dt.timedelta(days=7)


def test_an_empty_queue_says_so():
    assert queue("overdue_actions").count == 0
    assert queue("overdue_actions").empty == "No action is overdue."


def grow(times: int) -> None:
    for index in range(times):
        FeedbackItemFactory(status="acknowledged", resolve_due_at=hours(-index - 1), resolve_warn_at=hours(-50))
        FeedbackItemFactory(status="acknowledged", resolve_due_at=hours(index + 5), resolve_warn_at=hours(-1))
        ActionFactory(due_date=TODAY - dt.timedelta(days=index + 1))
        RequirementFactory(next_review_date=TODAY - dt.timedelta(days=index + 1))
        RiskEntryFactory(next_review_date=TODAY - dt.timedelta(days=index + 1))


def count_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        work_queues(TODAY)
    return len(queries)


def test_query_count_does_not_grow_with_the_data():
    grow(1)
    small = count_queries()
    grow(9)
    assert count_queries() == small == len(QUEUES)  # one query each: the first items carry the total
