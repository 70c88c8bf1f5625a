"""Server-rendered charts for the dashboards and their PDF: SVG sparklines, status badges, numbers.

Everything here is drawn on the server, so it prints, shows in the PDF and needs no script.
"""

from __future__ import annotations

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

# Colour is never the only signal: every badge also says its status in words.
RAG_CLASSES = {
    "green": "text-bg-success",
    "amber": "text-bg-warning",
    "red": "text-bg-danger",
    "none": "text-bg-secondary",
}
RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red", "none": "No data"}
STROKES = {"green": "#198754", "amber": "#b07d00", "red": "#dc3545", "none": "#6c757d"}


@register.filter
def figure(value, unit: str = "") -> str:
    """A number as people write it: no trailing ".0", thousands separated, the unit after (% glued)."""
    if value is None or value == "":
        return "—"
    number = float(value)
    text = f"{number:,.0f}" if number == int(number) else f"{number:,.1f}"
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


@register.filter
def percent_only(unit: str) -> str:
    """The unit worth repeating beside a labelled figure: "%"; counts and scores are named by the label."""
    return "%" if unit == "%" else ""


@register.simple_tag
def rag_badge(status: str, label: str = "") -> str:
    """A status badge that says its colour in words ("Red · Off target")."""
    status = status or "none"
    words = RAG_WORDS.get(status, status)
    text = f"{words} · {label}" if label and status != "none" else (label or words)
    return format_html(
        '<span class="badge rag rag-{} {}" data-status="{}">{}</span>',
        status,
        RAG_CLASSES.get(status, ""),
        status,
        text,
    )


@register.simple_tag
def sparkline(points, status: str = "none", width: int = 120, height: int = 32, name: str = "") -> str:
    """An inline SVG trend line of ``points`` (dicts with ``label`` and ``value``), with a text alternative
    listing every point. Fewer than two values: a short note instead."""
    measured = [(point.get("label", ""), point["value"]) for point in points or [] if point.get("value") is not None]
    if len(measured) < 2:
        return mark_safe('<span class="text-body-secondary small">Not enough values for a trend yet.</span>')
    values = [value for _, value in measured]
    low, high = min(values), max(values)
    spread = (high - low) or 1.0
    pad = 3
    step = (width - 2 * pad) / (len(values) - 1)
    coords = [
        (pad + index * step, pad + (height - 2 * pad) * (1 - (value - low) / spread))
        for index, value in enumerate(values)
    ]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    last_x, last_y = coords[-1]
    description = ", ".join(f"{label}: {figure(value)}" for label, value in measured)
    title = f"{name} trend: {description}" if name else f"Trend: {description}"
    stroke = STROKES.get(status, STROKES["none"])
    return mark_safe(
        f'<svg class="sparkline" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'<polyline fill="none" stroke="{stroke}" stroke-width="2" stroke-linejoin="round" points="{path}"/>'
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" fill="{stroke}"/></svg>'
    )
