"""Who is asking, and whether the shared cache can be asked: what the public forms' rate limits and the
sign-in throttle both need."""

from __future__ import annotations

import threading
import time

from django.conf import settings

# After the cache (Redis) fails, it is not asked again for this many seconds: only one request in that
# time waits for its timeout; the limits step aside (fail open) meanwhile.
CACHE_RETRY_AFTER = 30.0


def client_address(request) -> str:
    """REMOTE_ADDR; the proxy's X-Forwarded-For only when the settings say a trusted proxy sets it
    (``FEEDBACK_TRUST_X_FORWARDED_FOR``). With a trusted proxy the last address in the header is the one it
    added; anything before it is whatever the client chose to send. Empty when unknown."""
    if request is None:
        return ""
    if getattr(settings, "FEEDBACK_TRUST_X_FORWARDED_FOR", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "") or ""


class CacheHealth:
    """Whether the cache failed a moment ago (per process); not asked until ``CACHE_RETRY_AFTER`` passes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down_until = 0.0

    def available(self) -> bool:
        with self._lock:
            return time.monotonic() >= self._down_until

    def failed(self) -> None:
        with self._lock:
            self._down_until = time.monotonic() + CACHE_RETRY_AFTER

    def reset(self) -> None:
        with self._lock:
            self._down_until = 0.0


cache_health = CacheHealth()
