"""Serializer parts shared by the registers' APIs, shaped for long lists: what DRF works out for every field
of every row (how to reach the value, how to write it, the record's link) is worked out once per response.

The output is DRF's own, value for value; ``qms/core/tests/test_serializers.py`` compares both on every
register's serializer.
"""

from __future__ import annotations

import copy
from datetime import datetime
from operator import attrgetter

from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import OuterRef, Prefetch, QuerySet
from rest_framework import fields as drf_fields
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import ISO_8601, api_settings

# Where prefetched() puts a relation's rows: a plain list on each record.
PREFETCHED = "_listed_"
# Where with_related_ids() puts a many-to-many relation's ids, on PostgreSQL.
RELATED_IDS = "_ids_"


def prefetched(lookup: str, queryset=None) -> Prefetch:
    """``prefetch_related`` into a plain list on each record, so no manager and queryset are made per row;
    the planned serializers read the list and fall back to the relation where it was not prefetched."""
    return Prefetch(lookup, queryset=queryset, to_attr=PREFETCHED + lookup)


def with_related_ids(queryset: QuerySet, *names: str) -> QuerySet:
    """``queryset`` with the ids of each named many-to-many relation, in the related model's order, for a
    ``PrimaryKeyRelatedField(many=True)``. On PostgreSQL each row carries them as an array read in the same
    query (no query and no model instance per relation); elsewhere they are prefetched (:func:`prefetched`)."""
    relations = [queryset.model._meta.get_field(name) for name in names]
    ordered_by_names = all(isinstance(name, str) for field in relations for name in field.related_model._meta.ordering)
    if connections[queryset.db].vendor != "postgresql" or not ordered_by_names:
        return queryset.prefetch_related(
            *(prefetched(field.name, field.related_model.objects.only("pk")) for field in relations)
        )
    from django.contrib.postgres.expressions import ArraySubquery

    arrays = {}
    for field in relations:
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        ordering = [
            f"-{target}__{name[1:]}" if name.startswith("-") else f"{target}__{name}"
            for name in field.related_model._meta.ordering or ["pk"]
        ]
        links = field.remote_field.through.objects.filter(**{source: OuterRef("pk")})
        arrays[RELATED_IDS + field.name] = ArraySubquery(links.order_by(*ordering).values(f"{target}_id"))
    return queryset.annotate(**arrays)


def _plain_attribute(model, field) -> str | None:
    """The attribute a field reads when it is a concrete, non-relational column of ``model`` read the
    standard way; None otherwise."""
    if len(field.source_attrs) != 1 or type(field).get_attribute is not drf_fields.Field.get_attribute:
        return None
    name = field.source_attrs[0]
    try:
        column = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if not column.concrete or column.is_relation or column.attname != name:
        return None
    return name


def _foreign_key_column(model, field) -> str | None:
    """The id column a plain ``PrimaryKeyRelatedField`` reads of a many-to-one relation of ``model`` (DRF
    reads the related id through ``serializable_value`` and wraps it in a ``PKOnlyObject`` per row); None
    otherwise."""
    if type(field) is not serializers.PrimaryKeyRelatedField or field.pk_field is not None:
        return None
    if len(field.source_attrs) != 1:
        return None
    try:
        column = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return None
    if not (column.concrete and column.is_relation and (column.many_to_one or column.one_to_one)):
        return None
    return column.attname


def _same(value):
    return value


def _is_related_ids(field) -> bool:
    """A plain ``PrimaryKeyRelatedField(many=True)`` over one attribute: its value is the related ids."""
    child = getattr(field, "child_relation", None)
    return (
        type(field) is serializers.ManyRelatedField
        and type(child) is serializers.PrimaryKeyRelatedField
        and child.pk_field is None
        and len(field.source_attrs) == 1
    )


def _related_ids_or(read, name: str):
    """The ids ``with_related_ids`` read with the row, else those of the prefetched list or the relation."""
    ids_attribute, listed = RELATED_IDS + name, PREFETCHED + name

    def reader(instance):
        found = instance.__dict__
        ids = found.get(ids_attribute)
        if ids is not None:
            return ids
        rows = found.get(listed)
        return [row.pk for row in (rows if rows is not None else read(instance))]

    return reader


def _prefetched_or(read, name: str):
    def reader(instance):
        rows = instance.__dict__.get(name)
        return rows if rows is not None else read(instance)

    return reader


def _datetime_representation(field):
    """DRF's ISO 8601 datetime output with the field's time zone looked up once, not per value."""
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    fallback = field.to_representation
    if zone is None:
        return fallback

    def represent(value):
        if not isinstance(value, datetime) or value.utcoffset() is None:
            return fallback(value)
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return fallback(value)
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return represent


def _representation(field):
    """The field's own to_representation, or a quicker equivalent planned once."""
    kind = type(field)
    method = kind.to_representation
    if method is drf_fields.CharField.to_representation:
        return str
    if method is drf_fields.IntegerField.to_representation:
        return int
    if (
        method is drf_fields.DateTimeField.to_representation
        and kind.enforce_timezone is drf_fields.DateTimeField.enforce_timezone
        and str(getattr(field, "format", api_settings.DATETIME_FORMAT)).lower() == ISO_8601
    ):
        return _datetime_representation(field)
    return field.to_representation


class PlannedReadMixin:
    """``to_representation`` as DRF's, with each readable field's reader and writer chosen once per
    serializer instance (a list's rows share one): plain columns read with ``attrgetter``, relations
    prefetched with :func:`prefetched` read from their list."""

    def _read_plan(self) -> list:
        plan = self.__dict__.get("_planned_fields")
        if plan is None:
            model = self.Meta.model
            plan = []
            for field in self._readable_fields:
                column = _plain_attribute(model, field)
                key_column = None if column is not None else _foreign_key_column(model, field)
                if column is not None:
                    read = attrgetter(column)
                elif key_column is not None:
                    plan.append((field.field_name, attrgetter(key_column), _same))
                    continue
                elif _is_related_ids(field):
                    plan.append((field.field_name, _related_ids_or(field.get_attribute, field.source_attrs[0]), _same))
                    continue
                elif len(field.source_attrs) == 1 and isinstance(
                    field, serializers.ManyRelatedField | serializers.ListSerializer
                ):
                    read = _prefetched_or(field.get_attribute, PREFETCHED + field.source_attrs[0])
                else:
                    read = field.get_attribute
                plan.append((field.field_name, read, _representation(field)))
            self._planned_fields = plan
        return plan

    def to_representation(self, instance):
        ret = {}
        for name, read, represent in self._read_plan():
            try:
                attribute = read(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else represent(attribute)
        return ret


def _fresh_copy(field):
    """A field as DRF would build it afresh: a shallow copy, unbound, with its child field (a many-relation's
    or a list's) copied and given it as parent, so nothing bound or set on it reaches the field it was copied
    from."""
    children = [name for name in ("child_relation", "child") if isinstance(field.__dict__.get(name), drf_fields.Field)]
    if any(isinstance(field.__dict__[name], serializers.BaseSerializer) for name in children):
        return copy.deepcopy(field)  # a serializer keeps its own bound fields: made afresh, as DRF does
    copied = copy.copy(field)
    for name in children:
        child = copy.copy(field.__dict__[name])
        child.parent = copied  # bound as its parent's child already: only the parent is new
        copied.__dict__[name] = child
    return copied


class RegisterSerializer(PlannedReadMixin, serializers.ModelSerializer):
    """The base of the registers' model serializers.

    DRF works each model field's class and arguments out again for every serializer it makes (a list
    response makes one), and rebuilds each declared field from its arguments: a millisecond and more per
    request. Here the model's fields are worked out once per class, and each serializer gets its own shallow
    copies of them and of the declared fields (``_fresh_copy``); a nested serializer is made afresh as DRF
    does. A related field's queryset is shared by the copies, as DRF reads it through ``.all()``."""

    def get_fields(self):
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            fields = super().get_fields()
            built = (list(fields), {name: f for name, f in fields.items() if name not in self._declared_fields})
            type(self)._built_fields = built
        order, from_model = built
        fields = {}
        for name in order:
            field = self._declared_fields.get(name)
            if field is None:
                fields[name] = _fresh_copy(from_model[name])
            elif isinstance(field, serializers.BaseSerializer):
                fields[name] = copy.deepcopy(field)  # a nested serializer keeps its own fields: made afresh
            else:
                fields[name] = _fresh_copy(field)
        return fields


class RecordLinkField(serializers.HyperlinkedIdentityField):
    """The record's own API link. The route is reversed once per response with a marker id, and each
    record's id put in the marker's place (ids are integers; anything else is reversed as usual)."""

    MARKER = 918273645546372819

    def get_url(self, obj, view_name, request, format):
        value = getattr(obj, self.lookup_field, None)
        if type(value) is not int:
            return super().get_url(obj, view_name, request, format)
        cached = self.__dict__.get("_link_parts")
        if cached is None or cached[0] is not request or cached[1] != (format, view_name):
            url = self.reverse(view_name, kwargs={self.lookup_url_kwarg: self.MARKER}, request=request, format=format)
            parts = url.split(str(self.MARKER))
            cached = self._link_parts = (request, (format, view_name), parts if len(parts) == 2 else None)
        parts = cached[2]
        if parts is None:
            return super().get_url(obj, view_name, request, format)
        return f"{parts[0]}{value}{parts[1]}"
