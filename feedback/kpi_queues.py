"""Complaints near or past their time targets, for the quality manager's dashboard (registered in
``FeedbackConfig.ready``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from qms.kpis.figures import list_url
from qms.kpis.queues import Queue, QueueItem, queue_from, register_queue

from .choices import OPEN_STATUSES, FeedbackKind, FeedbackStatus
from .filters import overdue_q
from .models import FeedbackItem
from .selectors import with_due


def _open_complaints():
    return with_due(FeedbackItem.objects.filter(kind=FeedbackKind.COMPLAINT)).select_related("customer")


def _warning_passed_q(now: dt.datetime) -> Q:
    """Open complaints whose acknowledgement or resolution warning time has passed."""
    return Q(status=FeedbackStatus.RECEIVED, acknowledge_warn_at__lte=now) | Q(
        status__in=OPEN_STATUSES, paused_since__isnull=True, resolve_warn_at__lte=now
    )


def _item(complaint: FeedbackItem) -> QueueItem:
    due = complaint.next_due_at
    return QueueItem(
        label=str(complaint),
        url=complaint.get_absolute_url(),
        due=timezone.localtime(due) if due else None,
        note=complaint.customer.name if complaint.customer_id else "",
    )


def complaints_past_target(today: dt.date) -> Queue:
    """Open complaints past their acknowledgement or resolution target, the longest overdue first."""
    return queue_from(
        _open_complaints().filter(overdue_q(timezone.now())).order_by("next_due_at", "pk"),
        key="complaints_past_target",
        title="Complaints past their time target",
        list_url=list_url("feedback:item_list", kind="complaint", overdue="true"),
        item=_item,
        empty="No complaint is past its time target.",
    )


def complaints_near_target(today: dt.date) -> Queue:
    """Open complaints whose warning time has passed but not yet their target, the most urgent first."""
    now = timezone.now()
    return queue_from(
        _open_complaints().filter(_warning_passed_q(now)).exclude(overdue_q(now)).order_by("next_due_at", "pk"),
        key="complaints_near_target",
        title="Complaints nearing their time target",
        list_url=list_url("feedback:item_list", kind="complaint", open="true"),
        item=_item,
        empty="No complaint is close to its time target.",
    )


def register_queues() -> None:
    register_queue("complaints_past_target", complaints_past_target, order=10)
    register_queue("complaints_near_target", complaints_near_target, order=20)
