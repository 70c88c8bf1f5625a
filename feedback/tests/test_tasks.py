"""The escalation job: runs the service as a job, retries on database trouble, works on a real worker."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import DatabaseError, OperationalError
from django.utils import timezone

from feedback import services
from feedback.models import Escalation, FeedbackItem
from feedback.tasks import escalate_time_targets
from qms.audit.context import current_context
from qms.core.outbox import outbox_deliver


def log_overdue_complaint(actor, *, assignee=None) -> FeedbackItem:
    """A complaint received 30 days ago: both its targets are long missed."""
    item = services.feedback_log(
        actor=actor,
        data={
            "summary": "Damaged pallet",
            "description": "Two boxes crushed.",
            "received_at": timezone.now() - dt.timedelta(days=30),
        },
    )
    if assignee is not None:
        FeedbackItem.objects.filter(pk=item.pk).update(assignee=assignee)
    return item


def test_the_beat_runs_the_job_every_15_minutes_and_expires_stale_runs():
    entry = settings.CELERY_BEAT_SCHEDULE["escalate-feedback-targets"]
    assert entry["task"] == escalate_time_targets.name == "feedback.tasks.escalate_time_targets"
    assert entry["schedule"] == 15 * 60
    assert 0 < entry["options"]["expires"] < entry["schedule"]


def test_the_job_acknowledges_late_and_retries_with_backoff_and_jitter():
    assert escalate_time_targets.acks_late is True
    assert escalate_time_targets.autoretry_for == (DatabaseError,)
    assert escalate_time_targets.retry_jitter is True
    assert escalate_time_targets.retry_backoff


@pytest.mark.django_db
def test_the_job_sends_the_due_notices_once(quality, staff):
    log_overdue_complaint(quality, assignee=staff)
    first = escalate_time_targets.apply().get()
    second = escalate_time_targets.apply().get()
    assert (first["breach"], second["breach"], second["already_sent"]) == (2, 0, 2)
    assert Escalation.objects.count() == 2


@pytest.mark.django_db
def test_the_job_runs_as_a_job_in_the_audit_trail(monkeypatch):
    seen = []
    monkeypatch.setattr(
        "feedback.tasks.escalations_send", lambda: seen.append(current_context().source) or {"breach": 0}
    )
    escalate_time_targets.apply().get()
    assert seen == ["job"]


@pytest.mark.django_db
def test_a_database_error_is_retried(monkeypatch):
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return {"warning": 0, "breach": 0, "already_sent": 0, "no_recipients": 0}

    monkeypatch.setattr("feedback.tasks.escalations_send", flaky)
    result = escalate_time_targets.apply()
    assert result.successful()
    assert len(calls) == 2


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_escalates_and_the_outbox_delivers_the_mail(quality, staff, run_in_worker, mailoutbox):
    item = log_overdue_complaint(quality, assignee=staff)
    first, second = run_in_worker(escalate_time_targets.s(), escalate_time_targets.s())
    assert first["breach"] == 2
    assert second["already_sent"] == 2
    assert outbox_deliver()["sent"] == 2
    assert sorted(message.subject.split(":")[0] for message in mailoutbox) == ["Target missed", "Target missed"]
    assert all(message.to == ["quality@example.com", "staff@example.com"] for message in mailoutbox)
    assert all(item.reference in message.subject for message in mailoutbox)
    assert outbox_deliver()["sent"] == 0
