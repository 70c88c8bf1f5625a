"""E-mails of the risk and opportunity log: notices to top management (through the outbox, queued in
the service's transaction) and the daily digest of reviews due.

The digest is sent once per owner and day by ``qms.core.digests``.

The texts are built here rather than in templates: the register's templates belong to its pages.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.urls import NoReverseMatch
from django.utils.html import escape

from qms.core.digests import DailyDigest, DigestSendError  # noqa: F401 - the job's retry error
from qms.core.outbox import outbox_queue

from .models import ReviewDigestDelivery, RiskEntry
from .selectors import due_for_review_q


def entry_url(entry: RiskEntry) -> str:
    """The entry's page as a full address (its list anchor while the pages are not routed)."""
    try:
        path = entry.get_absolute_url()
    except NoReverseMatch:
        path = f"/risks/{entry.pk}/"
    return settings.QMS_PORTAL_URL.rstrip("/") + path


def _describe(entry: RiskEntry) -> str:
    return f"{entry.reference} {entry.title}"


def queue_approval_notice(*, key: str, entry: RiskEntry, to: list[str], band: str, score: int):
    """Tell top management that ``entry`` entered a band whose acceptance needs their approval."""
    subject = f"{entry.reference} is now {band} ({score}): accepting it needs your approval"
    body = (
        f"{_describe(entry)} ({entry.get_kind_display().lower()}, owner {entry.owner}) was scored {score}, "
        f"in the {band} band. Accepting an entry in this band needs top management's approval.\n\n"
        f"{entry_url(entry)}\n"
    )
    return outbox_queue(key=key, to=to, subject=subject, body=body)


def queue_acceptance_notice(*, key: str, entry: RiskEntry, to: list[str]):
    """Ask top management to approve accepting ``entry`` (its band requires their approval)."""
    band = entry.residual_band or entry.inherent_band
    subject = f"Approve accepting {entry.reference}? ({band})"
    body = (
        f"{entry.accepted_by} proposes to accept {_describe(entry)} in the {band} band.\n"
        f"Reason: {entry.acceptance_reason}\n\nApprove or refuse it on its page:\n{entry_url(entry)}\n"
    )
    return outbox_queue(key=key, to=to, subject=subject, body=body)


# The daily digest -----------------------------------------------------------------------------------


def due_for_review(owner, *, day: dt.date):
    """The owner's open entries whose review is due by ``day`` + 14 days (overdue included)."""
    return RiskEntry.objects.filter(due_for_review_q(day), owner=owner).order_by("next_review_date", "reference")


def digest_message(owner, entries: list[RiskEntry], *, day: dt.date) -> EmailMultiAlternatives:
    """The digest e-mail to ``owner`` (plain text and HTML) listing ``entries`` with links to them."""
    overdue = sum(1 for entry in entries if entry.next_review_date < day)
    noun = "review" if len(entries) == 1 else "reviews"
    subject = f"{len(entries)} risk and opportunity {noun} due ({overdue} overdue): digest of {day:%d %b %Y}"
    lines, rows = [f"Hello {owner.get_full_name() or owner.username},", "", "Reviews due:", ""], []
    for entry in entries:
        when = "OVERDUE since" if entry.next_review_date < day else "due on"
        band = entry.residual_band or entry.inherent_band or "not scored"
        url = entry_url(entry)
        lines += [f"{_describe(entry)}", f"  {when} {entry.next_review_date.isoformat()} (band: {band})", f"  {url}"]
        rows.append(
            f'<li><a href="{escape(url)}">{escape(entry.reference)}</a> {escape(entry.title)}: '
            f"{when.lower()} {entry.next_review_date.isoformat()} (band: {escape(band)})</li>"
        )
    lines += ["", settings.ORGANISATION_NAME]
    html = f"<p>Reviews due:</p><ul>{''.join(rows)}</ul><p>{escape(settings.ORGANISATION_NAME)}</p>"
    message = EmailMultiAlternatives(
        subject=subject, body="\n".join(lines) + "\n", from_email=settings.DEFAULT_FROM_EMAIL, to=[owner.email]
    )
    message.attach_alternative(html, "text/html")
    return message


def owners_with_reviews_due(day: dt.date):
    """Active people owning at least one open entry due for review by ``day`` + 14 days."""
    owner_ids = RiskEntry.objects.filter(due_for_review_q(day)).values_list("owner_id", flat=True)
    return get_user_model().objects.filter(is_active=True, pk__in=owner_ids).order_by("pk")


DIGEST = DailyDigest(
    label="risk review",
    delivery_model=ReviewDigestDelivery,
    count_field="entry_count",
    owners=lambda day: owners_with_reviews_due(day),
    items=lambda owner, day: list(due_for_review(owner, day=day)),
    message=lambda owner, items, day: digest_message(owner, items, day=day),
)


def review_digest_send(*, owner, day: dt.date) -> bool:
    """Send ``owner`` their review digest for ``day`` unless already sent (or being sent); True if sent now."""
    return DIGEST.send_one(owner=owner, day=day)


def review_digests_send(*, day: dt.date) -> dict[str, int]:
    """Send each owner's digest for ``day``; returns counts (see ``DailyDigest.send_all``)."""
    return DIGEST.send_all(day=day)
