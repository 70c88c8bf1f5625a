"""The daily action digest: one e-mail per owner per day, whatever runs it how often."""

import datetime as dt
import smtplib

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import OperationalError, connection

from qms.actions.emails import DigestSendError, action_digest_send
from qms.actions.models import ActionDigestDelivery
from qms.actions.tasks import send_action_digests
from qms.actions.tests.factories import ActionFactory, UserFactory

DAY = dt.date(2026, 11, 25)


def days(n: int) -> dt.date:
    return DAY + dt.timedelta(days=n)


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def owners(db):
    """Ann: one overdue, one due in 7 days, one due later. Bob: one due in 2 days. Cat: done and later ones."""
    ann, bob, cat = (UserFactory(username=name) for name in ("ann", "bob", "cat"))
    ActionFactory(owner=ann, title="Reprint labels", due_date=days(-3), status="in_progress")
    ActionFactory(owner=ann, title="Train dispatch", due_date=days(7))
    ActionFactory(owner=ann, title="Later", due_date=days(8))
    ActionFactory(owner=bob, title="Call the customer", due_date=days(2))
    ActionFactory(owner=cat, title="Finished", due_date=days(-1), status="done")
    ActionFactory(owner=cat, title="Far off", due_date=days(30))
    return {"ann": ann, "bob": bob, "cat": cat}


def run(day: dt.date = DAY) -> dict:
    return send_action_digests.apply(args=[day.isoformat()]).get()


def outbox_by_recipient() -> dict:
    return {message.to[0]: message for message in mail.outbox}


@pytest.mark.django_db
def test_each_owner_with_something_due_gets_one_digest(owners):
    assert run() == {"owners": 2, "sent": 2, "already_sent": 0, "failed": 0, "no_email": 0}
    assert sorted(outbox_by_recipient()) == ["ann@example.com", "bob@example.com"]


@pytest.mark.django_db
def test_digest_lists_due_and_overdue_actions_with_links(owners, settings):
    settings.QMS_PORTAL_URL = "https://qms.example.com"
    run()
    ann = outbox_by_recipient()["ann@example.com"]
    assert ann.subject == "2 actions due (1 overdue): digest of 25 Nov 2026"
    overdue = owners["ann"].actions.get(title="Reprint labels")
    assert f"{overdue.reference} Reprint labels\n  OVERDUE since 2026-11-22 (in progress)" in ann.body
    assert "Train dispatch\n  due on 2026-12-02" in ann.body
    assert "Later" not in ann.body
    assert f"https://qms.example.com{overdue.get_absolute_url()}" in ann.body
    assert "https://qms.example.com/actions/mine/" in ann.body
    [(html, mimetype)] = ann.alternatives
    assert mimetype == "text/html"
    assert f'<a href="https://qms.example.com{overdue.get_absolute_url()}">{overdue.reference}</a>' in html


@pytest.mark.django_db
def test_running_twice_the_same_day_sends_nothing_more(owners):
    run()
    counts = run()
    assert (counts["sent"], counts["already_sent"]) == (0, 2)
    assert len(mail.outbox) == 2
    assert sorted(ActionDigestDelivery.objects.values_list("user__username", "day", "action_count")) == [
        ("ann", DAY, 2),
        ("bob", DAY, 1),
    ]


@pytest.mark.django_db
def test_the_next_day_sends_again(owners):
    run()
    run(days(1))
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_inactive_owner_and_owner_without_email_get_nothing(owners):
    owners["ann"].is_active = False
    owners["ann"].save()
    owners["bob"].email = ""
    owners["bob"].save()
    counts = run()
    assert (counts["owners"], counts["no_email"], counts["sent"]) == (1, 1, 0)
    assert mail.outbox == []
    assert not ActionDigestDelivery.objects.exists()


@pytest.mark.django_db
def test_a_digest_claimed_by_another_worker_is_not_sent_again(owners):
    ActionDigestDelivery.objects.create(user=owners["ann"], day=DAY)
    counts = run()
    assert (counts["sent"], counts["already_sent"]) == (1, 1)
    assert sorted(outbox_by_recipient()) == ["bob@example.com"]


@pytest.mark.django_db
def test_a_failed_send_leaves_no_claim_and_the_retry_sends(owners, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with pytest.raises(smtplib.SMTPException):
        action_digest_send(owner=owners["ann"], day=DAY)
    assert not ActionDigestDelivery.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert action_digest_send(owner=owners["ann"], day=DAY) is True
    assert ActionDigestDelivery.objects.get().sent_at is not None


@pytest.mark.django_db
def test_the_job_fails_for_a_retry_when_a_send_failed(owners, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    assert send_action_digests.apply(args=[DAY.isoformat()]).failed()
    assert not ActionDigestDelivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_digest_per_owner(owners, at_once):
    results, errors = at_once(lambda: send_action_digests(DAY.isoformat()))
    if connection.vendor == "sqlite":
        # In-memory SQLite answers "table is locked" at once instead of waiting: the job is then retried.
        assert all(isinstance(error, DigestSendError | OperationalError) for error in errors)
        send_action_digests(DAY.isoformat())
    else:
        assert errors == []
        assert sum(result["sent"] for result in results) == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["ann@example.com", "bob@example.com"]
    assert ActionDigestDelivery.objects.count() == 2


def test_beat_sends_the_digests_daily_and_expires_stale_runs():
    entry = settings.CELERY_BEAT_SCHEDULE["send-action-digests-daily"]
    assert entry["task"] == send_action_digests.name
    assert entry["schedule"] == 86400
    assert 0 < entry["options"]["expires"] < entry["schedule"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_sends_the_digests_once_from_the_broker(owners, run_in_worker):
    first, second = run_in_worker(send_action_digests.s(DAY.isoformat()), send_action_digests.s(DAY.isoformat()))
    assert (first["sent"], second["already_sent"]) == (2, 2)
    assert sorted(message.to[0] for message in mail.outbox) == ["ann@example.com", "bob@example.com"]
