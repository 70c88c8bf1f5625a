"""E-mails about feedback, queued in the outbox (sent by the ``deliver_outbox`` job, each once)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse

from qms.accounts.roles import QUALITY_MANAGER
from qms.core.outbox import outbox_queue


def portal_url(path: str) -> str:
    return settings.QMS_PORTAL_URL.rstrip("/") + path


def status_url(item) -> str:
    """The complainant's link to the public status page (the token is the only key needed)."""
    return portal_url(reverse("feedback_public:status_token", args=[item.public_token]))


def _organisation() -> str:
    return getattr(settings, "ORGANISATION_NAME", "") or "Our quality team"


def _queue(key: str, to: list[str], template: str, subject: str, context: dict) -> None:
    context = {"organisation": _organisation(), **context}
    outbox_queue(
        key=key,
        to=to,
        subject=subject,
        body=render_to_string(f"feedback/emails/{template}.txt", context),
        html_body=render_to_string(f"feedback/emails/{template}.html", context),
    )


def queue_receipt(item) -> None:
    """Tell the complainant we have it: the reference and how to follow it (once per item)."""
    if item.complainant_email:
        _queue(
            f"feedback-receipt:{item.pk}",
            [item.complainant_email],
            "receipt",
            f"We have received your {item.get_kind_display().lower()} {item.reference}",
            {"item": item, "status_url": status_url(item)},
        )


def queue_response(item) -> None:
    """Tell the complainant our response is published (once per resolution)."""
    if item.complainant_email:
        _queue(
            f"feedback-response:{item.pk}:{item.reopen_count}",
            [item.complainant_email],
            "response",
            f"Our response to {item.reference}",
            {"item": item, "status_url": status_url(item)},
        )


def queue_assignment_notice(item) -> None:
    """Tell the assignee an item is theirs now."""
    if item.assignee_id and item.assignee.email:
        _queue(
            f"feedback-assigned:{item.pk}:{item.assignee_id}:{item.updated_at.isoformat() if item.updated_at else ''}",
            [item.assignee.email],
            "assigned",
            f"{item.reference} is assigned to you",
            {"item": item, "url": portal_url(item.get_absolute_url())},
        )


def quality_manager_addresses() -> list[str]:
    users = get_user_model().objects.filter(groups__name=QUALITY_MANAGER, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))
