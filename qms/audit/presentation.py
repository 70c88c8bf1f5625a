"""Audit entries as people read them: field labels, choice names, related records by name."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from .models import AuditEntry

EMPTY = "—"
HIDDEN_FIELDS = {"id"}


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str
    after: str
    items: str = ""  # for role changes: the names added or removed


def _model_for(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model, attname: str):
    if model is None:
        return None
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field
    try:
        return model._meta.get_field(attname)
    except FieldDoesNotExist:
        return None


def _loaded_relations(obj) -> dict[tuple, str]:
    """The names of the records ``obj`` already holds through its foreign keys (no query)."""
    known = {}
    for field in obj._meta.concrete_fields:
        if field.is_relation and field.many_to_one and field.is_cached(obj):
            related = field.get_cached_value(obj)
            if related is not None:
                known[(field.related_model, str(related.pk))] = str(related)
    return known


def _related_names(entries: list[AuditEntry], known: dict[tuple, str] | None = None) -> dict[tuple, str]:
    """One query per related model for every foreign key value the entries mention and ``known`` lacks."""
    known = known or {}
    wanted: dict[type, set] = defaultdict(set)
    for entry in entries:
        model = _model_for(entry.content_type)
        if entry.action == "roles":
            continue
        for name, values in entry.changes.items():
            field = _field(model, name)
            if field is not None and field.is_relation and field.many_to_one:
                wanted[field.related_model].update(
                    value
                    for value in values
                    if value not in (None, "") and (field.related_model, str(value)) not in known
                )
    names = dict(known)
    for related_model, pks in wanted.items():
        if not pks:
            continue
        for obj in related_model._base_manager.filter(pk__in=pks):
            names[(related_model, str(obj.pk))] = str(obj)
    return names


def _display(field, value, related: dict) -> str:
    if value is None or value == "":
        return EMPTY
    if field is None:
        return str(value)
    if field.is_relation and field.many_to_one:
        return related.get((field.related_model, str(value)), f"#{value} (deleted)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field.get_internal_type() == "DateTimeField":
        # Stored as ISO 8601 in UTC; shown as on every other page.
        return str(value)[:16].replace("T", " ") + " UTC"
    return str(value)


def present(entries: Iterable[AuditEntry], *, about=None) -> list[AuditEntry]:
    """The entries, each with ``lines``: what changed, labelled and shown as on the record's page.
    ``about``: the record they are about, whose loaded relations need no query."""
    entries = list(entries)
    related = _related_names(entries, _loaded_relations(about) if about is not None else None)
    for entry in entries:
        model = _model_for(entry.content_type)
        lines = []
        for name, values in entry.changes.items():
            if entry.action == "roles":
                lines.append(ChangeLine(label=name.capitalize(), before="", after="", items=", ".join(values)))
                continue
            if name in HIDDEN_FIELDS:
                continue
            field = _field(model, name)
            label = str(field.verbose_name).capitalize() if field is not None else name
            lines.append(
                ChangeLine(
                    label=label, before=_display(field, values[0], related), after=_display(field, values[1], related)
                )
            )
        entry.lines = lines
    return entries
