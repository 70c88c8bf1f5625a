"""Jobs of the evidence app: building a pack in the background."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="evidence.tasks.build_evidence_pack", acks_late=True, ignore_result=False)
def build_evidence_pack(export_id: int) -> str:
    """Build the pack of export ``export_id``; a second run of a finished (or gone) export does nothing."""
    from .services import evidence_pack_build

    return evidence_pack_build(export_id=export_id)
