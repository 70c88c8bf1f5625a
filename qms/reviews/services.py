"""Writes to management reviews. Each runs in one transaction with its audit entries (``audited_service``);
status moves are the ones ``models.TRANSITIONS`` allows, for pages and API alike."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qms.accounts.permissions import can
from qms.actions.choices import ActionKind
from qms.actions.services import action_create
from qms.audit.context import audited_service
from qms.audit.recorder import lock_audit_chain
from qms.core.services import require_permission

from .choices import QUESTIONS, SIGNATURE_MEANING, OutputKind, ReviewStatus
from .inputs import compile_sections
from .models import TRANSITIONS, Review, ReviewCounter, ReviewOutput, ReviewSignature

EDITABLE_FIELDS = (
    "review_date",
    "chair",
    "other_attendees",
    "period_start",
    "period_end",
    "done_well",
    "to_improve",
    "switch_risk",
    "minutes",
)
PERIOD_FIELDS = ("period_start", "period_end")
# The kind of action each kind of output raises.
ACTION_KINDS = {
    OutputKind.IMPROVEMENT: ActionKind.IMPROVEMENT,
    OutputKind.QMS_CHANGE: ActionKind.IMPROVEMENT,
    OutputKind.RESOURCE: ActionKind.IMPROVEMENT,
}


def _move(review: Review, status: str) -> None:
    if status not in TRANSITIONS[review.status]:
        raise ValidationError(
            {"status": f"A review that is {review.get_status_display().lower()} cannot become {status}."}
        )
    review.status = status


def _require_not_approved(review: Review) -> None:
    if review.status == ReviewStatus.APPROVED:
        raise ValidationError({"status": "This review is approved and signed; it can no longer be changed."})


def review_next_reference(year: int) -> str:
    """The next reference of ``year`` (MR-2026-01); call inside a transaction (the counter row is locked)."""
    lock_audit_chain()  # always before the counter: the same order in every transaction
    ReviewCounter.objects.get_or_create(year=year)
    counter = ReviewCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"MR-{year}-{counter.last:02d}"


@audited_service
def review_create(*, actor, data: dict[str, Any]) -> Review:
    """Plan a review (quality manager): date, chair, attendees, the period it covers. Status planned."""
    require_permission(actor, "add", Review)
    review = Review(created_by=actor)
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(review, name, data[name])
    if not review.review_date:
        raise ValidationError({"review_date": "Give the date of the review."})
    review.reference = review_next_reference(review.review_date.year)
    review.full_clean(exclude=["reference"])
    review.save()
    if "attendees" in data:
        review.attendees.set(data["attendees"])
    return review


@audited_service
def review_update(*, actor, review: Review, data: dict[str, Any]) -> Review:
    """Edit a review that is not approved. Changing the period of a prepared review sends it back to
    planned (its snapshot no longer fits); a held review keeps its period."""
    require_permission(actor, "change", Review, review)
    review = Review.objects.select_for_update().get(pk=review.pk)
    _require_not_approved(review)
    period_changed = any(name in data and data[name] != getattr(review, name) for name in PERIOD_FIELDS)
    if period_changed and review.status == ReviewStatus.HELD:
        raise ValidationError({"period_start": "The review has been held on its inputs; its period is fixed."})
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(review, name, data[name])
    if period_changed and review.status == ReviewStatus.INPUTS_READY:
        _move(review, ReviewStatus.PLANNED)
        review.inputs, review.inputs_compiled_at = {}, None
    review.full_clean(exclude=["reference"])
    review.save()
    if "attendees" in data:
        review.attendees.set(data["attendees"])
    return review


@audited_service
def review_prepare(*, actor, review: Review) -> Review:
    """Compile the 9.3.2 inputs for the review's period from every registered provider into the frozen
    snapshot; status inputs ready. Allowed again (a fresh snapshot) until the review is held."""
    require_permission(actor, "change", Review, review)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status not in (ReviewStatus.PLANNED, ReviewStatus.INPUTS_READY):
        raise ValidationError({"status": "The inputs are frozen once the review has been held."})
    now = timezone.now()
    review.inputs = {
        "period_start": review.period_start.isoformat(),
        "period_end": review.period_end.isoformat(),
        "compiled_at": now.isoformat(),
        "sections": compile_sections(review.period_start, review.period_end),
    }
    review.inputs_compiled_at = now
    _move(review, ReviewStatus.INPUTS_READY)
    review.save(update_fields=["inputs", "inputs_compiled_at", "status", "updated_at"])
    return review


@audited_service
def review_hold(*, actor, review: Review, data: dict[str, Any]) -> Review:
    """Record that the review was held on its prepared inputs, with the answers to the three questions
    (all required) and the minutes."""
    require_permission(actor, "change", Review, review)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.INPUTS_READY:
        raise ValidationError({"status": "Prepare the inputs before recording the review as held."})
    for name in (*QUESTIONS, "minutes"):
        if name in data:
            setattr(review, name, (data[name] or "").strip())
    errors = {name: f"Answer “{question}”" for name, question in QUESTIONS.items() if not getattr(review, name)}
    if errors:
        raise ValidationError(errors)
    _move(review, ReviewStatus.HELD)
    review.held_at = timezone.now()
    review.save()
    return review


@audited_service
def output_add(
    *,
    actor,
    review: Review,
    kind: str,
    description: str,
    decision: str,
    action_title: str = "",
    action_owner=None,
    action_due_date: dt.date | None = None,
) -> ReviewOutput:
    """Record a decision of the review (9.3.3); with an owner and due date it also raises an action whose
    source is the review. Not on an approved review."""
    require_permission(actor, "add", ReviewOutput)
    review = Review.objects.select_for_update().get(pk=review.pk)
    _require_not_approved(review)
    output = ReviewOutput(
        review=review,
        kind=kind,
        description=(description or "").strip(),
        decision=(decision or "").strip(),
        created_by=actor,
    )
    output.full_clean()
    wants_action = bool(action_owner or action_due_date or (action_title or "").strip())
    if wants_action:
        errors = {}
        if action_owner is None:
            errors["action_owner"] = "Choose who owns the action."
        if action_due_date is None:
            errors["action_due_date"] = "Give the action a due date."
        if errors:
            raise ValidationError(errors)
        output.action = action_create(
            actor=actor,
            kind=ACTION_KINDS.get(kind, ActionKind.IMPROVEMENT),
            title=(action_title or "").strip() or output.decision[:200],
            description=output.description,
            owner=action_owner,
            due_date=action_due_date,
            source=review,
        )
    output.save()
    return output


def review_content(review: Review) -> dict[str, Any]:
    """The approved content the signature covers: the review's fields, inputs snapshot, answers and
    outputs, as plain JSON values (ids and usernames, never display text that may change)."""
    outputs = review.outputs.order_by("pk").values("pk", "kind", "description", "decision", "action_id")
    return {
        "reference": review.reference,
        "review_date": review.review_date.isoformat(),
        "chair": review.chair.get_username(),
        "attendees": sorted(review.attendees.values_list("username", flat=True)),
        "other_attendees": review.other_attendees,
        "period_start": review.period_start.isoformat(),
        "period_end": review.period_end.isoformat(),
        "inputs": review.inputs,
        "inputs_compiled_at": review.inputs_compiled_at.isoformat() if review.inputs_compiled_at else None,
        "answers": {name: getattr(review, name) for name in QUESTIONS},
        "minutes": review.minutes,
        "outputs": [dict(output) for output in outputs],
    }


def content_hash(review: Review) -> str:
    """SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of ``review_content``."""
    canonical = json.dumps(review_content(review), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def may_approve(user, review: Review) -> bool:
    """Only the review's chair approves, and only with the approve permission."""
    return (
        getattr(user, "is_authenticated", False) and user.pk == review.chair_id and can(user, "approve", Review, review)
    )


@audited_service
def review_approve(*, actor, review: Review, password: str) -> ReviewSignature:
    """The chair approves a held review by entering their password again: records the electronic
    signature (meaning, time, SHA-256 of the content) and makes the review read only."""
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not may_approve(actor, review):
        raise PermissionDenied("Only the chair of the review may approve it.")
    if review.status != ReviewStatus.HELD:
        raise ValidationError({"status": "Only a review that has been held can be approved."})
    if not password or not actor.check_password(password):
        raise ValidationError({"password": "That is not your password; the review was not signed."})
    now = timezone.now()
    _move(review, ReviewStatus.APPROVED)
    review.approved_at = now
    review.save(update_fields=["status", "approved_at", "updated_at"])
    signature = ReviewSignature(
        review=review, signer=actor, meaning=SIGNATURE_MEANING, signed_at=now, content_hash=content_hash(review)
    )
    signature.save()
    return signature


def verify_signature(review: Review) -> bool | None:
    """Whether the review's content still hashes to what was signed; None when it is not signed."""
    signature = ReviewSignature.objects.filter(review=review).first()
    if signature is None:
        return None
    return content_hash(review) == signature.content_hash
