"""Reads of the evidence app."""

from __future__ import annotations

from django.db.models import Model, QuerySet

from .models import ClauseTag, EvidenceExport


def export_list(*, user) -> QuerySet[EvidenceExport]:
    """The exports ``user`` made, newest first (the list page and the API list show only one's own)."""
    return (
        EvidenceExport.objects.restrict(user, "export")
        .filter(created_by=user)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def export_visible(*, user) -> QuerySet[EvidenceExport]:
    """Every export ``user`` may open: their own; all of them for quality managers and auditors."""
    return EvidenceExport.objects.restrict(user, "export").select_related("created_by")


def clause_tags_for(obj: Model) -> QuerySet[ClauseTag]:
    """The ISO 14001/45001/27001 clauses a record is tagged with."""
    # Joined on the content type's natural key: one query, whether or not the content type is cached yet.
    opts = type(obj)._meta
    return ClauseTag.objects.filter(
        content_type__app_label=opts.app_label, content_type__model=opts.model_name, object_id=str(obj.pk)
    ).order_by("standard", "clause")
