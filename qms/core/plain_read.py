"""One record read by one column's value in a plain SQL statement, for the reads every request makes (its
session, its user): the ORM builds and compiles the same query each time, most of what such a read costs.
The record comes back as the ORM would give it, each value through the same converters."""

from __future__ import annotations

import functools

from django.db import connections, router
from django.db.models import Model


@functools.cache
def _statement(model: type[Model], alias: str, column: str, extra: str) -> tuple[str, list[str], list]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    table = model._meta.db_table
    columns = ", ".join(f"{quote(table)}.{quote(field.column)}" for field in fields)
    sql = f"SELECT {columns} FROM {quote(table)} WHERE {quote(column)} = %s{extra}"  # noqa: S608 - names quoted
    converters = []
    for position, field in enumerate(fields):
        column_expression = field.get_col(table)
        found = connection.ops.get_db_converters(column_expression) + field.get_db_converters(connection)
        if found:
            converters.append((position, found, column_expression))
    return sql, [field.attname for field in fields], converters


def read_one(model: type[Model], field_name: str, value, *, also: str = "", params: tuple = ()) -> Model | None:
    """The ``model`` record whose ``field_name`` equals ``value`` (and, if given, meeting the SQL condition
    ``also`` with ``params``), or None. ``value`` is prepared by the field as the ORM would prepare it."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    field = model._meta.get_field(field_name)
    sql, attributes, converters = _statement(model, alias, field.column, f" AND {also}" if also else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, [field.get_db_prep_value(value, connection), *params])
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        row = list(row)
        for position, found, column_expression in converters:
            for convert in found:
                row[position] = convert(row[position], column_expression, connection)
    return model.from_db(alias, attributes, row)
