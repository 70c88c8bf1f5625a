"""A per-client-address limit for the public pages, counted in the shared cache (Redis in production).

Fixed windows: the counter for a window is created with the window's lifetime and incremented
atomically (``cache.incr`` is atomic on Redis and locked in the local-memory cache), so parallel
requests from one address cannot all slip under the limit.

When the cache fails (Redis down, or accepting connections and never answering) the limit fails open:
a customer's complaint matters more than a limit, so the attempt is allowed and a warning logged. After
a failure the cache is not asked again for ``CACHE_RETRY_AFTER`` seconds, so only one request in that
time waits for the cache's socket timeout.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from qms.core import clients
from qms.core.clients import CACHE_RETRY_AFTER, cache_health

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 60 * 60 * 24}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*([smhd])[a-z]*\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


@dataclass(frozen=True)
class LimitResult:
    allowed: bool
    retry_at: dt.datetime  # when the current window ends and the address may try again

    @property
    def retry_after_seconds(self) -> int:
        return max(1, int((self.retry_at - timezone.now()).total_seconds() + 0.999))


def parse_rate(text: str) -> Rate:
    """``"5/h"`` → 5 per hour; periods s, m (or min), h, d. Refuses anything else, naming the setting."""
    match = _RATE.match(text or "")
    if not match or int(match.group(1)) < 1:
        raise ImproperlyConfigured(f"FEEDBACK_PUBLIC_RATE must look like '10/h' (count/s, m, h or d), not {text!r}.")
    return Rate(int(match.group(1)), PERIODS[match.group(2).lower()])


def public_rate() -> Rate:
    return parse_rate(getattr(settings, "FEEDBACK_PUBLIC_RATE", "10/h"))


def client_address(request) -> str:
    """The address the limit counts (see ``qms.core.clients.client_address``); "unknown" when there is none."""
    return clients.client_address(request) or "unknown"


def hit(request, scope: str, rate: Rate | None = None) -> LimitResult:
    """Count one attempt at ``scope`` from the request's address; allowed while within the rate.

    Allowed, with a logged warning, when the cache cannot be reached (see the module's docstring).
    """
    rate = rate or public_rate()
    now = time.time()
    window = int(now // rate.seconds)
    window_end = (window + 1) * rate.seconds
    retry_at = dt.datetime.fromtimestamp(window_end, tz=dt.UTC)
    if not cache_health.available():
        return LimitResult(allowed=True, retry_at=retry_at)
    try:
        count = _count(request, scope, rate, now, window, window_end)
    except Exception as exc:  # noqa: BLE001 - any cache failure: fail open rather than refuse the customer
        cache_health.failed()
        logger.warning(
            "Rate limit %s not counted: the cache failed (%s: %s); allowing requests for %ss.",
            scope,
            type(exc).__name__,
            exc,
            int(CACHE_RETRY_AFTER),
        )
        return LimitResult(allowed=True, retry_at=retry_at)
    return LimitResult(allowed=count <= rate.count, retry_at=retry_at)


def _count(request, scope: str, rate: Rate, now: float, window: int, window_end: float) -> int:
    # Hashed: the cache holds no client addresses in clear.
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    key = f"feedback-public-rate:{scope}:{rate.seconds}:{address}:{window}"
    lifetime = int(window_end - now) + 1
    cache.add(key, 0, timeout=lifetime)
    try:
        count = cache.incr(key)
    except ValueError:  # the window's counter expired between add and incr
        cache.set(key, 1, timeout=lifetime)
        count = 1
    return count
