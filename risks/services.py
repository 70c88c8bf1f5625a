"""Writes to the risk and opportunity log. Each runs in one transaction with its audit entries; the
status changes are the ones ``workflow.STEPS`` allows, for pages and API alike."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from qms.accounts.permissions import can
from qms.actions.models import Action
from qms.actions.selectors import open_actions_for_source
from qms.actions.services import action_create
from qms.audit.context import audited_service
from qms.audit.recorder import lock_audit_chain
from qms.core.services import require_permission

from . import emails
from .choices import (
    OPPORTUNITY_OPTIONS,
    REFERENCE_PREFIXES,
    RISK_OPTIONS,
    AssessmentKind,
    EntryKind,
    EntryStatus,
    TreatmentOption,
)
from .models import (
    EffectivenessReview,
    RiskAssessment,
    RiskCategory,
    RiskEntry,
    RiskMatrix,
    RiskReferenceCounter,
)
from .workflow import STEPS, Step

DEFAULT_MATRIX: dict[str, Any] = {
    "name": "Risk matrix",
    "likelihood_levels": [
        {"label": "Rare", "description": "May happen only in exceptional circumstances (less than once in 10 years)."},
        {"label": "Unlikely", "description": "Could happen at some time (once in 5–10 years)."},
        {"label": "Possible", "description": "Might happen (once in 1–5 years)."},
        {"label": "Likely", "description": "Will probably happen (about once a year)."},
        {"label": "Almost certain", "description": "Expected to happen (several times a year)."},
    ],
    "impact_levels": [
        {"label": "Negligible", "description": "No effect on customers or conformity; fixed in routine work."},
        {"label": "Minor", "description": "A small delay or rework; no customer notices."},
        {"label": "Moderate", "description": "A customer notices; a complaint or a missed delivery date."},
        {"label": "Major", "description": "Nonconforming product reaches customers; a contract is at risk."},
        {"label": "Severe", "description": "Loss of a key customer, certification or legal compliance."},
    ],
    "scores": [[likelihood * impact for impact in range(1, 6)] for likelihood in range(1, 6)],
    "bands": [
        {"name": "low", "min": 1, "max": 4, "colour": "#2e7d32", "requires_approval": False, "rule": "Accept; review."},
        {
            "name": "medium",
            "min": 5,
            "max": 9,
            "colour": "#f9a825",
            "requires_approval": False,
            "rule": "Treat or accept with a reason.",
        },
        {
            "name": "high",
            "min": 10,
            "max": 16,
            "colour": "#ef6c00",
            "requires_approval": False,
            "rule": "Treat; the owner reports progress.",
        },
        {
            "name": "critical",
            "min": 17,
            "max": 25,
            "colour": "#c62828",
            "requires_approval": True,
            "rule": "Needs top-management approval to accept.",
        },
    ],
}
MATRIX_FIELDS = ("name", "likelihood_levels", "impact_levels", "scores", "bands")

ENTRY_FIELDS = (
    "title",
    "kind",
    "description",
    "cause",
    "effect",
    "source",
    "context_issue",
    "interested_party",
    "category",
    "owner",
    "review_frequency_months",
    "next_review_date",
    "treatment_plan",
)
# Set by a quality manager logging an entry directly (a proposal always starts identified).
STATUS_FIELDS = ("status", "treatment_option")
M2M_FIELDS = ("requirements", "customers", "feedback_items")
# What changes with an edit; the kind and the status move only through their own services.
UPDATE_FIELDS = tuple(name for name in ENTRY_FIELDS if name != "kind") + ("treatment_option",)
CATEGORY_FIELDS = ("name", "active")
STEPS_BY_NAME: dict[str, Step] = {step.name: step for step in STEPS}


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


# The matrix -----------------------------------------------------------------------------------------


def active_matrix() -> RiskMatrix:
    """The matrix version in use; version 1 is made from ``DEFAULT_MATRIX`` when there is none at all."""
    matrix = RiskMatrix.objects.filter(active=True).first()
    if matrix is not None:
        return matrix
    try:
        with transaction.atomic():
            if not RiskMatrix.objects.exists():
                return RiskMatrix.objects.create(version=1, active=True, **DEFAULT_MATRIX)
    except IntegrityError:
        pass  # made at the same moment by another request
    matrix = RiskMatrix.objects.filter(active=True).first()
    if matrix is None:
        # Versions exist but none is active (edited by hand): the newest one is taken back into use.
        matrix = RiskMatrix.objects.order_by("-version").first()
        matrix.active = True
        matrix.save(update_fields=["active"])
    return matrix


@audited_service
def matrix_save(*, actor, data: dict[str, Any]) -> RiskMatrix:
    """Make the next matrix version from ``data`` and put it in use alone (quality managers).

    A version is never changed in place: assessments keep pointing at the version they were scored on.
    Fields missing from ``data`` are taken from the version in use.
    """
    require_permission(actor, "add", RiskMatrix)
    current = active_matrix()
    # Lock the version in use: two saves at once make two consecutive versions, never a clash.
    RiskMatrix.objects.select_for_update().filter(pk=current.pk).first()
    values = {name: data.get(name, getattr(current, name)) for name in MATRIX_FIELDS}
    latest = RiskMatrix.objects.aggregate(latest=Max("version"))["latest"] or 0
    matrix = RiskMatrix(version=latest + 1, active=False, created_by=actor, **values)
    matrix.full_clean(exclude=["active"])
    matrix.save()
    RiskMatrix.objects.filter(active=True).update(active=False)
    matrix.active = True
    matrix.save(update_fields=["active"])
    return matrix


def band_requires_approval(matrix: RiskMatrix, band_name: str) -> bool:
    """Whether ``band_name`` on ``matrix`` needs top management's approval to accept."""
    return any(band["name"] == band_name and band.get("requires_approval") for band in matrix.bands)


def current_band(entry: RiskEntry) -> str:
    """The entry's band now: residual once scored after treatment, else inherent ("" when unscored)."""
    return entry.residual_band or entry.inherent_band


# Numbering ------------------------------------------------------------------------------------------


def entry_next_reference(kind: str) -> str:
    """The next reference for ``kind`` (RSK-0001, OPP-0001); call inside a transaction."""
    prefix = REFERENCE_PREFIXES[EntryKind(kind)]
    lock_audit_chain()  # always before the counter: the same order in every transaction
    RiskReferenceCounter.objects.get_or_create(prefix=prefix)
    counter = RiskReferenceCounter.objects.select_for_update().get(prefix=prefix)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{prefix}-{counter.last:04d}"


# Entries --------------------------------------------------------------------------------------------


def _check_option(kind: str, option: str, field: str = "treatment_option") -> None:
    allowed = RISK_OPTIONS if kind == EntryKind.RISK else OPPORTUNITY_OPTIONS
    if option and option not in allowed:
        labels = ", ".join(TreatmentOption(value).label.lower() for value in allowed)
        raise ValidationError({field: f"For a {EntryKind(kind).label.lower()} choose one of: {labels}."})


def _set_links(entry: RiskEntry, data: dict[str, Any]) -> None:
    for name in M2M_FIELDS:
        if name in data and data[name] is not None:
            getattr(entry, name).set(data[name])


@audited_service
def entry_create(*, actor, data: dict[str, Any]) -> RiskEntry:
    """Log a risk or opportunity. Quality managers may set any field; staff (propose permission) propose
    one: it starts identified, owned by them unless they name an owner, and records who proposed it."""
    if can(actor, "add", RiskEntry):
        allowed = (*ENTRY_FIELDS, *STATUS_FIELDS)
        proposal = False
    elif can(actor, "propose", RiskEntry):
        allowed = ENTRY_FIELDS
        proposal = True
    else:
        raise PermissionDenied("You may not log risks or opportunities.")
    entry = RiskEntry(status=EntryStatus.IDENTIFIED)
    for name in allowed:
        if name in data and data[name] is not None:
            setattr(entry, name, data[name])
    if proposal:
        entry.proposed_by = actor
    if entry.owner_id is None:
        entry.owner = actor
    if not (entry.title or "").strip():
        raise ValidationError({"title": "Give the risk or opportunity a title."})
    _check_option(entry.kind, entry.treatment_option)
    if entry.next_review_date is None:
        entry.next_review_date = add_months(timezone.localdate(), entry.review_frequency_months or 6)
    entry.reference = entry_next_reference(entry.kind)
    entry.full_clean(exclude=["reference"])
    entry.save()
    _set_links(entry, data)
    return entry


def may_work_on(user, entry: RiskEntry) -> bool:
    """Whether ``user`` may edit ``entry`` and take its working steps (its owner, or a quality manager)."""
    return can(user, "change", RiskEntry, entry) or can(user, "work", RiskEntry, entry)


@audited_service
def entry_update(*, actor, entry: RiskEntry, data: dict[str, Any]) -> RiskEntry:
    """Edit an open entry (quality managers, or its owner). Only a quality manager hands it to someone else."""
    if not may_work_on(actor, entry):
        raise PermissionDenied("Only the owner or a quality manager may edit this entry.")
    if entry.status == EntryStatus.CLOSED:
        raise ValidationError({"status": "A closed entry cannot be edited; reopen it first."})
    owner = data.get("owner")
    if owner is not None and owner.pk != entry.owner_id and not can(actor, "change", RiskEntry, entry):
        raise ValidationError({"owner": "Only a quality manager may hand the entry to someone else."})
    changed = []
    for name in UPDATE_FIELDS:
        if name in data and (data[name] is not None or name in ("context_issue", "interested_party", "category")):
            setattr(entry, name, data[name])
            changed.append(name)
    if not (entry.title or "").strip():
        raise ValidationError({"title": "Give the risk or opportunity a title."})
    _check_option(entry.kind, entry.treatment_option)
    entry.full_clean(exclude=["reference"])
    if changed:
        entry.save(update_fields=[*changed, "updated_at"])
    _set_links(entry, data)
    return entry


def _lock(entry: RiskEntry) -> RiskEntry:
    """Read the entry again under a row lock, so two steps at once see each other's result."""
    list(RiskEntry.objects.select_for_update().filter(pk=entry.pk).values_list("pk", flat=True))
    entry.refresh_from_db()
    return entry


def _level(value, field: str, top: int, axis: str) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"Give the {axis} as a level from 1 to {top}."}) from None
    if isinstance(value, bool) or not 1 <= level <= top or str(level) != str(value).strip():
        raise ValidationError({field: f"Give the {axis} as a level from 1 to {top}."})
    return level


def _top_management_emails() -> list[str]:
    from django.contrib.auth import get_user_model

    from qms.accounts.roles import TOP_MANAGEMENT

    users = get_user_model().objects.filter(is_active=True, groups__name=TOP_MANAGEMENT).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


@audited_service
def entry_assess(*, actor, entry: RiskEntry, kind: str, likelihood: int, impact: int, note: str = "") -> RiskAssessment:
    """Score ``entry`` on the matrix in use (inherent, target or residual) and keep the score on the entry.

    The first inherent score of an identified entry makes it assessed. When the entry enters a band that
    needs top management's approval to accept, top management is told once (outbox) and the entry marked.
    """
    if not may_work_on(actor, entry):
        raise PermissionDenied("Only the owner or a quality manager may score this entry.")
    _lock(entry)
    if entry.status not in STEPS_BY_NAME["assess"].sources:
        raise ValidationError({"step": "A closed entry cannot be scored; reopen it first."})
    if kind not in AssessmentKind.values:
        raise ValidationError({"kind": f"Choose one of: {', '.join(AssessmentKind.values)}."})
    matrix = active_matrix()
    rows, columns = matrix.size
    second_axis = "impact" if entry.is_risk else "benefit"
    likelihood = _level(likelihood, "likelihood", rows, "likelihood")
    impact = _level(impact, "impact", columns, second_axis)
    score = matrix.score(likelihood, impact)
    band = matrix.band_for(score)["name"]
    before = current_band(entry)
    assessment = RiskAssessment.objects.create(
        entry=entry,
        matrix=matrix,
        kind=kind,
        likelihood=likelihood,
        impact=impact,
        score=score,
        band=band,
        note=note or "",
        assessed_by=actor,
        assessed_at=timezone.now(),
    )
    changed = []
    if kind == AssessmentKind.INHERENT:
        entry.inherent_score, entry.inherent_band = score, band
        entry.inherent_likelihood, entry.inherent_impact = likelihood, impact
        changed += ["inherent_score", "inherent_band", "inherent_likelihood", "inherent_impact"]
        if entry.status == EntryStatus.IDENTIFIED:
            entry.status = EntryStatus.ASSESSED
            changed.append("status")
    elif kind == AssessmentKind.TARGET:
        entry.target_score, entry.target_band = score, band
        changed += ["target_score", "target_band"]
    else:
        entry.residual_score, entry.residual_band = score, band
        entry.residual_likelihood, entry.residual_impact = likelihood, impact
        changed += ["residual_score", "residual_band", "residual_likelihood", "residual_impact"]
    if kind != AssessmentKind.TARGET:
        entry.approval_required = band_requires_approval(matrix, current_band(entry))
        changed.append("approval_required")
        if band_requires_approval(matrix, band) and not band_requires_approval(matrix, before):
            emails.queue_approval_notice(
                key=f"risk-approval:{assessment.pk}", entry=entry, to=_top_management_emails(), band=band, score=score
            )
    entry.save(update_fields=[*changed, "updated_at"])
    return assessment


# Workflow -------------------------------------------------------------------------------------------


def _may_take(user, step: Step, entry: RiskEntry) -> bool:
    if step.permission == "approve":
        return can(user, "approve", RiskEntry)
    if step.permission == "change":
        return can(user, "change", RiskEntry, entry)
    return may_work_on(user, entry)


def allowed_steps(entry: RiskEntry, user) -> list[Step]:
    """The steps ``user`` may take on ``entry`` now (for buttons and the API's hints)."""
    return [step for step in STEPS if entry.status in step.sources and _may_take(user, step, entry)]


def _start_treatment(*, actor, entry: RiskEntry, comment: str, extra: dict) -> list[str]:
    option = extra.get("treatment_option") or entry.treatment_option
    if not option:
        raise ValidationError({"treatment_option": "Choose how the entry will be treated."})
    _check_option(entry.kind, option)
    accepting = TreatmentOption.ACCEPT if entry.is_risk else TreatmentOption.DECLINE
    if option == accepting:
        raise ValidationError({"treatment_option": f"To {accepting.label.lower()}, use the “Accept” step."})
    entry.treatment_option = option
    changed = ["treatment_option", "status"]
    if extra.get("treatment_plan"):
        entry.treatment_plan = extra["treatment_plan"]
        changed.append("treatment_plan")
    entry.status = EntryStatus.TREATING
    return changed


def _accept(*, actor, entry: RiskEntry, comment: str, extra: dict) -> list[str]:
    if entry.accepted_at and entry.approval_required and entry.approved_at is None:
        raise ValidationError({"step": "The acceptance already waits for top management's approval."})
    entry.treatment_option = TreatmentOption.ACCEPT if entry.is_risk else TreatmentOption.DECLINE
    entry.accepted_by, entry.accepted_at, entry.acceptance_reason = actor, timezone.now(), comment
    entry.approved_by, entry.approved_at = None, None
    changed = ["treatment_option", "accepted_by", "accepted_at", "acceptance_reason", "approved_by", "approved_at"]
    matrix = active_matrix()
    entry.approval_required = band_requires_approval(matrix, current_band(entry))
    changed.append("approval_required")
    if entry.approval_required:
        emails.queue_acceptance_notice(
            key=f"risk-acceptance:{entry.pk}:{entry.accepted_at.isoformat()}",
            entry=entry,
            to=_top_management_emails(),
        )
    else:
        entry.status = EntryStatus.MONITORING
        changed.append("status")
    return changed


def _approve(*, actor, entry: RiskEntry, comment: str, extra: dict) -> list[str]:
    if not (entry.approval_required and entry.accepted_at and entry.approved_at is None):
        raise ValidationError({"step": "No acceptance of this entry waits for approval."})
    if entry.accepted_by_id == actor.pk:
        # Segregation of duties: whoever accepted the risk does not approve their own acceptance.
        raise ValidationError({"step": "You accepted this risk; someone else in top management approves it."})
    entry.approved_by, entry.approved_at = actor, timezone.now()
    entry.status = EntryStatus.MONITORING
    return ["approved_by", "approved_at", "status"]


def _review_effectiveness(*, actor, entry: RiskEntry, comment: str, extra: dict) -> list[str]:
    residual = entry.assessments.filter(kind=AssessmentKind.RESIDUAL).order_by("-assessed_at", "-pk").first()
    if residual is None:
        raise ValidationError({"step": "Score the residual risk after treatment before reviewing effectiveness."})
    if open_actions_for_source(entry).exists():
        raise ValidationError({"step": "Treatment actions are still open; review effectiveness once they are done."})
    reached = extra.get("target_reached")
    if not isinstance(reached, bool):
        raise ValidationError({"target_reached": "Say whether the target score was reached."})
    notes = (comment or "").strip()
    if not notes:
        raise ValidationError({"comment": "Say what the review found."})
    EffectivenessReview.objects.create(
        entry=entry, reviewed_at=timezone.now(), reviewer=actor, residual=residual, target_reached=reached, notes=notes
    )
    entry.status = EntryStatus.MONITORING if reached else EntryStatus.TREATING
    entry.next_review_date = add_months(timezone.localdate(), entry.review_frequency_months)
    return ["status", "next_review_date"]


def _close(*, actor, entry: RiskEntry, comment: str, extra: dict) -> list[str]:
    entry.closed_reason, entry.status = comment, EntryStatus.CLOSED
    return ["closed_reason", "status"]


def _reopen(*, actor, entry: RiskEntry, comment: str, extra: dict) -> list[str]:
    entry.closed_reason, entry.status = "", EntryStatus.ASSESSED
    return ["closed_reason", "status"]


_HANDLERS = {
    "start_treatment": _start_treatment,
    "accept": _accept,
    "approve": _approve,
    "review_effectiveness": _review_effectiveness,
    "close": _close,
    "reopen": _reopen,
}


@audited_service
def entry_step(*, actor, entry: RiskEntry, name: str, comment: str = "", **extra: Any) -> RiskEntry:
    """Take workflow step ``name`` on ``entry``: permission first, then the status read under lock.

    ``assess`` takes ``kind``, ``likelihood``, ``impact`` (and ``note``); ``start_treatment`` a
    ``treatment_option``; ``review_effectiveness`` ``target_reached``; accept, close and reopen need a
    ``comment`` (the reason).
    """
    step = STEPS_BY_NAME.get(name)
    if step is None:
        raise ValidationError({"step": f"Unknown step “{name}”; use one of: {', '.join(STEPS_BY_NAME)}."})
    if not _may_take(actor, step, entry):
        raise PermissionDenied(f"You may not take the step “{step.label}” on this entry.")
    if name == "assess":
        entry_assess(
            actor=actor,
            entry=entry,
            kind=extra.get("kind", ""),
            likelihood=extra.get("likelihood"),
            impact=extra.get("impact"),
            note=extra.get("note") or comment,
        )
        return entry
    _lock(entry)
    if entry.status not in step.sources:
        status = EntryStatus(entry.status).label.lower()
        raise ValidationError({"step": f"An entry that is {status} cannot take “{step.label}”; refresh and try again."})
    comment = (comment or "").strip()
    if step.comment_required and not comment:
        raise ValidationError({"comment": f"Give the reason for “{step.label}”."})
    changed = _HANDLERS[name](actor=actor, entry=entry, comment=comment, extra=extra)
    entry.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
    return entry


# Treatment actions ----------------------------------------------------------------------------------


def treatment_action_create(
    *, actor, entry: RiskEntry, title: str, owner, due_date: dt.date, description: str = ""
) -> Action:
    """Raise a treatment action (the shared actions register) from an open entry."""
    if not may_work_on(actor, entry):
        raise PermissionDenied("Only the owner or a quality manager may plan treatment for this entry.")
    if entry.status == EntryStatus.CLOSED:
        raise ValidationError({"status": "A closed entry takes no new treatment actions; reopen it first."})
    return action_create(
        actor=actor,
        kind="treatment",
        title=title,
        owner=owner,
        due_date=due_date,
        description=description,
        source=entry,
        permitted_by_source=True,
    )


# Categories -----------------------------------------------------------------------------------------


@audited_service
def category_save(*, actor, category: RiskCategory | None, data: dict[str, Any]) -> RiskCategory:
    """Create (``category=None``) or change a category (quality managers)."""
    if category is None:
        require_permission(actor, "add", RiskCategory)
        category = RiskCategory()
    else:
        require_permission(actor, "change", RiskCategory, category)
    for name in CATEGORY_FIELDS:
        if name in data and data[name] is not None:
            setattr(category, name, data[name])
    category.name = (category.name or "").strip()
    category.full_clean()
    category.save()
    return category


@audited_service
def category_delete(*, actor, category: RiskCategory) -> None:
    """Delete a category no entry uses; one in use is refused (make it inactive instead)."""
    require_permission(actor, "delete", RiskCategory, category)
    if category.entries.exists():
        raise ValidationError({"category": "Entries use this category; make it inactive instead."})
    category.delete()
