"""Scheduled jobs of the risk and opportunity log."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from qms.audit.context import audit_context

from .emails import DigestSendError, review_digests_send


@shared_task(
    name="risks.tasks.send_review_digests",
    acks_late=True,
    autoretry_for=(DigestSendError,),
    retry_backoff=60,
    retry_backoff_max=60 * 30,
    retry_jitter=True,
    max_retries=5,
)
def send_review_digests(day: str | None = None) -> dict[str, int]:
    """Daily: e-mail each owner one digest of their open entries due for review within 14 days.

    ``day`` is an ISO date (default today). Safe to run twice or on two workers at once: each (owner,
    day) is claimed before sending; a failed send raises for a retry that sends only the rest.
    """
    on = dt.date.fromisoformat(day) if day else timezone.localdate()
    with audit_context(source="job"):
        counts = review_digests_send(day=on)
    if counts["failed"]:
        raise DigestSendError(f"{counts['failed']} risk review digest(s) could not be sent for {on.isoformat()}.")
    return counts
