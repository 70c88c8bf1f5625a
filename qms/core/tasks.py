"""Jobs of the portal core."""

from __future__ import annotations

from celery import shared_task

from .outbox import outbox_deliver


@shared_task(name="qms.core.tasks.deliver_outbox", acks_late=True)
def deliver_outbox() -> dict[str, int]:
    """Every minute: send the e-mails waiting in the outbox (each once, however many workers run it)."""
    return outbox_deliver()
