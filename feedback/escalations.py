"""Escalation of complaint time targets: a warning before a target is missed, a breach notice after.

For each open complaint and each target (acknowledgement while received; resolution while open and not
waiting on the customer), once per level and cycle (a reopened complaint starts a new cycle):
- WARNING when the warning time has passed: to the assignee (to the quality managers if nobody is
  assigned);
- BREACH when the due time has passed: to the quality managers, the assignee copied. A warning not sent
  yet when the target is already missed is skipped: only the breach goes.

The ``Escalation`` row is claimed (its unique constraint) and the e-mail queued in the outbox in one
transaction, so a crash leaves neither or both, and two runs at once send each notice once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import formats, timezone

from qms.core.outbox import outbox_queue

from . import emails
from .choices import OPEN_STATUSES, EscalationLevel, FeedbackKind, FeedbackStatus, SlaTargetKind
from .models import Escalation, FeedbackItem


@dataclass(frozen=True)
class _Target:
    kind: str
    due_field: str
    warn_field: str
    items: Q


TARGETS = (
    _Target(
        SlaTargetKind.ACKNOWLEDGE,
        "acknowledge_due_at",
        "acknowledge_warn_at",
        Q(status=FeedbackStatus.RECEIVED),
    ),
    _Target(
        SlaTargetKind.RESOLVE,
        "resolve_due_at",
        "resolve_warn_at",
        Q(status__in=OPEN_STATUSES, paused_since__isnull=True),
    ),
)


def _level(item: FeedbackItem, target: _Target, now: dt.datetime) -> str | None:
    due_at, warn_at = getattr(item, target.due_field), getattr(item, target.warn_field)
    if due_at is not None and now >= due_at:
        return EscalationLevel.BREACH
    if warn_at is not None and now >= warn_at:
        return EscalationLevel.WARNING
    return None


def _assignee_address(item: FeedbackItem) -> str:
    assignee = item.assignee
    return assignee.email if assignee is not None and assignee.is_active else ""


def _recipients(item: FeedbackItem, level: str, managers: list[str]) -> list[str]:
    assignee = _assignee_address(item)
    if level == EscalationLevel.WARNING:
        return [assignee] if assignee else list(managers)
    return list(dict.fromkeys([*managers, *([assignee] if assignee else [])]))


def _message(item: FeedbackItem, target: str, level: str, due_at: dt.datetime) -> tuple[str, str, str]:
    target_label = SlaTargetKind(target).label.lower()
    due_text = formats.date_format(timezone.localtime(due_at), "j M Y H:i")
    if level == EscalationLevel.BREACH:
        subject = f"Target missed: {item.reference} {target_label} was due {due_text}"
    else:
        subject = f"Target approaching: {item.reference} {target_label} due {due_text}"
    context = {
        "organisation": getattr(settings, "ORGANISATION_NAME", "") or "Our quality team",
        "item": item,
        "target": target_label,
        "breach": level == EscalationLevel.BREACH,
        "due_text": due_text,
        "url": emails.portal_url(item.get_absolute_url()),
    }
    body = render_to_string("feedback/emails/escalation.txt", context)
    html_body = render_to_string("feedback/emails/escalation.html", context)
    return subject, body, html_body


def _escalate(item: FeedbackItem, target: str, level: str, due_at: dt.datetime, recipients: list[str]) -> bool:
    """Claim the notice and queue its e-mail together; False when it was claimed before (or meanwhile)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                escalation = Escalation.objects.create(
                    item=item,
                    target=target,
                    level=level,
                    cycle=item.reopen_count,
                    due_at=due_at,
                    recipients="\n".join(recipients),
                )
        except IntegrityError:
            return False
        subject, body, html_body = _message(item, target, level, due_at)
        outbox_queue(key=f"escalation:{escalation.pk}", to=recipients, subject=subject, body=body, html_body=html_body)
    return True


def escalations_send(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Send the warnings and breach notices now due, each once per complaint, target, level and cycle.

    Returns counts: ``warning`` and ``breach`` queued, ``already_sent`` (claimed by an earlier or a
    concurrent run), ``no_recipients`` (nobody to tell: left for a later run, nothing recorded).
    """
    now = now or timezone.now()
    counts = {"warning": 0, "breach": 0, "already_sent": 0, "no_recipients": 0}
    managers = emails.quality_manager_addresses()
    for target in TARGETS:
        reached = Q(**{f"{target.warn_field}__lte": now}) | Q(**{f"{target.due_field}__lte": now})
        items = (
            FeedbackItem.objects.filter(target.items, reached, kind=FeedbackKind.COMPLAINT)
            .select_related("assignee")
            .order_by(target.due_field, "pk")
        )
        for item in list(items):
            level = _level(item, target, now)
            if level is None:
                continue
            recipients = _recipients(item, level, managers)
            if not recipients:
                counts["no_recipients"] += 1
                continue
            if _escalate(item, target.kind, level, getattr(item, target.due_field), recipients):
                counts[level] += 1
            else:
                counts["already_sent"] += 1
    return counts
