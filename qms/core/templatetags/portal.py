"""Template helpers shared by the list and detail patterns."""

from __future__ import annotations

import functools

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.safestring import mark_safe

from qms.core.rendering import html_text

register = template.Library()


_CHOICE_LABELS: dict[models.Field, dict] = {}


def _choice_label(obj, name: str):
    """``obj.get_<name>_display()`` from a dict built once per field (Django rebuilds the choices, all 250
    countries of them, on every call), or ``None`` when ``name`` is not a field with choices."""
    try:
        field = obj._meta.get_field(name)
    except (AttributeError, FieldDoesNotExist):
        return None
    if not getattr(field, "choices", None) or field.is_relation:
        return None
    labels = _CHOICE_LABELS.get(field)
    if labels is None:
        labels = _CHOICE_LABELS[field] = {str(key): label for key, label in field.flatchoices}
    # The stored value as loaded (a country's code, not the Country object its descriptor builds), or the
    # field's own reading of it when deferred.
    raw = obj.__dict__[field.attname] if field.attname in obj.__dict__ else field.value_from_object(obj)
    if raw is None:
        return None
    return labels.get(str(raw), raw)


def cell_value(obj, attribute: str):
    """The display value of ``attribute`` on ``obj`` (dotted paths, choices, dates)."""
    value = obj
    parts = attribute.split(".")
    for position, part in enumerate(parts):
        if value is None:
            return ""
        # Choice labels only for the last step: "country.code" must reach the code, not the name.
        if position == len(parts) - 1 and isinstance(value, models.Model):
            label = _choice_label(value, part)
            if label is not None:
                value = label
                break
        display = getattr(value, f"get_{part}_display", None) if position == len(parts) - 1 else None
        value = display() if callable(display) else getattr(value, part, "")
        if callable(value) and not isinstance(value, models.Model):
            value = value()
    return _shown(value)


def _shown(value):
    """How ``cell_value`` shows a value it reached: dates and times local, yes/no, a country's name."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "name") and hasattr(value, "code") and type(value).__name__ == "Country":
        return value.name
    return value


def choice_badge(obj, field: str, styles: dict[str, str], default: str = "secondary") -> str:
    """A Bootstrap badge of a choice field's label, styled by its value (a register's status badges: one
    Python call per row instead of a template include)."""
    value = getattr(obj, field)
    label = _choice_label(obj, field)
    style = html_text(styles.get(value, default))
    return mark_safe(f'<span class="badge text-bg-{style}">{html_text(value if label is None else label)}</span>')  # noqa: S308


@register.simple_tag
def cell(obj, attribute):
    return cell_value(obj, attribute)


@register.simple_tag(takes_context=True)
def written_rows(context, object_list) -> str:
    """A list's rows from its view's ``row_cells(obj, context)``, the Python form of a row template."""
    write = context["view"].row_cells
    rows = "\n".join(f"<tr>{write(obj, context)}</tr>" for obj in object_list)
    return mark_safe(rows)  # noqa: S308 - row_cells escapes every value


@functools.cache
def _cell_reader(model, attribute: str):
    """``cell_value(obj, attribute)`` for records of ``model``, with what it looks up for each cell (the field,
    its choices, a ``get_<name>_display``) looked up once: a column of the record's own, or a property."""
    generic = functools.partial(_cell_of, attribute=attribute)
    if "." in attribute:
        return generic
    try:
        field = model._meta.get_field(attribute)
    except FieldDoesNotExist:
        field = None
    if field is not None and field.concrete and not field.is_relation and getattr(field, "choices", None):
        attname = field.attname

        def choice(obj):
            raw = obj.__dict__[attname] if attname in obj.__dict__ else field.value_from_object(obj)
            if raw is None:
                return generic(obj)
            labels = _CHOICE_LABELS.get(field)
            if labels is None:
                labels = _CHOICE_LABELS[field] = {str(key): label for key, label in field.flatchoices}
            return _shown(labels.get(str(raw), raw))

        return choice
    if (field is not None and (field.is_relation or not field.concrete)) or hasattr(model, f"get_{attribute}_display"):
        return generic  # a relation, or a value with a display of its own: as cell_value reads them

    def reader(obj):  # a column of the record's own, an annotation or a property
        value = getattr(obj, attribute, "")
        if callable(value) and not isinstance(value, models.Model):
            value = value()
        return _shown(value)

    return reader


def _cell_of(obj, attribute):
    return cell_value(obj, attribute)


@register.simple_tag
def register_rows(object_list, columns) -> str:
    """The table rows of a register list without a row template: the first column links to the record.

    The same markup as a template loop of ``{% cell %}`` tags, written in Python: 25 rows of 7 columns
    were most of a list page's time."""
    rows = []
    for obj in object_list:
        cells = []
        for position, (attribute, _heading) in enumerate(columns):
            value = html_text(_cell_reader(type(obj), attribute)(obj))
            if position == 0:
                url = html_text(obj.get_absolute_url())
                cells.append(f'<td class="text-nowrap"><a href="{url}">{value}</a></td>')
            else:
                cells.append(f"<td>{value}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def sort_link(key, current_sort, sort_query_string):
    """The query string that sorts by ``key``, flipping the direction when already sorted by it."""
    new = f"-{key}" if current_sort == key else key
    prefix = f"{sort_query_string}&" if sort_query_string else ""
    return f"?{prefix}sort={new}"


@register.simple_tag
def sort_state(key, current_sort):
    if current_sort == key:
        return "ascending"
    if current_sort == f"-{key}":
        return "descending"
    return "none"


@register.filter
def field_label(form_or_filterset, name):
    return form_or_filterset.form[name].label
