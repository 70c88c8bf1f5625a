"""Roll-ups: figures over whole registers, counted by a job and read by pages from one row.

A page that counts two million complaints on every view is slow for everyone. A domain app registers a
function computing its figures as JSON (``@rollup("feedback.pareto")``); the ``refresh_rollups`` job stores
each one every ``ROLLUP_REFRESH_SECONDS``; a page calls ``read(key)`` and shows when the figures were
counted (``core/_rollup_age.html``). When the job has not run for ``ROLLUP_MAX_AGE`` seconds (a stopped
beat, a fresh install) the page counts them itself, so the figures are never older than that.
Roll-ups are only for figures everyone who sees them may see whole (overseeing roles): anything that
depends on the user is counted live.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from .models import Rollup
from .plain_read import read_one

logger = logging.getLogger(__name__)

ROLLUPS: dict[str, Callable[[], Any]] = {}
_batch: ContextVar[dict | None] = ContextVar("rollup_batch", default=None)


@dataclass(frozen=True)
class Figures:
    data: Any
    computed_at: dt.datetime

    @property
    def refresh_minutes(self) -> int:
        return max(1, settings.ROLLUP_REFRESH_SECONDS // 60)


def rollup(key: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register a function returning JSON-ready figures under ``key``."""

    def register(function: Callable[[], Any]) -> Callable[[], Any]:
        ROLLUPS[key] = function
        return function

    return register


def _jsonable(data: Any) -> Any:
    import json

    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def refresh(key: str) -> Figures:
    """Count ``key``'s figures now and store them."""
    data = _jsonable(ROLLUPS[key]())
    now = timezone.now()
    # One statement, whoever else is storing the same key at the same moment (the job and a page).
    Rollup.objects.bulk_create(
        [Rollup(key=key, data=data, computed_at=now)],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["data", "computed_at"],
    )
    return Figures(data, now)


def refresh_all() -> list[str]:
    """Every registered roll-up, each on its own: one that fails is logged and the others are still stored."""
    done = []
    for key in sorted(ROLLUPS):
        try:
            refresh(key)
        except Exception:
            logger.exception("Roll-up %s could not be counted", key)
        else:
            done.append(key)
    return done


@contextmanager
def batch() -> Iterator[None]:
    """Within the block, ``read`` serves every stored roll-up from one query (a page showing several)."""
    stored = {key: (data, at) for key, data, at in Rollup.objects.values_list("key", "data", "computed_at")}
    token = _batch.set(stored)
    try:
        yield
    finally:
        _batch.reset(token)


def read(key: str) -> Figures:
    """The stored figures, or freshly counted ones when none are stored or they are older than the maximum age."""
    if key not in ROLLUPS:
        raise KeyError(f"No roll-up registered as {key!r}")
    stored = _batch.get()
    if stored is not None:
        row = stored.get(key)
    else:
        stored_row = read_one(Rollup, "key", key)  # a plain statement: pages read it on every view
        row = None if stored_row is None else (stored_row.data, stored_row.computed_at)
    if row is not None and timezone.now() - row[1] <= dt.timedelta(seconds=settings.ROLLUP_MAX_AGE):
        return Figures(*row)
    return refresh(key)
