"""Customer satisfaction surveys (9.1.2): templates with versioned questions, campaigns sent to
contacts, one invitation per contact with an unguessable token, reminders sent exactly once, and
responses whose NPS and CSAT scores are kept beside the answers for fast figures."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from qms.accounts.permissions import RestrictedQuerySet
from qms.audit.mixins import AuditedModel
from qms.core.links import record_url
from qms.core.querysets import RegisterQuerySet

from ..choices import CampaignStatus, InvitationStatus, QuestionType, TemplatePurpose


def new_invitation_token() -> str:
    return secrets.token_urlsafe(32)


class SurveyTemplate(AuditedModel):
    """A questionnaire. Once a campaign has used it, it is frozen: editing makes the next version."""

    code = models.SlugField(max_length=50, help_text="Stays the same across versions, e.g. relationship-nps.")
    version = models.PositiveIntegerField(default=1, editable=False)
    name = models.CharField(max_length=200)
    purpose = models.CharField(max_length=20, choices=TemplatePurpose.choices, default=TemplatePurpose.RELATIONSHIP)
    intro = models.TextField(blank=True, help_text="Shown above the questions.")
    thank_you = models.TextField(blank=True, default="Thank you for your answers.")
    frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    superseded_by = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="previous_version", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("name", "-version")
        verbose_name = "survey template"
        permissions = [("export_surveytemplate", "Can export survey templates")]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"],
                name="survey_template_version_once",
                violation_error_message="A template with this code and version already exists.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    def get_absolute_url(self) -> str:
        return record_url("feedback:template_detail", self.pk)

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None


class Question(AuditedModel):
    """One question of a template, in order. ``choices`` holds one option per line (choice questions)."""

    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    type = models.CharField(max_length=10, choices=QuestionType.choices)
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=True)
    scale_max = models.PositiveSmallIntegerField(
        "highest rating", null=True, blank=True, validators=[MinValueValidator(2), MaxValueValidator(10)]
    )
    choices = models.TextField(blank=True, help_text="Choice questions: one option per line.")

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("template", "order", "pk")

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        return self.template.get_absolute_url()

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    @property
    def scale(self) -> range | None:
        """The allowed numbers for a scored question, or None for choice and text questions."""
        if self.type == QuestionType.NPS:
            return range(0, 11)
        if self.type == QuestionType.CSAT:
            return range(1, 6)
        if self.type == QuestionType.RATING:
            return range(1, (self.scale_max or 5) + 1)
        return None

    def clean(self) -> None:
        errors = {}
        if self.type in (QuestionType.SINGLE, QuestionType.MULTIPLE) and len(self.choice_list) < 2:
            errors["choices"] = "Give at least two options, one per line."
        if self.type == QuestionType.RATING and not self.scale_max:
            errors["scale_max"] = "Say how high the rating goes (2 to 10)."
        if errors:
            raise ValidationError(errors)


class Campaign(AuditedModel):
    """A template sent to an audience within a window, with its reminder policy."""

    name = models.CharField(max_length=200)
    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="campaigns")
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    # Audience: the hand-picked customers if any, otherwise customers of these segments and statuses (empty = any).
    segments = models.JSONField(default=list, blank=True)
    customer_statuses = models.JSONField(default=list, blank=True)
    customers = models.ManyToManyField("customers.Customer", blank=True, related_name="survey_campaigns")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    reminder_max = models.PositiveSmallIntegerField("reminders at most", default=2, validators=[MaxValueValidator(5)])
    reminder_after_days = models.PositiveSmallIntegerField(
        "days after the last message", default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    # The standing campaign that post-complaint surveys are sent in.
    automatic = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("-opens_at", "-pk")
        permissions = [("export_campaign", "Can export survey campaigns and their responses")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("feedback:campaign_detail", self.pk)

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": "The campaign must close after it opens."})


class Invitation(models.Model):
    """One contact asked to answer one campaign; the token is the only key to the response page."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invitations")
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_invitations"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_invitations"
    )
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token, editable=False)
    status = models.CharField(max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    responded_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    # A post-complaint survey remembers the complaint it follows.
    feedback_item = models.ForeignKey(
        "feedback.FeedbackItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_invitations"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ("campaign", "email")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "contact"], condition=Q(contact__isnull=False), name="invitation_once_per_contact"
            ),
            models.UniqueConstraint(
                fields=["campaign", "feedback_item"],
                condition=Q(feedback_item__isnull=False),
                name="invitation_once_per_complaint",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"]), models.Index(fields=["status", "last_message_at"])]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.email}"

    def get_absolute_url(self) -> str:
        return record_url("feedback:campaign_detail", self.campaign_id)


class Reminder(models.Model):
    """Reminder ``number`` for one invitation: the unique row is claimed before the e-mail is queued."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="reminders")
    number = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("invitation", "number")
        constraints = [models.UniqueConstraint(fields=["invitation", "number"], name="reminder_once")]

    def __str__(self) -> str:
        return f"reminder {self.number} for {self.invitation}"


class SurveyResponse(models.Model):
    """The one response to an invitation; scores of the first NPS and CSAT questions kept for figures."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_responses"
    )
    segment = models.CharField(max_length=20, blank=True, help_text="The customer's segment when they answered.")
    submitted_at = models.DateTimeField()
    nps_score = models.PositiveSmallIntegerField(null=True, blank=True)
    csat_score = models.PositiveSmallIntegerField(null=True, blank=True)
    follow_up = models.ForeignKey(
        "feedback.FeedbackItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="survey_responses"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ("-submitted_at", "-pk")
        verbose_name = "survey response"
        indexes = [
            models.Index(fields=["campaign", "submitted_at"]),
            models.Index(fields=["submitted_at"]),
            models.Index(fields=["segment", "submitted_at"]),
        ]

    def __str__(self) -> str:
        return f"response to {self.invitation}"


class Answer(models.Model):
    """One answer: a number (scored questions), chosen options, or text."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ("response", "question__order")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question")]

    def __str__(self) -> str:
        return f"{self.question}: {self.number if self.number is not None else self.choices or self.text}"


class SurveySettings(AuditedModel):
    """How the closed loop works (a single row)."""

    post_complaint_enabled = models.BooleanField("send a survey when a complaint closes", default=True)
    post_complaint_template = models.ForeignKey(
        SurveyTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    follow_up_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who follows up an unhappy answer when the customer has no account owner.",
    )

    objects = RegisterQuerySet.as_manager()

    class Meta:
        verbose_name = "survey settings"
        verbose_name_plural = "survey settings"

    def __str__(self) -> str:
        return "Survey settings"

    def get_absolute_url(self) -> str:
        return reverse("feedback:survey_settings")
