"""The feedback register (9.1.2, 10.2, ISO 10002): everything a customer tells us, complaints worked
through to closure against time targets in working days."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from qms.accounts.permissions import role_names
from qms.accounts.roles import AUDITOR, QUALITY_MANAGER, TOP_MANAGEMENT
from qms.audit.mixins import AuditedModel
from qms.core.links import record_url
from qms.core.querysets import RegisterQuerySet
from qms.core.uploads import random_upload_path

from ..choices import (
    Acceptance,
    Channel,
    EscalationLevel,
    FeedbackKind,
    FeedbackStatus,
    RootCauseCategory,
    Severity,
    SlaTargetKind,
)

OVERSEEING_ROLES = frozenset({QUALITY_MANAGER, TOP_MANAGEMENT, AUDITOR})
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def new_public_token() -> str:
    return secrets.token_urlsafe(32)


class Category(AuditedModel):
    """A configurable complaint category (for trends and the Pareto chart)."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True, help_text="Inactive categories stay on old records only.")

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("feedback:category_list")


class FeedbackItem(AuditedModel):
    """A complaint, compliment, suggestion or enquiry, with its workflow, time targets and outcome."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=FeedbackKind.choices, default=FeedbackKind.COMPLAINT)
    status = models.CharField(max_length=20, choices=FeedbackStatus.choices, default=FeedbackStatus.RECEIVED)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.PHONE)
    received_at = models.DateTimeField()
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="feedback_items"
    )
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback_items"
    )
    # Who told us, as they told us (a public submission, or a caller not yet in the customer register).
    submitter_name = models.CharField("name", max_length=200, blank=True)
    submitter_email = models.EmailField("e-mail", blank=True)
    submitter_phone = models.CharField("phone", max_length=40, blank=True)
    product = models.CharField("product or service", max_length=200, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="feedback_items"
    )
    summary = models.CharField(max_length=200)
    description = models.TextField()
    requirements = models.ManyToManyField(
        "requirements.Requirement", blank=True, related_name="feedback_items", verbose_name="linked requirements"
    )
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="feedback_logged"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="feedback_assigned"
    )
    # Initial assessment
    severity = models.CharField(max_length=10, choices=Severity.choices, blank=True)
    impact = models.TextField(blank=True, help_text="Who and what is affected, and how badly.")
    # Investigation
    root_cause_category = models.CharField(max_length=20, choices=RootCauseCategory.choices, blank=True)
    root_cause_analysis = models.TextField(blank=True, help_text="For example five whys, one per line.")
    containment = models.TextField(blank=True, help_text="What was done at once to limit the effect.")
    # Response and closing
    response = models.TextField(blank=True, help_text="The response to the complainant.")
    # What the complainant was sent when it was resolved; later edits of ``response`` do not change it.
    published_response = models.TextField(blank=True, editable=False)
    response_published_at = models.DateTimeField(null=True, blank=True)
    outcome_communicated = models.TextField(blank=True, help_text="What the complainant was told, and how.")
    acceptance = models.CharField("complainant's acceptance", max_length=20, choices=Acceptance.choices, blank=True)
    decision_reason = models.TextField(blank=True, help_text="Why it was rejected or withdrawn.")
    close_override_reason = models.TextField(blank=True)
    # Time targets, working-days clock (see feedback/sla.py); recomputed by the services.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolve_clock_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    acknowledge_due_at = models.DateTimeField(null=True, blank=True)
    acknowledge_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolve_due_at = models.DateTimeField(null=True, blank=True)
    resolve_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    paused_since = models.DateTimeField(null=True, blank=True, help_text="Waiting on the customer since.")
    acknowledge_working_hours = models.FloatField(null=True, blank=True, editable=False)
    resolve_working_hours = models.FloatField(null=True, blank=True, editable=False)
    resolved_within_target = models.BooleanField(null=True, editable=False)
    reopen_count = models.PositiveSmallIntegerField(default=0, editable=False)
    public_token = models.CharField(max_length=64, unique=True, default=new_public_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    audit_redact = ("public_token",)
    # Worked out from other fields on every change; the history shows the due times, not these.
    audit_exclude = (
        "acknowledge_warn_at",
        "resolve_warn_at",
        "acknowledge_working_hours",
        "resolve_working_hours",
        "resolve_clock_started_at",
    )

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("-received_at", "-pk")
        verbose_name = "feedback item"
        permissions = [
            ("export_feedbackitem", "Can export feedback"),
            ("work_feedbackitem", "Can work on the feedback assigned to them"),
        ]
        indexes = [
            models.Index(fields=["kind", "status", "-received_at"]),
            models.Index(fields=["status", "resolve_due_at"]),
            models.Index(fields=["category", "received_at"]),
            models.Index(fields=["customer", "received_at"]),
            # The register's default order (newest first, then id) read straight off an index at any size.
            models.Index(fields=["received_at", "id"], name="feedback_received_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.summary}"

    def get_absolute_url(self) -> str:
        return record_url("feedback:item_detail", self.pk)

    @property
    def is_complaint(self) -> bool:
        return self.kind == FeedbackKind.COMPLAINT

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    @property
    def complainant_name(self) -> str:
        if self.contact_id:
            return self.contact.name
        return self.submitter_name or (str(self.customer) if self.customer_id else "Anonymous")

    @property
    def complainant_email(self) -> str:
        return self.submitter_email or (self.contact.email if self.contact_id else "")

    @staticmethod
    def restrict_rows(queryset, user, action):
        """Staff see what they logged or are assigned; managers, top management and auditors see all."""
        if user.is_superuser or role_names(user) & OVERSEEING_ROLES:
            return queryset
        return queryset.filter(Q(logged_by=user) | Q(assignee=user))

    def permits(self, user, action: str) -> bool:
        if action == "work" and not user.has_perm("feedback.change_feedbackitem"):
            return self.assignee_id == user.pk
        if action == "view" and not (user.is_superuser or role_names(user) & OVERSEEING_ROLES):
            return user.pk in (self.logged_by_id, self.assignee_id)
        return True

    def clean(self) -> None:
        errors = {}
        if self.contact_id and self.customer_id and self.contact.customer_id != self.customer_id:
            errors["contact"] = "This contact works for another customer."
        if not self.summary.strip():
            errors["summary"] = "Say in a few words what it is about."
        if errors:
            raise ValidationError(errors)


class FeedbackTransition(models.Model):
    """One step of the workflow: who moved the item, when, from which state to which, and why."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="transitions")
    name = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, choices=FeedbackStatus.choices)
    to_status = models.CharField(max_length=20, choices=FeedbackStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    actor_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.item.reference}: {self.name} by {self.actor_name or 'the customer'}"


class Pause(models.Model):
    """A stretch while the complaint waited on the customer: the time-target clock does not run."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ("started_at", "pk")
        constraints = [
            models.UniqueConstraint(fields=["item"], condition=Q(ended_at__isnull=True), name="feedback_one_open_pause")
        ]

    def __str__(self) -> str:
        return f"{self.item.reference} paused {self.started_at:%Y-%m-%d %H:%M}"


def attachment_path(instance, filename: str) -> str:
    """A random name under ``feedback/<yyyy>/<mm>/``: the sender's file name is kept in ``original_name`` only."""
    return random_upload_path("feedback", filename)


class Attachment(AuditedModel):
    """A file sent with feedback (a photo, a delivery note) or added while working on it."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("uploaded_at", "pk")

    @staticmethod
    def restrict_rows(queryset, user, action):
        """The files of the items the user may see (staff: what they logged or are assigned)."""
        if user.is_superuser or role_names(user) & OVERSEEING_ROLES:
            return queryset
        return queryset.filter(Q(item__logged_by=user) | Q(item__assignee=user))

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("feedback:attachment_download", args=[self.item_id, self.pk])


class SlaTarget(AuditedModel):
    """Time targets for one severity, in working days. An item not yet assessed uses Medium's."""

    severity = models.CharField(max_length=10, choices=Severity.choices, unique=True)
    acknowledge_days = models.DecimalField(
        "acknowledge within (working days)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0.1), MaxValueValidator(365)],
    )
    resolve_days = models.DecimalField(
        "resolve within (working days)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0.1), MaxValueValidator(365)],
    )
    warn_before_hours = models.PositiveSmallIntegerField(
        "warn the assignee (working hours before)",
        default=4,
        validators=[MaxValueValidator(24 * 30)],
    )

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("severity",)
        verbose_name = "time target"

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: acknowledge {self.acknowledge_days}, resolve {self.resolve_days}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:sla_settings")

    def clean(self) -> None:
        if self.acknowledge_days and self.resolve_days and self.resolve_days < self.acknowledge_days:
            raise ValidationError({"resolve_days": "Resolution cannot be due before acknowledgement."})


class WorkingWeek(AuditedModel):
    """The working week the time targets count in (a single row)."""

    monday = models.BooleanField(default=True)
    tuesday = models.BooleanField(default=True)
    wednesday = models.BooleanField(default=True)
    thursday = models.BooleanField(default=True)
    friday = models.BooleanField(default=True)
    saturday = models.BooleanField(default=False)
    sunday = models.BooleanField(default=False)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        verbose_name = "working week"

    def __str__(self) -> str:
        days = [name for name in WEEKDAY_NAMES if getattr(self, name.lower())]
        return ", ".join(days) or "no working days"

    def get_absolute_url(self) -> str:
        return reverse("feedback:sla_settings")

    @property
    def weekday_numbers(self) -> frozenset[int]:
        return frozenset(i for i, name in enumerate(WEEKDAY_NAMES) if getattr(self, name.lower()))

    def clean(self) -> None:
        if not self.weekday_numbers:
            raise ValidationError("Tick at least one working day.")


class Holiday(AuditedModel):
    """A day off: it does not count towards time targets."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("date",)

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:sla_settings")


class ReferenceCounter(models.Model):
    """The last number given per prefix and year; rows are locked while numbering, so two never clash."""

    prefix = models.CharField(max_length=5)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="feedback_counter_once")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class Escalation(models.Model):
    """One notice about one complaint's target: the job claims the row first, so it is sent once."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="escalations")
    target = models.CharField(max_length=20, choices=SlaTargetKind.choices)
    level = models.CharField(max_length=10, choices=EscalationLevel.choices)
    cycle = models.PositiveSmallIntegerField(default=0, help_text="How often the complaint had been reopened.")
    due_at = models.DateTimeField()
    recipients = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            models.UniqueConstraint(fields=["item", "target", "level", "cycle"], name="escalation_once_per_target")
        ]

    def __str__(self) -> str:
        return f"{self.item.reference} {self.target} {self.level}"
