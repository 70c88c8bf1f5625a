"""The daily digest of due requirements: one e-mail per owner per day, whatever runs it how often."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import OperationalError, connection

from requirements.emails import DigestSendError, digest_send
from requirements.models import DigestDelivery
from requirements.tasks import send_due_requirement_digests
from requirements.tests.factories import EvaluationFactory, RequirementFactory, UserFactory

DAY = dt.date(2026, 11, 25)


def days(n: int) -> dt.date:
    return DAY + dt.timedelta(days=n)


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that refuses every message, as a real one may."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def register(db):
    """Ann owns two due requirements and one not due; Bob owns one whose evaluation is due; Cat nothing due."""
    ann, bob, cat = (UserFactory(username=name) for name in ("ann", "bob", "cat"))
    RequirementFactory(owner=ann, reference="REQ-0001", title="Certificates", next_review_date=days(-3))
    RequirementFactory(owner=ann, reference="REQ-0002", title="Labelling", next_review_date=days(10))
    RequirementFactory(owner=ann, reference="REQ-0003", title="Packaging", next_review_date=days(90))
    evaluated = RequirementFactory(owner=bob, reference="REQ-0004", title="REACH", next_review_date=days(200))
    EvaluationFactory(requirement=evaluated, evaluated_on=days(-360), next_due_date=days(5))
    RequirementFactory(owner=cat, reference="REQ-0005", title="Colour", next_review_date=days(60))
    return {"ann": ann, "bob": bob, "cat": cat}


def run(day: dt.date = DAY) -> dict:
    return send_due_requirement_digests.apply(args=[day.isoformat()]).get()


def outbox_by_recipient() -> dict[str, mail.EmailMessage]:
    return {message.to[0]: message for message in mail.outbox}


@pytest.mark.django_db
def test_each_owner_with_something_due_gets_one_digest(register):
    counts = run()
    assert counts == {"owners": 2, "sent": 2, "already_sent": 0, "failed": 0, "no_email": 0}
    assert sorted(outbox_by_recipient()) == ["ann@example.com", "bob@example.com"]


@pytest.mark.django_db
def test_digest_lists_the_owners_due_requirements_with_what_is_due_and_a_link(register, settings):
    settings.QMS_PORTAL_URL = "https://qms.example.com"
    run()
    ann = outbox_by_recipient()["ann@example.com"]
    assert ann.subject == "2 requirement reviews or evaluations due (1 overdue): digest of 25 Nov 2026"
    assert "REQ-0001 Certificates\n  Review OVERDUE since 2026-11-22" in ann.body
    assert "REQ-0002 Labelling\n  Review due on 2026-12-05" in ann.body
    assert "REQ-0003" not in ann.body
    assert "REQ-0004" not in ann.body
    requirement_url = register["ann"].owned_requirements.get(reference="REQ-0001").get_absolute_url()
    assert f"https://qms.example.com{requirement_url}" in ann.body
    [(html, mimetype)] = ann.alternatives
    assert mimetype == "text/html"
    assert f'<a href="https://qms.example.com{requirement_url}">REQ-0001</a>' in html


@pytest.mark.django_db
def test_digest_says_when_the_evaluation_is_due(register):
    run()
    bob = outbox_by_recipient()["bob@example.com"]
    assert "REQ-0004 REACH\n  Evaluation due on 2026-11-30" in bob.body
    assert bob.subject.startswith("1 requirement review or evaluation due:")


@pytest.mark.django_db
def test_review_and_evaluation_both_due_are_two_lines_of_one_requirement():
    owner = UserFactory(username="eve")
    requirement = RequirementFactory(owner=owner, reference="REQ-0009", title="Both", next_review_date=days(2))
    EvaluationFactory(requirement=requirement, evaluated_on=days(-300), next_due_date=days(-1))
    run()
    [message] = mail.outbox
    assert message.body.index("Evaluation OVERDUE since 2026-11-24") < message.body.index("Review due on 2026-11-27")
    assert DigestDelivery.objects.get(user=owner).requirement_count == 1


@pytest.mark.django_db
def test_sent_digests_are_recorded_per_person_and_day(register):
    run()
    assert sorted(DigestDelivery.objects.values_list("user__username", "day", "requirement_count")) == [
        ("ann", DAY, 2),
        ("bob", DAY, 1),
    ]
    assert not DigestDelivery.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_running_twice_the_same_day_sends_nothing_more(register):
    run()
    counts = run()
    assert counts["sent"] == 0
    assert counts["already_sent"] == 2
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_the_next_day_sends_again(register):
    run()
    run(days(1))
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_owner_with_nothing_due_gets_nothing(register):
    run()
    assert "cat@example.com" not in outbox_by_recipient()
    assert not DigestDelivery.objects.filter(user=register["cat"]).exists()


@pytest.mark.django_db
def test_inactive_owner_is_skipped(register):
    register["ann"].is_active = False
    register["ann"].save()
    counts = run()
    assert sorted(outbox_by_recipient()) == ["bob@example.com"]
    assert counts["owners"] == 1


@pytest.mark.parametrize("status", ["draft", "retired", "superseded"])
@pytest.mark.django_db
def test_requirements_not_live_are_not_in_the_digest(status):
    RequirementFactory(owner=UserFactory(username="dan"), status=status, next_review_date=days(-1))
    assert run()["owners"] == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_owner_without_an_email_address_is_counted_and_nothing_is_claimed():
    owner = UserFactory(username="noemail", email="")
    RequirementFactory(owner=owner, next_review_date=days(1))
    assert run()["no_email"] == 1
    assert mail.outbox == []
    assert not DigestDelivery.objects.exists()


@pytest.mark.django_db
def test_a_digest_claimed_by_another_worker_is_not_sent_again(register):
    DigestDelivery.objects.create(user=register["ann"], day=DAY)  # claimed, being sent elsewhere
    counts = run()
    assert (counts["sent"], counts["already_sent"]) == (1, 1)
    assert sorted(outbox_by_recipient()) == ["bob@example.com"]


@pytest.mark.django_db
def test_a_failed_send_leaves_no_claim_and_the_retry_sends(register, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with pytest.raises(smtplib.SMTPException):
        digest_send(owner=register["ann"], day=DAY)
    assert not DigestDelivery.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digest_send(owner=register["ann"], day=DAY) is True
    assert [message.to for message in mail.outbox] == [["ann@example.com"]]
    assert DigestDelivery.objects.get().sent_at is not None


@pytest.mark.django_db
def test_the_job_fails_for_a_retry_when_a_send_failed_and_keeps_no_claim(register, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    result = send_due_requirement_digests.apply(args=[DAY.isoformat()])
    assert result.failed()
    assert not DigestDelivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_digest_per_owner(register, at_once):
    results, errors = at_once(lambda: send_due_requirement_digests(DAY.isoformat()))
    if connection.vendor == "sqlite":
        # The in-memory test database of SQLite answers "table is locked" at once instead of waiting, as
        # the file database does: a worker may then fail and the job is retried, as it would be.
        assert all(isinstance(error, DigestSendError | OperationalError) for error in errors)
        send_due_requirement_digests(DAY.isoformat())
    else:
        assert errors == []
        assert sum(result["sent"] for result in results) == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["ann@example.com", "bob@example.com"]
    assert DigestDelivery.objects.count() == 2


def test_beat_sends_the_digests_daily_and_expires_stale_runs():
    entry = settings.CELERY_BEAT_SCHEDULE["send-due-requirement-digests-daily"]
    assert entry["task"] == send_due_requirement_digests.name
    assert entry["schedule"] == 86400
    assert 0 < entry["options"]["expires"] < entry["schedule"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_sends_the_digests_from_the_broker(register, run_in_worker):
    first, second = run_in_worker(
        send_due_requirement_digests.s(DAY.isoformat()), send_due_requirement_digests.s(DAY.isoformat())
    )
    assert (first["sent"], second["already_sent"]) == (2, 2)
    assert sorted(message.to[0] for message in mail.outbox) == ["ann@example.com", "bob@example.com"]
