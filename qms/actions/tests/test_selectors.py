import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from qms.actions import selectors
from qms.actions.tests.factories import ActionFactory, UserFactory

pytestmark = pytest.mark.django_db


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def test_actions_for_source_are_only_that_records():
    source, other = ActionFactory(), ActionFactory()
    mine = [ActionFactory(source=source, due_date=days(2)), ActionFactory(source=source, due_date=days(1))]
    ActionFactory(source=other)
    assert list(selectors.actions_for_source(source)) == [mine[1], mine[0]]


def test_actions_for_sources_gathers_several_records_in_one_query(django_assert_num_queries):
    first, second = ActionFactory(), ActionFactory()
    expected = {ActionFactory(source=first), ActionFactory(source=second)}
    with django_assert_num_queries(1):
        assert set(selectors.actions_for_sources([first, second])) == expected


def test_open_actions_for_source_leave_out_done_and_cancelled():
    source = ActionFactory()
    still_open = {ActionFactory(source=source, status="open"), ActionFactory(source=source, status="in_progress")}
    for status in ("done", "verified_effective", "not_effective", "cancelled"):
        ActionFactory(source=source, status=status)
    assert set(selectors.open_actions_for_source(source)) == still_open


def test_my_actions_are_open_or_awaiting_check_overdue_first(staff):
    later = ActionFactory(owner=staff, due_date=days(3))
    overdue = ActionFactory(owner=staff, due_date=days(-2), status="in_progress")
    awaiting = ActionFactory(owner=staff, due_date=days(1), status="done")
    ActionFactory(owner=staff, status="verified_effective")
    ActionFactory(owner=staff, status="cancelled")
    ActionFactory(due_date=days(-9))  # someone else's
    assert list(selectors.my_actions(staff)) == [overdue, awaiting, later]


def test_overdue_count_all_or_one_persons(staff):
    ActionFactory(owner=staff, due_date=days(-1))
    ActionFactory(due_date=days(-1), status="in_progress")
    ActionFactory(due_date=days(-1), status="done")
    ActionFactory(due_date=days(0))
    assert selectors.overdue_action_count() == 2
    assert selectors.overdue_action_count(user=staff) == 1


def test_due_for_owner_is_open_and_due_within_seven_days(staff):
    due = {ActionFactory(owner=staff, due_date=days(7)), ActionFactory(owner=staff, due_date=days(-30))}
    ActionFactory(owner=staff, due_date=days(8))
    ActionFactory(owner=staff, due_date=days(1), status="done")
    assert set(selectors.due_for_owner(staff)) == due


def test_verified_effective_pct_counts_checks_in_the_period():
    checker = UserFactory()
    with time_machine.travel(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC), tick=False):
        for status in ("verified_effective", "verified_effective", "verified_effective", "not_effective"):
            ActionFactory(status=status, checked_by=checker, checked_at=timezone.now())
    ActionFactory(status="not_effective", checked_by=checker, checked_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    ActionFactory(status="done")
    pct = selectors.actions_verified_effective_pct(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert pct == Decimal("75.0")


def test_verified_effective_pct_is_none_without_checks():
    ActionFactory(status="done")
    assert selectors.actions_verified_effective_pct(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)) is None


def test_action_list_is_empty_for_someone_without_a_role():
    ActionFactory()
    nobody = get_user_model().objects.create_user("nobody", password="x")
    assert not selectors.action_list(user=nobody).exists()


def test_action_list_applies_the_shared_filters(auditor):
    wanted = ActionFactory(kind="preventive", title="Train dispatch", due_date=days(-1))
    ActionFactory(kind="preventive", title="Train sales")
    ActionFactory(kind="corrective", title="Train dispatch again", due_date=days(-1))
    rows = selectors.action_list(user=auditor, filters={"kind": "preventive", "overdue": "true", "q": "dispatch"})
    assert list(rows) == [wanted]


def test_source_filter_takes_app_label_model_and_id(auditor):
    source = ActionFactory()
    raised = ActionFactory(source=source)
    ActionFactory()
    assert list(selectors.action_list(user=auditor, filters={"source": f"actions.action:{source.pk}"})) == [raised]


@pytest.mark.parametrize("ref", ["", "nonsense", "actions.action", "actions.action:x", "nope.nothing:1"])
def test_source_for_ref_refuses_bad_references(quality, ref):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        selectors.source_for_ref(ref, user=quality)


def test_source_for_ref_refuses_a_record_the_user_may_not_see(staff):
    from django.contrib.auth.models import Group
    from django.core.exceptions import ValidationError

    group = Group.objects.first()
    with pytest.raises(ValidationError):
        selectors.source_for_ref(f"auth.group:{group.pk}", user=staff)


def test_source_for_ref_finds_a_visible_record(quality):
    source = ActionFactory()
    assert selectors.source_for_ref(f"actions.action:{source.pk}", user=quality) == source
