"""Writes to the requirements register. Each runs in one transaction with its audit entries."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from qms.accounts.permissions import can
from qms.actions.choices import ActionKind
from qms.actions.selectors import actions_for_source
from qms.actions.services import action_create
from qms.audit.context import audited_service
from qms.core import uploads
from qms.core.services import apply_and_save, require_permission

from .choices import EvaluationResult, RequirementStatus
from .models import (
    Acknowledgement,
    Assignment,
    Attachment,
    ContextIssue,
    Evaluation,
    InterestedParty,
    Requirement,
    RequirementVersion,
)

REQUIREMENT_FIELDS = (
    "reference",
    "title",
    "text",
    "kind",
    "customer",
    "party",
    "legal_reference",
    "jurisdiction",
    "authority",
    "applicability",
    "owner",
    "criticality",
    "review_frequency_months",
    "next_review_date",
    "status",
)
PARTY_FIELDS = ("name", "kind", "customer", "relevance", "needs", "review_date")
ISSUE_FIELDS = ("scope", "title", "description", "effect", "review_date")
EVALUATION_FIELDS = ("evaluated_on", "result", "findings", "evidence_link", "next_due_date")
VERSIONED_FIELDS = ("title", "text")
# Judged by content (qms.core.uploads); the extensions are what the form offers in its file picker.
ATTACHMENT_TYPES = ("pdf", "docx", "xlsx", "odt", "ods", "text", "png", "jpeg")
ALLOWED_ATTACHMENT_TYPES = uploads.extensions_of(ATTACHMENT_TYPES)


def _actor_name(actor) -> str:
    return actor.get_full_name() or actor.username


def requirement_next_reference(prefix: str | None = None) -> str:
    """The next free reference for ``prefix`` (default QMS_REQUIREMENT_PREFIX), e.g. REQ-0042."""
    prefix = (prefix or getattr(settings, "QMS_REQUIREMENT_PREFIX", "REQ")).strip().upper()
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
    numbers = [
        int(match.group(1))
        for match in map(
            pattern.match,
            Requirement.objects.filter(reference__startswith=f"{prefix}-").values_list("reference", flat=True),
        )
        if match
    ]
    return f"{prefix}-{max(numbers, default=0) + 1:04d}"


# Interested parties and context issues ------------------------------------------------------------


@audited_service
def party_save(*, actor, party: InterestedParty | None, data: dict[str, Any]) -> InterestedParty:
    """Create (``party=None``) or change an interested party."""
    require_permission(actor, "add" if party is None else "change", InterestedParty, party)
    party = party or InterestedParty()
    apply_and_save(party, data, PARTY_FIELDS)
    return party


@audited_service
def party_delete(*, actor, party: InterestedParty) -> None:
    require_permission(actor, "delete", InterestedParty, party)
    if party.requirements.exists():
        raise ValidationError("This interested party is the source of requirements; retire those first.")
    party.delete()


@audited_service
def issue_save(*, actor, issue: ContextIssue | None, data: dict[str, Any]) -> ContextIssue:
    """Create (``issue=None``) or change a context issue."""
    require_permission(actor, "add" if issue is None else "change", ContextIssue, issue)
    issue = issue or ContextIssue()
    apply_and_save(issue, data, ISSUE_FIELDS)
    return issue


@audited_service
def issue_delete(*, actor, issue: ContextIssue) -> None:
    require_permission(actor, "delete", ContextIssue, issue)
    issue.delete()


# Requirements -------------------------------------------------------------------------------------


@audited_service
def requirement_create(*, actor, data: dict[str, Any]) -> Requirement:
    """Create a requirement (reference generated when empty) and keep its first version's wording."""
    require_permission(actor, "add", Requirement)
    data = dict(data)
    if not (data.get("reference") or "").strip():
        data["reference"] = requirement_next_reference(data.pop("reference_prefix", None))
    data.pop("reference_prefix", None)
    review = data.get("next_review_date")
    if isinstance(review, dt.date) and review < timezone.localdate():
        raise ValidationError({"next_review_date": "A new requirement's next review cannot be in the past."})
    requirement = Requirement(version=1)
    try:
        with transaction.atomic():
            apply_and_save(requirement, data, REQUIREMENT_FIELDS)
    except IntegrityError as exc:  # two people numbering at once
        raise ValidationError({"reference": "This reference was just taken; save again for a new one."}) from exc
    RequirementVersion.objects.create(
        requirement=requirement,
        version=1,
        title=requirement.title,
        text=requirement.text,
        changed_by_name=_actor_name(actor),
    )
    return requirement


@audited_service
def requirement_update(*, actor, requirement: Requirement, data: dict[str, Any]) -> Requirement:
    """Change a requirement. A new title or text of an active requirement makes a new version, which
    everyone assigned must acknowledge again; a draft's wording is corrected in place."""
    require_permission(actor, "change", Requirement, requirement)
    stored = Requirement.objects.select_for_update().get(pk=requirement.pk)
    wording_changed = any(name in data and data[name] != getattr(stored, name) for name in VERSIONED_FIELDS)
    new_version = wording_changed and stored.status != RequirementStatus.DRAFT
    if new_version:
        requirement.version = stored.version + 1
    apply_and_save(requirement, {k: v for k, v in data.items() if k != "reference_prefix"}, REQUIREMENT_FIELDS)
    if new_version:
        RequirementVersion.objects.create(
            requirement=requirement,
            version=requirement.version,
            title=requirement.title,
            text=requirement.text,
            changed_by_name=_actor_name(actor),
        )
    elif wording_changed:
        RequirementVersion.objects.filter(requirement=requirement, version=requirement.version).update(
            title=requirement.title, text=requirement.text, changed_by_name=_actor_name(actor)
        )
    return requirement


@audited_service
def requirement_delete(*, actor, requirement: Requirement) -> None:
    """Delete a draft. Anything once active is retired instead, so its evidence stays."""
    require_permission(actor, "delete", Requirement, requirement)
    if requirement.status != RequirementStatus.DRAFT or requirement.evaluations.exists():
        raise ValidationError("Only drafts can be deleted; set the status to retired instead.")
    if actions_for_source(requirement).exists():
        raise ValidationError("Actions were raised from this requirement; set the status to retired instead.")
    requirement.delete()


# Understood: assignments and acknowledgements ---------------------------------------------------------


@audited_service
def assignment_add(*, actor, requirement: Requirement, user=None, group=None) -> Assignment:
    """Ask one person, or everyone in one role, to acknowledge the requirement."""
    require_permission(actor, "add", Assignment)
    if (user is None) == (group is None):
        raise ValidationError({"user": "Choose either one person or one role."})
    duplicate = Assignment.objects.filter(requirement=requirement, user=user, group=group).exists()
    if duplicate:
        raise ValidationError({"user" if user else "group": "Already assigned to this requirement."})
    assignment = Assignment(requirement=requirement, user=user, group=group)
    assignment.full_clean()
    assignment.save()
    return assignment


@audited_service
def assignment_remove(*, actor, assignment: Assignment) -> None:
    require_permission(actor, "delete", Assignment, assignment)
    assignment.delete()


@audited_service
def requirement_acknowledge(*, actor, requirement: Requirement) -> Acknowledgement:
    """Record that ``actor`` knows the current version. Only people assigned (in person or by role)
    acknowledge, only active requirements, and each version once."""
    from .selectors import assignees

    if not can(actor, "acknowledge", Requirement, requirement):
        raise PermissionDenied("You may not acknowledge requirements.")
    if requirement.status != RequirementStatus.ACTIVE:
        raise ValidationError("Only active requirements are acknowledged.")
    if not assignees(requirement).filter(pk=actor.pk).exists():
        raise ValidationError("This requirement is not assigned to you.")
    existing = Acknowledgement.objects.filter(requirement=requirement, user=actor, version=requirement.version).first()
    if existing:
        return existing
    acknowledgement = Acknowledgement(
        requirement=requirement, user=actor, version=requirement.version, acknowledged_at=timezone.now()
    )
    acknowledgement.save()
    return acknowledgement


# Consistently met: evaluations and corrective actions ---------------------------------------------------


@audited_service
def evaluation_record(
    *, actor, requirement: Requirement, data: dict[str, Any], action: dict | None = None
) -> Evaluation:
    """Record an evaluation. A "not met" result needs a corrective action (title, owner, due date), which is
    raised in qms.actions with this evaluation as its source."""
    require_permission(actor, "add", Evaluation)
    evaluation = Evaluation(requirement=requirement, evaluator=actor)
    if data.get("result") == EvaluationResult.NOT_MET and not (action and action.get("title")):
        raise ValidationError({"action_title": "A requirement not met needs a corrective action: give it a title."})
    apply_and_save(evaluation, data, EVALUATION_FIELDS)
    if action and action.get("title"):
        try:
            action_create(
                actor=actor,
                kind=ActionKind.CORRECTIVE,
                title=action["title"],
                owner=action.get("owner"),
                due_date=action.get("due_date"),
                description=action.get("description", ""),
                source=evaluation,
            )
        except ValidationError as exc:
            raise ValidationError({f"action_{field}": errors for field, errors in exc.message_dict.items()}) from exc
    return evaluation


# Attachments --------------------------------------------------------------------------------------


@audited_service
def attachment_add(
    *, actor, requirement: Requirement, upload, kind: str, evaluation: Evaluation | None = None
) -> Attachment:
    """Keep a file with a requirement under a random stored name; refuses an empty file, one over the size
    limit, and one whose content is not an accepted type or disagrees with its extension."""
    require_permission(actor, "add", Attachment)
    if evaluation is not None and evaluation.requirement_id != requirement.pk:
        raise ValidationError({"evaluation": "That evaluation belongs to another requirement."})
    uploads.check_upload(upload, field="file", allowed=ATTACHMENT_TYPES, max_bytes=settings.QMS_ATTACHMENT_MAX_BYTES)
    name = uploads.display_name(upload.name)
    attachment = Attachment(
        requirement=requirement,
        evaluation=evaluation,
        kind=kind,
        original_name=name[:255],
        size=upload.size,
        uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.full_clean()
    attachment.save()
    return attachment


@audited_service
def attachment_delete(*, actor, attachment: Attachment) -> None:
    require_permission(actor, "delete", Attachment, attachment)
    attachment.file.delete(save=False)
    attachment.delete()
