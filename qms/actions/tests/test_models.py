import datetime as dt

import pytest
from django.utils import timezone

from qms.accounts.permissions import can
from qms.actions.models import Action
from qms.actions.tests.factories import ActionFactory

pytestmark = pytest.mark.django_db


def test_reference_is_act_and_five_digits():
    action = ActionFactory(title="Fix labels")
    assert action.reference == f"ACT-{action.pk:05d}"
    assert str(action) == f"{action.reference} Fix labels"


def test_absolute_url_is_the_detail_page():
    action = ActionFactory()
    assert action.get_absolute_url() == f"/actions/{action.pk}/"


def test_source_is_any_record_and_its_label_is_kept():
    source = ActionFactory(title="Source action")
    action = ActionFactory(source=source)
    assert action.source == source
    assert action.source_label == str(source)


@pytest.mark.parametrize(
    ("status", "days", "overdue"),
    [("open", -1, True), ("in_progress", -1, True), ("open", 0, False), ("done", -5, False), ("cancelled", -5, False)],
)
def test_overdue_means_still_to_do_and_past_due(status, days, overdue):
    action = ActionFactory(status=status, due_date=timezone.localdate() + dt.timedelta(days=days))
    assert action.is_overdue is overdue


def test_staff_may_work_only_their_own_action(staff):
    assert can(staff, "work", Action, ActionFactory(owner=staff))
    assert not can(staff, "work", Action, ActionFactory())


def test_quality_manager_may_work_any_action(quality):
    assert can(quality, "work", Action, ActionFactory())


@pytest.mark.parametrize("role", ["management", "auditor"])
def test_readers_may_not_work_even_their_own(user_in_role, role):
    user = user_in_role(role)
    assert not can(user, "work", Action, ActionFactory(owner=user))


def test_restrict_for_work_gives_staff_only_their_own(staff, quality):
    mine = ActionFactory(owner=staff)
    ActionFactory()
    assert list(Action.objects.restrict(staff, "work")) == [mine]
    assert Action.objects.restrict(quality, "work").count() == 2
