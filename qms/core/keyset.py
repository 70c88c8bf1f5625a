"""Keyset ("seek") pagination: the next page starts after the last row's sort key, not after N skipped rows.

An offset makes the database read and throw away every row before the page, so page 10,000 of the
complaints costs seconds. A cursor holds the sort key of the row at the page's edge; the next page is
``WHERE key > edge ORDER BY key LIMIT n``, read straight off an index at any depth.

Orderings are a list of ``(expression name, descending)`` ending in the primary key (so the key is unique).
Empty values sort last going up and first going down (PostgreSQL's default, made explicit so SQLite agrees),
and the seek conditions take them into account. Cursors are signed: one that was tampered with, belongs to
another sort or cannot be read is ignored (the list starts again at its first page).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db.models import F, Model, Q, QuerySet

SALT = "qms.core.keyset"
Ordering = list[tuple[str, bool]]  # (name, descending)


def ordering_from(names: list[str]) -> Ordering:
    """``["-received_at", "-pk"]`` -> ``[("received_at", True), ("pk", True)]``, with pk added when missing."""
    ordering = [(name.lstrip("-"), name.startswith("-")) for name in names]
    if not any(name in ("pk", "id") for name, _ in ordering):
        ordering.append(("pk", ordering[-1][1] if ordering else False))
    return ordering


def order_expressions(ordering: Ordering) -> list:
    """ORDER BY terms with empty values placed the same on every database (last going up, first going down)."""
    return [F(name).desc(nulls_first=True) if desc else F(name).asc(nulls_last=True) for name, desc in ordering]


def _encode_value(value: Any) -> list:
    if value is None:
        return ["n", None]
    if isinstance(value, dt.datetime):
        return ["dt", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, Decimal):
        return ["dec", str(value)]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, float):
        return ["f", value]
    return ["s", str(value)]


_DECODERS = {
    "n": lambda v: None,
    "dt": dt.datetime.fromisoformat,
    "d": dt.date.fromisoformat,
    "dec": Decimal,
    "b": bool,
    "i": int,
    "f": float,
    "s": str,
}


def _decode_value(pair: list) -> Any:
    tag, raw = pair
    return _DECODERS[tag](raw)


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (``forward``) or before the row whose key is ``values``; ``page`` is its number."""

    key: str  # names the ordering the cursor belongs to
    values: tuple
    forward: bool
    page: int
    last: bool = False  # "the last page": read backwards from the end

    def dumps(self) -> str:
        payload = {
            "k": self.key,
            "v": [_encode_value(v) for v in self.values],
            "f": self.forward,
            "p": self.page,
            "l": self.last,
        }
        return signing.dumps(payload, salt=SALT, compress=True)

    @classmethod
    def loads(cls, token: str, key: str) -> Cursor | None:
        try:
            payload = signing.loads(token, salt=SALT)
            if payload["k"] != key:
                return None
            values = tuple(_decode_value(pair) for pair in payload["v"])
            page = int(payload["p"])
            return cls(key=key, values=values, forward=bool(payload["f"]), page=max(page, 1), last=bool(payload["l"]))
        except (signing.BadSignature, KeyError, TypeError, ValueError, IndexError):
            return None


def row_key(row: Any, ordering: Ordering) -> tuple:
    """The sort key of a fetched row (a model instance with its annotations, or a dict from ``values()``)."""
    if isinstance(row, dict):
        return tuple(row[name] for name, _ in ordering)
    return tuple(_attr(row, name) for name, _ in ordering)


def _attr(row: Any, name: str) -> Any:
    value = row
    for part in name.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value.pk if isinstance(value, Model) else value


def _beyond(name: str, value: Any, upwards: bool) -> Q:
    """Rows past ``value`` in one column, reading upwards (empty values last) or downwards (empty values first)."""
    if upwards:
        return Q(pk__in=[]) if value is None else Q(**{f"{name}__gt": value}) | Q(**{f"{name}__isnull": True})
    return Q(**{f"{name}__isnull": False}) if value is None else Q(**{f"{name}__lt": value})


def seek(queryset: QuerySet, ordering: Ordering, values: tuple, forward: bool) -> QuerySet:
    """Rows strictly after (``forward``) or before the key ``values`` in ``ordering``, ordered to be read from it.

    Going backwards the rows come nearest first (the ordering reversed): the caller reverses what it fetched.
    """
    condition = Q(pk__in=[])  # false, widened one column at a time
    equal_so_far = Q()
    for (name, desc), value in zip(ordering, values, strict=True):
        condition |= equal_so_far & _beyond(name, value, upwards=(not desc) == forward)
        equal_so_far &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
    # The same condition's bound on the first column alone, which an index range scan can use (the planner
    # cannot start a scan from an OR of conditions): the page then reads only the rows it shows.
    (first, desc), value = ordering[0], values[0]
    if value is not None:
        if (not desc) == forward:
            condition &= Q(**{f"{first}__gte": value}) | Q(**{f"{first}__isnull": True})
        else:
            condition &= Q(**{f"{first}__lte": value})
    reading = ordering if forward else [(name, not desc) for name, desc in ordering]
    return queryset.filter(condition).order_by(*order_expressions(reading))


_ESTIMATES: dict[tuple[str, str], tuple[float, int]] = {}  # (database, table) -> (read at, rows)
ESTIMATE_TTL_SECONDS = 60


def _table_estimate(connection, table: str) -> int:
    """PostgreSQL's estimate of ``table``'s rows, read at most once a minute per process."""
    key, now = (connection.alias, table), time.monotonic()
    cached = _ESTIMATES.get(key)
    if cached is not None and now - cached[0] < ESTIMATE_TTL_SECONDS:
        return cached[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    estimate = max(int(row[0]), 0) if row and row[0] is not None else 0
    _ESTIMATES[key] = (now, estimate)
    return estimate


def estimated_count(queryset: QuerySet) -> int | None:
    """PostgreSQL's own estimate of a whole table's rows, for a list that is neither filtered nor restricted
    and is larger than ``settings.LIST_EXACT_COUNT_UP_TO``: counting two million rows exactly on every page
    view costs more than the page. ``None`` means "count exactly" (any filter, a smaller table, SQLite)."""
    from django.conf import settings
    from django.db import connections

    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or queryset.query.where.children or queryset.query.distinct:
        return None
    estimate = _table_estimate(connection, queryset.model._meta.db_table)
    return estimate if estimate > settings.LIST_EXACT_COUNT_UP_TO else None


EXACT, ESTIMATE, MORE = "exact", "estimate", "more"


_COUNTS: dict[tuple[str, str], tuple[float, int]] = {}  # (database, table) -> (counted at, rows)


def _keeps_count(model) -> bool:
    """Only registers' records keep a count: they are written one by one (no bulk writes bypass the audit
    trail), so every addition and deletion sends the signal that forgets it."""
    from qms.audit.mixins import AuditedModel

    return issubclass(model, AuditedModel)


def whole_table_count(queryset: QuerySet) -> int:
    """The exact number of rows of a list that is neither filtered nor restricted. A register's, from
    ``settings.LIST_COUNT_CACHE_FROM`` rows, is kept by the process for ``settings.LIST_COUNT_CACHE_SECONDS``:
    counting 50,000 customers cost more than the rest of their page. A smaller register is counted each time,
    so on the registers most portals have no page shows a count another process still keeps. Adding or
    deleting a record forgets the count in the process that did so (``forget_count``); other processes count
    again when their copy runs out. Kept in memory, not in Redis: a stalled cache must not hold up saving a
    record."""
    from django.conf import settings

    seconds = settings.LIST_COUNT_CACHE_SECONDS
    if seconds <= 0 or not _keeps_count(queryset.model):
        return queryset.count()
    key, now = (queryset.db, queryset.model._meta.db_table), time.monotonic()
    kept = _COUNTS.get(key)
    if kept is not None and now - kept[0] < seconds:
        return kept[1]
    count = queryset.count()
    if count >= settings.LIST_COUNT_CACHE_FROM:
        _COUNTS[key] = (now, count)
    return count


def forget_count(sender, instance=None, created=True, using=None, **kwargs) -> None:
    """``post_save``/``post_delete``: a record added or deleted makes its table's kept count wrong."""
    if created and _keeps_count(sender):
        _COUNTS.pop((using or "default", sender._meta.db_table), None)


def list_count(queryset: QuerySet) -> tuple[int, str]:
    """The number of rows a list shows, and what it is: ``EXACT``, as a whole table no larger than
    ``settings.LIST_EXACT_COUNT_UP_TO`` always is; ``ESTIMATE``, PostgreSQL's estimate of a whole larger table
    (``estimated_count``); or ``MORE``, a filtered list with more rows than ``settings.LIST_COUNT_UP_TO``
    (``SEARCH_COUNT_UP_TO`` for a list searched for a word, ``search.matching``), counted only that far (the
    number returned is that limit)."""
    from django.conf import settings

    from .search import is_searched

    estimate = estimated_count(queryset)
    if estimate is not None:
        return estimate, ESTIMATE
    if not queryset.query.where.children:
        return whole_table_count(queryset), EXACT
    limit = settings.SEARCH_COUNT_UP_TO if is_searched(queryset) else settings.LIST_COUNT_UP_TO
    counted = queryset.order_by()[: limit + 1].count()
    return (limit, MORE) if counted > limit else (counted, EXACT)
