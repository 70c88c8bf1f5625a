"""Writes to the feedback register's configuration: categories, time targets, working week, holidays.

Changing the calendar or a target gives open complaints new due times at once."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from qms.audit.context import audited_service
from qms.core.services import apply_and_save, require_permission

from ..choices import FeedbackKind, Severity
from ..models import (
    Category,
    FeedbackItem,
    Holiday,
    SlaTarget,
    WorkingWeek,
)
from .complaints import (
    CATEGORY_FIELDS,
    HOLIDAY_FIELDS,
    TARGET_FIELDS,
    TARGET_TIMES,
    feedback_recompute_targets,
    sla_calendar,
)

# Configuration --------------------------------------------------------------------------------------


@audited_service
def category_save(*, actor, category: Category | None, data: dict[str, Any]) -> Category:
    require_permission(actor, "add" if category is None else "change", Category, category)
    category = category or Category()
    apply_and_save(category, data, CATEGORY_FIELDS)
    return category


@audited_service
def category_delete(*, actor, category: Category) -> None:
    require_permission(actor, "delete", Category, category)
    if category.feedback_items.exists():
        raise ValidationError("Feedback is filed under this category; make it inactive instead.")
    category.delete()


@audited_service
def sla_target_save(*, actor, severity: str, data: dict[str, Any]) -> SlaTarget:
    """Set the targets for one severity; open complaints of that severity get new due times."""
    target = SlaTarget.objects.filter(severity=severity).first()
    require_permission(actor, "add" if target is None else "change", SlaTarget, target)
    target = target or SlaTarget(severity=severity)
    apply_and_save(target, data, TARGET_FIELDS)
    _recompute_open(severity=severity)
    return target


@audited_service
def working_week_save(*, actor, data: dict[str, Any]) -> WorkingWeek:
    week = WorkingWeek.objects.first()
    require_permission(actor, "add" if week is None else "change", WorkingWeek, week)
    week = week or WorkingWeek()
    apply_and_save(
        week,
        data,
        tuple(name.lower() for name in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")),
    )
    _recompute_open()
    return week


@audited_service
def holiday_save(*, actor, holiday: Holiday | None, data: dict[str, Any]) -> Holiday:
    require_permission(actor, "add" if holiday is None else "change", Holiday, holiday)
    holiday = holiday or Holiday()
    apply_and_save(holiday, data, HOLIDAY_FIELDS)
    _recompute_open()
    return holiday


@audited_service
def holiday_delete(*, actor, holiday: Holiday) -> None:
    require_permission(actor, "delete", Holiday, holiday)
    holiday.delete()
    _recompute_open()


def _recompute_open(*, severity: str | None = None) -> int:
    """New due times for open complaints after the calendar or targets changed."""
    from ..choices import OPEN_STATUSES

    calendar = sla_calendar()
    items = FeedbackItem.objects.filter(kind=FeedbackKind.COMPLAINT, status__in=OPEN_STATUSES)
    if severity is not None:
        items = items.filter(severity__in=[severity, ""] if severity == Severity.MEDIUM else [severity])
    count = 0
    for item in items.prefetch_related("pauses"):
        feedback_recompute_targets(item, calendar=calendar)
        item.save(update_fields=list(TARGET_TIMES))
        count += 1
    return count
