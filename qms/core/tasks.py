"""Jobs of the portal core."""

from __future__ import annotations

from celery import shared_task

from .outbox import outbox_drain


@shared_task(name="qms.core.tasks.deliver_outbox", acks_late=True)
def deliver_outbox() -> dict[str, int]:
    """Every minute: send the e-mails waiting in the outbox, batch after batch for up to 45 s (each e-mail once,
    however many workers run it)."""
    return outbox_drain()


@shared_task(name="qms.core.tasks.refresh_rollups")
def refresh_rollups() -> list[str]:
    """Every five minutes: count the figures pages read over whole registers (safe to run twice: each is
    replaced, not added)."""
    from .rollups import refresh_all

    return refresh_all()
