"""Writes to the feedback register. Each runs in one transaction with its audit entries; the workflow
rules come from ``workflow.TRANSITIONS`` and the time targets from ``sla``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from qms.accounts.permissions import can
from qms.audit.context import audited_service
from qms.audit.recorder import lock_audit_chain
from qms.core import uploads as upload_rules
from qms.core.services import require_permission

from .. import emails, sla
from ..choices import REFERENCE_PREFIXES, Acceptance, Channel, FeedbackKind, FeedbackStatus, Severity
from ..models import (
    Attachment,
    FeedbackItem,
    FeedbackTransition,
    Holiday,
    Pause,
    ReferenceCounter,
    SlaTarget,
    WorkingWeek,
)
from ..workflow import Transition, find_transition

# Used when the quality manager has not set targets for a severity (working days).
DEFAULT_TARGETS: dict[str, tuple[Decimal, Decimal]] = {
    Severity.CRITICAL: (Decimal("0.5"), Decimal("2")),
    Severity.HIGH: (Decimal("1"), Decimal("5")),
    Severity.MEDIUM: (Decimal("1"), Decimal("10")),
    Severity.LOW: (Decimal("2"), Decimal("15")),
}
DEFAULT_WARN_HOURS = 4
# Judged by content (qms.core.uploads); the extensions are what forms offer in their file pickers.
ATTACHMENT_TYPES = ("pdf", "png", "jpeg", "gif", "webp", "text", "docx", "xlsx", "odt")
ALLOWED_ATTACHMENT_TYPES = upload_rules.extensions_of(ATTACHMENT_TYPES)
MAX_ATTACHMENTS = 5

LOG_FIELDS = (
    "kind",
    "channel",
    "received_at",
    "customer",
    "contact",
    "submitter_name",
    "submitter_email",
    "submitter_phone",
    "product",
    "category",
    "summary",
    "description",
    "severity",
    "impact",
    "assignee",
)
# What the assignee may change while working on an item; everything else is the quality manager's.
WORK_FIELDS = (
    "severity",
    "impact",
    "category",
    "product",
    "root_cause_category",
    "root_cause_analysis",
    "containment",
    "response",
    "outcome_communicated",
    "acceptance",
)
EDIT_FIELDS = tuple(dict.fromkeys((*LOG_FIELDS, *WORK_FIELDS)))
CATEGORY_FIELDS = ("name", "description", "active")
TARGET_FIELDS = ("acknowledge_days", "resolve_days", "warn_before_hours")
HOLIDAY_FIELDS = ("date", "name")
TARGET_TIMES = ("acknowledge_due_at", "acknowledge_warn_at", "resolve_due_at", "resolve_warn_at")


def max_upload_bytes() -> int:
    return int(getattr(settings, "FEEDBACK_MAX_UPLOAD_MB", 10)) * 1024 * 1024


def _actor_name(actor) -> str:
    if actor is None:
        return ""
    return actor.get_full_name() or actor.username


# Time targets ---------------------------------------------------------------------------------------


def sla_calendar() -> sla.Calendar:
    """The working week and holidays the time targets count in, in the portal's time zone."""
    week = WorkingWeek.objects.first()
    working_days = week.weekday_numbers if week else frozenset(range(5))
    holidays = frozenset(Holiday.objects.values_list("date", flat=True))
    return sla.Calendar(working_days=working_days, holidays=holidays, tz=timezone.get_default_timezone())


def targets_for(severity: str) -> tuple[Decimal, Decimal, int]:
    """(acknowledge days, resolve days, warn hours) for ``severity``; unassessed items use Medium's."""
    severity = severity or Severity.MEDIUM
    row = SlaTarget.objects.filter(severity=severity).first()
    if row:
        return row.acknowledge_days, row.resolve_days, row.warn_before_hours
    acknowledge, resolve = DEFAULT_TARGETS[severity]
    return acknowledge, resolve, DEFAULT_WARN_HOURS


def _pauses(item: FeedbackItem) -> list[sla.Pause]:
    if not item.pk:
        return []
    return [(p.started_at, p.ended_at) for p in item.pauses.all()]


def _warn_at(start, days: Decimal, warn_hours: int, calendar, pauses):
    lead = Decimal(warn_hours) / 24
    return sla.due_at(start, float(max(days - lead, Decimal(0))), calendar, pauses)


def feedback_recompute_targets(item: FeedbackItem, *, calendar: sla.Calendar | None = None) -> None:
    """Set the due and warning times from the item's severity, pauses and the calendar (not saved)."""
    if item.kind != FeedbackKind.COMPLAINT:
        item.acknowledge_due_at = item.acknowledge_warn_at = item.resolve_due_at = item.resolve_warn_at = None
        return
    calendar = calendar or sla_calendar()
    acknowledge_days, resolve_days, warn_hours = targets_for(item.severity)
    item.acknowledge_due_at = sla.due_at(item.received_at, float(acknowledge_days), calendar)
    item.acknowledge_warn_at = _warn_at(item.received_at, acknowledge_days, warn_hours, calendar, [])
    start = item.resolve_clock_started_at or item.received_at
    pauses = _pauses(item)
    item.resolve_due_at = sla.due_at(start, float(resolve_days), calendar, pauses)
    item.resolve_warn_at = _warn_at(start, resolve_days, warn_hours, calendar, pauses)


def _working_hours(start: dt.datetime, end: dt.datetime, item: FeedbackItem, calendar) -> float:
    return sla.working_time(start, end, calendar, _pauses(item)).total_seconds() / 3600


# Numbering ------------------------------------------------------------------------------------------


def feedback_next_reference(kind: str, *, year: int | None = None) -> str:
    """The next reference for ``kind`` in ``year``, e.g. CMP-2026-00017; call inside a transaction."""
    prefix = REFERENCE_PREFIXES[FeedbackKind(kind)]
    year = year or timezone.localdate().year
    lock_audit_chain()  # always before the counter: the same order in every transaction
    counters = ReferenceCounter.objects.filter(prefix=prefix, year=year)
    # The UPDATE locks the row until the transaction ends, so no two transactions read the same number.
    if not counters.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                ReferenceCounter.objects.create(prefix=prefix, year=year, last=1)  # the year's first
        except IntegrityError:  # another request numbered the year's first at the same moment
            counters.update(last=F("last") + 1)
    last = counters.values_list("last", flat=True).get()
    return f"{prefix}-{year}-{last:05d}"


# Receiving ------------------------------------------------------------------------------------------


def _check_upload(upload, *, field: str = "attachments") -> None:
    upload_rules.check_upload(upload, field=field, allowed=ATTACHMENT_TYPES, max_bytes=max_upload_bytes())


def check_uploads(uploads, *, field: str = "attachments") -> None:
    """Refuse too many files, or a file empty, too large, or whose content is not a type we accept, naming it."""
    upload_rules.check_uploads(
        uploads, field=field, allowed=ATTACHMENT_TYPES, max_bytes=max_upload_bytes(), max_count=MAX_ATTACHMENTS
    )


def _save_attachments(item: FeedbackItem, uploads, uploaded_by) -> None:
    for upload in uploads or []:
        attachment = Attachment(
            item=item, original_name=upload_rules.display_name(upload.name), size=upload.size, uploaded_by=uploaded_by
        )
        attachment.file.save(attachment.original_name, upload, save=False)
        attachment.save()


def _record(item: FeedbackItem, *, name: str, from_status: str, actor, comment: str = "") -> FeedbackTransition:
    return FeedbackTransition.objects.create(
        item=item,
        name=name,
        from_status=from_status,
        to_status=item.status,
        actor=actor,
        actor_name=_actor_name(actor),
        at=timezone.now(),
        comment=comment,
    )


def _create(data: dict[str, Any], *, actor, uploads) -> FeedbackItem:
    check_uploads(uploads)
    item = FeedbackItem(status=FeedbackStatus.RECEIVED)
    data = dict(data)
    data["received_at"] = data.get("received_at") or timezone.now()
    data["kind"] = data.get("kind") or FeedbackKind.COMPLAINT
    if data.get("contact") and not data.get("customer"):
        data["customer"] = data["contact"].customer
    for name in LOG_FIELDS:
        if name in data and data[name] is not None:
            setattr(item, name, data[name])
    if data["received_at"] > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"received_at": "It cannot have been received in the future."})
    item.logged_by = actor
    item.resolve_clock_started_at = item.received_at
    item.full_clean(exclude=["reference", "public_token"])
    feedback_recompute_targets(item)
    # Numbered last: the counter's row stays locked until the commit, so every concurrent logging of
    # this kind waits for the rest of this transaction; the less comes after it, the shorter the wait.
    item.reference = feedback_next_reference(item.kind, year=timezone.localtime(item.received_at).year)
    item.save()
    if data.get("requirements"):
        item.requirements.set(data["requirements"])
    _save_attachments(item, uploads, actor)
    _record(item, name="receive", from_status=FeedbackStatus.RECEIVED, actor=actor, comment="")
    return item


@audited_service
def feedback_log(*, actor, data: dict[str, Any], uploads=()) -> FeedbackItem:
    """Record feedback someone on staff received (phone, visit, e-mail...): a few fields now, the rest later."""
    require_permission(actor, "add", FeedbackItem)
    if data.get("assignee") is not None and not can(actor, "change", FeedbackItem):
        data = {key: value for key, value in data.items() if key != "assignee"}
    item = _create(data, actor=actor, uploads=uploads)
    if item.assignee_id and item.assignee_id != actor.pk:
        emails.queue_assignment_notice(item)
    return item


@audited_service
def feedback_submit_public(*, actor=None, data: dict[str, Any], uploads=()) -> FeedbackItem:
    """A customer's own submission from the public page: only database writes (the e-mail is queued).

    A known contact (same e-mail address, one match) is linked with their customer.
    """
    from customers.selectors import contacts_with_email

    data = {
        key: data.get(key)
        for key in ("kind", "submitter_name", "submitter_email", "submitter_phone", "product", "summary", "description")
        if data.get(key) is not None
    }
    if data.get("kind") not in {FeedbackKind.COMPLAINT, FeedbackKind.COMPLIMENT, FeedbackKind.SUGGESTION}:
        raise ValidationError({"kind": "Choose complaint, compliment or suggestion."})
    if not (data.get("submitter_email") or "").strip():
        raise ValidationError({"submitter_email": "Give an e-mail address so we can answer you."})
    data["channel"] = Channel.WEB_FORM
    data["received_at"] = timezone.now()
    matches = list(contacts_with_email(data["submitter_email"]).select_related("customer")[:2])
    if len(matches) == 1:
        data["contact"] = matches[0]
        data["customer"] = matches[0].customer
    item = _create(data, actor=None, uploads=uploads)
    emails.queue_receipt(item)
    return item


# Working on an item ---------------------------------------------------------------------------------


def _require_work(actor, item: FeedbackItem) -> None:
    if not can(actor, "work", FeedbackItem, item):
        raise PermissionDenied("Only the person assigned, or a quality manager, may work on this item.")


@audited_service
def feedback_update(*, actor, item: FeedbackItem, data: dict[str, Any]) -> FeedbackItem:
    """Change an item's details, assessment, investigation or response.

    Quality managers may change every field; the assignee the working fields (assessment,
    investigation, response). A closed, withdrawn or rejected item is not edited: reopen it first.
    """
    # Lock the row and work on its current state, so an edit never writes back an older status.
    item = FeedbackItem.objects.select_for_update().get(pk=item.pk)
    if can(actor, "change", FeedbackItem, item):
        allowed = EDIT_FIELDS
    else:
        _require_work(actor, item)
        allowed = WORK_FIELDS
    if item.status in (FeedbackStatus.CLOSED, FeedbackStatus.WITHDRAWN, FeedbackStatus.REJECTED):
        raise ValidationError(f"{item.reference} is {item.get_status_display().lower()}; reopen it to change it.")
    before_severity, before_assignee, before_received = item.severity, item.assignee_id, item.received_at
    changes = {key: value for key, value in data.items() if key in allowed and key != "requirements"}
    if "kind" in changes and changes["kind"] != item.kind:
        raise ValidationError({"kind": "The kind cannot change once recorded; reject it and log it again."})
    for name, value in changes.items():
        setattr(item, name, value)
    if item.contact_id and not item.customer_id:
        item.customer = item.contact.customer
    if item.received_at != before_received:
        if item.received_at and item.received_at > timezone.now() + dt.timedelta(minutes=5):
            raise ValidationError({"received_at": "It cannot have been received in the future."})
        if not item.reopen_count:
            item.resolve_clock_started_at = item.received_at
    # Validate before the due times are worked out: they need a known severity.
    item.full_clean(exclude=["reference", "public_token"])
    if item.severity != before_severity or item.received_at != before_received:
        feedback_recompute_targets(item)
    item.save(update_fields=[*changes, "customer", "resolve_clock_started_at", *TARGET_TIMES, "updated_at"])
    if "requirements" in data and allowed is EDIT_FIELDS:
        item.requirements.set(data["requirements"])
    if item.assignee_id and item.assignee_id != before_assignee and item.assignee_id != actor.pk:
        emails.queue_assignment_notice(item)
    return item


@audited_service
def feedback_assign(*, actor, item: FeedbackItem, assignee) -> FeedbackItem:
    """Give the item to ``assignee`` (quality managers only); the assignee is told by e-mail."""
    item = FeedbackItem.objects.select_for_update().get(pk=item.pk)
    require_permission(actor, "change", FeedbackItem, item)
    if assignee is not None and not assignee.is_active:
        raise ValidationError({"assignee": "This person's account is not active."})
    item.assignee = assignee
    item.save(update_fields=["assignee", "updated_at"])
    if assignee is not None and assignee.pk != actor.pk:
        emails.queue_assignment_notice(item)
    return item


@audited_service
def feedback_attach(*, actor, item: FeedbackItem, uploads) -> list[Attachment]:
    """Add files to an item (the assignee, the person who logged it, or a quality manager)."""
    if not (can(actor, "change", FeedbackItem, item) or actor.pk in (item.assignee_id, item.logged_by_id)):
        raise PermissionDenied("Only the person assigned, the person who logged it or a quality manager may add files.")
    check_uploads(uploads, field="file")
    before = set(item.attachments.values_list("pk", flat=True))
    _save_attachments(item, uploads, actor)
    return list(item.attachments.exclude(pk__in=before))


@audited_service
def feedback_attachment_delete(*, actor, attachment: Attachment) -> None:
    require_permission(actor, "change", FeedbackItem, attachment.item)
    attachment.file.delete(save=False)
    attachment.delete()


def allowed_transitions(item: FeedbackItem, user) -> list[Transition]:
    """The transitions ``user`` may take on ``item`` now (buttons on the page, hints in the API)."""
    from ..workflow import available_transitions

    found = available_transitions(kind=item.kind, status=item.status, paused=item.is_paused)
    return [t for t in found if _may(user, t, item)]


def may_work_on(user, item: FeedbackItem) -> bool:
    """Whether ``user`` may take any step on ``item`` at all (the assignee, or whoever may change feedback)."""
    return can(user, "change", FeedbackItem, item) or can(user, "work", FeedbackItem, item)


def _may(user, transition: Transition, item: FeedbackItem) -> bool:
    if transition.permission == "change":
        return can(user, "change", FeedbackItem, item)
    return can(user, "change", FeedbackItem, item) or can(user, "work", FeedbackItem, item)


def _end_pause(item: FeedbackItem, now: dt.datetime) -> None:
    item.pauses.filter(ended_at__isnull=True).update(ended_at=now)
    item.paused_since = None


def _check_close(item: FeedbackItem, *, actor, outcome: str, acceptance: str, override_reason: str) -> None:
    from qms.actions.selectors import open_actions_for_source

    errors = {}
    if item.is_complaint:
        if not (outcome or item.outcome_communicated).strip():
            errors["outcome_communicated"] = "Say what outcome was communicated to the complainant."
        if (acceptance or item.acceptance) not in Acceptance.values:
            errors["acceptance"] = "Record whether the complainant accepted the outcome."
    open_actions = list(open_actions_for_source(item)) if item.is_complaint else []
    if open_actions and not override_reason.strip():
        refs = ", ".join(action.reference for action in open_actions)
        errors["override_reason"] = (
            f"Corrective actions are still open ({refs}); finish them first, or a quality manager may close "
            "anyway with a reason."
        )
    elif open_actions and not can(actor, "change", FeedbackItem, item):
        errors["override_reason"] = "Only a quality manager may close while corrective actions are open."
    if errors:
        raise ValidationError(errors)


@audited_service
def feedback_transition(
    *,
    actor,
    item: FeedbackItem,
    name: str,
    comment: str = "",
    response: str | None = None,
    outcome_communicated: str | None = None,
    acceptance: str | None = None,
    override_reason: str = "",
) -> FeedbackItem:
    """Move ``item`` along the workflow by the transition ``name``, recording who, when and why.

    Refused (ValidationError naming ``transition`` or the missing field) when the table does not allow
    it from the item's state, or what the step needs is missing; PermissionDenied when ``actor`` may not.
    """
    item = FeedbackItem.objects.select_for_update().get(pk=item.pk)
    transition = find_transition(name, kind=item.kind, status=item.status, paused=item.is_paused)
    if transition is None:
        waiting = " and waiting on the customer" if item.is_paused else ""
        kind, status = item.get_kind_display().lower(), item.get_status_display().lower()
        raise ValidationError({"transition": f"“{name}” is not possible for a {kind} that is {status}{waiting}."})
    if not _may(actor, transition, item):
        raise PermissionDenied(f"You may not {transition.label.lower()} {item.reference}.")
    comment = (comment or "").strip()
    if transition.comment_required and not comment:
        raise ValidationError({"comment": f"Give a reason to {transition.label.lower()}."})
    now = timezone.now()
    calendar = sla_calendar()
    from_status = item.status
    if response is not None:
        item.response = response
    if outcome_communicated is not None:
        item.outcome_communicated = outcome_communicated
    if acceptance is not None:
        item.acceptance = acceptance

    if name == "acknowledge":
        item.acknowledged_at = now
        if item.is_complaint:
            item.acknowledge_working_hours = _working_hours(item.received_at, now, item, calendar)
    elif name == "investigate" and not item.severity:
        raise ValidationError({"severity": "Assess the severity before the investigation starts."})
    elif name in ("propose_response", "resolve") and not item.response.strip():
        raise ValidationError({"response": "Write the response to the complainant first."})
    elif name == "close":
        _check_close(
            item,
            actor=actor,
            outcome=item.outcome_communicated,
            acceptance=item.acceptance,
            override_reason=override_reason,
        )
        item.close_override_reason = override_reason.strip()
        item.closed_at = now
    elif name == "await_customer":
        Pause.objects.create(item=item, started_at=now, reason=comment)
        item.paused_since = now
    elif name == "resume":
        _end_pause(item, now)
    elif name in ("withdraw", "reject"):
        item.decision_reason = comment
    elif name == "reopen":
        item.reopen_count += 1
        item.resolve_clock_started_at = now
        item.resolved_at = item.closed_at = None
        item.resolved_within_target = None
        item.resolve_working_hours = None
        item.acceptance = ""

    if transition.target is not None:
        if item.is_paused:
            _end_pause(item, now)
        item.status = transition.target
    if name == "resolve":
        item.resolved_at = now
        item.response_published_at = now
        item.published_response = item.response
        start = item.resolve_clock_started_at or item.received_at
        item.resolve_working_hours = _working_hours(start, now, item, calendar)
        # Measured in working hours, so time spent waiting on the customer never counts against us.
        resolve_days = targets_for(item.severity)[1]
        item.resolved_within_target = item.resolve_working_hours <= float(resolve_days) * 24
    feedback_recompute_targets(item, calendar=calendar)
    item.full_clean(exclude=["reference", "public_token"])
    item.save()
    _record(item, name=name, from_status=from_status, actor=actor, comment=comment or override_reason.strip())
    if name == "acknowledge":
        emails.queue_receipt(item)
    elif name == "resolve":
        emails.queue_response(item)
    elif name == "close" and item.is_complaint:
        # The closed loop: ask how the complaint was handled (only database writes; once per complaint).
        from .survey_delivery import post_complaint_survey_queue

        post_complaint_survey_queue(item)
    return item
