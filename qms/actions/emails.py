"""The daily action digest: each owner gets one e-mail listing their open actions due within 7 days or
overdue, at most once per day however often the job runs and on however many workers.
(``qms.core.digests`` sends it once).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from qms.core.digests import DailyDigest, DigestSendError  # noqa: F401 - the job's retry error

from .choices import OPEN_STATUSES
from .models import Action, ActionDigestDelivery
from .selectors import DUE_SOON_DAYS, due_for_owner


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


def owners_with_due_actions(day: dt.date):
    """Active people owning at least one open action due by ``day`` + 7 days."""
    horizon = day + dt.timedelta(days=DUE_SOON_DAYS)
    owner_ids = Action.objects.filter(status__in=OPEN_STATUSES, due_date__lte=horizon).values_list(
        "owner_id", flat=True
    )
    return get_user_model().objects.filter(is_active=True, pk__in=owner_ids).order_by("pk")


DIGEST = DailyDigest(
    label="action",
    delivery_model=ActionDigestDelivery,
    count_field="action_count",
    owners=lambda day: owners_with_due_actions(day),
    items=lambda owner, day: list(due_for_owner(owner, today=day)),
    message=lambda owner, items, day: digest_message(owner, items, day=day),
)


def action_digest_send(*, owner, day: dt.date) -> bool:
    """Send ``owner`` their action digest for ``day`` unless already sent (or being sent); True if sent now."""
    return DIGEST.send_one(owner=owner, day=day)


def action_digests_send(*, day: dt.date) -> dict[str, int]:
    """Send each owner's digest for ``day``; returns counts (see ``DailyDigest.send_all``)."""
    return DIGEST.send_all(day=day)
