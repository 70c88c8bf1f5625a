"""Queue e-mails in the database (``outbox_queue``) and send them from a job (``outbox_deliver``)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxEmail

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# A claim older than this is taken to belong to a worker that died, and may be taken again.
STALE_CLAIM = dt.timedelta(minutes=10)


# Key prefix -> handler(key) called when a message is given up after MAX_ATTEMPTS failed sends, so the
# app that queued it can record that it was not delivered (apps register in ``AppConfig.ready``).
_undeliverable_handlers: dict[str, Callable[[str], None]] = {}


def on_undeliverable(prefix: str, handler: Callable[[str], None]) -> None:
    """Call ``handler(key)`` for each message whose key starts with ``prefix`` once it is given up."""
    _undeliverable_handlers[prefix] = handler


# Key prefix -> provider(key) returning ``[(filename, content, mimetype), ...]`` attached when the message is
# sent, so a large attachment (a summary's PDF) is stored once, by the app that owns it.
_attachment_providers: dict[str, Callable[[str], list[tuple[str, bytes, str]]]] = {}


def attach_from(prefix: str, provider: Callable[[str], list[tuple[str, bytes, str]]]) -> None:
    """Attach ``provider(key)``'s files to each message whose key starts with ``prefix``."""
    _attachment_providers[prefix] = provider


def _attachments(key: str) -> list[tuple[str, bytes, str]]:
    return [
        item for prefix, provider in _attachment_providers.items() if key.startswith(prefix) for item in provider(key)
    ]


def _given_up(key: str) -> None:
    for prefix, handler in _undeliverable_handlers.items():
        if key.startswith(prefix):
            try:
                handler(key)
            except Exception:
                logger.exception("Recording that outbox e-mail %s was not delivered failed.", key)


def outbox_queue(*, key: str, to: list[str], subject: str, body: str, html_body: str = "") -> OutboxEmail | None:
    """Queue one e-mail; queuing the same ``key`` again does nothing and returns None."""
    recipients = [address for address in to if address]
    if not recipients:
        return None
    try:
        with transaction.atomic():
            return OutboxEmail.objects.create(
                key=key[:200], to="\n".join(recipients), subject=subject[:255], body=body, html_body=html_body
            )
    except IntegrityError:
        return None


def _claim(message: OutboxEmail) -> bool:
    # The time of the claim itself: a long run must not hand out claims that already look stale.
    now = timezone.now()
    claimable = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM)
    return bool(
        OutboxEmail.objects.filter(claimable, pk=message.pk, sent_at__isnull=True).update(
            claimed_at=now, attempts=F("attempts") + 1
        )
    )


def outbox_deliver(*, limit: int = 200) -> dict[str, int]:
    """Send queued e-mails, each at most once even with two jobs at the same moment."""
    now = timezone.now()
    counts = {"sent": 0, "failed": 0}
    pending = OutboxEmail.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - STALE_CLAIM)
    )
    for message in list(pending[:limit]):
        if not _claim(message):
            continue
        mail = EmailMultiAlternatives(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, message.recipients)
        if message.html_body:
            mail.attach_alternative(message.html_body, "text/html")
        try:
            for filename, content, mimetype in _attachments(message.key):
                mail.attach(filename, content, mimetype)
            mail.send()
        except Exception as exc:  # noqa: BLE001 - any mail failure: release the claim, retry later
            logger.warning("Outbox e-mail %s not sent: %s", message.pk, exc)
            OutboxEmail.objects.filter(pk=message.pk).update(claimed_at=None, last_error=str(exc)[:1000])
            counts["failed"] += 1
            if message.attempts + 1 >= MAX_ATTEMPTS:  # this was the last try
                _given_up(message.key)
            continue
        OutboxEmail.objects.filter(pk=message.pk).update(sent_at=timezone.now(), last_error="")
        counts["sent"] += 1
    return counts


def outbox_drain(*, budget_seconds: float = 45, batch: int = 200) -> dict[str, int]:
    """Send batches until the outbox is empty, a batch meets a failure, or the time budget (under the job's
    one-minute schedule) is spent: a busy hour's receipts and invitations do not wait in a queue of batches."""
    started = time.monotonic()
    totals = {"sent": 0, "failed": 0, "batches": 0}
    while True:
        counts = outbox_deliver(limit=batch)
        totals["sent"] += counts["sent"]
        totals["failed"] += counts["failed"]
        totals["batches"] += 1
        if counts["failed"] or counts["sent"] < batch or time.monotonic() - started >= budget_seconds:
            return totals
