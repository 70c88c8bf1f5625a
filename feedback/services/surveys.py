"""Writes to the survey configuration (9.1.2): templates and their versions, questions, campaigns and
the closed-loop settings. Sending, reminders and answers live in ``survey_delivery``.

A template a campaign has used is frozen: answers point at its questions, so it is never changed in
place; every edit lands on the next version instead (made on the first edit, then edited freely until
a campaign uses it in turn).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from customers.choices import CustomerStatus, Segment
from qms.audit.context import audited_service
from qms.core.services import apply_and_save, require_permission

from ..choices import CampaignStatus, QuestionType, TemplatePurpose
from ..models import Campaign, Question, SurveySettings, SurveyTemplate

TEMPLATE_FIELDS = ("code", "name", "purpose", "intro", "thank_you")
QUESTION_FIELDS = ("type", "text", "help_text", "required", "scale_max", "choices")
CAMPAIGN_FIELDS = (
    "name",
    "template",
    "segments",
    "customer_statuses",
    "opens_at",
    "closes_at",
    "reminder_max",
    "reminder_after_days",
)
# What may still change once a campaign has been sent.
CAMPAIGN_LIVE_FIELDS = ("closes_at", "reminder_max", "reminder_after_days")
SETTINGS_FIELDS = ("post_complaint_enabled", "post_complaint_template", "follow_up_assignee")
CHOICE_TYPES = (QuestionType.SINGLE, QuestionType.MULTIPLE)


# Templates -----------------------------------------------------------------------------------------


def _refuse_unless_current(template: SurveyTemplate) -> None:
    if not template.is_current:
        raise ValidationError(
            f"Version {template.version} has been replaced by a newer version; edit the current version instead."
        )


def _copy_as_next_version(template: SurveyTemplate) -> tuple[SurveyTemplate, dict[int, Question]]:
    """The next version with a copy of every question; returns it and old question pk -> copy."""
    # Lock the row: two people pressing "new version" at once must not both succeed.
    locked = SurveyTemplate.objects.select_for_update().get(pk=template.pk)
    _refuse_unless_current(locked)
    newer = SurveyTemplate(
        code=locked.code,
        version=locked.version + 1,
        name=locked.name,
        purpose=locked.purpose,
        intro=locked.intro,
        thank_you=locked.thank_you,
    )
    newer.full_clean()
    newer.save()
    copies: dict[int, Question] = {}
    for position, question in enumerate(locked.questions.order_by("order", "pk"), start=1):
        copy = Question(
            template=newer,
            order=position,
            type=question.type,
            text=question.text,
            help_text=question.help_text,
            required=question.required,
            scale_max=question.scale_max,
            choices=question.choices,
        )
        copy.save()
        copies[question.pk] = copy
    locked.superseded_by = newer
    locked.save(update_fields=["superseded_by", "updated_at"])
    template.superseded_by = newer
    return newer, copies


@audited_service
def template_new_version(*, actor, template: SurveyTemplate) -> SurveyTemplate:
    """Version N+1 of ``template`` with the same questions; the old one points to it and stays as it was."""
    require_permission(actor, "add", SurveyTemplate)
    require_permission(actor, "change", SurveyTemplate, template)
    newer, _ = _copy_as_next_version(template)
    return newer


@audited_service
def template_save(*, actor, template: SurveyTemplate | None, data: dict[str, Any]) -> SurveyTemplate:
    """Create a template or edit one; a frozen template is left alone and its next version is edited."""
    require_permission(actor, "add" if template is None else "change", SurveyTemplate, template)
    if template is None:
        template = SurveyTemplate()
    else:
        _refuse_unless_current(template)
        code = data.get("code", template.code)
        if code != template.code and (template.version > 1 or template.is_frozen):
            raise ValidationError({"code": "The code stays the same across versions of a template."})
        if template.is_frozen:
            require_permission(actor, "add", SurveyTemplate)
            template, _ = _copy_as_next_version(template)
    apply_and_save(template, data, TEMPLATE_FIELDS)
    return template


# Questions -----------------------------------------------------------------------------------------


def _editable(actor, template: SurveyTemplate, question: Question | None) -> tuple[SurveyTemplate, Question | None]:
    """The template (and question) an edit really applies to: the next version when ``template`` is frozen."""
    _refuse_unless_current(template)
    if question is not None and question.template_id != template.pk:
        raise ValidationError("This question belongs to another template.")
    if not template.is_frozen:
        return template, question
    require_permission(actor, "add", SurveyTemplate)
    newer, copies = _copy_as_next_version(template)
    return newer, (copies[question.pk] if question is not None else None)


def _renumber(template: SurveyTemplate) -> list[Question]:
    """The questions in order, numbered 1..n (orders may have gaps or ties after edits)."""
    questions = list(template.questions.order_by("order", "pk"))
    for position, question in enumerate(questions, start=1):
        if question.order != position:
            question.order = position
            question.save(update_fields=["order"])
    return questions


@audited_service
def question_save(*, actor, template: SurveyTemplate, question: Question | None, data: dict[str, Any]) -> Question:
    """Add or edit a question; on a frozen template the edit lands on the next version's copy."""
    require_permission(actor, "add" if question is None else "change", Question, question)
    template, question = _editable(actor, template, question)
    if question is None:
        last = template.questions.aggregate(last=Max("order"))["last"] or 0
        question = Question(template=template, order=last + 1)
    values = dict(data)
    kind = values.get("type", question.type)
    # Keep only what the question type uses, so a changed type leaves no stray options behind.
    if kind != QuestionType.RATING:
        values["scale_max"] = None
    if kind not in CHOICE_TYPES:
        values["choices"] = ""
    apply_and_save(question, values, QUESTION_FIELDS)
    return question


@audited_service
def question_delete(*, actor, question: Question) -> SurveyTemplate:
    """Remove a question; returns the template it was removed from (the next version when frozen)."""
    require_permission(actor, "delete", Question, question)
    template, target = _editable(actor, question.template, question)
    target.delete()
    _renumber(template)
    return template


@audited_service
def question_move(*, actor, question: Question, direction: str) -> Question:
    """Move a question one place ``up`` or ``down``; at either end nothing changes."""
    require_permission(actor, "change", Question, question)
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move a question up or down."})
    template, target = _editable(actor, question.template, question)
    questions = _renumber(template)
    index = next(i for i, q in enumerate(questions) if q.pk == target.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(questions):
        mine, theirs = questions[index], questions[other]
        mine.order, theirs.order = theirs.order, mine.order
        mine.save(update_fields=["order"])
        theirs.save(update_fields=["order"])
        return mine
    return target


# Campaigns -----------------------------------------------------------------------------------------


def _check_audience(data: dict[str, Any]) -> None:
    errors = {}
    segments = data.get("segments") or []
    if any(value not in Segment.values for value in segments):
        errors["segments"] = "Choose segments from the list."
    statuses = data.get("customer_statuses") or []
    if any(value not in CustomerStatus.values for value in statuses):
        errors["customer_statuses"] = "Choose customer statuses from the list."
    if errors:
        raise ValidationError(errors)


def _check_template(template: SurveyTemplate | None) -> None:
    if template is None:
        raise ValidationError({"template": "Choose the survey template to send."})
    if not template.is_current:
        raise ValidationError({"template": f"{template} has a newer version; choose the current one."})
    if not template.questions.exists():
        raise ValidationError({"template": f"{template} has no questions yet; add some before using it."})


@audited_service
def campaign_save(*, actor, campaign: Campaign | None, data: dict[str, Any]) -> Campaign:
    """Create or edit a campaign. While a draft, everything may change; once sent, only a later close
    and the reminder policy (the audience and questions people received stay as they were)."""
    require_permission(actor, "add" if campaign is None else "change", Campaign, campaign)
    if campaign is not None and campaign.status != CampaignStatus.DRAFT:
        return _campaign_save_live(campaign, data)
    values = dict(data)
    _check_audience(values)
    _check_template(values.get("template", campaign.template if campaign else None))
    closes_at = values.get("closes_at", campaign.closes_at if campaign else None)
    if closes_at is not None and closes_at <= timezone.now():
        raise ValidationError({"closes_at": "The campaign must close in the future."})
    values["segments"] = list(values.get("segments") or [])
    values["customer_statuses"] = list(values.get("customer_statuses") or [])
    if campaign is None:
        campaign = Campaign(created_by=actor)
    apply_and_save(campaign, values, CAMPAIGN_FIELDS)
    if "customers" in data:
        campaign.customers.set(data["customers"] or [])
    return campaign


def _campaign_save_live(campaign: Campaign, data: dict[str, Any]) -> Campaign:
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError("A closed campaign can no longer be changed.")
    errors = {}
    for name in CAMPAIGN_FIELDS:
        if name in data and name not in CAMPAIGN_LIVE_FIELDS and _differs(getattr(campaign, name), data[name]):
            errors[name] = "The campaign has been sent: only its closing date and reminders can change."
    if "customers" in data:
        chosen = {customer.pk for customer in data["customers"] or []}
        if chosen != set(campaign.customers.values_list("pk", flat=True)):
            errors["customers"] = "The campaign has been sent: its audience can no longer change."
    closes_at = data.get("closes_at")
    if closes_at is not None and closes_at < campaign.closes_at:
        errors["closes_at"] = "A campaign that has been sent may only close later, not earlier."
    if errors:
        raise ValidationError(errors)
    apply_and_save(campaign, data, CAMPAIGN_LIVE_FIELDS)
    return campaign


def _differs(current, new) -> bool:
    if isinstance(current, list):
        return sorted(current) != sorted(new or [])
    return current != new


# Settings ------------------------------------------------------------------------------------------


@audited_service
def survey_settings_save(*, actor, data: dict[str, Any]) -> SurveySettings:
    """The single settings row of the closed loop (created on first save)."""
    current = SurveySettings.objects.order_by("pk").first()
    require_permission(actor, "add" if current is None else "change", SurveySettings, current)
    template = data.get("post_complaint_template")
    if template is not None:
        if template.purpose != TemplatePurpose.POST_COMPLAINT:
            raise ValidationError({"post_complaint_template": "Choose a template made for after a complaint."})
        if not template.is_current:
            raise ValidationError({"post_complaint_template": f"{template} has a newer version; choose that one."})
    if data.get("post_complaint_enabled") and template is None and "post_complaint_template" in data:
        raise ValidationError({"post_complaint_template": "Choose the template sent after a complaint closes."})
    assignee = data.get("follow_up_assignee")
    if assignee is not None and not assignee.is_active:
        raise ValidationError({"follow_up_assignee": "Choose someone whose account is active."})
    settings_row = current or SurveySettings()
    apply_and_save(settings_row, data, SETTINGS_FIELDS)
    return settings_row
