"""The once-a-day digest e-mail every register sends its owners (requirements due, actions due, risk
reviews due), written once.

Once-only sending: the (owner, day) row of the digest's delivery model is claimed (unique constraint)
and committed before the e-mail goes out, so a second run or a second worker finds it and sends nothing.
A send that fails deletes its claim, so the retry can claim and send again. A worker killed between
claim and send leaves the claim in place: that owner then misses one day rather than getting two.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from qms.audit.context import audit_context

logger = logging.getLogger(__name__)

# Celery options of every digest job: retried with backoff when some sends failed.
TASK_OPTIONS: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (),  # set below, once the error class exists
    "retry_backoff": 60,
    "retry_backoff_max": 60 * 30,
    "retry_jitter": True,
    "max_retries": 5,
}


class DigestSendError(Exception):
    """Some digests could not be sent; the job is retried and sends only those."""


TASK_OPTIONS["autoretry_for"] = (DigestSendError,)


@dataclass(frozen=True)
class DailyDigest:
    """One kind of daily digest.

    ``delivery_model`` has ``user``, ``day`` (unique together), ``sent_at`` and ``count_field``;
    ``owners(day)`` lists the people who may have something due; ``items(owner, day)`` what is due for
    one of them; ``message(owner, items, day)`` the e-mail; ``count(items)`` the number recorded.
    """

    label: str
    delivery_model: type[models.Model]
    count_field: str
    owners: Callable[[dt.date], Any]
    items: Callable[[Any, dt.date], Sequence]
    message: Callable[..., EmailMessage]
    count: Callable[[Sequence], int] = len

    def _claim(self, owner, day: dt.date):
        try:
            with transaction.atomic():
                delivery, created = self.delivery_model.objects.get_or_create(user=owner, day=day)
        except IntegrityError:
            return None
        return delivery if created else None

    def send_one(self, *, owner, day: dt.date) -> bool:
        """Send ``owner`` their digest for ``day`` unless it was sent (or is being sent); True if sent now.

        Must run outside a transaction: the claim is committed before the e-mail goes out.
        """
        items = self.items(owner, day)
        if not items:
            return False
        delivery = self._claim(owner, day)
        if delivery is None:
            return False
        try:
            self.message(owner, items, day=day).send()
        except Exception:
            # Release the claim so a retry can send; the error goes up to the caller.
            self.delivery_model.objects.filter(pk=delivery.pk, sent_at__isnull=True).delete()
            raise
        self.delivery_model.objects.filter(pk=delivery.pk).update(
            sent_at=timezone.now(), **{self.count_field: self.count(items)}
        )
        return True

    def send_all(self, *, day: dt.date) -> dict[str, int]:
        """Send each owner's digest for ``day``; returns counts. A failed send does not stop the others: it
        is counted in ``failed`` and its claim released, so running again sends just those."""
        counts = {"owners": 0, "sent": 0, "already_sent": 0, "failed": 0, "no_email": 0}
        for owner in self.owners(day):
            counts["owners"] += 1
            if not owner.email:
                logger.warning("%s has no e-mail address; no %s digest sent.", owner.username, self.label)
                counts["no_email"] += 1
                continue
            try:
                sent = self.send_one(owner=owner, day=day)
            except Exception:
                logger.exception("The %s digest to %s could not be sent.", self.label, owner.username)
                counts["failed"] += 1
                continue
            counts["sent" if sent else "already_sent"] += 1
        return counts

    def run_job(self, day: str | None = None) -> dict[str, int]:
        """The body of a digest job: ``day`` an ISO date (default today); raises ``DigestSendError`` for a
        retry when some sends failed (the retry sends only those)."""
        on = dt.date.fromisoformat(day) if day else timezone.localdate()
        with audit_context(source="job"):
            counts = self.send_all(day=on)
        if counts["failed"]:
            raise DigestSendError(f"{counts['failed']} {self.label} digest(s) could not be sent for {on.isoformat()}.")
        return counts
