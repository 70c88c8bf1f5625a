"""When the scheduled summaries are sent: two ``django_celery_beat`` periodic tasks on crontab schedules,
made by this app's data migration and edited by the quality manager on the schedule page.

They are not in ``CELERY_BEAT_SCHEDULE`` on purpose: beat copies that setting over the database rows at
every start, which would undo the quality manager's changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from qms.audit.recorder import append_entry
from qms.core.services import require_permission

from .choices import SummaryKind
from .models import Summary

WEEKDAYS = [
    ("1", "Monday"),
    ("2", "Tuesday"),
    ("3", "Wednesday"),
    ("4", "Thursday"),
    ("5", "Friday"),
    ("6", "Saturday"),
    ("0", "Sunday"),
]
# A job not started within this many seconds of its time is dropped (the next period's run makes up).
EXPIRE_SECONDS = 60 * 60 * 12


@dataclass(frozen=True)
class ScheduleDefault:
    name: str
    task: str
    description: str
    day: str  # day of the month (monthly) or of the week (weekly, crontab numbering: 0 = Sunday)
    hour: int
    minute: int


DEFAULTS = {
    SummaryKind.MONTHLY: ScheduleDefault(
        name="send-monthly-management-summary",
        task="qms.reviews.tasks.send_monthly_summary",
        description="The management summary of the last month, to top management and quality managers.",
        day="1",
        hour=6,
        minute=0,
    ),
    SummaryKind.WEEKLY: ScheduleDefault(
        name="send-weekly-top-management-digest",
        task="qms.reviews.tasks.send_weekly_digest",
        description="New complaints, overdue items and KPI changes of the last week, to top management.",
        day="1",
        hour=7,
        minute=0,
    ),
}


def _crontab_fields(kind: str, day: str, hour: int, minute: int) -> dict:
    monthly = kind == SummaryKind.MONTHLY
    return {
        "minute": str(minute),
        "hour": str(hour),
        "day_of_month": day if monthly else "*",
        "day_of_week": "*" if monthly else day,
        "month_of_year": "*",
        "timezone": settings.TIME_ZONE,
    }


def install_defaults(periodic_task_model, crontab_model) -> None:
    """Create the two periodic tasks with their default schedules where missing (a data migration passes
    its historical models)."""
    for kind, default in DEFAULTS.items():
        if periodic_task_model.objects.filter(name=default.name).exists():
            continue
        crontab, _ = crontab_model.objects.get_or_create(
            **_crontab_fields(kind, default.day, default.hour, default.minute)
        )
        periodic_task_model.objects.create(
            name=default.name,
            task=default.task,
            crontab=crontab,
            description=default.description,
            expire_seconds=EXPIRE_SECONDS,
            enabled=True,
        )


def _task(kind: str):
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    default = DEFAULTS[kind]
    task = PeriodicTask.objects.select_related("crontab").filter(name=default.name).first()
    if task is None or task.crontab is None:  # removed in the admin: put the default back
        PeriodicTask.objects.filter(name=default.name).delete()
        install_defaults(PeriodicTask, CrontabSchedule)
        task = PeriodicTask.objects.select_related("crontab").get(name=default.name)
    return task


def schedule_read(kind: str) -> dict:
    """``{"kind", "label", "enabled", "day", "time", "last_run_at"}`` of one summary's schedule."""
    task = _task(kind)
    crontab = task.crontab
    day = crontab.day_of_month if kind == SummaryKind.MONTHLY else crontab.day_of_week
    try:
        time = dt.time(int(crontab.hour), int(crontab.minute))
    except ValueError:  # an expression set in the admin ("*/2"): shown as the default until saved here
        default = DEFAULTS[kind]
        time = dt.time(default.hour, default.minute)
    return {
        "kind": kind,
        "label": SummaryKind(kind).label,
        "enabled": task.enabled,
        "day": day,
        "time": time,
        "last_run_at": task.last_run_at,
    }


def describe(schedule: dict) -> str:
    """``Every month on day 1 at 06:00`` / ``Every Monday at 07:00`` / ``Not sent``."""
    if not schedule["enabled"]:
        return "Not sent (switched off)"
    at = schedule["time"].strftime("%H:%M")
    if schedule["kind"] == SummaryKind.MONTHLY:
        return f"Every month on day {schedule['day']} at {at} ({settings.TIME_ZONE})"
    weekday = dict(WEEKDAYS).get(schedule["day"], schedule["day"])
    return f"Every {weekday} at {at} ({settings.TIME_ZONE})"


@transaction.atomic
def schedule_update(*, actor, kind: str, enabled: bool, day: str, time: dt.time) -> dict:
    """Change when one summary is sent; beat picks the change up within its sync interval. Audited."""
    from django_celery_beat.models import CrontabSchedule

    from qms.audit.context import acting_as

    require_permission(actor, "schedule", Summary)
    if kind == SummaryKind.MONTHLY:
        if not day.isdigit() or not 1 <= int(day) <= 28:
            raise ValidationError({"day": "Choose a day of the month from 1 to 28, so that every month has it."})
        day = str(int(day))
    elif day not in dict(WEEKDAYS):
        raise ValidationError({"day": "Choose a day of the week."})
    before = schedule_read(kind)
    task = _task(kind)
    crontab, _ = CrontabSchedule.objects.get_or_create(**_crontab_fields(kind, day, time.hour, time.minute))
    task.crontab = crontab
    task.enabled = enabled
    task.save(update_fields=["crontab", "enabled"])  # the model's save bumps beat's change marker
    after = schedule_read(kind)
    changes = {"schedule": [describe(before), describe(after)]} if describe(before) != describe(after) else {}
    if changes:
        with acting_as(actor):
            append_entry(
                action="update",
                content_type="django_celery_beat.periodictask",
                object_id=str(task.pk),
                object_repr=f"Schedule of the {SummaryKind(kind).label.lower()}",
                changes=changes,
            )
    return after
