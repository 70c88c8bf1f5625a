"""Reads of the audit trail."""

from __future__ import annotations

from django.db.models import Model, QuerySet

from .models import AuditEntry
from .presentation import present


def history_for(obj: Model, *, limit: int = 50) -> list[AuditEntry]:
    """The newest entries about one record (shown on its detail page), each with readable ``lines``."""
    return present(AuditEntry.objects.for_object(obj).order_by("-seq")[:limit], about=obj)


def audit_log(*, user) -> QuerySet[AuditEntry]:
    """Entries the user may read (quality managers, auditors, administrators)."""
    return AuditEntry.objects.restrict(user, "view").order_by("-seq")
