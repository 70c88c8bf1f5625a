"""Evidence packs for auditors, and tags of records with clauses of other management-system standards."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models

from qms.accounts.permissions import role_names
from qms.accounts.roles import AUDITOR, QUALITY_MANAGER
from qms.audit.mixins import AuditedModel
from qms.core.links import record_url
from qms.core.querysets import RegisterQuerySet

from .choices import ExportStatus, Standard

clause_validator = RegexValidator(r"^\d{1,2}(\.\d{1,2}){0,3}$", "Enter a clause number such as 6.1.2.")


def reads_every_export(user) -> bool:
    """Quality managers and auditors read every pack; anyone else only the packs they made."""
    return bool(user.is_superuser or role_names(user) & {QUALITY_MANAGER, AUDITOR})


class EvidenceExport(AuditedModel):
    """One evidence pack: its parameters, the progress of the job building it and, when done, the ZIP."""

    # Progress moves many times a second; the trail keeps who asked, the parameters and each status change.
    audit_exclude = ("progress_done", "progress_total", "started_at")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    period_start = models.DateField()
    period_end = models.DateField()
    clauses = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(default=0)
    message = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file_path = models.CharField(max_length=255, blank=True, help_text="Relative to MEDIA_ROOT.")
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-pk")
        permissions = [("export_evidenceexport", "Can export evidence packs")]

    def __str__(self) -> str:
        return f"Evidence pack {self.pk} ({self.period_start} to {self.period_end})"

    def get_absolute_url(self) -> str:
        return record_url("evidence:export_detail", self.pk)

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def downloadable(self) -> bool:
        return self.status == ExportStatus.DONE and bool(self.file_path)

    @property
    def download_name(self) -> str:
        return f"evidence-pack-{self.pk}-{self.period_start:%Y%m%d}-{self.period_end:%Y%m%d}.zip"

    @staticmethod
    def permits(obj: EvidenceExport, user, action: str) -> bool:
        return obj.created_by_id == user.pk or reads_every_export(user)

    @staticmethod
    def restrict_rows(queryset, user, action: str):
        return queryset if reads_every_export(user) else queryset.filter(created_by=user)


class ClauseTag(AuditedModel):
    """A record tagged as evidence for a clause of ISO 14001, ISO 45001 or ISO 27001."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    standard = models.CharField(max_length=12, choices=Standard.choices)
    clause = models.CharField(max_length=16, validators=[clause_validator])
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("standard", "clause")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "standard", "clause"],
                name="evidence_clausetag_unique",
                violation_error_message="This record is already tagged with that clause.",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.standard} {self.clause}"
