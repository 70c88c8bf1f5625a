"""Writes to actions. Each runs in one transaction with its audit entries; the status changes are the
ones ``workflow.TRANSITIONS`` allows, for pages and API alike."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from qms.accounts.permissions import can, is_auditor
from qms.audit.context import audited_service
from qms.core.services import require_permission

from .choices import ActionStatus
from .models import Action
from .workflow import TRANSITIONS

EDITABLE_FIELDS = ("kind", "title", "description", "owner", "due_date", "check_planned_on", "check_criteria")


def _require_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


def may_work_on(user, action: Action) -> bool:
    """Whether ``user`` may take any step on ``action`` at all (its owner, or whoever may change actions)."""
    return can(user, "change", Action, action) or can(user, "work", Action, action)


@audited_service
def action_create(
    *,
    actor,
    kind: str,
    title: str,
    owner,
    due_date: dt.date,
    description: str = "",
    source: models.Model | None = None,
    check_planned_on: dt.date | None = None,
    check_criteria: str = "",
    permitted_by_source: bool = False,
) -> Action:
    """Raise an action (quality manager), optionally from ``source``, any saved record of any register.

    ``permitted_by_source``: the source's own service has already checked that ``actor`` may plan actions
    for that record (a risk's owner planning its treatment), so the actions register's add permission is
    not needed. Auditors never raise actions.
    """
    if permitted_by_source and source is not None:
        if is_auditor(actor) or not getattr(actor, "is_authenticated", False):
            raise PermissionDenied("You may not raise actions.")
    else:
        require_permission(actor, "add", Action)
    action = Action(
        kind=kind,
        title=_require_text(title, "title", "Give the action a title: what will be done."),
        description=description or "",
        owner=owner,
        due_date=due_date,
        check_planned_on=check_planned_on,
        check_criteria=check_criteria or "",
        created_by=actor,
    )
    if source is not None:
        if source.pk is None:
            raise ValidationError({"source": "The record the action comes from must be saved first."})
        action.source_type = ContentType.objects.get_for_model(source)
        action.source_id = source.pk
        action.source_label = str(source)[:255]
    action.full_clean()
    action.save()
    return action


@audited_service
def action_update(*, actor, action: Action, **fields: Any) -> Action:
    """Change what an action is (not its status: that goes through the transitions)."""
    require_permission(actor, "change", Action, action)
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: "This field is not changed by editing the action." for name in unknown})
    if "title" in fields:
        fields["title"] = _require_text(fields["title"], "title", "Give the action a title: what will be done.")
    for name, value in fields.items():
        setattr(action, name, value)
    action.full_clean()
    action.save(update_fields=[*fields, "updated_at"])
    return action


def _transition(*, actor, action: Action, name: str, changes: dict[str, Any] | None = None) -> Action:
    """Move ``action`` along transition ``name``: permission first, then the state read under lock."""
    transition = TRANSITIONS[name]
    require_permission(actor, transition.permission, Action, action)
    stored = Action.objects.select_for_update().filter(pk=action.pk).values_list("status", flat=True).first()
    if stored not in transition.sources:
        current = ActionStatus(stored).label.lower() if stored else "gone"
        raise ValidationError(
            {"status": f"An action that is {current} cannot take “{transition.label}”; refresh and try again."}
        )
    changes = dict(changes or {})
    changes["status"] = transition.target
    for field, value in changes.items():
        setattr(action, field, value)
    action.save(update_fields=[*changes, "updated_at"])
    return action


@audited_service
def action_start(*, actor, action: Action) -> Action:
    """The owner starts work on an open action."""
    return _transition(actor=actor, action=action, name="start")


@audited_service
def action_complete(*, actor, action: Action, note: str) -> Action:
    """The owner marks the action done, saying what was done; it then waits for its effectiveness check."""
    note = _require_text(note, "note", "Say what was done.")
    return _transition(
        actor=actor, action=action, name="complete", changes={"completion_note": note, "completed_at": timezone.now()}
    )


@audited_service
def action_verify(*, actor, action: Action, effective: bool, notes: str) -> Action:
    """The quality manager records the effectiveness check of a done action (10.2.1 d)."""
    notes = _require_text(notes, "notes", "Say what the effectiveness check found.")
    return _transition(
        actor=actor,
        action=action,
        name="verify_effective" if effective else "verify_not_effective",
        changes={"check_notes": notes, "checked_by": actor, "checked_at": timezone.now()},
    )


@audited_service
def action_reopen(*, actor, action: Action) -> Action:
    """Back to work: a done action found incomplete, or one found not effective."""
    return _transition(actor=actor, action=action, name="reopen", changes={"completed_at": None})


@audited_service
def action_cancel(*, actor, action: Action, reason: str) -> Action:
    """Stop an action that is no longer needed, saying why (the reason stays as evidence)."""
    reason = _require_text(reason, "reason", "Say why the action is cancelled.")
    return _transition(actor=actor, action=action, name="cancel", changes={"cancel_reason": reason})


# The text each transition takes is one "note" on the pages and in the API; the services name it.
_NOTE_FIELDS = ("note", "notes", "reason")


def action_transition(*, actor, action: Action, transition: str, note: str = "") -> Action:
    """Apply transition ``transition`` by name (the pages' buttons and the API's ``transition``)."""
    if transition not in TRANSITIONS:
        raise ValidationError({"transition": f"Unknown transition “{transition}”."})
    calls = {
        "start": lambda: action_start(actor=actor, action=action),
        "complete": lambda: action_complete(actor=actor, action=action, note=note),
        "verify_effective": lambda: action_verify(actor=actor, action=action, effective=True, notes=note),
        "verify_not_effective": lambda: action_verify(actor=actor, action=action, effective=False, notes=note),
        "reopen": lambda: action_reopen(actor=actor, action=action),
        "cancel": lambda: action_cancel(actor=actor, action=action, reason=note),
    }
    try:
        return calls[transition]()
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        errors = {
            ("note" if field in _NOTE_FIELDS else field): messages for field, messages in exc.message_dict.items()
        }
        raise ValidationError(errors) from exc
