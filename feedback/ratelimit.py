"""A per-client-address limit for the public pages, counted in the shared cache (Redis in production).

Fixed windows: the counter for a window is created with the window's lifetime and incremented
atomically (``cache.incr`` is atomic on Redis and locked in the local-memory cache), so parallel
requests from one address cannot all slip under the limit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

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
    """REMOTE_ADDR; the proxy's X-Forwarded-For only when the settings say a trusted proxy sets it.

    With a trusted proxy the last address in the header is the one it added (anything before it is
    whatever the client chose to send).
    """
    if getattr(settings, "FEEDBACK_TRUST_X_FORWARDED_FOR", False):
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def hit(request, scope: str, rate: Rate | None = None) -> LimitResult:
    """Count one attempt at ``scope`` from the request's address; allowed while within the rate."""
    rate = rate or public_rate()
    now = time.time()
    window = int(now // rate.seconds)
    window_end = (window + 1) * rate.seconds
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
    return LimitResult(allowed=count <= rate.count, retry_at=dt.datetime.fromtimestamp(window_end, tz=dt.UTC))
