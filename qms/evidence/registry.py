"""The clause map: which ISO 9001 clauses each record type evidences, and how it goes into an evidence pack.

Core apps never import domain apps: each app registers its record types from ``AppConfig.ready`` (its
``evidence.py``), so the evidence index and each record's "Evidence for clauses" line come from this data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone

# The ISO 9001:2015 clauses an auditor asks for evidence of, in the order of the standard.
CLAUSES: dict[str, str] = {
    "4.2": "Understanding the needs and expectations of interested parties",
    "5.1.2": "Customer focus",
    "6.1": "Actions to address risks and opportunities",
    "6.2": "Quality objectives and planning to achieve them",
    "8.2": "Requirements for products and services",
    "9.1.2": "Customer satisfaction",
    "9.3": "Management review",
    "10.2": "Nonconformity and corrective action",
}


@dataclass(frozen=True)
class AttachmentSpec:
    """Files kept with a record type: ``model`` rows point at the record through ``record_field``."""

    model: type[models.Model]
    record_field: str
    file_field: str = "file"
    name_field: str = "original_name"


@dataclass(frozen=True)
class RecordType:
    """One register's records as evidence: the clauses, the exported columns, the date the period filters."""

    model: type[models.Model]
    title: str
    description: str
    clauses: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]
    date_field: str
    related: tuple[str, ...] = ()
    attachments: AttachmentSpec | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def slug(self) -> str:
        return self.label.replace(".", "-")

    def period_filter(self, start: dt.date, end: dt.date) -> dict:
        """Lookups keeping the records whose ``date_field`` falls in [start, end] (whole days, local time)."""
        field = self.model._meta.get_field(self.date_field)
        if isinstance(field, models.DateTimeField):
            tz = timezone.get_current_timezone()
            begin = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
            after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            return {f"{self.date_field}__gte": begin, f"{self.date_field}__lt": after}
        return {f"{self.date_field}__gte": start, f"{self.date_field}__lte": end}

    def records(self, *, user, start: dt.date, end: dt.date) -> models.QuerySet:
        """The records of the period that ``user`` may read, oldest first by primary key."""
        return (
            self.model.objects.restrict(user, "view")
            .filter(**self.period_filter(start, end))
            .select_related(*self.related)
            .order_by("pk")
        )


_record_types: dict[str, RecordType] = {}


def register_record_type(
    model: type[models.Model],
    *,
    title: str,
    description: str,
    clauses: Sequence[str],
    columns: Sequence[tuple[str, str]],
    date_field: str,
    related: Sequence[str] = (),
    attachments: AttachmentSpec | None = None,
) -> RecordType:
    """Declare that ``model``'s records evidence ``clauses``; called once per model from ``ready``."""
    unknown = [clause for clause in clauses if clause not in CLAUSES]
    if unknown or not clauses:
        raise ImproperlyConfigured(f"{model._meta.label}: unknown or no ISO 9001 clauses {unknown!r}.")
    model._meta.get_field(date_field)  # fails loudly at start-up on a typo
    record_type = RecordType(
        model=model,
        title=title,
        description=description,
        clauses=tuple(sorted(clauses, key=clause_sort_key)),
        columns=tuple(columns),
        date_field=date_field,
        related=tuple(related),
        attachments=attachments,
    )
    _record_types[record_type.label] = record_type
    return record_type


def clause_sort_key(clause: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in clause.split("."))


def record_types(clauses: Sequence[str] | None = None) -> list[RecordType]:
    """The registered record types evidencing any of ``clauses`` (all of them when ``None``), by title."""
    wanted = set(CLAUSES if clauses is None else clauses)
    return sorted(
        (rt for rt in _record_types.values() if wanted.intersection(rt.clauses)),
        key=lambda rt: rt.title,
    )


def record_type_for(obj_or_model) -> RecordType | None:
    """The registration of a record (or model), or ``None`` when it evidences nothing."""
    return _record_types.get(obj_or_model._meta.label_lower)


def clauses_for(obj_or_model) -> list[tuple[str, str]]:
    """``(clause, title)`` pairs the record's type evidences, in the standard's order."""
    record_type = record_type_for(obj_or_model)
    return [(clause, CLAUSES[clause]) for clause in record_type.clauses] if record_type else []
