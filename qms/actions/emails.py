"""The daily action digest: each owner gets one e-mail listing their open actions due within 7 days or
overdue, at most once per day however often the job runs and on however many workers.

Once-only sending: the (owner, day) row of ``ActionDigestDelivery`` is claimed (unique constraint) and
committed before the e-mail goes out, so a second run or a second worker finds it and sends nothing.
A send that fails deletes its claim so the retry can send again. A worker killed between claim and
send leaves the claim: that owner then misses one day rather than getting two.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .choices import OPEN_STATUSES
from .models import Action, ActionDigestDelivery
from .selectors import DUE_SOON_DAYS, due_for_owner

logger = logging.getLogger(__name__)


class DigestSendError(Exception):
    """Some digests could not be sent; the job is retried and sends only those."""


def digest_message(owner, actions: list[Action], *, day: dt.date) -> EmailMultiAlternatives:
    """The digest e-mail to ``owner`` (plain text and HTML) listing ``actions`` with links to them."""
    base = settings.QMS_PORTAL_URL.rstrip("/")
    items = [
        {"action": action, "overdue": action.due_date < day, "url": base + action.get_absolute_url()}
        for action in actions
    ]
    context = {
        "owner": owner,
        "items": items,
        "day": day,
        "overdue_count": sum(1 for item in items if item["overdue"]),
        "my_actions_url": base + reverse("actions:my_actions"),
        "organisation_name": settings.ORGANISATION_NAME,
    }
    subject = " ".join(render_to_string("actions/email/digest_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("actions/email/digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[owner.email],
    )
    message.attach_alternative(render_to_string("actions/email/digest.html", context), "text/html")
    return message


def _claim(owner, day: dt.date) -> ActionDigestDelivery | None:
    """Claim the day's digest for ``owner``; None when another run or worker already has."""
    try:
        with transaction.atomic():
            delivery, created = ActionDigestDelivery.objects.get_or_create(user=owner, day=day)
    except IntegrityError:
        return None
    return delivery if created else None


def action_digest_send(*, owner, day: dt.date) -> bool:
    """Send ``owner`` their action digest for ``day`` unless already sent (or being sent); True if sent now.

    Must run outside a transaction: the claim is committed before the e-mail goes out.
    """
    actions = list(due_for_owner(owner, today=day))
    if not actions:
        return False
    delivery = _claim(owner, day)
    if delivery is None:
        return False
    try:
        digest_message(owner, actions, day=day).send()
    except Exception:
        ActionDigestDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True).delete()
        raise
    ActionDigestDelivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now(), action_count=len(actions))
    return True


def owners_with_due_actions(day: dt.date):
    """Active people owning at least one open action due by ``day`` + 7 days."""
    horizon = day + dt.timedelta(days=DUE_SOON_DAYS)
    owner_ids = Action.objects.filter(status__in=OPEN_STATUSES, due_date__lte=horizon).values_list(
        "owner_id", flat=True
    )
    return get_user_model().objects.filter(is_active=True, pk__in=owner_ids).order_by("pk")


def action_digests_send(*, day: dt.date) -> dict[str, int]:
    """Send each owner's digest for ``day``; returns counts. A failed send does not stop the others: it is
    counted in ``failed`` and its claim released, so running again sends just those."""
    counts = {"owners": 0, "sent": 0, "already_sent": 0, "failed": 0, "no_email": 0}
    for owner in owners_with_due_actions(day):
        counts["owners"] += 1
        if not owner.email:
            logger.warning("Action owner %s has no e-mail address; no digest sent.", owner.username)
            counts["no_email"] += 1
            continue
        try:
            sent = action_digest_send(owner=owner, day=day)
        except Exception:
            logger.exception("The action digest to %s could not be sent.", owner.username)
            counts["failed"] += 1
            continue
        counts["sent" if sent else "already_sent"] += 1
    return counts
