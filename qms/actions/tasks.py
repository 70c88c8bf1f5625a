"""Scheduled jobs of actions."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from qms.audit.context import audit_context

from .emails import DigestSendError, action_digests_send


@shared_task(
    name="qms.actions.tasks.send_action_digests",
    acks_late=True,
    autoretry_for=(DigestSendError,),
    retry_backoff=60,
    retry_backoff_max=60 * 30,
    retry_jitter=True,
    max_retries=5,
)
def send_action_digests(day: str | None = None) -> dict[str, int]:
    """Daily: e-mail each owner one digest of their open actions due within 7 days or overdue.

    ``day`` is an ISO date (default today). Safe to run twice or on two workers at once: each (owner,
    day) is claimed before sending. When some sends failed the job raises and is retried, and the retry
    sends only the digests not yet sent.
    """
    on = dt.date.fromisoformat(day) if day else timezone.localdate()
    with audit_context(source="job"):
        counts = action_digests_send(day=on)
    if counts["failed"]:
        raise DigestSendError(f"{counts['failed']} action digest(s) could not be sent for {on.isoformat()}.")
    return counts
