import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qms.actions import services
from qms.actions.choices import ActionStatus
from qms.actions.models import Action
from qms.actions.tests.conftest import action_entries
from qms.actions.tests.factories import ActionFactory, UserFactory

pytestmark = pytest.mark.django_db
IN_A_WEEK = timezone.localdate() + dt.timedelta(days=7)

# transition -> statuses it is allowed from, and where it leads. Written out, not read from workflow.py.
ALLOWED = {
    "start": ({"open"}, "in_progress"),
    "complete": ({"open", "in_progress"}, "done"),
    "verify_effective": ({"done"}, "verified_effective"),
    "verify_not_effective": ({"done"}, "not_effective"),
    "reopen": ({"done", "not_effective"}, "in_progress"),
    "cancel": ({"open", "in_progress", "not_effective"}, "cancelled"),
}
CASES = [(status, name) for status in ActionStatus.values for name in ALLOWED]


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


@pytest.mark.parametrize(("status", "transition"), CASES)
def test_every_status_by_every_transition(quality, status, transition):
    action = ActionFactory(status=status, owner=quality)
    sources, target = ALLOWED[transition]
    if status in sources:
        services.action_transition(actor=quality, action=action, transition=transition, note="Checked.")
        action.refresh_from_db()
        assert action.status == target
    else:
        with pytest.raises(ValidationError) as excinfo:
            services.action_transition(actor=quality, action=action, transition=transition, note="Checked.")
        assert error_fields(excinfo) == {"status"}
        action.refresh_from_db()
        assert action.status == status


def test_the_state_is_read_from_the_database_not_the_stale_object(quality):
    action = ActionFactory(status="open", owner=quality)
    stale = Action.objects.get(pk=action.pk)
    services.action_cancel(actor=quality, action=action, reason="Not needed.")
    with pytest.raises(ValidationError):
        services.action_start(actor=quality, action=stale)
    assert Action.objects.get(pk=action.pk).status == "cancelled"


# Create and update


def test_quality_manager_creates_an_action_from_a_source_with_one_audit_entry(quality, staff):
    source = ActionFactory(title="Earlier action")
    action = services.action_create(
        actor=quality, kind="preventive", title="Train the team", owner=staff, due_date=IN_A_WEEK, source=source
    )
    assert (action.status, action.created_by, action.source, action.source_label) == (
        "open",
        quality,
        source,
        str(source),
    )
    assert action_entries(action) == 1


def test_any_due_date_is_accepted_even_a_past_one(quality, staff):
    action = services.action_create(
        actor=quality, kind="corrective", title="Late", owner=staff, due_date=timezone.localdate() - dt.timedelta(1)
    )
    assert action.is_overdue


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"kind": "other"}, "kind"),
        ({"owner": None}, "owner"),
        ({"due_date": None}, "due_date"),
    ],
)
def test_invalid_action_names_the_field_and_saves_nothing(quality, staff, overrides, field):
    values = {"kind": "corrective", "title": "Fix", "owner": staff, "due_date": IN_A_WEEK, **overrides}
    with pytest.raises(ValidationError) as excinfo:
        services.action_create(actor=quality, **values)
    assert field in error_fields(excinfo)
    assert not Action.objects.exists()


def test_an_unsaved_source_is_refused_on_source(quality, staff):
    with pytest.raises(ValidationError) as excinfo:
        services.action_create(
            actor=quality, kind="corrective", title="Fix", owner=staff, due_date=IN_A_WEEK, source=Action()
        )
    assert error_fields(excinfo) == {"source"}


@pytest.mark.parametrize("role", ["staff", "management", "auditor"])
def test_only_quality_managers_create_actions(user_in_role, role, staff):
    with pytest.raises(PermissionDenied):
        services.action_create(
            actor=user_in_role(role), kind="corrective", title="Fix", owner=staff, due_date=IN_A_WEEK
        )


def test_update_changes_the_fields_with_one_audit_entry(quality):
    action = ActionFactory()
    before = action_entries(action)
    services.action_update(actor=quality, action=action, title="Sharper title", due_date=IN_A_WEEK)
    action.refresh_from_db()
    assert (action.title, action.due_date) == ("Sharper title", IN_A_WEEK)
    assert action_entries(action) == before + 1


def test_update_never_changes_the_status(quality):
    action = ActionFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.action_update(actor=quality, action=action, status="done")
    assert error_fields(excinfo) == {"status"}


def test_staff_cannot_edit_even_their_own_action(staff):
    with pytest.raises(PermissionDenied):
        services.action_update(actor=staff, action=ActionFactory(owner=staff), title="Mine now")


# Working an action


def test_owner_starts_and_completes_their_action_with_one_entry_each(staff):
    action = ActionFactory(owner=staff)
    before = action_entries(action)
    services.action_start(actor=staff, action=action)
    services.action_complete(actor=staff, action=action, note="Labels reprinted.")
    action.refresh_from_db()
    assert (action.status, action.completion_note) == ("done", "Labels reprinted.")
    assert action.completed_at is not None
    assert action_entries(action) == before + 2


def test_staff_cannot_work_someone_elses_action(staff):
    action = ActionFactory(owner=UserFactory())
    with pytest.raises(PermissionDenied):
        services.action_start(actor=staff, action=action)
    action.refresh_from_db()
    assert action.status == "open"


@pytest.mark.parametrize("role", ["management", "auditor"])
def test_readers_cannot_work_actions(user_in_role, role):
    user = user_in_role(role)
    with pytest.raises(PermissionDenied):
        services.action_start(actor=user, action=ActionFactory(owner=user))


def test_completing_needs_a_note(staff):
    action = ActionFactory(owner=staff)
    with pytest.raises(ValidationError) as excinfo:
        services.action_complete(actor=staff, action=action, note=" ")
    assert error_fields(excinfo) == {"note"}


@pytest.mark.parametrize("transition", ["verify_effective", "verify_not_effective", "reopen", "cancel"])
def test_staff_cannot_check_reopen_or_cancel_even_their_own(staff, transition):
    action = ActionFactory(owner=staff, status="done")
    with pytest.raises(PermissionDenied):
        services.action_transition(actor=staff, action=action, transition=transition, note="x")


def test_verify_records_who_checked_when_and_what_was_found(quality, staff):
    action = ActionFactory(owner=staff, status="done")
    services.action_verify(actor=quality, action=action, effective=False, notes="Two repeats in May.")
    action.refresh_from_db()
    assert (action.status, action.checked_by, action.check_notes) == ("not_effective", quality, "Two repeats in May.")
    assert action.checked_at is not None


def test_verify_needs_notes(quality):
    with pytest.raises(ValidationError) as excinfo:
        services.action_verify(actor=quality, action=ActionFactory(status="done"), effective=True, notes="")
    assert error_fields(excinfo) == {"notes"}


def test_cancel_needs_a_reason_and_keeps_it(quality):
    action = ActionFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.action_cancel(actor=quality, action=action, reason="")
    assert error_fields(excinfo) == {"reason"}
    services.action_cancel(actor=quality, action=action, reason="Customer withdrew the order.")
    action.refresh_from_db()
    assert (action.status, action.cancel_reason) == ("cancelled", "Customer withdrew the order.")


def test_reopen_clears_the_completion_time(quality):
    action = ActionFactory(status="done", completed_at=timezone.now())
    services.action_reopen(actor=quality, action=action)
    action.refresh_from_db()
    assert (action.status, action.completed_at) == ("in_progress", None)


@pytest.mark.parametrize(("transition", "note"), [("complete", ""), ("cancel", ""), ("verify_effective", "")])
def test_transition_by_name_calls_a_missing_text_note(quality, transition, note):
    status = "done" if transition.startswith("verify") else "open"
    with pytest.raises(ValidationError) as excinfo:
        services.action_transition(actor=quality, action=ActionFactory(status=status), transition=transition, note=note)
    assert error_fields(excinfo) == {"note"}


def test_unknown_transition_is_refused_on_transition(quality):
    with pytest.raises(ValidationError) as excinfo:
        services.action_transition(actor=quality, action=ActionFactory(), transition="close")
    assert error_fields(excinfo) == {"transition"}
