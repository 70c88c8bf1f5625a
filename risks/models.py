"""The risk and opportunity log (6.1, 5.1.2 b): entries scored on a configurable matrix, treated by
actions, and reviewed for effectiveness. Every assessment keeps the matrix version it was made with."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse

from qms.audit.mixins import AuditedModel
from qms.core.links import record_url
from qms.core.querysets import RegisterQuerySet

from .choices import OPEN_STATUSES, AssessmentKind, BandName, EntryKind, EntryStatus, Source, TreatmentOption

MIN_LEVELS, MAX_LEVELS = 3, 6


class RiskMatrix(AuditedModel):
    """One version of the scoring matrix. Scores are looked up in the grid (so it need not be
    likelihood × impact); bands map score ranges to low … critical with a colour and a rule.

    ``likelihood_levels`` / ``impact_levels``: ``[{"label": "Rare", "description": "..."}, ...]``, lowest
    first. ``scores[l][i]``: the score of likelihood level l+1 and impact level i+1. ``bands``:
    ``[{"name": "low", "min": 1, "max": 4, "colour": "#2e7d32", "requires_approval": false,
    "rule": "..."}, ...]``. A version that an assessment used is never changed: a change makes the next
    version, and only one version is active.
    """

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200, default="Risk matrix")
    likelihood_levels = models.JSONField()
    impact_levels = models.JSONField(help_text="For opportunities the same levels read as benefit.")
    scores = models.JSONField()
    bands = models.JSONField()
    active = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("-version",)
        verbose_name = "risk matrix"
        verbose_name_plural = "risk matrices"
        constraints = [
            models.UniqueConstraint(fields=["active"], condition=models.Q(active=True), name="one_active_matrix")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version} ({len(self.likelihood_levels)}×{len(self.impact_levels)})"

    def get_absolute_url(self) -> str:
        return record_url("risks:matrix_detail", self.pk)

    @property
    def size(self) -> tuple[int, int]:
        return len(self.likelihood_levels), len(self.impact_levels)

    def score(self, likelihood: int, impact: int) -> int:
        """The grid's score for 1-based ``likelihood`` and ``impact`` levels."""
        rows, columns = self.size
        if not (1 <= likelihood <= rows and 1 <= impact <= columns):
            raise ValueError(f"Levels must be 1–{rows} and 1–{columns}, not {likelihood}, {impact}.")
        return int(self.scores[likelihood - 1][impact - 1])

    def band_for(self, score: int) -> dict:
        """The band whose range holds ``score`` (bands cover every score of the grid; see ``clean``)."""
        for band in self.bands:
            if band["min"] <= score <= band["max"]:
                return band
        raise ValueError(f"No band holds the score {score}.")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for field in ("likelihood_levels", "impact_levels"):
            levels = getattr(self, field) or []
            if not (MIN_LEVELS <= len(levels) <= MAX_LEVELS):
                errors[field] = f"Give {MIN_LEVELS} to {MAX_LEVELS} levels."
            elif any(not str(level.get("label", "")).strip() for level in levels):
                errors[field] = "Every level needs a label."
        if errors:
            raise ValidationError(errors)
        rows, columns = self.size
        grid = self.scores or []
        if len(grid) != rows or any(len(row) != columns for row in grid):
            raise ValidationError({"scores": f"The grid must have {rows} rows of {columns} scores."})
        if any(not isinstance(value, int) or value < 0 for row in grid for value in row):
            raise ValidationError({"scores": "Every score must be a whole number, 0 or more."})
        bands = sorted(self.bands or [], key=lambda band: band.get("min", 0))
        names = [band.get("name") for band in bands]
        if not bands or any(name not in BandName.values for name in names) or len(set(names)) != len(names):
            raise ValidationError({"bands": "Give each band (low, medium, high, critical) at most once."})
        for band in bands:
            if band["min"] > band["max"]:
                raise ValidationError({"bands": f"The {band['name']} band ends before it starts."})
        for previous, band in zip(bands, bands[1:], strict=False):
            if band["min"] <= previous["max"]:
                raise ValidationError({"bands": f"The {previous['name']} and {band['name']} bands overlap."})
        for value in {value for row in grid for value in row}:
            if not any(band["min"] <= value <= band["max"] for band in bands):
                raise ValidationError({"bands": f"No band holds the score {value}; widen a band."})


class RiskCategory(AuditedModel):
    """A configurable category of risks and opportunities."""

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "risk categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("risks:category_list")


class RiskEntry(AuditedModel):
    """A risk or an opportunity, its latest scores (kept for lists and the heat map), its treatment and
    acceptance."""

    reference = models.CharField(max_length=20, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=EntryKind.choices, default=EntryKind.RISK)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    cause = models.TextField(blank=True)
    effect = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.PROCESS)
    context_issue = models.ForeignKey(
        "requirements.ContextIssue", on_delete=models.SET_NULL, null=True, blank=True, related_name="risk_entries"
    )
    interested_party = models.ForeignKey(
        "requirements.InterestedParty",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risk_entries",
    )
    requirements = models.ManyToManyField("requirements.Requirement", blank=True, related_name="risk_entries")
    customers = models.ManyToManyField("customers.Customer", blank=True, related_name="risk_entries")
    feedback_items = models.ManyToManyField("feedback.FeedbackItem", blank=True, related_name="risk_entries")
    category = models.ForeignKey(RiskCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="entries")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risk_entries")
    status = models.CharField(max_length=20, choices=EntryStatus.choices, default=EntryStatus.IDENTIFIED)
    review_frequency_months = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    next_review_date = models.DateField(null=True, blank=True)
    # Latest assessments, copied from RiskAssessment rows by the services.
    inherent_score = models.PositiveIntegerField(null=True, blank=True, editable=False)
    inherent_band = models.CharField(max_length=10, choices=BandName.choices, blank=True, editable=False)
    inherent_likelihood = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    inherent_impact = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    target_score = models.PositiveIntegerField(null=True, blank=True, editable=False)
    target_band = models.CharField(max_length=10, choices=BandName.choices, blank=True, editable=False)
    residual_score = models.PositiveIntegerField(null=True, blank=True, editable=False)
    residual_band = models.CharField(max_length=10, choices=BandName.choices, blank=True, editable=False)
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # Treatment and acceptance
    treatment_option = models.CharField(max_length=10, choices=TreatmentOption.choices, blank=True)
    treatment_plan = models.TextField(blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    acceptance_reason = models.TextField(blank=True)
    approval_required = models.BooleanField(default=False, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("-inherent_score", "reference")
        verbose_name = "risk or opportunity"
        verbose_name_plural = "risks and opportunities"
        permissions = [
            ("export_riskentry", "Can export risks and opportunities"),
            ("approve_riskentry", "Can approve accepting a risk"),
            ("propose_riskentry", "Can propose a new risk or opportunity"),
            ("work_riskentry", "Can work on the entries they own"),
        ]
        indexes = [
            models.Index(fields=["kind", "status"]),
            models.Index(fields=["status", "next_review_date"]),
            models.Index(fields=["owner", "status"]),
            # The list page's default sort (its tie-break is the id) and the API's (-score, reference).
            models.Index(fields=["inherent_score", "id"], name="risks_entry_inherent_id"),
            models.Index(fields=["-inherent_score", "reference"], name="risks_entry_inherent_ref"),
            # The heat map's top entries: open ones of a kind by current score.
            models.Index(
                models.F("kind"),
                Coalesce("residual_score", "inherent_score").desc(),
                models.F("reference"),
                name="risks_entry_top",
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
            ),
            # The heat map's overdue reviews: open entries, most overdue first.
            models.Index(
                fields=["next_review_date", "reference"],
                name="risks_entry_review_due",
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
            ),
            # The home page's acceptances awaiting approval (a handful among thousands).
            models.Index(
                fields=["id"],
                name="risks_entry_awaiting",
                condition=models.Q(
                    status__in=sorted(OPEN_STATUSES),
                    approval_required=True,
                    accepted_at__isnull=False,
                    approved_at__isnull=True,
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return record_url("risks:entry_detail", self.pk)

    @property
    def is_risk(self) -> bool:
        return self.kind == EntryKind.RISK

    def permits(self, user, action: str) -> bool:
        # Owners edit their own entries; quality managers (change permission) edit every entry.
        if action == "work" and not user.has_perm("risks.change_riskentry"):
            return self.owner_id == user.pk
        return True


class RiskAssessment(AuditedModel):
    """One scoring of an entry (inherent, target or residual) on the matrix version then active."""

    entry = models.ForeignKey(RiskEntry, on_delete=models.CASCADE, related_name="assessments")
    matrix = models.ForeignKey(RiskMatrix, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(max_length=10, choices=AssessmentKind.choices)
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    score = models.PositiveIntegerField(editable=False)
    band = models.CharField(max_length=10, choices=BandName.choices, editable=False)
    note = models.TextField(blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessed_at = models.DateTimeField()

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("-assessed_at", "-pk")
        indexes = [models.Index(fields=["entry", "kind", "-assessed_at"])]

    def __str__(self) -> str:
        return f"{self.entry.reference} {self.get_kind_display()}: {self.score} ({self.band})"

    def get_absolute_url(self) -> str:
        return self.entry.get_absolute_url() + f"#assessment-{self.pk}"


class EffectivenessReview(AuditedModel):
    """After the treatment actions: was the target (residual) score reached? (6.1.2 b, 9.1.3 e)"""

    entry = models.ForeignKey(RiskEntry, on_delete=models.CASCADE, related_name="effectiveness_reviews")
    reviewed_at = models.DateTimeField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    residual = models.ForeignKey(RiskAssessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    target_reached = models.BooleanField()
    notes = models.TextField()

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("-reviewed_at", "-pk")

    def __str__(self) -> str:
        verdict = "effective" if self.target_reached else "not effective"
        return f"{self.entry.reference} review {self.reviewed_at:%Y-%m-%d}: {verdict}"

    def get_absolute_url(self) -> str:
        return self.entry.get_absolute_url() + f"#review-{self.pk}"


class RiskReferenceCounter(models.Model):
    """The last number given per prefix; locked while numbering."""

    prefix = models.CharField(max_length=5, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"


class ReviewDigestDelivery(models.Model):
    """One row per person per day a due-reviews digest was sent: the job never sends twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    entry_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="risk_digest_once_per_day")]

    def __str__(self) -> str:
        return f"risk review digest for {self.user} on {self.day}"
