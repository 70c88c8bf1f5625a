"""The survey jobs: sending a campaign, reminders and closing, eagerly and on a real worker."""

from __future__ import annotations

import datetime as dt
import queue

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import DatabaseError, OperationalError
from django.utils import timezone

from customers.tests.factories import ContactFactory, CustomerFactory
from feedback.choices import CampaignStatus, InvitationStatus
from feedback.models import Reminder
from feedback.services import survey_delivery
from feedback.tasks import close_due_campaigns, send_campaign_invitations, send_survey_reminders
from feedback.tests.test_survey_delivery import T0, draft_campaign, outbox_keys, sent_campaign
from qms.celery import app as celery_app
from qms.core.outbox import outbox_deliver

SURVEY_TASKS = (send_campaign_invitations, send_survey_reminders, close_due_campaigns)


@pytest.mark.parametrize(
    ("entry", "task"),
    [
        ("send-survey-reminders-hourly", send_survey_reminders),
        ("close-due-survey-campaigns-hourly", close_due_campaigns),
    ],
)
def test_the_beat_runs_the_survey_jobs_hourly_and_expires_stale_runs(entry, task):
    scheduled = settings.CELERY_BEAT_SCHEDULE[entry]
    assert scheduled["task"] == task.name
    assert scheduled["schedule"] == 60 * 60
    assert 0 < scheduled["options"]["expires"] < scheduled["schedule"]


@pytest.mark.parametrize("task", SURVEY_TASKS, ids=lambda task: task.name)
def test_the_survey_jobs_acknowledge_late_and_retry_with_backoff_and_jitter(task):
    assert task.acks_late is True
    assert task.autoretry_for == (DatabaseError,)
    assert task.retry_jitter is True and task.retry_backoff


@pytest.mark.django_db
def test_the_send_job_sends_every_invitation_once_and_opens_the_campaign(quality):
    customer = CustomerFactory()
    ContactFactory.create_batch(3, customer=customer)
    campaign = draft_campaign()
    campaign.customers.set([customer])
    survey_delivery.campaign_send(actor=quality, campaign=campaign)
    assert send_campaign_invitations.apply(args=[campaign.pk]).get() == 3
    assert send_campaign_invitations.apply(args=[campaign.pk]).get() == 0
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    assert len(outbox_keys("survey-invitation:")) == 3


@pytest.mark.django_db
def test_the_send_job_returns_quietly_for_a_campaign_that_is_gone():
    assert send_campaign_invitations.apply(args=[987654]).get() == 0


@pytest.mark.django_db
def test_the_reminder_job_finishes_a_campaign_whose_send_job_was_lost(quality):
    contact = ContactFactory()
    campaign = draft_campaign()
    campaign.customers.set([contact.customer])
    survey_delivery.campaign_send(actor=quality, campaign=campaign)  # on_commit never runs here: job lost
    result = send_survey_reminders.apply().get()
    assert result["invitations"] == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN


@pytest.mark.django_db
def test_the_reminder_job_sends_due_reminders_once():
    with time_machine.travel(T0, tick=False):
        sent_campaign(ContactFactory.create_batch(2, customer=CustomerFactory()))
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        first = send_survey_reminders.apply().get()
        second = send_survey_reminders.apply().get()
    assert (first["sent"], second["sent"]) == (2, 0)
    assert Reminder.objects.count() == 2


@pytest.mark.django_db
def test_the_close_job_closes_due_campaigns():
    with time_machine.travel(T0, tick=False):
        campaign = sent_campaign([ContactFactory()], closes_at=T0 + dt.timedelta(days=2))
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        assert close_due_campaigns.apply().get() == 1
        assert close_due_campaigns.apply().get() == 0
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    assert campaign.invitations.get().status == InvitationStatus.EXPIRED


@pytest.mark.django_db
def test_a_database_error_in_the_reminder_job_is_retried(monkeypatch):
    calls = []

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return {"sent": 0, "already_sent": 0}

    monkeypatch.setattr(survey_delivery, "reminders_send", flaky)
    assert send_survey_reminders.apply().successful()
    assert len(calls) == 2


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_sends_a_campaign_and_the_outbox_delivers_it(quality, worker_broker, mailoutbox):
    customer = CustomerFactory()
    ContactFactory.create_batch(3, customer=customer)
    campaign = draft_campaign()
    campaign.customers.set([customer])
    survey_delivery.campaign_send(actor=quality, campaign=campaign)  # enqueues the job on commit
    finished: queue.Queue[str] = queue.Queue()
    task_postrun.connect(lambda task_id=None, **kwargs: finished.put(task_id), weak=False, dispatch_uid="survey-t")
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            finished.get(timeout=60)
            second = send_campaign_invitations.delay(campaign.pk)  # delivered twice: nothing more is sent
            assert finished.get(timeout=60) == second.id
    finally:
        task_postrun.disconnect(dispatch_uid="survey-t")
    assert second.get(timeout=10) == 0
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    assert outbox_deliver()["sent"] == 3
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        campaign.invitations.values_list("email", flat=True)
    )
    assert outbox_deliver()["sent"] == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_running_the_reminder_job_twice_sends_each_reminder_once(run_in_worker, mailoutbox, monkeypatch):
    # The helper sends the invitations itself; no send job may sit in the queue before the reminder jobs.
    monkeypatch.setattr("qms.core.task_outbox.publish_after_commit", lambda task, *args, **kwargs: None)
    # Sent 3 days ago: the reminders are due now, on the worker's real clock.
    with time_machine.travel(timezone.now() - dt.timedelta(days=3, minutes=1), tick=False):
        campaign = sent_campaign(ContactFactory.create_batch(2, customer=CustomerFactory()))
    first, second = run_in_worker(send_survey_reminders.s(), send_survey_reminders.s())
    assert (first["sent"], second["sent"]) == (2, 0)
    assert Reminder.objects.count() == 2
    assert set(campaign.invitations.values_list("reminders_sent", flat=True)) == {1}
    assert outbox_deliver()["sent"] == 4  # 2 invitations (queued by the helper) + 2 reminders
    assert sum(message.subject.startswith("Reminder:") for message in mailoutbox) == 2
