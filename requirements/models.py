"""The requirements register (5.1.2 a, 4.2, 8.2): interested parties, context issues, requirements with
versions, who must know them (acknowledgements), and whether they are met (evaluations)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse

from qms.audit.mixins import AuditedModel
from qms.core.links import record_url
from qms.core.querysets import RegisterQuerySet
from qms.core.uploads import random_upload_path

from .choices import (
    CUSTOMER_KINDS,
    LEGAL_KINDS,
    Criticality,
    EvaluationResult,
    IssueScope,
    PartyKind,
    Relevance,
    RequirementKind,
    RequirementStatus,
)

reference_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{0,9}-[0-9]{1,6}$",
    "Use a prefix of capital letters and digits, a dash and a number, e.g. REQ-0042.",
)


class InterestedParty(AuditedModel):
    """A party whose needs and expectations bear on the QMS (4.2)."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PartyKind.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interested_parties",
        help_text="When the party is one of our customers.",
    )
    relevance = models.CharField(max_length=10, choices=Relevance.choices, default=Relevance.MEDIUM)
    needs = models.TextField("needs and expectations", blank=True, help_text="One per line.")
    review_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "interested parties"
        permissions = [("export_interestedparty", "Can export interested parties")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("requirements:party_detail", self.pk)

    @property
    def need_lines(self) -> list[str]:
        """Each need or expectation, one per line of ``needs``."""
        return [line.strip() for line in self.needs.splitlines() if line.strip()]

    def clean(self) -> None:
        if self.kind == PartyKind.CUSTOMER and not self.customer_id:
            raise ValidationError({"customer": "Choose the customer this party is."})


class ContextIssue(AuditedModel):
    """An internal or external issue relevant to the QMS (4.1)."""

    scope = models.CharField(max_length=10, choices=IssueScope.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    effect = models.TextField("effect on the QMS", blank=True)
    review_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("scope", "title")
        permissions = [("export_contextissue", "Can export context issues")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("requirements:issue_detail", self.pk)


class Requirement(AuditedModel):
    """A customer, statutory, regulatory or other requirement the organisation has determined.

    ``version`` counts changes to the title or text while active; each version's wording is kept in
    ``RequirementVersion``.
    """

    reference = models.CharField(
        max_length=20,
        unique=True,
        validators=[reference_validator],
        help_text="Leave empty to number it automatically, e.g. REQ-0042.",
    )
    title = models.CharField(max_length=200)
    text = models.TextField("full text")
    kind = models.CharField(max_length=20, choices=RequirementKind.choices)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="requirements"
    )
    party = models.ForeignKey(
        InterestedParty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requirements",
        verbose_name="interested party",
    )
    legal_reference = models.CharField(max_length=200, blank=True, help_text="e.g. Regulation (EU) 2017/745, Art. 10")
    jurisdiction = models.CharField(max_length=100, blank=True)
    authority = models.CharField(max_length=200, blank=True)
    applicability = models.CharField(
        max_length=300, blank=True, help_text="Products, services, customers or sites it applies to; comma-separated."
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_requirements")
    criticality = models.CharField(max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM)
    review_frequency_months = models.PositiveSmallIntegerField(
        "review every (months)", default=12, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    next_review_date = models.DateField()
    status = models.CharField(max_length=20, choices=RequirementStatus.choices, default=RequirementStatus.DRAFT)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("reference",)
        permissions = [
            ("export_requirement", "Can export requirements"),
            ("import_requirement", "Can import requirements"),
            ("acknowledge_requirement", "Can acknowledge requirements assigned to them"),
        ]
        constraints = [
            models.UniqueConstraint(
                Upper("reference"),
                name="requirement_reference_unique_ci",
                violation_error_message="A requirement with this reference already exists.",
            )
        ]
        indexes = [models.Index(fields=["status", "kind"]), models.Index(fields=["next_review_date"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return record_url("requirements:requirement_detail", self.pk)

    def clean_fields(self, exclude=None) -> None:
        if self.reference:
            self.reference = self.reference.strip().upper()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors = {}
        if self.reference and (
            Requirement.objects.filter(reference__iexact=self.reference).exclude(pk=self.pk).exists()
        ):
            errors["reference"] = "A requirement with this reference already exists."
        if self.kind in LEGAL_KINDS:
            if not self.legal_reference.strip():
                errors["legal_reference"] = "Statutory and regulatory requirements need their legal reference."
            if not self.jurisdiction.strip():
                errors["jurisdiction"] = "Say where the law or regulation applies (its jurisdiction)."
        if self.kind in CUSTOMER_KINDS and not self.customer_id:
            errors["customer"] = "A customer requirement needs the customer it comes from."
        if self.kind == RequirementKind.PARTY and not self.party_id:
            errors["party"] = "Choose the interested party this requirement comes from."
        if errors:
            raise ValidationError(errors)

    @property
    def applicability_tags(self) -> list[str]:
        return [tag.strip() for tag in self.applicability.split(",") if tag.strip()]


class RequirementVersion(models.Model):
    """The wording of one version of a requirement, kept readable after it changes."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    changed_by_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-version",)
        constraints = [models.UniqueConstraint(fields=["requirement", "version"], name="requirement_version_unique")]

    def __str__(self) -> str:
        return f"{self.requirement.reference} v{self.version}"


class Assignment(AuditedModel):
    """Who must know a requirement: one user or everyone in one role."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="requirement_assignments",
    )
    group = models.ForeignKey(
        Group,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        verbose_name="role",
        related_name="requirement_assignments",
    )

    objects = RegisterQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, group__isnull=True) | models.Q(user__isnull=True, group__isnull=False)
                ),
                name="assignment_user_or_role",
                violation_error_message="Assign either one person or one role.",
            ),
            models.UniqueConstraint(
                fields=["requirement", "user"], name="assignment_user_once", condition=models.Q(user__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["requirement", "group"], name="assignment_role_once", condition=models.Q(group__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement.reference} → {self.user or self.group}"

    def get_absolute_url(self) -> str:
        return self.requirement.get_absolute_url()


class Acknowledgement(AuditedModel):
    """A person's record that they know one version of a requirement."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="acknowledgements")
    version = models.PositiveIntegerField()
    acknowledged_at = models.DateTimeField()

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("-acknowledged_at",)
        permissions = [("export_acknowledgement", "Can export acknowledgements")]
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "user", "version"],
                name="acknowledgement_once",
                violation_error_message="You have already acknowledged this version.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} acknowledged {self.requirement.reference} v{self.version}"

    def get_absolute_url(self) -> str:
        return self.requirement.get_absolute_url()


class Evaluation(AuditedModel):
    """A periodic check of whether a requirement is met (9.1), with its evidence."""

    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="evaluations")
    evaluated_on = models.DateField()
    evaluator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations")
    result = models.CharField(max_length=20, choices=EvaluationResult.choices)
    findings = models.TextField(blank=True)
    evidence_link = models.URLField(blank=True, max_length=500)
    next_due_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The corrective actions raised from this evaluation (qms.actions, source = this evaluation).
    actions = GenericRelation("actions.Action", content_type_field="source_type", object_id_field="source_id")

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("-evaluated_on", "-pk")
        permissions = [("export_evaluation", "Can export evaluations")]
        indexes = [models.Index(fields=["requirement", "-evaluated_on"])]

    def __str__(self) -> str:
        return f"{self.requirement.reference} {self.get_result_display()} on {self.evaluated_on}"

    def get_absolute_url(self) -> str:
        return self.requirement.get_absolute_url() + f"#evaluation-{self.pk}"

    def clean(self) -> None:
        errors = {}
        if self.requirement_id and self.requirement.status == RequirementStatus.RETIRED:
            errors["requirement"] = "This requirement is retired; retired requirements are not evaluated."
        if self.next_due_date and self.evaluated_on and self.next_due_date <= self.evaluated_on:
            errors["next_due_date"] = "The next evaluation must be due after this one."
        if self.result == EvaluationResult.NOT_MET and not self.findings.strip():
            errors["findings"] = "Say what was found when a requirement is not met."
        if errors:
            raise ValidationError(errors)


def attachment_path(instance, filename: str) -> str:
    """A random name under ``requirements/<yyyy>/<mm>/``: the file's own name is kept in ``original_name`` only."""
    return random_upload_path("requirements", filename)


class Attachment(AuditedModel):
    """A file kept with a requirement (contract clause, standard, legal text) or with an evaluation."""

    class Kind(models.TextChoices):
        CONTRACT = "contract", "Contract clause"
        STANDARD = "standard", "Standard"
        LEGAL = "legal", "Legal text"
        EVIDENCE = "evidence", "Evaluation evidence"
        OTHER = "other", "Other"

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="attachments")
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("-uploaded_at",)

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("requirements:attachment_download", args=[self.requirement_id, self.pk])


class DigestDelivery(models.Model):
    """One row per person per day a due-requirements digest was sent: the job never sends twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    requirement_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_day")]

    def __str__(self) -> str:
        return f"digest for {self.user} on {self.day}"
