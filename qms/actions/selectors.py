"""Reads of actions, limited to what the user may see, and the figures dashboards show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from qms.accounts.permissions import can

from .choices import AWAITING_CHECK_STATUSES, OPEN_STATUSES, ActionStatus
from .models import Action

DUE_SOON_DAYS = 7


def overdue_q(today: dt.date | None = None) -> Q:
    """Still to be done and past its due date."""
    return Q(status__in=OPEN_STATUSES, due_date__lt=today or timezone.localdate())


def with_overdue(queryset: QuerySet[Action], today: dt.date | None = None) -> QuerySet[Action]:
    """Annotate ``overdue`` (bool) and ``overdue_label`` ("Overdue"/"No": words, not colour)."""
    condition = overdue_q(today)
    return queryset.annotate(
        overdue=Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()),
        overdue_label=Case(When(condition, then=Value("Overdue")), default=Value("No")),
    )


def _source_q(sources: Iterable[models.Model]) -> Q:
    by_type: dict[int, list[int]] = {}
    for source in sources:
        by_type.setdefault(ContentType.objects.get_for_model(source).pk, []).append(source.pk)
    query = Q(pk__in=[])
    for type_id, ids in by_type.items():
        query |= Q(source_type_id=type_id, source_id__in=ids)
    return query


def actions_for_source(source: models.Model) -> QuerySet[Action]:
    """Every action raised from ``source`` (any register's record), oldest due first."""
    return actions_for_sources([source])


def actions_for_sources(sources: Iterable[models.Model]) -> QuerySet[Action]:
    """Every action raised from any of ``sources`` (e.g. a requirement and its evaluations), one query."""
    return Action.objects.filter(_source_q(sources)).select_related("owner").order_by("due_date", "pk")


def open_actions_for_source(source: models.Model) -> QuerySet[Action]:
    """The actions raised from ``source`` still to be done (open or in progress)."""
    return actions_for_source(source).filter(status__in=OPEN_STATUSES)


def action_list(*, user, filters: dict | None = None, action: str = "view") -> QuerySet[Action]:
    """Actions the user may see, with owner and overdue flag; ``filters`` as the list page and API take."""
    queryset = with_overdue(Action.objects.restrict(user, action).select_related("owner"))
    if filters:
        from .filters import ActionFilterSet

        filterset = ActionFilterSet(filters, queryset=queryset)
        queryset = filterset.qs if filterset.is_valid() else queryset.none()
    return queryset


def my_actions(user) -> QuerySet[Action]:
    """The user's actions still to do or done and awaiting their check: overdue first, then by due date."""
    return (
        with_overdue(Action.objects.filter(owner=user, status__in=OPEN_STATUSES | AWAITING_CHECK_STATUSES))
        .select_related("owner")
        .order_by("-overdue", "due_date", "pk")
    )


def overdue_actions(*, user=None, today: dt.date | None = None) -> QuerySet[Action]:
    """Open actions past their due date; only ``user``'s when given."""
    queryset = Action.objects.filter(overdue_q(today)).select_related("owner")
    if user is not None:
        queryset = queryset.filter(owner=user)
    return queryset.order_by("due_date", "pk")


def overdue_action_count(*, user=None, today: dt.date | None = None) -> int:
    """How many open actions are past their due date (``user``'s only when given)."""
    return overdue_actions(user=user, today=today).count()


def due_for_owner(owner, *, today: dt.date | None = None) -> QuerySet[Action]:
    """The owner's open actions due within 7 days or overdue (what the daily digest lists)."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    return Action.objects.filter(owner=owner, status__in=OPEN_STATUSES, due_date__lte=horizon).order_by(
        "due_date", "pk"
    )


def actions_verified_effective_pct(*, start: dt.date, end: dt.date) -> Decimal | None:
    """Share, in %, of effectiveness checks made between ``start`` and ``end`` (inclusive) that found the
    action effective: verified effective ÷ (verified effective + not effective). None when no check."""
    counts = Action.objects.filter(
        checked_at__date__gte=start,
        checked_at__date__lte=end,
        status__in=[ActionStatus.VERIFIED_EFFECTIVE, ActionStatus.NOT_EFFECTIVE],
    ).aggregate(
        effective=Count("pk", filter=Q(status=ActionStatus.VERIFIED_EFFECTIVE)),
        checked=Count("pk"),
    )
    if not counts["checked"]:
        return None
    return (Decimal(100) * counts["effective"] / counts["checked"]).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def parse_source_ref(ref: str) -> tuple[str, str, int] | None:
    """``"feedback.feedbackitem:3"`` → ("feedback", "feedbackitem", 3); None when not that shape."""
    label, _, pk = (ref or "").strip().partition(":")
    app_label, _, model = label.partition(".")
    if not (app_label and model and pk.isdigit()):
        return None
    return app_label, model.lower(), int(pk)


def source_for_ref(ref: str, *, user) -> models.Model:
    """The record named by ``ref`` if it exists and ``user`` may view it; ValidationError otherwise."""
    from django.core.exceptions import ValidationError

    parsed = parse_source_ref(ref)
    refused = ValidationError({"source": "No such record, or you may not see it. Use app_label.model:id."})
    if parsed is None:
        raise refused
    app_label, model_name, pk = parsed
    try:
        model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
    except ContentType.DoesNotExist:
        raise refused from None
    if model is None or not can(user, "view", model):
        raise refused
    manager = model._default_manager
    queryset = manager.restrict(user, "view") if hasattr(manager, "restrict") else manager.all()
    try:
        obj = queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError):
        raise refused from None
    if not can(user, "view", model, obj):
        raise refused
    return obj


def source_ref(action: Action) -> str:
    """The ``app_label.model:id`` of an action's source, "" when it has none."""
    if not action.source_type_id:
        return ""
    content_type = ContentType.objects.get_for_id(action.source_type_id)
    return f"{content_type.app_label}.{content_type.model}:{action.source_id}"
