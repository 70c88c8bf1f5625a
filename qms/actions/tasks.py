"""Scheduled jobs of actions."""

from __future__ import annotations

from celery import shared_task

from qms.core.digests import TASK_OPTIONS

from .emails import DIGEST


@shared_task(name="qms.actions.tasks.send_action_digests", **TASK_OPTIONS)
def send_action_digests(day: str | None = None) -> dict[str, int]:
    """Daily: e-mail each owner one digest of their open actions due within 7 days or overdue.

    ``day`` is an ISO date (default today). Safe to run twice or on two workers at once: each (owner,
    day) is claimed before sending. When some sends failed the job raises and is retried, and the retry
    sends only the digests not yet sent.
    """
    return DIGEST.run_job(day)
