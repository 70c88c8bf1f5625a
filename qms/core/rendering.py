"""The form renderer: Django's templates, except select boxes and plain inputs, which are written in Python.

Django renders a select through one template include per option; a filter form's country box (250
options) cost more than the rest of a list page together. ``render_select`` writes the same markup as
Django's ``select.html``/``select_option.html``/``attrs.html``, and ``render_input`` as ``input.html`` and
the one-line templates that include it (text, date, email, ...: three template renders for one
``<input>``, a tenth of a filtered list page). Tests compare each with the templates byte for byte, so a
project template overriding those files would be bypassed: change these functions with it.
"""

from __future__ import annotations

import html

from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"
# The widgets whose template is ``{% include "django/forms/widgets/input.html" %}`` and nothing else.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        *("checkbox", "color", "date", "datetime", "email", "hidden", "number", "password", "search", "tel"),
        *("text", "time", "url"),
    )
)


def html_text(value) -> str:
    """Django's ``conditional_escape`` without the lazy-argument check its ``escape`` makes on every call (a
    list page escapes some 500 values, a country box 500 more): what has ``__html__`` as it says, anything
    else as text, escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """``attrs.html``: ``name="value"``, a bare name for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {html_text(name)}")
        else:
            parts.append(f' {html_text(name)}="{html_text(str(value))}"')
    return "".join(parts)


def _option(option: dict) -> str:
    value = html_text(str(option["value"]))
    return f'<option value="{value}"{_attrs(option["attrs"])}>{html_text(option["label"])}</option>'


def render_select(widget: dict) -> str | None:
    """The markup of a select widget's context, or ``None`` when an option uses another template."""
    out = [f'<select name="{html_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{html_text(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != OPTION_TEMPLATE:
                return None
            out.append(f"\n  {_option(option)}\n")  # the option template's file ends in a newline
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def render_input(widget: dict) -> str:
    """The markup of an input widget's context (the renderer strips the templates' closing newlines)."""
    value = widget["value"]
    value = "" if value is None else f' value="{html_text(str(value))}"'
    kind, name = html_text(widget["type"]), html_text(widget["name"])
    return f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>'


class PortalFormRenderer(DjangoTemplates):
    """``FORM_RENDERER``: select boxes and inputs in Python, everything else through the templates."""

    def render(self, template_name, context, request=None):
        if "widget" in context:
            if template_name in INPUT_TEMPLATES:
                return mark_safe(render_input(context["widget"]))  # noqa: S308 - every piece is escaped
            if template_name == SELECT_TEMPLATE:
                markup = render_select(context["widget"])
                if markup is not None:
                    return mark_safe(markup)  # noqa: S308 - every piece above is escaped
        return super().render(template_name, context, request=request)
