"""Scheduled jobs of the feedback register."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from qms.audit.context import audit_context

from .escalations import escalations_send


@shared_task(
    name="feedback.tasks.escalate_time_targets",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=30,
    retry_backoff_max=60 * 10,
    retry_jitter=True,
    max_retries=3,
)
def escalate_time_targets() -> dict[str, int]:
    """Every 15 minutes: warn before complaint time targets are missed, and tell the quality managers when
    they are. Safe to run twice or on two workers at once (each notice is claimed before it is queued);
    the e-mails go out with the outbox job."""
    with audit_context(source="job"):
        return escalations_send()
