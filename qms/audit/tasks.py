"""Scheduled audit jobs."""

from __future__ import annotations

import logging

from celery import shared_task

from .context import audit_context
from .services import audit_chain_verify_and_record

logger = logging.getLogger(__name__)


@shared_task(name="qms.audit.tasks.verify_audit_trail", acks_late=True)
def verify_audit_trail() -> dict:
    """Nightly: verify the hash chain and keep the result; a broken chain is logged as an error."""
    with audit_context(source="job"):
        result = audit_chain_verify_and_record(checked_by="nightly job")
    if not result.intact:
        logger.error(result.message)
    return {"intact": result.intact, "entries_checked": result.entries_checked, "message": result.message}
