"""Management reviews (9.3): the meeting, its frozen inputs (9.3.2), the three questions' answers, its
outputs (9.3.3) and the chair's electronic signature over the approved content."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from qms.audit.mixins import AuditedModel
from qms.core.links import record_url
from qms.core.querysets import RegisterQuerySet

from .choices import SIGNATURE_MEANING, OutputKind, ReviewStatus, SummaryKind

# Allowed status moves, the one table the services read.
TRANSITIONS: dict[str, frozenset[str]] = {
    ReviewStatus.PLANNED: frozenset({ReviewStatus.INPUTS_READY}),
    ReviewStatus.INPUTS_READY: frozenset({ReviewStatus.INPUTS_READY, ReviewStatus.PLANNED, ReviewStatus.HELD}),
    ReviewStatus.HELD: frozenset({ReviewStatus.APPROVED}),
    ReviewStatus.APPROVED: frozenset(),
}


class ReviewCounter(models.Model):
    """The last review number handed out in ``year`` (``MR-2026-01``), locked while a new one is numbered."""

    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"MR-{self.year}-{self.last:02d}"


class Review(AuditedModel):
    """One management review: when, who, the period it looks back on, and where it stands.

    ``inputs`` is the snapshot compiled by ``review_prepare``: later edits to the registers never
    change it. Once approved the review is read only and ``signature`` holds the hash of its content.
    """

    reference = models.CharField(max_length=20, unique=True, editable=False)
    review_date = models.DateField("date of the review")
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_chaired")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="reviews_attended")
    other_attendees = models.TextField(blank=True, help_text="People without a portal account, one per line.")
    period_start = models.DateField("period from")
    period_end = models.DateField("period to")
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED)
    inputs = models.JSONField(default=dict, blank=True, editable=False)
    inputs_compiled_at = models.DateTimeField(null=True, blank=True, editable=False)
    done_well = models.TextField("what have we done well lately?", blank=True)
    to_improve = models.TextField("where do we need to improve?", blank=True)
    switch_risk = models.TextField("what would make a customer seek a different supplier?", blank=True)
    minutes = models.TextField("notes and minutes", blank=True)
    held_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("-review_date", "-pk")
        verbose_name = "management review"
        verbose_name_plural = "management reviews"
        permissions = [
            ("export_review", "Can export management reviews"),
            ("approve_review", "Can approve a management review they chair"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.review_date.isoformat()})" if self.review_date else self.reference

    def get_absolute_url(self) -> str:
        return record_url("reviews:review_detail", self.pk)

    @property
    def is_approved(self) -> bool:
        return self.status == ReviewStatus.APPROVED

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period must end on or after the day it starts."})


class ReviewOutput(AuditedModel):
    """A decision of the review (9.3.3), optionally carried out by an action whose source is the review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(max_length=20, choices=OutputKind.choices)
    description = models.TextField(help_text="What was found or proposed.")
    decision = models.TextField(help_text="What the review decided.")
    action = models.ForeignKey(
        "actions.Action", on_delete=models.SET_NULL, null=True, blank=True, related_name="review_outputs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("review", "kind", "pk")
        verbose_name = "review output"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.decision[:60]}"

    def get_absolute_url(self) -> str:
        return self.review.get_absolute_url() + f"#output-{self.pk}"


class ReviewSignature(AuditedModel):
    """The chair's electronic signature: who, what it means, when, and the SHA-256 of the approved content."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="signature")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    meaning = models.CharField(max_length=100, default=SIGNATURE_MEANING)
    signed_at = models.DateTimeField()
    content_hash = models.CharField("SHA-256 of the approved content", max_length=64)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        verbose_name = "review signature"

    def __str__(self) -> str:
        return f"{self.review.reference} {self.meaning} by {self.signer} at {self.signed_at.isoformat()}"

    def get_absolute_url(self) -> str:
        return self.review.get_absolute_url() + "#signature"


class Summary(AuditedModel):
    """A scheduled summary as it was compiled and sent: one per kind and period (the unique key is what
    makes a second run of the job send nothing). ``content`` is the frozen data, ``html`` the e-mail as
    sent and ``pdf`` its attachment, so the summary can be read again exactly as it went out."""

    kind = models.CharField(max_length=10, choices=SummaryKind.choices)
    period_start = models.DateField("period from")
    period_end = models.DateField("period to")
    title = models.CharField(max_length=200)
    content = models.JSONField(default=dict, editable=False)
    html = models.TextField(editable=False)
    pdf = models.BinaryField(editable=False)
    recipients = models.JSONField(default=list, blank=True, editable=False, help_text="E-mail addresses sent to.")
    delivery = models.OneToOneField(
        "core.OutboxEmail", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="summary"
    )
    compiled_at = models.DateTimeField(editable=False)

    objects = RegisterQuerySet.as_manager()
    # The body and attachment are large and fixed once written: the trail records that the summary was made.
    audit_exclude = ("content", "html", "pdf")

    class Meta:
        ordering = ("-period_start", "kind")
        verbose_name = "summary"
        verbose_name_plural = "summaries"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start"],
                name="reviews_summary_once_per_period",
                violation_error_message="A summary of this kind was already made for this period.",
            )
        ]
        permissions = [("schedule_summary", "Can change when the scheduled summaries are sent")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("reviews:summary_detail", self.pk)

    @property
    def pdf_filename(self) -> str:
        return f"{self.kind}-summary-{self.period_start.isoformat()}.pdf"
