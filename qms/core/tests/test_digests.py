"""The shared once-a-day digest: claim before sending, release on failure, retry error from the job."""

import datetime as dt

import pytest
from django.core import mail

from qms.actions.models import ActionDigestDelivery
from qms.core.digests import DailyDigest, DigestSendError

DAY = dt.date(2026, 11, 25)


def _digest(owners, items, fail_for=()):
    def message(owner, due, day):
        if owner.username in fail_for:
            raise ConnectionError("mail server down")
        return mail.EmailMessage(f"{len(due)} due", "body", to=[owner.email])

    return DailyDigest(
        label="test",
        delivery_model=ActionDigestDelivery,
        count_field="action_count",
        owners=lambda day: owners,
        items=lambda owner, day: items.get(owner.username, []),
        message=message,
    )


@pytest.fixture
def people(django_user_model):
    return [
        django_user_model.objects.create_user("ann", email="ann@example.com"),
        django_user_model.objects.create_user("bob", email="bob@example.com"),
        django_user_model.objects.create_user("cy", email=""),
    ]


def test_each_owner_with_something_due_gets_one_message_a_day(people):
    digest = _digest(people, {"ann": [1, 2], "bob": [3], "cy": [4]})
    assert digest.send_all(day=DAY) == {"owners": 3, "sent": 2, "already_sent": 0, "failed": 0, "no_email": 1}
    assert digest.send_all(day=DAY) == {"owners": 3, "sent": 0, "already_sent": 2, "failed": 0, "no_email": 1}
    assert sorted(message.to[0] for message in mail.outbox) == ["ann@example.com", "bob@example.com"]
    assert ActionDigestDelivery.objects.get(user=people[0]).action_count == 2


def test_nothing_due_claims_nothing(people):
    assert _digest(people, {}).send_one(owner=people[0], day=DAY) is False
    assert not ActionDigestDelivery.objects.exists()


def test_a_failed_send_releases_its_claim_and_the_job_raises_for_a_retry(people):
    failing = _digest(people, {"ann": [1], "bob": [2]}, fail_for={"ann"})
    with pytest.raises(DigestSendError):
        failing.run_job(DAY.isoformat())
    assert list(ActionDigestDelivery.objects.values_list("user__username", flat=True)) == ["bob"]
    retry = _digest(people, {"ann": [1], "bob": [2]})
    assert retry.run_job(DAY.isoformat())["sent"] == 1
    assert sorted(message.to[0] for message in mail.outbox) == ["ann@example.com", "bob@example.com"]
