"""One beat scheduler at a time: a second ``celery beat`` started by mistake waits instead of doubling jobs.

``SingleBeatScheduler`` is django-celery-beat's ``DatabaseScheduler`` that schedules only while it holds
a lock:

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection of its own; the
  server releases it the moment that connection ends, however the process died.
- otherwise, with Redis: a key set with ``NX`` and an expiry, renewed on every tick by its owner only.
- the embedded profile (SQLite, no Redis): ``fcntl.flock`` on ``VAR_DIR/beat.lock``, released by the
  kernel when the process ends.

A scheduler that takes over re-reads the schedule from the database (when each entry last ran), and the
holder writes each entry's last run straight after sending it, so the new holder does not send again
what the old one sent.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import socket
import uuid
import zlib
from pathlib import Path

from django.conf import settings
from django.db import connections
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

LOCK_NAME = "qms-celery-beat"
# A waiting scheduler asks for the lock this often; a Redis lock lives this long without renewal.
RETRY_SECONDS = 5.0
REDIS_LOCK_SECONDS = 60
WAITING_MESSAGE = "another beat scheduler is running; waiting"


class PostgresAdvisoryLock:
    """A session-level advisory lock held on a dedicated database connection."""

    key = zlib.crc32(LOCK_NAME.encode())

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self._connection = None

    def acquire(self) -> bool:
        """True while this process holds the lock (taking it if it is free)."""
        if self._connection is not None:
            try:
                with self._connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
                return True
            except Exception:  # noqa: BLE001 - the connection (and with it the lock) is gone
                logger.warning("The beat lock's database connection was lost; trying to take the lock again.")
                self.release()
        connection = connections.create_connection(self.alias)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [self.key])
                held = bool(cursor.fetchone()[0])
        except Exception:  # noqa: BLE001 - database away: not holding the lock
            logger.warning("Could not ask PostgreSQL for the beat lock.", exc_info=True)
            held = False
        if held:
            self._connection = connection
        else:
            connection.close()
        return held

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()  # ending the session releases the lock
            self._connection = None


class RedisLock:
    """A key with an expiry, set only if absent and renewed only by the owner's token."""

    _renew = (
        "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
    )
    _release = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"

    def __init__(self, url: str, seconds: int = REDIS_LOCK_SECONDS) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.key = f"{LOCK_NAME}:lock"
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        self.milliseconds = seconds * 1000
        self.held = False

    def acquire(self) -> bool:
        try:
            if self.held and self.client.eval(self._renew, 1, self.key, self.token, self.milliseconds):
                return True
            self.held = bool(self.client.set(self.key, self.token, nx=True, px=self.milliseconds))
        except Exception:  # noqa: BLE001 - Redis away: not holding the lock (the key expires anyway)
            logger.warning("Could not reach Redis for the beat lock.", exc_info=True)
            self.held = False
        return self.held

    def release(self) -> None:
        with contextlib.suppress(Exception):
            self.client.eval(self._release, 1, self.key, self.token)
        self.held = False


class FileLock:
    """``fcntl.flock`` on a file; the kernel drops it when the process ends."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._file = None

    def acquire(self) -> bool:
        if self._file is not None:
            return True
        handle = open(self.path, "a+")  # noqa: SIM115 - kept open while the lock is held
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{socket.gethostname()} {os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def beat_lock():
    """The lock that fits the configured database and broker."""
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return PostgresAdvisoryLock()
    redis_url = getattr(settings, "REDIS_URL", "")
    if redis_url:
        return RedisLock(redis_url)
    return FileLock(Path(settings.VAR_DIR) / "beat.lock")


class SingleBeatScheduler(DatabaseScheduler):
    """``DatabaseScheduler`` that sends nothing unless it holds the one beat lock (see the module)."""

    # Write each entry's last run as soon as it is sent, so a scheduler taking over knows of it.
    sync_every_tasks = 1

    def __init__(self, *args, **kwargs) -> None:
        self.lock = beat_lock()
        self._holding = False
        self._told_waiting = False
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs) -> float:
        if not self.lock.acquire():
            if self._holding:
                logger.warning("The beat lock was lost; %s", WAITING_MESSAGE)
            elif not self._told_waiting:
                logger.warning(WAITING_MESSAGE)
            self._holding = False
            self._told_waiting = True
            return RETRY_SECONDS
        if not self._holding:
            logger.info("Beat lock taken (%s); scheduling.", type(self.lock).__name__)
            self._holding = True
            self._told_waiting = False
            # What the schedule looked like when this process started may be stale: another
            # scheduler may have sent entries since. Read it again from the database.
            self._initial_read = True
            self._heap = None
        interval = super().tick(*args, **kwargs)
        # A Redis lock must be renewed well before it expires.
        return min(interval, REDIS_LOCK_SECONDS / 3)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.lock.release()
