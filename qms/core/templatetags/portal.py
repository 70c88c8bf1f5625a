"""Template helpers shared by the list and detail patterns."""

from __future__ import annotations

from django import template
from django.db import models
from django.utils import timezone

register = template.Library()


def cell_value(obj, attribute: str):
    """The display value of ``attribute`` on ``obj`` (dotted paths, choices, dates)."""
    value = obj
    parts = attribute.split(".")
    for position, part in enumerate(parts):
        if value is None:
            return ""
        # Choice labels only for the last step: "country.code" must reach the code, not the name.
        display = getattr(value, f"get_{part}_display", None) if position == len(parts) - 1 else None
        value = display() if callable(display) else getattr(value, part, "")
        if callable(value) and not isinstance(value, models.Model):
            value = value()
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(value, "name") and hasattr(value, "code") and type(value).__name__ == "Country":
        return value.name
    return value


@register.simple_tag
def cell(obj, attribute):
    return cell_value(obj, attribute)


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
