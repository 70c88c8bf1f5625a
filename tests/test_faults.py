"""Redis stalled or down: every form still answers within 3 s, and the work waits in the database.

Broker and cache are pointed at a loopback server that accepts connections and never answers (the
"stalled" case) or at a port where nothing listens (the "down" case). Each form must answer as it
normally does, quickly, with its records written and the work that needs the broker written as rows
(the e-mail outbox, the queued export) that a job relays once Redis is back.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import ContactFactory
from feedback import ratelimit
from feedback.models import FeedbackItem, SurveyResponse
from feedback.tests.test_survey_delivery import good_answers, sent_campaign
from qms.core.models import OutboxEmail
from qms.evidence.models import EvidenceExport
from tests.fault_helpers import stalled_redis, stopped_redis

# Redis matters here only on the PostgreSQL + Redis profile (the embedded one has no Redis to lose).
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BASE_DIR = Path(__file__).resolve().parents[1]
BOUND = 3.0  # seconds a form may take while Redis is broken
BROKEN = {"stalled": stalled_redis, "down": stopped_redis}


def _drop_broker_pools(celery_app) -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def warm_process():
    """Import every view (and what they import: WeasyPrint takes seconds) as a running server has done;
    the first request of a fresh test process would otherwise measure imports, not Redis."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - evaluating the property imports every urls module and view
    import qms.evidence.pack  # noqa: F401


@pytest.fixture(params=sorted(BROKEN))
def broken_redis(request, settings, warm_process):
    """Broker and cache both at a broken Redis for the test; yields which way it is broken."""
    from qms.celery import app as celery_app

    with BROKEN[request.param]() as url:
        # The settings fixture sends setting_changed; Django's test signal handler then drops the
        # cache connections, so ``django.core.cache.cache`` is rebuilt from the new CACHES.
        settings.CACHES = {
            "default": {**django_settings.CACHES["default"], "BACKEND": "django.core.cache.backends.redis.RedisCache"}
            | {"LOCATION": url, "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2}}
        }
        original = (celery_app.conf.broker_url, celery_app.conf.broker_transport_options)
        celery_app.conf.broker_url = url
        celery_app.conf.broker_transport_options = django_settings.REDIS_BROKER_TRANSPORT_OPTIONS
        _drop_broker_pools(celery_app)
        ratelimit.cache_health.reset()
        try:
            yield request.param
        finally:
            celery_app.conf.broker_url, celery_app.conf.broker_transport_options = original
            _drop_broker_pools(celery_app)
            ratelimit.cache_health.reset()


def test_signing_in_works_without_the_throttle(staff, broken_redis, client):
    # The sign-in throttle counts in the cache; with the cache broken it steps aside (logged), it does
    # not break or hold up signing in.
    wrong, took = timed(lambda: client.post(reverse("accounts:login"), {"username": "staff", "password": "nope"}))
    assert wrong.status_code == 200 and "username and password" in wrong.content.decode().lower()
    assert took < BOUND, f"{took:.2f}s with Redis {broken_redis}"
    right, took = timed(lambda: client.post(reverse("accounts:login"), {"username": "staff", "password": "pw-staff"}))
    assert right.status_code == 302 and took < 1.0
    assert client.get(reverse("home")).context["user"] == staff


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_the_public_complaint_form_records_the_complaint_and_its_receipt(broken_redis, client):
    data = {
        "kind": "complaint",
        "submitter_name": "Ada Customer",
        "submitter_email": "ada@example.org",
        "product": "Order 4711",
        "summary": "Parcel arrived damaged",
        "description": "The box was crushed.",
        "website": "",
    }
    response, took = timed(lambda: client.post(reverse("feedback_public:submit"), data))
    assert response.status_code == 302 and response["Location"] == reverse("feedback_public:thanks")
    assert took < BOUND, f"{took:.2f}s with Redis {broken_redis}"
    item = FeedbackItem.objects.get(summary="Parcel arrived damaged")
    receipt = OutboxEmail.objects.get(key=f"feedback-receipt:{item.pk}")
    assert receipt.sent_at is None and receipt.to == "ada@example.org"  # the outbox job sends it later
    # A second customer right after: the rate limit no longer waits for the cache at all.
    again, took = timed(lambda: client.post(reverse("feedback_public:submit"), {**data, "summary": "Second"}))
    assert again.status_code == 302 and took < 1.0


def test_a_survey_answer_is_recorded(broken_redis, client):
    invitation = sent_campaign([ContactFactory(email="robin@example.com")]).invitations.get()
    answers = {f"q{pk}": value for pk, value in good_answers(invitation.campaign.template).items()}
    response, took = timed(lambda: client.post(reverse("survey_public:respond", args=[invitation.token]), answers))
    assert response.status_code == 302
    assert response["Location"] == reverse("survey_public:thanks", args=[invitation.token])
    assert took < BOUND, f"{took:.2f}s with Redis {broken_redis}"
    assert SurveyResponse.objects.get(invitation=invitation).nps_score == 9


# Signed in while Redis still works: tests list these before ``broken_redis``, which pytest then sets up
# after them. (Signing in while the cache is down is the sign-in throttle's concern, not these forms'.)
@pytest.fixture
def staff_client(staff, client_for):
    return client_for(staff)


@pytest.fixture
def quality_client(quality, client_for):
    return client_for(quality)


def test_a_complaint_logged_by_staff_is_recorded(staff, staff_client, broken_redis, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = staff_client
    data = {
        "kind": "complaint",
        "channel": "phone",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "submitter_name": "Jo Caller",
        "submitter_email": "jo@example.org",
        "summary": "Seal broken on arrival",
        "description": "Two boxes had broken seals.",
    }
    response, took = timed(lambda: client.post(reverse("feedback:item_create"), data))
    item = FeedbackItem.objects.get(summary="Seal broken on arrival")
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert took < BOUND, f"{took:.2f}s with Redis {broken_redis}"
    assert item.logged_by == staff


def test_an_evidence_export_is_queued_and_relayed_once_redis_is_back(
    quality_client, broken_redis, settings, tmp_path, django_capture_on_commit_callbacks
):
    import redis

    from qms.celery import app as celery_app
    from qms.evidence.services import REPUBLISH_AFTER, exports_relay_waiting

    settings.MEDIA_ROOT = tmp_path
    client = quality_client
    form = {"period_start": "2026-01-01", "period_end": "2026-06-30", "clauses": ["6.1", "9.1.2"]}

    def request_export():
        # The task is published after commit: the callbacks run inside the timed block.
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("evidence:export_list"), form)

    response, took = timed(request_export)
    export = EvidenceExport.objects.get()
    assert response.status_code == 302 and response["Location"] == export.get_absolute_url()
    assert took < BOUND, f"{took:.2f}s with Redis {broken_redis}"
    assert export.status == "queued"

    later = timezone.now() + REPUBLISH_AFTER + dt.timedelta(seconds=1)
    # Still broken: the relay job publishes nothing and loses nothing.
    assert exports_relay_waiting(now=later)["republished"] == 0
    assert EvidenceExport.objects.get().status == "queued"

    # Redis is back (a private database number, so no other test's worker takes the message).
    back = django_settings.REDIS_URL.rsplit("/", 1)[0] + "/13"
    celery_app.conf.broker_url = back
    _drop_broker_pools(celery_app)
    queue = redis.Redis.from_url(back)
    queue.delete("celery")
    try:
        assert exports_relay_waiting(now=later)["republished"] == 1
        published = [json.loads(message) for message in queue.lrange("celery", 0, -1)]
        assert [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in published] == [
            ("evidence.tasks.build_evidence_pack", [export.pk])
        ]
    finally:
        queue.delete("celery")


# A worker killed in the middle of a batch of e-mails ------------------------------------------------


def _database_url(settings_dict) -> str:
    user = settings_dict["USER"] or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"


def _wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout}s: {what}")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_every_email_sent_exactly_once(settings, tmp_path):
    """A real worker (``celery worker --pool=solo``, a subprocess) sends 50 outbox e-mails to a slow SMTP
    server and is killed with SIGKILL while the server is receiving the 20th; a new worker then sends the
    rest. Every message reaches the server once.

    What this relies on: each message is claimed (conditional UPDATE) before it is sent and marked sent
    right after the server accepts it; a claim left by a dead worker is taken again only after
    ``STALE_CLAIM``. The one window left: a kill after the server answered ``250`` to a message and before
    the worker's ``UPDATE ... sent_at`` commits (a few milliseconds per message). A message caught there is
    sent a second time after ``STALE_CLAIM``; no design can close it without the mail server taking an
    idempotency key. This test kills the worker before the server accepts, the case that must hold.
    """
    import redis
    from celery import Celery
    from django.db import connection

    from qms.core.outbox import STALE_CLAIM, outbox_queue
    from tests.fault_helpers import RecordingSmtpServer

    for number in range(1, 51):
        outbox_queue(
            key=f"fault-test:{number}", to=[f"c{number}@example.com"], subject=f"fault-test:{number}", body="."
        )
    queue = f"fault-outbox-{uuid.uuid4().hex[:8]}"
    broker = django_settings.REDIS_URL.rsplit("/", 1)[0] + "/13"  # private: no other test's worker
    workers: list[subprocess.Popen] = []

    def kill_at_twentieth(subject: str) -> bool:
        if subject != "fault-test:20" or len(workers) > 1:
            return True
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(timeout=10)
        return False

    with RecordingSmtpServer(delay=0.05, before_accept=kill_at_twentieth) as smtp:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(connection.settings_dict),
            "REDIS_URL": broker,
            "EMAIL_URL": smtp.url,
            "PYTHONUNBUFFERED": "1",
            "DB_CONN_MAX_AGE": "0",
        }
        command = [sys.executable, "-m", "celery", "-A", "qms", "worker", "--pool=solo", "-Q", queue, "-l", "info"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"{queue}@%h"]
        # Not the current app: shared tasks must keep publishing through the portal's app in later tests.
        publisher = Celery("fault-test", broker=broker, set_as_current=False)

        def start_worker_and_deliver(name: str) -> None:
            with open(tmp_path / f"{name}.log", "w") as log:
                workers.append(
                    subprocess.Popen(
                        command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
                    )
                )
            # What beat does every minute.
            publisher.send_task("qms.core.tasks.deliver_outbox", queue=queue)

        try:
            start_worker_and_deliver("first")
            _wait_until(lambda: workers[0].poll() is not None, 60, "the first worker killed at the 20th e-mail")
            assert sorted(smtp.accepted, key=lambda s: int(s.split(":")[1])) == [
                f"fault-test:{n}" for n in range(1, 20)
            ]
            unsent = OutboxEmail.objects.filter(sent_at__isnull=True)
            assert unsent.count() == 31 and unsent.filter(claimed_at__isnull=False).count() == 1

            # Stands for the time passing: the dead worker's claim becomes stale after STALE_CLAIM.
            unsent.filter(claimed_at__isnull=False).update(
                claimed_at=timezone.now() - STALE_CLAIM - dt.timedelta(minutes=1)
            )
            start_worker_and_deliver("second")
            _wait_until(lambda: not OutboxEmail.objects.filter(sent_at__isnull=True).exists(), 90, "all 50 sent")
        finally:
            for worker in workers:
                if worker.poll() is None:
                    os.killpg(worker.pid, signal.SIGTERM)
                    worker.wait(timeout=30)
            redis.Redis.from_url(broker).delete(queue, "unacked", "unacked_index", "unacked_mutex")

    delivered = Counter(smtp.accepted)
    assert set(delivered) == {f"fault-test:{n}" for n in range(1, 51)}
    assert [subject for subject, times in delivered.items() if times > 1] == []
