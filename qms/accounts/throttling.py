"""Failed sign-ins counted per username and per client address in the shared cache (Redis in production).

Every path that checks a password goes through ``django.contrib.auth.authenticate``: the sign-in form,
the admin's sign-in and the API token endpoint. Its ``user_login_failed`` signal counts the failure;
``ThrottledModelBackend`` refuses every attempt, right password or not, while either counter is over its
limit, so a locked account cannot be guessed through another door. Only failures count: a successful
sign-in (or ``force_login`` in tests) costs nothing, and it clears its username's counter.

Fixed windows, as in ``feedback/ratelimit.py``: the first failure starts a window of
``LOGIN_FAILURE_WINDOW_SECONDS``; the counter is created with the window's lifetime and incremented
atomically (``cache.incr`` is atomic on Redis), so parallel guesses cannot all slip under the limit.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from qms.core import clients
from qms.core.clients import cache_health

_PREFIX = "login-failures"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lockout:
    """Why sign-in is refused and for how long."""

    scope: str  # "username" or "address"
    retry_after_seconds: int

    @property
    def retry_after_minutes(self) -> int:
        return max(1, math.ceil(self.retry_after_seconds / 60))


def _window_seconds() -> int:
    return int(getattr(settings, "LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60))


def _limits() -> dict[str, int]:
    return {
        "username": int(getattr(settings, "LOGIN_FAILURE_LIMIT_PER_USERNAME", 5)),
        "address": int(getattr(settings, "LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20)),
    }


def client_address(request) -> str:
    """The address failures are counted against: the same rule as the public forms' rate limit."""
    return clients.client_address(request)


def _digest(value: str) -> str:
    # Hashed: the cache holds no usernames or addresses in clear, and any text makes a valid key.
    return hashlib.sha256(value.encode()).hexdigest()[:40]


def _keys(scope: str, value: str) -> tuple[str, str]:
    base = f"{_PREFIX}:{scope}:{_digest(value)}"
    return f"{base}:count", f"{base}:started"


def _subjects(username: str | None, address: str) -> list[tuple[str, str]]:
    subjects = []
    if username:
        subjects.append(("username", username.strip().casefold()))
    if address:
        subjects.append(("address", address))
    return subjects


def _fail_open(default):
    """Run a cache-backed throttle step; on a cache error log it, skip the throttle and return ``default``.
    After a failure the cache is not asked for a while (``qms.core.clients.cache_health``), so sign-in is
    never held up by a stalled Redis more than once."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if not cache_health.available():
                return default
            try:
                return func(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - any cache failure: sign-in must still work
                cache_health.failed()
                logger.warning("Sign-in throttling skipped: the cache failed (%s: %s).", type(exc).__name__, exc)
                return default

        return wrapper

    return decorate


@_fail_open(None)
def record_failure(username: str | None, address: str) -> None:
    """Count one failed sign-in against the username and against the address."""
    window = _window_seconds()
    now = time.time()
    for scope, value in _subjects(username, address):
        count_key, started_key = _keys(scope, value)
        # add() only writes when absent: the first failure of a window fixes its start.
        cache.add(started_key, now, timeout=window)
        started = cache.get(started_key, now)
        if started + window <= now:  # outlived its window (a clock step): start a fresh one
            cache.delete(count_key)
            cache.set(started_key, now, timeout=window)
            started = now
        lifetime = max(1, int(started + window - now) + 1)
        cache.add(count_key, 0, timeout=lifetime)
        try:
            cache.incr(count_key)
        except ValueError:  # the window's counter expired between add and incr
            cache.set(count_key, 1, timeout=lifetime)


@_fail_open(None)
def lockout(username: str | None, address: str) -> Lockout | None:
    """The lockout in force for this username or address, if either has reached its failure limit."""
    limits = _limits()
    window = _window_seconds()
    now = time.time()
    for scope, value in _subjects(username, address):
        count_key, started_key = _keys(scope, value)
        values = cache.get_many([count_key, started_key])
        started = values.get(started_key, now)
        if values.get(count_key, 0) >= limits[scope] and started + window > now:
            return Lockout(scope=scope, retry_after_seconds=max(1, math.ceil(started + window - now)))
    return None


@_fail_open(None)
def clear_username(username: str | None) -> None:
    """Forget the username's failures (after it signed in); the address's count stays."""
    if username:
        cache.delete_many(_keys("username", username.strip().casefold()))


def request_lockout(request, username: str | None) -> Lockout | None:
    return lockout(username, client_address(request))


# Signal receivers, connected in AccountsConfig.ready ------------------------------------------------


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = credentials.get(_username_field()) or credentials.get("username")
    address = client_address(request)
    # An attempt refused because of a lock in force is not counted again: a colleague signing in from
    # an address locked by a guesser must not lock their own username as well.
    if lockout(username, address) is not None:
        return
    record_failure(username, address)
    if lock := lockout(username, address):
        logger.warning(
            "Sign-in locked for %s s after repeated failures (by %s; address %s).",
            lock.retry_after_seconds,
            lock.scope,
            address or "unknown",
        )


def on_logged_in(sender, request, user, **kwargs) -> None:
    clear_username(user.get_username())


def _username_field() -> str:
    from django.contrib.auth import get_user_model

    return get_user_model().USERNAME_FIELD


class ThrottledModelBackend(ModelBackend):
    """Django's backend, refusing any password while the username or the address is locked out.

    Returning None makes ``authenticate`` fail (and send ``user_login_failed``) without hashing the
    password, so a locked-out attacker also costs the server nothing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        name = username if username is not None else kwargs.get(_username_field())
        if lockout(name, client_address(request)) is not None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
