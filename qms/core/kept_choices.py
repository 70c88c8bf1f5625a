"""Choices of a list filter that every user is offered alike (the active people, complaint and risk categories),
kept by each web process for ``settings.FILTER_CHOICES_SECONDS``.

Every list page read and rendered them: a query each, for lists that change a few times a year. A record of
the kind saved or deleted in a process is seen there at once (a signal forgets the kept choices, again when
the transaction commits); the other processes see it when their copy runs out. Validation never reads these:
a filter's field still checks the chosen record in the database, so a record just removed is refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

# model label -> (when read, choices)
_KEPT: dict[str, tuple[float, tuple]] = {}


def kept_choices(model: type[Model], read: Callable[[], Iterable[tuple]]) -> tuple:
    """``read()`` as a tuple, kept per model for ``settings.FILTER_CHOICES_SECONDS`` (0: read every time)."""
    key = model._meta.label
    seconds = settings.FILTER_CHOICES_SECONDS
    kept = _KEPT.get(key)
    now = time.monotonic()
    if kept is not None and now - kept[0] < seconds:
        return kept[1]
    _forget_on_change(model)
    choices = tuple(read())
    if seconds > 0:
        _KEPT[key] = (now, choices)
    return choices


def forget(model: type[Model]) -> None:
    _KEPT.pop(model._meta.label, None)


def clear() -> None:
    _KEPT.clear()


def _forget_on_change(model: type[Model]) -> None:
    uid = f"qms.core.kept_choices:{model._meta.label}"
    post_save.connect(_changed, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(_changed, sender=model, weak=False, dispatch_uid=uid)


def _changed(sender, **kwargs) -> None:
    """A record of ``sender`` saved or deleted: forget its kept choices now and when the transaction commits."""
    forget(sender)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: forget(sender))
