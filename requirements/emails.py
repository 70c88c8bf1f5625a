"""The daily digest: each owner gets one e-mail listing their requirements whose review or evaluation is
due within 14 days or overdue, at most once per day however often the job runs and on however many
workers (``qms.core.digests`` sends it once).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string

from qms.core.digests import DailyDigest, DigestSendError  # noqa: F401 - the job's retry error

from .choices import RequirementStatus
from .models import DigestDelivery, Requirement
from .selectors import DUE_SOON_DAYS, due_for_owner, with_last_evaluation


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


def owners_with_due_requirements(day: dt.date):
    """Active owners with at least one live requirement whose review or evaluation is due by day + 14."""
    horizon = day + dt.timedelta(days=DUE_SOON_DAYS)
    due = with_last_evaluation(
        Requirement.objects.filter(status__in=[RequirementStatus.ACTIVE, RequirementStatus.UNDER_REVIEW])
    ).filter(Q(next_review_date__lte=horizon) | Q(evaluation_due__lte=horizon))
    owner_ids = due.values_list("owner_id", flat=True)
    return get_user_model().objects.filter(is_active=True, pk__in=owner_ids).order_by("pk")


DIGEST = DailyDigest(
    label="requirement",
    delivery_model=DigestDelivery,
    count_field="requirement_count",
    owners=lambda day: owners_with_due_requirements(day),
    items=lambda owner, day: due_items(due_for_owner(owner, today=day), today=day),
    message=lambda owner, items, day: digest_message(owner, items, day=day),
    count=lambda items: len({item.reference for item in items}),
)


def digest_send(*, owner, day: dt.date) -> bool:
    """Send ``owner`` their digest for ``day`` unless it was sent (or is being sent); True if sent now."""
    return DIGEST.send_one(owner=owner, day=day)


def due_requirement_digests_send(*, day: dt.date) -> dict[str, int]:
    """Send each owner's digest for ``day``; returns counts (see ``DailyDigest.send_all``)."""
    return DIGEST.send_all(day=day)
