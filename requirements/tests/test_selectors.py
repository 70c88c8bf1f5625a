"""Reads of the requirements register: who sees what, what is due, and the two dashboard figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from requirements import selectors
from requirements.models import Acknowledgement, Assignment, Requirement
from requirements.tests.factories import EvaluationFactory, RequirementFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 25)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def acknowledge(requirement, user, version=None):
    Acknowledgement.objects.create(
        requirement=requirement, user=user, version=version or requirement.version, acknowledged_at=timezone.now()
    )


# Acknowledged coverage %


def test_coverage_is_none_when_no_active_requirement_is_assigned():
    RequirementFactory(status="active")
    Assignment.objects.create(requirement=RequirementFactory(status="draft"), user=UserFactory())
    assert selectors.acknowledged_coverage_pct() is None


def test_coverage_counts_each_active_requirement_and_assignee_at_the_current_version():
    alice, bob, carol, dave = UserFactory.create_batch(4)
    team = Group.objects.create(name="Dispatch team")
    team.user_set.add(carol, dave)
    first = RequirementFactory(status="active")
    Assignment.objects.create(requirement=first, user=alice)
    Assignment.objects.create(requirement=first, user=bob)
    second = RequirementFactory(status="active")
    Requirement.objects.filter(pk=second.pk).update(version=2)
    second.refresh_from_db()
    Assignment.objects.create(requirement=second, group=team)
    Assignment.objects.create(requirement=second, user=carol)  # also in the role: counted once
    acknowledge(first, alice)  # counts
    acknowledge(second, carol, version=1)  # an earlier version: does not count
    acknowledge(second, dave)  # counts
    # Pairs: (first, alice), (first, bob), (second, carol), (second, dave): 2 of 4.
    assert selectors.acknowledged_coverage_pct() == Decimal("50.0")


def test_coverage_ignores_inactive_people_and_requirements_not_active():
    alice, bob, carol, gone = UserFactory.create_batch(4)
    gone.is_active = False
    gone.save()
    active = RequirementFactory(status="active")
    for person in (alice, bob, carol, gone):
        Assignment.objects.create(requirement=active, user=person)
    retired = RequirementFactory(status="retired")
    Assignment.objects.create(requirement=retired, user=alice)
    acknowledge(active, alice)
    acknowledge(active, gone)
    acknowledge(retired, alice)
    # Pairs: (active, alice), (active, bob), (active, carol): 1 of 3.
    assert selectors.acknowledged_coverage_pct() == Decimal("33.3")


# Requirements met %


def test_met_is_none_when_no_requirement_is_active_and_applicable():
    EvaluationFactory(requirement=RequirementFactory(status="active"), result="not_applicable")
    RequirementFactory(status="retired")
    assert selectors.requirements_met_pct() is None


def test_met_uses_each_active_requirements_last_evaluation():
    met = RequirementFactory(status="active")
    EvaluationFactory(requirement=met, result="not_met", evaluated_on=days(-60))
    EvaluationFactory(requirement=met, result="met", evaluated_on=days(-1))
    now_partly = RequirementFactory(status="active")
    EvaluationFactory(requirement=now_partly, result="met", evaluated_on=days(-60))
    EvaluationFactory(requirement=now_partly, result="partly_met", evaluated_on=days(-2))
    RequirementFactory(status="active")  # never evaluated: not met
    not_applicable = RequirementFactory(status="active")
    EvaluationFactory(requirement=not_applicable, result="not_applicable")  # left out
    EvaluationFactory(requirement=RequirementFactory(status="retired"), result="met")  # left out
    EvaluationFactory(requirement=RequirementFactory(status="draft"), result="met")  # left out
    # 1 met of 3 applicable.
    assert selectors.requirements_met_pct() == Decimal("33.3")


def test_met_is_100_when_every_applicable_requirement_was_last_met():
    for _ in range(2):
        EvaluationFactory(requirement=RequirementFactory(status="active"), result="met")
    assert selectors.requirements_met_pct() == Decimal("100.0")


def test_two_evaluations_on_one_day_the_later_recorded_wins():
    requirement = RequirementFactory(status="active")
    EvaluationFactory(requirement=requirement, result="not_met", evaluated_on=days(-1))
    EvaluationFactory(requirement=requirement, result="met", evaluated_on=days(-1))
    assert selectors.requirements_met_pct() == Decimal("100.0")


# Due for the owner


def test_due_for_owner_lists_reviews_and_evaluations_due_within_14_days_or_overdue():
    owner = UserFactory()
    review_overdue = RequirementFactory(owner=owner, reference="REQ-0001", next_review_date=days(-3))
    review_soon = RequirementFactory(owner=owner, reference="REQ-0002", next_review_date=days(14))
    RequirementFactory(owner=owner, reference="REQ-0003", next_review_date=days(15))
    evaluation_soon = RequirementFactory(owner=owner, reference="REQ-0004", next_review_date=days(200))
    EvaluationFactory(requirement=evaluation_soon, evaluated_on=days(-300), next_due_date=days(5))
    not_yet = RequirementFactory(owner=owner, reference="REQ-0005", next_review_date=days(200))
    EvaluationFactory(requirement=not_yet, evaluated_on=days(-10), next_due_date=days(60))
    assert list(selectors.due_for_owner(owner, today=TODAY)) == [review_overdue, review_soon, evaluation_soon]


def test_due_for_owner_leaves_out_drafts_retired_and_other_owners():
    owner = UserFactory()
    under_review = RequirementFactory(owner=owner, status="under_review", next_review_date=days(1))
    for status in ("draft", "retired", "superseded"):
        RequirementFactory(owner=owner, status=status, next_review_date=days(1))
    RequirementFactory(next_review_date=days(1))
    assert list(selectors.due_for_owner(owner, today=TODAY)) == [under_review]


# The list and who sees it


@pytest.mark.parametrize("persona", ["quality", "management", "staff", "auditor"])
def test_every_role_reads_the_register(request, persona):
    requirement = RequirementFactory()
    assert list(selectors.requirement_list(user=request.getfixturevalue(persona))) == [requirement]


def test_someone_without_a_role_sees_nothing():
    RequirementFactory()
    assert not selectors.requirement_list(user=UserFactory()).exists()


def test_list_annotates_the_last_result_and_overdue_filter_uses_it(quality):
    today = timezone.localdate()
    late = RequirementFactory(next_review_date=today + dt.timedelta(days=30))
    EvaluationFactory(
        requirement=late,
        evaluated_on=today - dt.timedelta(days=400),
        next_due_date=today - dt.timedelta(days=1),
        result="partly_met",
    )
    on_time = RequirementFactory(next_review_date=today + dt.timedelta(days=30))
    rows = selectors.requirement_list(user=quality)
    assert {row.pk: row.last_result for row in rows} == {late.pk: "partly_met", on_time.pk: None}
    assert list(rows.filter(selectors.overdue_q())) == [late]


def test_list_reads_owner_customer_and_last_evaluation_in_one_query(quality, django_assert_num_queries):
    for _ in range(3):
        EvaluationFactory(requirement=RequirementFactory())
    selectors.requirement_list(user=quality).count()  # warms the user's permission cache
    with django_assert_num_queries(1):
        rows = list(selectors.requirement_list(user=quality))
        assert [row.owner.username and row.customer.code and row.last_result for row in rows] == ["met"] * 3
