"""A broker that accepts connections but never answers must not hang the caller."""

from __future__ import annotations

import socket
import threading

import pytest
from celery import Celery
from django.conf import settings


@pytest.fixture
def silent_broker():
    """A TCP server on loopback that accepts connections and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    server.close()


def test_publishing_to_a_silent_broker_fails_fast_instead_of_hanging(silent_broker):
    probe = Celery("probe", set_as_current=False)  # shared tasks keep the portal's app in later tests
    probe.conf.update(
        broker_url=silent_broker,
        broker_transport_options=settings.REDIS_BROKER_TRANSPORT_OPTIONS,
        broker_connection_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT,
        task_publish_retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY,
    )
    outcome: dict = {}

    def publish():
        try:
            probe.send_task("qms.audit.tasks.verify_audit_trail")
            outcome["result"] = "published"
        except Exception as exc:  # the point is that it returns at all
            outcome["result"] = type(exc).__name__

    worker = threading.Thread(target=publish, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "publishing hung on a silent broker"
    assert outcome["result"] != "published"
