"""The daily review digest: one e-mail per owner per day, whatever runs it how often."""

import datetime as dt
import smtplib

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import OperationalError, connection

from risks.emails import DigestSendError, entry_url, review_digest_send
from risks.models import ReviewDigestDelivery
from risks.tasks import send_review_digests
from risks.tests.factories import RiskEntryFactory, UserFactory

DAY = dt.date(2026, 11, 25)


def days(n: int) -> dt.date:
    return DAY + dt.timedelta(days=n)


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def owners(db):
    """Ann: one overdue, one due in 14 days, one later. Bob: one due in 2 days. Cat: closed and far off."""
    ann, bob, cat = (UserFactory(username=name) for name in ("ann", "bob", "cat"))
    RiskEntryFactory(owner=ann, title="Supplier insolvent", next_review_date=days(-3), status="treating")
    RiskEntryFactory(owner=ann, title="Key person leaves", next_review_date=days(14))
    RiskEntryFactory(owner=ann, title="Later", next_review_date=days(15))
    RiskEntryFactory(owner=bob, title="New market", kind="opportunity", next_review_date=days(2))
    RiskEntryFactory(owner=cat, title="Closed", next_review_date=days(-1), status="closed")
    RiskEntryFactory(owner=cat, title="Far off", next_review_date=days(60))
    return {"ann": ann, "bob": bob, "cat": cat}


def run(day: dt.date = DAY) -> dict:
    return send_review_digests.apply(args=[day.isoformat()]).get()


def outbox_by_recipient() -> dict:
    return {message.to[0]: message for message in mail.outbox}


@pytest.mark.django_db
def test_each_owner_with_a_review_due_gets_one_digest(owners):
    assert run() == {"owners": 2, "sent": 2, "already_sent": 0, "failed": 0, "no_email": 0}
    assert sorted(outbox_by_recipient()) == ["ann@example.com", "bob@example.com"]


@pytest.mark.django_db
def test_digest_lists_due_and_overdue_reviews_with_links(owners, settings):
    settings.QMS_PORTAL_URL = "https://qms.example.com"
    run()
    ann = outbox_by_recipient()["ann@example.com"]
    assert ann.subject == "2 risk and opportunity reviews due (1 overdue): digest of 25 Nov 2026"
    overdue = owners["ann"].risk_entries.get(title="Supplier insolvent")
    assert f"{overdue.reference} Supplier insolvent\n  OVERDUE since 2026-11-22" in ann.body
    assert "Key person leaves\n  due on 2026-12-09" in ann.body
    assert "Later" not in ann.body
    assert entry_url(overdue).startswith("https://qms.example.com/")
    assert entry_url(overdue) in ann.body
    [(html, mimetype)] = ann.alternatives
    assert mimetype == "text/html" and overdue.reference in html


@pytest.mark.django_db
def test_running_twice_the_same_day_sends_nothing_more(owners):
    run()
    counts = run()
    assert (counts["sent"], counts["already_sent"]) == (0, 2)
    assert len(mail.outbox) == 2
    assert sorted(ReviewDigestDelivery.objects.values_list("user__username", "day", "entry_count")) == [
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
    assert not ReviewDigestDelivery.objects.exists()


@pytest.mark.django_db
def test_a_digest_claimed_by_another_worker_is_not_sent_again(owners):
    ReviewDigestDelivery.objects.create(user=owners["ann"], day=DAY)
    counts = run()
    assert (counts["sent"], counts["already_sent"]) == (1, 1)
    assert sorted(outbox_by_recipient()) == ["bob@example.com"]


@pytest.mark.django_db
def test_a_failed_send_leaves_no_claim_and_the_retry_sends(owners, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with pytest.raises(smtplib.SMTPException):
        review_digest_send(owner=owners["ann"], day=DAY)
    assert not ReviewDigestDelivery.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert review_digest_send(owner=owners["ann"], day=DAY) is True
    assert ReviewDigestDelivery.objects.get().sent_at is not None


@pytest.mark.django_db
def test_the_job_fails_for_a_retry_when_a_send_failed(owners, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    assert send_review_digests.apply(args=[DAY.isoformat()]).failed()
    assert not ReviewDigestDelivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_digest_per_owner(owners, at_once):
    results, errors = at_once(lambda: send_review_digests(DAY.isoformat()))
    if connection.vendor == "sqlite":
        # In-memory SQLite answers "table is locked" at once instead of waiting: the job is then retried.
        assert all(isinstance(error, DigestSendError | OperationalError) for error in errors)
        send_review_digests(DAY.isoformat())
    else:
        assert errors == []
        assert sum(result["sent"] for result in results) == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["ann@example.com", "bob@example.com"]
    assert ReviewDigestDelivery.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_threads_on_postgresql_send_each_digest_once(owners, at_once):
    results, errors = at_once(lambda: send_review_digests(DAY.isoformat()), times=4)
    assert errors == []
    assert sum(result["sent"] for result in results) == 2
    assert sum(result["already_sent"] for result in results) == 6
    assert len(mail.outbox) == 2


def test_beat_sends_the_digests_daily_and_expires_stale_runs():
    entry = settings.CELERY_BEAT_SCHEDULE["send-risk-review-digests-daily"]
    assert entry["task"] == send_review_digests.name == "risks.tasks.send_review_digests"
    assert entry["schedule"] == 86400
    assert 0 < entry["options"]["expires"] < entry["schedule"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_sends_the_digests_once_from_the_broker(owners, run_in_worker):
    first, second = run_in_worker(send_review_digests.s(DAY.isoformat()), send_review_digests.s(DAY.isoformat()))
    assert (first["sent"], second["already_sent"]) == (2, 2)
    assert sorted(message.to[0] for message in mail.outbox) == ["ann@example.com", "bob@example.com"]
