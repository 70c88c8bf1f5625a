"""The outbox: an e-mail queued once per key, sent once, retried after a failure, never twice at once."""

from __future__ import annotations

import datetime as dt
import smtplib
import threading

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from qms.core.models import OutboxEmail
from qms.core.outbox import MAX_ATTEMPTS, STALE_CLAIM, outbox_deliver, outbox_drain, outbox_queue
from qms.core.tasks import deliver_outbox

FAILING_BACKEND = f"{__name__}.RefusingBackend"
RECORDING_BACKEND = f"{__name__}.RecordingBackend"
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that hangs up on every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RecordingBackend(BaseEmailBackend):
    """Records what was sent from any thread (the concurrency test sends from two)."""

    sent: list[str] = []
    lock = threading.Lock()

    def send_messages(self, email_messages):
        with self.lock:
            self.sent.extend(message.subject for message in email_messages)
        return len(email_messages)


def queue_one(key: str = "test:1", **overrides) -> OutboxEmail | None:
    fields = {"to": ["ann@example.com"], "subject": f"Subject {key}", "body": "Hello", "html_body": "<p>Hello</p>"}
    fields.update(overrides)
    return outbox_queue(key=key, **fields)


@pytest.mark.django_db
def test_queuing_the_same_key_twice_keeps_one_row():
    first = queue_one("feedback-receipt:1")
    second = queue_one("feedback-receipt:1", subject="Another subject")
    assert first is not None
    assert second is None
    assert OutboxEmail.objects.get().subject == "Subject feedback-receipt:1"


@pytest.mark.django_db
def test_queuing_without_a_recipient_writes_nothing():
    assert queue_one(to=["", ""]) is None
    assert not OutboxEmail.objects.exists()


@pytest.mark.django_db
def test_a_duplicate_key_does_not_break_the_callers_transaction():
    from django.db import transaction

    with transaction.atomic():
        queue_one("k")
        queue_one("k")
        queue_one("other")
    assert OutboxEmail.objects.count() == 2


@pytest.mark.django_db
def test_deliver_sends_once_and_marks_sent(mailoutbox, settings):
    settings.DEFAULT_FROM_EMAIL = "qms@example.com"
    queue_one("a", to=["ann@example.com", "bob@example.com"])
    assert outbox_deliver() == {"sent": 1, "failed": 0}
    [message] = mailoutbox
    assert message.to == ["ann@example.com", "bob@example.com"]
    assert message.from_email == "qms@example.com"
    assert message.alternatives == [("<p>Hello</p>", "text/html")]
    row = OutboxEmail.objects.get()
    assert row.sent_at is not None
    assert row.attempts == 1
    assert row.last_error == ""
    assert outbox_deliver() == {"sent": 0, "failed": 0}
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_plain_text_message_has_no_html_part(mailoutbox):
    queue_one(html_body="")
    outbox_deliver()
    assert mailoutbox[0].alternatives == []


@pytest.mark.django_db
def test_a_failing_mail_server_releases_the_claim_and_records_the_error(settings, mailoutbox):
    queue_one()
    settings.EMAIL_BACKEND = FAILING_BACKEND
    assert outbox_deliver() == {"sent": 0, "failed": 1}
    row = OutboxEmail.objects.get()
    assert row.sent_at is None
    assert row.claimed_at is None
    assert row.attempts == 1
    assert "Connection unexpectedly closed" in row.last_error
    # The next run, with the server back, sends it and clears the error.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_deliver() == {"sent": 1, "failed": 0}
    row.refresh_from_db()
    assert (row.attempts, row.last_error, len(mailoutbox)) == (2, "", 1)


@pytest.mark.django_db
def test_a_message_is_given_up_after_the_last_attempt(settings):
    queue_one()
    settings.EMAIL_BACKEND = FAILING_BACKEND
    for _ in range(MAX_ATTEMPTS):
        outbox_deliver()
    assert OutboxEmail.objects.get().attempts == MAX_ATTEMPTS
    assert outbox_deliver() == {"sent": 0, "failed": 0}


@pytest.mark.django_db
def test_the_app_that_queued_a_message_hears_once_when_it_is_given_up(settings):
    from qms.core import outbox

    heard = []
    outbox.on_undeliverable("test-given-up:", heard.append)
    try:
        queue_one("test-given-up:7")
        queue_one("other:8")
        settings.EMAIL_BACKEND = FAILING_BACKEND
        for attempt in range(MAX_ATTEMPTS + 2):
            outbox_deliver()
            assert heard == ([] if attempt < MAX_ATTEMPTS - 1 else ["test-given-up:7"])
    finally:
        outbox._undeliverable_handlers.pop("test-given-up:")


@pytest.mark.django_db
def test_a_fresh_claim_is_left_alone_and_a_stale_one_taken_over(mailoutbox):
    with time_machine.travel(NOW, tick=False):
        row = queue_one()
        OutboxEmail.objects.filter(pk=row.pk).update(claimed_at=timezone.now())
        assert outbox_deliver() == {"sent": 0, "failed": 0}
    with time_machine.travel(NOW + STALE_CLAIM + dt.timedelta(seconds=1), tick=False):
        # The worker that claimed it died: another one sends it.
        assert outbox_deliver() == {"sent": 1, "failed": 0}
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_deliver_stops_at_its_limit(mailoutbox):
    for n in range(3):
        queue_one(f"k{n}")
    assert outbox_deliver(limit=2) == {"sent": 2, "failed": 0}
    assert outbox_deliver(limit=2) == {"sent": 1, "failed": 0}


@pytest.mark.django_db
def test_the_job_sends_batch_after_batch_until_the_outbox_is_empty(mailoutbox):
    for n in range(7):
        queue_one(f"busy:{n}")
    assert outbox_drain(batch=3) == {"sent": 7, "failed": 0, "batches": 3}
    assert len(mailoutbox) == 7
    assert not OutboxEmail.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_job_stops_at_a_failing_batch_and_at_its_time_budget(settings, mailoutbox):
    for n in range(5):
        queue_one(f"slow:{n}")
    # No time left after the first batch: the rest waits for the next run, a minute later.
    assert outbox_drain(batch=2, budget_seconds=0) == {"sent": 2, "failed": 0, "batches": 1}
    settings.EMAIL_BACKEND = FAILING_BACKEND
    assert outbox_drain(batch=2) == {"sent": 0, "failed": 2, "batches": 1}  # not retried in a loop


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_the_same_moment_send_each_message_once(settings, at_once):
    settings.EMAIL_BACKEND = RECORDING_BACKEND
    RecordingBackend.sent = []
    for n in range(40):
        queue_one(f"race:{n}")
    results, errors = at_once(outbox_deliver)
    assert errors == []
    assert sorted(RecordingBackend.sent) == sorted(f"Subject race:{n}" for n in range(40))
    assert sum(result["sent"] for result in results) == 40
    assert not OutboxEmail.objects.filter(sent_at__isnull=True).exists()
    assert set(OutboxEmail.objects.values_list("attempts", flat=True)) == {1}


def test_beat_delivers_the_outbox_every_minute_and_expires_stale_runs(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["deliver-outbox-every-minute"]
    assert entry["task"] == deliver_outbox.name
    assert 0 < entry["options"]["expires"] < entry["schedule"]


@pytest.mark.django_db
def test_the_task_delivers_the_outbox(mailoutbox):
    queue_one()
    assert deliver_outbox.apply().get() == {"sent": 1, "failed": 0, "batches": 1}
    assert len(mailoutbox) == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_the_outbox_from_the_broker(run_in_worker, mailoutbox):
    queue_one("worker:1")
    queue_one("worker:2")
    first, second = run_in_worker(deliver_outbox.s(), deliver_outbox.s())
    assert first == {"sent": 2, "failed": 0, "batches": 1}
    assert second == {"sent": 0, "failed": 0, "batches": 1}
    assert sorted(message.subject for message in mailoutbox) == ["Subject worker:1", "Subject worker:2"]
    assert not OutboxEmail.objects.filter(sent_at__isnull=True).exists()
