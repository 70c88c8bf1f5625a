"""Reads of the feedback register, limited by the permission engine to what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import CharField, DateTimeField, F, Q, QuerySet, Value, When
from django.db.models.expressions import Case
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.timesince import timesince

from .choices import OPEN_STATUSES, FeedbackKind, FeedbackStatus, Severity
from .filters import overdue_q
from .models import Attachment, FeedbackItem, FeedbackTransition, Holiday, SlaTarget, WorkingWeek

OVERDUE = "Overdue"
PAUSED = "Paused"


def with_due(queryset: QuerySet[FeedbackItem], now: dt.datetime | None = None) -> QuerySet[FeedbackItem]:
    """Annotate ``next_due_at`` (the target that counts now) and ``due_label`` ("Overdue", "Paused", "")."""
    now = now or timezone.now()
    complaint = Q(kind=FeedbackKind.COMPLAINT)
    return queryset.annotate(
        next_due_at=Case(
            When(complaint & Q(status=FeedbackStatus.RECEIVED), then="acknowledge_due_at"),
            When(complaint & Q(status__in=OPEN_STATUSES, paused_since__isnull=True), then="resolve_due_at"),
            default=None,
            output_field=DateTimeField(),
        ),
        # Words, not colour: the list and its exports say "Overdue".
        due_label=Case(
            When(overdue_q(now), then=Value(OVERDUE)),
            When(complaint & Q(status__in=OPEN_STATUSES, paused_since__isnull=False), then=Value(PAUSED)),
            default=Value(""),
            output_field=CharField(),
        ),
    )


def due_of(item: FeedbackItem, now: dt.datetime) -> tuple[dt.datetime | None, str]:
    """``with_due``'s ``next_due_at`` and ``due_label`` of one record already read, by the same rules: a
    page's rows are worked out here, as compiling the two CASE expressions cost a list page a fifth of its
    time. ``tests/test_due.py`` holds the two to the same answers."""
    if item.kind != FeedbackKind.COMPLAINT:
        return None, ""
    is_open, paused = item.status in OPEN_STATUSES, item.paused_since is not None
    if item.status == FeedbackStatus.RECEIVED:
        due = item.acknowledge_due_at
    elif is_open and not paused:
        due = item.resolve_due_at
    else:
        due = None
    overdue = (item.status == FeedbackStatus.RECEIVED and _before(item.acknowledge_due_at, now)) or (
        is_open and not paused and _before(item.resolve_due_at, now)
    )
    return due, OVERDUE if overdue else PAUSED if is_open and paused else ""


def _before(moment: dt.datetime | None, now: dt.datetime) -> bool:
    return moment is not None and moment < now


def complainant_expression() -> Case:
    """``FeedbackItem.complainant_name`` in SQL: the contact, else the name given, else the customer, else
    "Anonymous"."""
    return Case(
        When(contact__isnull=False, then=F("contact__name")),
        When(~Q(submitter_name=""), then=F("submitter_name")),
        When(customer__isnull=False, then=Concat(F("customer__name"), Value(" ("), F("customer__code"), Value(")"))),
        default=Value("Anonymous"),
        output_field=CharField(),
    )


def feedback_list(*, user, action: str = "view", due: bool = True) -> QuerySet[FeedbackItem]:
    """Feedback ``user`` may see (staff: what they logged or are assigned), with its related rows
    joined and (``due``) the due annotations, so a page of any length costs the same few queries."""
    queryset = FeedbackItem.objects.restrict(user, action).select_related("customer", "category", "assignee")
    return with_due(queryset) if due else queryset


def feedback_detail(*, user) -> QuerySet[FeedbackItem]:
    """The queryset a detail page fetches one item from (same restriction as the list)."""
    return FeedbackItem.objects.restrict(user, "view").select_related(
        "customer", "contact__customer", "category", "assignee", "logged_by"
    )


def transitions_of(item: FeedbackItem) -> QuerySet[FeedbackTransition]:
    """The item's workflow steps, oldest first, with who took them."""
    return item.transitions.select_related("actor").order_by("at", "pk")


def attachments_of(item: FeedbackItem) -> QuerySet[Attachment]:
    return item.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk")


def attachment_for(*, user, item_pk: int, attachment_pk: int, action: str = "view") -> QuerySet[Attachment]:
    """The attachment as a one-row queryset, only when ``user`` may see its item (and act on attachments)."""
    items = FeedbackItem.objects.restrict(user, "view")
    return (
        Attachment.objects.restrict(user, action)
        .filter(item__in=items, item_id=item_pk, pk=attachment_pk)
        .select_related("item")
    )


@dataclass
class TargetStatus:
    """One time target of a complaint as a sentence: due when, met or missed, or time left."""

    label: str
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    overdue: bool
    text: str


def _target(label: str, due_at, done_at, now, *, paused: bool = False) -> TargetStatus:
    if done_at is not None:
        met = due_at is None or done_at <= due_at
        return TargetStatus(label, due_at, done_at, False, "met" if met else "missed")
    if due_at is None:
        return TargetStatus(label, None, None, False, "clock stopped" if paused else "no target")
    if now > due_at:
        return TargetStatus(label, due_at, None, True, f"overdue by {timesince(due_at, now)}")
    return TargetStatus(label, due_at, None, False, f"{timesince(now, due_at)} left")


def time_targets(item: FeedbackItem, now: dt.datetime | None = None) -> list[TargetStatus]:
    """The acknowledgement and resolution targets of a complaint (empty for other kinds)."""
    if not item.is_complaint:
        return []
    now = now or timezone.now()
    closed_early = item.status in (FeedbackStatus.WITHDRAWN, FeedbackStatus.REJECTED)
    acknowledge = _target(
        "Acknowledge", item.acknowledge_due_at, item.acknowledged_at or (now if closed_early else None), now
    )
    if closed_early and item.acknowledged_at is None:
        acknowledge.text = "not needed any more"
    resolved = item.resolved_at or (item.closed_at if closed_early else None)
    resolve = _target("Resolve", item.resolve_due_at, resolved, now, paused=item.is_paused)
    if closed_early:
        resolve.text = f"{item.get_status_display().lower()}, no target"
        resolve.overdue = False
    return [acknowledge, resolve]


def has_open_actions(item: FeedbackItem) -> bool:
    """Whether corrective actions raised from ``item`` are still to be done (closing then needs a reason)."""
    from qms.actions.selectors import open_actions_for_source

    return open_actions_for_source(item).exists()


def my_open_complaints(user) -> QuerySet[FeedbackItem]:
    """Open complaints assigned to ``user``."""
    return FeedbackItem.objects.filter(assignee=user, kind=FeedbackKind.COMPLAINT, status__in=OPEN_STATUSES)


def my_overdue_complaints(user) -> QuerySet[FeedbackItem]:
    """Open complaints assigned to ``user`` past a time target."""
    return my_open_complaints(user).filter(overdue_q())


def target_rows() -> list[dict]:
    """Each severity's targets (acknowledge, resolve, warn): the saved row, or the defaults marked so."""
    from .services import DEFAULT_TARGETS, DEFAULT_WARN_HOURS

    saved = {row.severity: row for row in SlaTarget.objects.all()}
    rows = []
    for severity, label in Severity.choices:
        row = saved.get(severity)
        if row:
            values = (row.acknowledge_days, row.resolve_days, row.warn_before_hours)
        else:
            values = (*DEFAULT_TARGETS[severity], DEFAULT_WARN_HOURS)
        rows.append(
            {
                "severity": severity,
                "label": label,
                "acknowledge_days": values[0],
                "resolve_days": values[1],
                "warn_before_hours": values[2],
                "is_default": row is None,
            }
        )
    return rows


def working_week() -> WorkingWeek:
    """The saved working week, or an unsaved Monday-to-Friday one."""
    return WorkingWeek.objects.first() or WorkingWeek()


def holidays(*, upcoming_only: bool = False) -> QuerySet[Holiday]:
    queryset = Holiday.objects.order_by("date")
    if upcoming_only:
        queryset = queryset.filter(date__gte=timezone.localdate())
    return queryset
