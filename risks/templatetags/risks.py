"""Band badges: the band's colour from the matrix and always its name in text (colour is never the only
signal)."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date, pluralize, title
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from qms.core.rendering import html_text as _e
from qms.core.templatetags.portal import choice_badge

register = template.Library()

STATUS_STYLES = {"identified": "warning", "assessed": "info", "treating": "primary", "monitoring": "success"}
OVERDUE_BADGE = ' <span class="badge text-bg-danger">Overdue</span>'
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


def _cell(cell: dict, level, kind: str, linked: bool) -> str:
    count = cell.get("count")
    score, band, impact, colour = _e(cell["score"]), _e(cell["band"]), _e(cell["impact"]), cell["colour"]
    data_count = "" if count is None else f' data-count="{_e(count)}"'
    band_title = _e(title(cell["band"]))
    if linked:
        shown = "" if count is None else _e(count)
        noun = f"opportunit{pluralize(count, 'y,ies')}" if kind == "opportunity" else f"risk{pluralize(count)}"
        inner = (
            f'<a href="{_e(cell.get("url", ""))}" class="d-block text-reset text-decoration-none py-1" '
            f'aria-label="{shown} {noun} at likelihood {level}, impact {impact}, score {score}, {band} band">'
            f'<span class="fs-5 fw-bold d-block cell-count">{shown}</span>'
            f'<span class="small">{band_title} · {score}</span></a>'
        )
    else:
        inner = f'<span class="fw-bold d-block">{score}</span><span class="small">{band_title}</span>'
    return (
        f'<td style="background-color: {_e(colour)}; color: {text_colour(colour)}" class="p-1" '
        f'data-likelihood="{level}" data-impact="{impact}" data-band="{band}"{data_count}>{inner}</td>'
    )


@register.simple_tag(takes_context=True)
def risk_grid(context) -> str:
    """A matrix grid (the heat map's two and the matrix page's), written in Python: 25 cells of a dozen
    values each cost the template engine more than the rest of the page. Reads ``rows`` (highest likelihood
    first), ``impact_levels``, ``kind``, ``grid_id``, ``caption`` and ``linked`` (cells link to the filtered
    list and show their counts). Every value is escaped."""
    kind = context.get("kind")
    linked = bool(context.get("linked"))
    axis = "benefit" if kind == "opportunity" else "impact"
    head = "".join(
        f'<th scope="col" class="small">{number}<br>{_e(level["label"])}</th>'
        for number, level in enumerate(context.get("impact_levels") or (), start=1)
    )
    body = "".join(
        f'<tr><th scope="row" class="text-start small">{_e(row["level"])} {_e(row["label"])}</th>'
        + "".join(_cell(cell, _e(row["level"]), kind, linked) for cell in row["cells"])
        + "</tr>"
        for row in context.get("rows") or ()
    )
    return mark_safe(  # noqa: S308 - every value above is escaped
        '<div class="table-responsive"><table class="table table-bordered text-center align-middle risk-grid mb-1" '
        f'data-testid="grid-{_e(context.get("grid_id", ""))}"><caption class="visually-hidden">'
        f'{_e(context.get("caption", ""))}</caption><thead><tr><th scope="col" class="text-start small">'
        f"Likelihood ↓ / {axis} →</th>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def entry_row_cells(entry, context) -> str:
    """The cells of one row of the risk and opportunity log (the register's ``row_cells``), written in Python
    like the feedback list's. Every value is escaped."""
    review = entry.next_review_date
    today = context.get("today")
    overdue = bool(review and today and review < today and entry.status != "closed")
    owner = entry.owner.display_name if entry.owner else ""
    return (
        f'<td class="text-nowrap"><a href="{_e(entry.get_absolute_url())}">{_e(entry.reference)}</a></td>'
        f"<td>{_e(entry.title)}</td>"
        f"<td>{_e(entry.get_kind_display())}</td>"
        f"<td>{_e(entry.category or '—')}</td>"
        f"<td>{_e(owner)}</td>"
        f"<td>{status_badge(entry)}</td>"
        f'<td class="text-nowrap">{band_badge(context, entry.inherent_band, entry.inherent_score)}</td>'
        f'<td class="text-nowrap">{band_badge(context, entry.residual_band, entry.residual_score)}</td>'
        f'<td class="text-nowrap">{_e(date(review, "Y-m-d") or "—")}'
        f"{OVERDUE_BADGE if overdue else ''}</td>"
    )
