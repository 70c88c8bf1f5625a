"""Exactly one beat scheduler sends jobs: a second one waits, and takes over when the first dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from qms.core.beat import WAITING_MESSAGE, FileLock, PostgresAdvisoryLock, RedisLock

BASE_DIR = Path(__file__).resolve().parents[3]


def test_a_second_file_lock_waits_until_the_first_is_released(tmp_path):
    first, second = FileLock(tmp_path / "beat.lock"), FileLock(tmp_path / "beat.lock")
    assert first.acquire() and first.acquire()  # the holder keeps it
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_advisory_lock_waits_until_the_first_session_ends():
    first, second = PostgresAdvisoryLock(), PostgresAdvisoryLock()
    try:
        assert first.acquire() and first.acquire()
        assert not second.acquire()
        first.release()  # the session ends, and with it the lock
        assert second.acquire()
    finally:
        first.release()
        second.release()


@pytest.mark.postgres
def test_a_second_redis_lock_waits_and_only_the_owner_renews_it(settings):
    url = settings.REDIS_URL.rsplit("/", 1)[0] + "/13"
    first, second = RedisLock(url, seconds=5), RedisLock(url, seconds=5)
    first.client.delete(first.key)
    try:
        assert first.acquire() and first.acquire()
        assert not second.acquire()
        assert first.client.pttl(first.key) > 4000  # renewed on each acquire by its owner
        first.release()
        assert second.acquire()
    finally:
        second.release()
        first.release()


def _database_url(settings_dict) -> str:
    user = settings_dict["USER"] or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def _wait_for(path: Path, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in path.read_text():
            return
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not in {path.name} after {timeout}s:\n{path.read_text()[-3000:]}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_beats_send_each_job_once_and_the_second_takes_over(tmp_path, settings):
    """Two real ``celery beat`` processes on the test database and a private Redis database; a job every
    second. Only the first sends it; killed with SIGKILL, the second takes over within a few seconds."""
    import redis
    from django.db import connection
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    queue = f"beat-probe-{uuid.uuid4().hex[:8]}"
    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="beat-probe", task="qms.tests.beat_probe", interval=every_second, queue=queue)
    broker = settings.REDIS_URL.rsplit("/", 1)[0] + "/13"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "REDIS_URL": broker,
        "PYTHONUNBUFFERED": "1",
        "DB_CONN_MAX_AGE": "0",
    }
    command = [sys.executable, "-m", "celery", "-A", "qms", "beat", "-l", "info"]
    command += ["--scheduler", "qms.core.beat:SingleBeatScheduler", "--pidfile="]
    logs = {name: tmp_path / f"beat-{name}.log" for name in ("first", "second")}
    processes: dict[str, subprocess.Popen] = {}

    def start(name: str) -> None:
        with open(logs[name], "w") as log:
            processes[name] = subprocess.Popen(
                command + ["-s", str(tmp_path / f"schedule-{name}")],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def sent(name: str) -> int:
        return logs[name].read_text().count("Sending due task beat-probe")

    try:
        start("first")
        _wait_for(logs["first"], "Sending due task beat-probe", timeout=30)
        start("second")
        _wait_for(logs["second"], WAITING_MESSAGE, timeout=30)
        before = sent("first")
        deadline = time.monotonic() + 3  # three more sends by the first while the second waits
        while time.monotonic() < deadline:
            time.sleep(0.5)
        assert sent("first") >= before + 2
        assert sent("second") == 0

        processes["first"].send_signal(signal.SIGKILL)
        processes["first"].wait(timeout=10)
        _wait_for(logs["second"], "Sending due task beat-probe", timeout=20)
        assert "Beat lock taken" in logs["second"].read_text()
        # Every send reached the broker, once: the private queue holds one message per logged send.
        published = redis.Redis.from_url(broker).llen(queue)
        assert sent("first") + sent("second") - 1 <= published <= sent("first") + sent("second")
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)
        client = redis.Redis.from_url(broker)
        client.delete(queue, "celery")
