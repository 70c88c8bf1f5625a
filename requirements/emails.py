"""The daily digest: each owner gets one e-mail listing their requirements whose review or evaluation is
due within 14 days or overdue, at most once per day however often the job runs and on however many
workers.

Once-only sending: the (owner, day) row of ``DigestDelivery`` is claimed (unique constraint) and
committed before the e-mail goes out, so a second run or a second worker finds it and sends nothing.
A send that fails deletes its claim, so the retry can claim and send again. A worker killed between
claim and send leaves the claim in place: that owner then misses one day rather than getting two.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from .choices import RequirementStatus
from .models import DigestDelivery, Requirement
from .selectors import DUE_SOON_DAYS, due_for_owner, with_last_evaluation

logger = logging.getLogger(__name__)

# The portal's address for links in e-mails; no request to build it from in a job.


@dataclass(frozen=True)
class DueItem:
    """One thing due on one requirement: its review or its next evaluation."""

    reference: str
    title: str
    what: str
    due_on: dt.date
    overdue: bool
    url: str


def _portal_url() -> str:
    return settings.QMS_PORTAL_URL


def due_items(requirements, *, today: dt.date) -> list[DueItem]:
    """What is due on each requirement (annotated by ``with_last_evaluation``) by ``today`` + 14 days."""
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    base = _portal_url().rstrip("/")
    items = []
    for requirement in requirements:
        url = base + requirement.get_absolute_url()
        dues = [("Review", requirement.next_review_date)]
        evaluation_due = getattr(requirement, "evaluation_due", None)
        if evaluation_due:
            dues.append(("Evaluation", evaluation_due))
        for what, due_on in dues:
            if due_on <= horizon:
                items.append(DueItem(requirement.reference, requirement.title, what, due_on, due_on < today, url))
    return sorted(items, key=lambda item: (item.due_on, item.reference, item.what))


def digest_message(owner, items: list[DueItem], *, day: dt.date) -> EmailMultiAlternatives:
    """The digest e-mail to ``owner`` (plain text and HTML) listing ``items``."""
    context = {
        "owner": owner,
        "items": items,
        "day": day,
        "overdue_count": sum(1 for item in items if item.overdue),
        "organisation_name": settings.ORGANISATION_NAME,
    }
    subject = " ".join(render_to_string("requirements/email/due_digest_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("requirements/email/due_digest.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[owner.email],
    )
    message.attach_alternative(render_to_string("requirements/email/due_digest.html", context), "text/html")
    return message


def _claim(owner, day: dt.date) -> DigestDelivery | None:
    """Claim today's digest for ``owner``; None when someone (another run, another worker) already has."""
    try:
        with transaction.atomic():
            delivery, created = DigestDelivery.objects.get_or_create(user=owner, day=day)
    except IntegrityError:
        return None
    return delivery if created else None


def digest_send(*, owner, day: dt.date) -> bool:
    """Send ``owner`` their digest for ``day`` unless it was sent (or is being sent); True if sent now.

    Must run outside a transaction: the claim is committed before the e-mail goes out.
    """
    items = due_items(due_for_owner(owner, today=day), today=day)
    if not items:
        return False
    delivery = _claim(owner, day)
    if delivery is None:
        return False
    try:
        digest_message(owner, items, day=day).send()
    except Exception:
        # Release the claim so a retry can send; the error goes up to the task, which retries.
        DigestDelivery.objects.filter(pk=delivery.pk, sent_at__isnull=True).delete()
        raise
    DigestDelivery.objects.filter(pk=delivery.pk).update(
        sent_at=timezone.now(), requirement_count=len({item.reference for item in items})
    )
    return True


def owners_with_due_requirements(day: dt.date):
    """Active owners with at least one live requirement whose review or evaluation is due by day + 14."""
    horizon = day + dt.timedelta(days=DUE_SOON_DAYS)
    due = with_last_evaluation(
        Requirement.objects.filter(status__in=[RequirementStatus.ACTIVE, RequirementStatus.UNDER_REVIEW])
    ).filter(Q(next_review_date__lte=horizon) | Q(evaluation_due__lte=horizon))
    owner_ids = due.values_list("owner_id", flat=True)
    return get_user_model().objects.filter(is_active=True, pk__in=owner_ids).order_by("pk")


class DigestSendError(Exception):
    """Some digests could not be sent; the job is retried and sends only those."""


def due_requirement_digests_send(*, day: dt.date) -> dict[str, int]:
    """Send each owner's digest for ``day``; returns counts. A failed send does not stop the others; it
    is counted in ``failed`` and its claim released, so running again sends just those."""
    counts = {"owners": 0, "sent": 0, "already_sent": 0, "failed": 0, "no_email": 0}
    for owner in owners_with_due_requirements(day):
        counts["owners"] += 1
        if not owner.email:
            logger.warning("Requirement owner %s has no e-mail address; no digest sent.", owner.username)
            counts["no_email"] += 1
            continue
        try:
            sent = digest_send(owner=owner, day=day)
        except Exception:
            logger.exception("The due-requirements digest to %s could not be sent.", owner.username)
            counts["failed"] += 1
            continue
        counts["sent" if sent else "already_sent"] += 1
    return counts
