"""Searching a large register by any part of its text, answered from an index on PostgreSQL.

A register's search box matches a word anywhere in several columns (``icontains``). On SQLite that stays
one ``LIKE`` per column. On PostgreSQL the columns are read as one text, ``search_text(fields)``, and a
trigram index on it (``search_index.AddSearchIndex`` in the register's migration) finds the rows holding
the word without reading the table: two million complaints are searched in milliseconds, not seconds. The
index and the query must name the same expression, so both are built from ``search_text``.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections
from django.db.models import F, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat

# Between two columns: a word typed in the search box never spans two of them.
SEPARATOR = "\n"
SEARCH_ALIAS = "search_text"


def search_text(fields: Sequence[str]) -> Concat:
    """The columns ``fields`` of a row as one text (what the index holds and the search reads)."""
    parts: list = []
    for field in fields:
        parts += [F(field), Value(SEPARATOR)]
    return Concat(*parts[:-1], output_field=TextField())


def matching(queryset: QuerySet, value: str, fields: Sequence[str], *, also: Q | None = None) -> QuerySet:
    """Rows of ``queryset`` with ``value`` in any of ``fields`` (any case), or matching ``also``. The
    searched text is named on the queryset whatever the database (``is_searched``)."""
    queryset = queryset.alias(**{SEARCH_ALIAS: search_text(fields)})
    if connections[queryset.db].vendor == "postgresql":
        condition = Q(**{f"{SEARCH_ALIAS}__icontains": value})
    else:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": value})
    return queryset.filter((condition | also) if also is not None else condition)


def is_searched(queryset: QuerySet) -> bool:
    """Whether ``queryset`` was searched for a word (``matching``): a list a person reads the first pages of,
    counted only so far (``settings.SEARCH_COUNT_UP_TO``)."""
    return SEARCH_ALIAS in queryset.query.annotations
