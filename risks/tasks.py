"""Scheduled jobs of the risk and opportunity log."""

from __future__ import annotations

from celery import shared_task

from qms.core.digests import TASK_OPTIONS

from .emails import DIGEST


@shared_task(name="risks.tasks.send_review_digests", **TASK_OPTIONS)
def send_review_digests(day: str | None = None) -> dict[str, int]:
    """Daily: e-mail each owner one digest of their open entries due for review within 14 days.

    ``day`` is an ISO date (default today). Safe to run twice or on two workers at once: each (owner,
    day) is claimed before sending; a failed send raises for a retry that sends only the rest.
    """
    return DIGEST.run_job(day)
