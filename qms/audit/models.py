"""The audit trail: append-only, hash-chained entries written in the same transaction as the change."""

from __future__ import annotations

import hashlib
import json

from django.db import models

from qms.accounts.permissions import RestrictedQuerySet
from qms.audit.choices import AuditAction, AuditSource
from qms.core.links import record_url


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit entry."""


class AuditEntryQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit entries cannot be deleted.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be changed.")

    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are written one by one, by the recorder.")

    def for_object(self, obj: models.Model):
        return self.filter(content_type=obj._meta.label_lower, object_id=str(obj.pk))


class AuditEntry(models.Model):
    """One recorded change. ``hash`` covers this entry's content and the previous entry's hash."""

    append_only = True

    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    timestamp = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_name = models.CharField(max_length=200)
    source = models.CharField(max_length=10, choices=AuditSource.choices)
    request_id = models.CharField(max_length=64, blank=True)
    address = models.CharField(max_length=45, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    content_type = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=64, db_index=True)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ("-seq",)
        verbose_name_plural = "audit entries"
        permissions = [("export_auditentry", "Can export the audit log")]
        indexes = [models.Index(fields=["content_type", "object_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_action_display()}: {self.record_type} “{self.object_repr}”"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return record_url("audit:entry_detail", self.pk)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted.")

    @property
    def record_type(self) -> str:
        """The record's kind as people say it ("Customer"), from ``content_type``."""
        model = self.record_model
        return str(model._meta.verbose_name).capitalize() if model else self.content_type

    @property
    def record_model(self):
        from django.apps import apps

        try:
            return apps.get_model(self.content_type)
        except (LookupError, ValueError):
            return None

    def record_url(self) -> str:
        """The record's own page while it exists, else an empty string."""
        model = self.record_model
        if model is None or self.action == "delete" or not hasattr(model, "get_absolute_url"):
            return ""
        obj = model._base_manager.filter(pk=self.object_id).first()
        return obj.get_absolute_url() if obj else ""

    def content_for_hash(self) -> dict:
        return {
            "seq": self.seq,
            "timestamp": self.timestamp.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "source": self.source,
            "request_id": self.request_id,
            "address": self.address,
            "action": self.action,
            "content_type": self.content_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changes": self.changes,
        }

    def compute_hash(self) -> str:
        payload = json.dumps(self.content_for_hash(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256((self.prev_hash + payload).encode()).hexdigest()


class AuditChainHead(models.Model):
    """A single row holding the chain's last sequence number and hash; locked while appending."""

    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit chain head at #{self.seq}"


class AuditVerification(models.Model):
    """The result of one check of the chain (by the nightly job or the command)."""

    checked_at = models.DateTimeField()
    entries_checked = models.PositiveBigIntegerField()
    intact = models.BooleanField()
    first_broken_seq = models.PositiveBigIntegerField(null=True, blank=True)
    message = models.TextField()
    checked_by = models.CharField(max_length=200, default="system")

    class Meta:
        ordering = ("-checked_at",)

    def __str__(self) -> str:
        return self.message
