"""Status and severity badges of feedback, the same on the list and the item's page."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from qms.core.templatetags.portal import choice_badge

register = template.Library()

STATUS_STYLES = {
    "received": "warning",
    "acknowledged": "info",
    "investigating": "primary",
    "response_proposed": "primary",
    "resolved": "success",
    "closed": "success",
}
SEVERITY_STYLES = {"critical": "danger", "high": "warning", "medium": "info"}


@register.simple_tag
def status_badge(item) -> str:
    return choice_badge(item, "status", STATUS_STYLES)


@register.simple_tag
def severity_badge(item) -> str:
    if not item.severity:
        return format_html('<span class="text-body-secondary">{}</span>', "Not assessed")
    return choice_badge(item, "severity", SEVERITY_STYLES, default="light border")
