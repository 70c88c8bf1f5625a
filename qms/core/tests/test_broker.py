"""The embedded broker writes each message whole before a worker can see it."""

from __future__ import annotations

import os
from pathlib import Path

from kombu import Connection

from qms.celery import app as celery_app
from qms.core import broker


def _channel(folder):
    connection = Connection(
        "filesystem://",
        transport=broker.Transport,
        transport_options={"data_folder_in": str(folder), "data_folder_out": str(folder)},
    )
    return connection, connection.default_channel


def test_the_file_system_broker_is_always_the_atomic_one():
    with celery_app.connection_for_write() as connection:
        transport = connection.get_transport_cls()
    if celery_app.conf.broker_url.startswith("filesystem"):  # the embedded profile
        assert transport is broker.Transport
    else:  # Redis: kombu's own transport
        assert transport.__module__ == "kombu.transport.redis"


def test_a_message_appears_under_its_queue_name_only_when_complete(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def watching_replace(source, target):
        # At the moment of the rename nothing with a message name exists yet, and the file is whole.
        seen.append((sorted(os.listdir(tmp_path)), Path(source).read_bytes()))
        real_replace(source, target)

    monkeypatch.setattr(broker.os, "replace", watching_replace)
    connection, channel = _channel(tmp_path)
    try:
        channel._put("celery", {"body": "x" * 10_000})
        ((listing, content),) = seen
        assert len(listing) == 1 and listing[0].endswith(".celery.msg.part")
        assert content.endswith(b"}") and len(content) > 10_000
        assert channel._get("celery") == {"body": "x" * 10_000}
        assert os.listdir(tmp_path) == []
    finally:
        connection.release()


def test_a_partial_file_is_never_taken_for_a_message(tmp_path):
    connection, channel = _channel(tmp_path)
    try:
        (tmp_path / "1_abc.celery.msg.part").write_bytes(b"")
        channel._put("celery", {"n": 1})
        assert channel._get("celery") == {"n": 1}
        assert os.listdir(tmp_path) == ["1_abc.celery.msg.part"]
    finally:
        connection.release()
