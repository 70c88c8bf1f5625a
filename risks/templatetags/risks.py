"""Band badges: the band's colour from the matrix and always its name in text (colour is never the only
signal)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from qms.core.templatetags.portal import choice_badge

register = template.Library()

STATUS_STYLES = {"identified": "warning", "assessed": "info", "treating": "primary", "monitoring": "success"}
FALLBACK_COLOURS = {"low": "#2e7d32", "medium": "#f9a825", "high": "#ef6c00", "critical": "#c62828"}


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (#rrggbb)."""
    try:
        red, green, blue = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    except (ValueError, IndexError, TypeError):
        return "#000"
    luminance = (0.299 * red + 0.587 * green + 0.114 * blue) / 255
    return "#000" if luminance > 0.55 else "#fff"


@register.simple_tag(takes_context=True)
def band_badge(context, band: str, score=None, colour: str = ""):
    """``{% band_badge entry.inherent_band entry.inherent_score %}``: "High (12)" on the band's colour."""
    if not band:
        return format_html('<span class="text-body-secondary">{}</span>', "Not scored")
    colour = colour or (context.get("band_colours") or {}).get(band) or FALLBACK_COLOURS.get(band, "#6c757d")
    label = band.title() if score in (None, "") else f"{band.title()} ({score})"
    return format_html(
        '<span class="badge band-badge" style="background-color: {}; color: {}" data-band="{}">{}</span>',
        colour,
        text_colour(colour),
        band,
        label,
    )


@register.filter
def contrast(colour: str) -> str:
    return text_colour(colour)


@register.simple_tag
def status_badge(entry) -> str:
    """An entry's status as a badge (one call per row of the log, the top tables and the overdue list)."""
    return choice_badge(entry, "status", STATUS_STYLES)
