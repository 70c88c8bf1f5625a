"""Actions (6.1, 10.2, 10.3): corrective, preventive, improvement, containment and risk-treatment actions,
each with an owner and due date, raised from any record (its *source*) and checked for effectiveness."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from qms.audit.mixins import AuditedModel
from qms.core.links import record_url
from qms.core.querysets import RegisterQuerySet

from .choices import OPEN_STATUSES, ActionKind, ActionStatus


class Action(AuditedModel):
    """One action with its owner, due date, completion and effectiveness check.

    The source is generic (any register's record) so this app never imports a domain app;
    ``source_label`` keeps the source's name as it was when the action was raised.
    """

    kind = models.CharField(max_length=20, choices=ActionKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="actions")
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField("source", max_length=255, blank=True)
    completion_note = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    check_planned_on = models.DateField("effectiveness check planned on", null=True, blank=True)
    check_criteria = models.TextField("effectiveness criteria", blank=True)
    check_notes = models.TextField("effectiveness check notes", blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegisterQuerySet.as_manager()

    class Meta:
        ordering = ("due_date", "pk")
        permissions = [
            ("export_action", "Can export actions"),
            ("work_action", "Can work on the actions assigned to them"),
        ]
        indexes = [
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["owner", "status", "due_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return record_url("actions:action_detail", self.pk)

    @property
    def reference(self) -> str:
        return f"ACT-{self.pk:05d}" if self.pk else "ACT-new"

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATUSES and self.due_date < timezone.localdate()

    @staticmethod
    def permits(obj, user, action: str) -> bool:
        """Working on an action (start, mark done) is for its owner, or whoever may change any action."""
        if action == "work":
            return obj.owner_id == user.pk or user.has_perm("actions.change_action")
        return True

    @staticmethod
    def restrict_rows(queryset, user, action: str):
        if action == "work" and not user.has_perm("actions.change_action"):
            return queryset.filter(owner=user)
        return queryset


class ActionDigestDelivery(models.Model):
    """One row per person per day an action digest was sent: the job never sends twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    action_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="action_digest_once_per_day")]

    def __str__(self) -> str:
        return f"action digest for {self.user} on {self.day}"
