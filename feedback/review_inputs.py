"""This app's inputs to the management review (9.3.2), registered in ``ready``."""

from __future__ import annotations

import datetime as dt

from .choices import FeedbackKind
from .figures import _between, complaints_by_category, complaints_received, resolved_within_target_pct
from .models import FeedbackItem
from .survey_figures import csat, nps


def _complaints(count: int) -> str:
    return f"{count} complaint{'' if count == 1 else 's'}"


def customer_satisfaction(start: dt.date, end: dt.date) -> dict:
    """9.3.2 c 1: NPS and CSAT of the answers given in the period, complaints per month and by category,
    and the share resolved within target. Five queries."""
    from qms.reviews.inputs import figure, listing, row

    net_promoter = nps(start=start, end=end)
    satisfaction = csat(start=start, end=end)
    by_month = complaints_received(start=start, end=end, period="month")
    by_category = complaints_by_category(start=start, end=end)
    return {
        "figures": [
            figure("NPS", net_promoter["nps"]),
            figure("NPS answers", net_promoter["total"]),
            figure("CSAT", satisfaction["csat_pct"], "%"),
            figure("CSAT answers", satisfaction["total"]),
            figure("Complaints received", sum(month["count"] for month in by_month)),
            figure("Resolved within target", resolved_within_target_pct(start=start, end=end), "%"),
        ],
        "lists": [
            listing(
                "Complaints per month",
                [row(month["period"].strftime("%Y-%m"), _complaints(month["count"])) for month in by_month],
                "The period is empty.",
            ),
            listing(
                "Complaints by category",
                [
                    row(item["category"], _complaints(item["count"]), f"{item['cumulative_pct']}% cumulative")
                    for item in by_category
                ],
                "No complaint was received in the period.",
            ),
        ],
    }


def improvement_suggestions(start: dt.date, end: dt.date) -> dict:
    """9.3.2 f: suggestions received in the period. One query."""
    from qms.reviews.inputs import MAX_ROWS, figure, listing, row

    suggestions = FeedbackItem.objects.filter(_between("received_at", start, end), kind=FeedbackKind.SUGGESTION)
    items = list(suggestions.select_related("customer").order_by("received_at", "pk")[: MAX_ROWS + 1])
    rows = [
        row(item.reference, item.summary, f"{item.get_status_display()} · {item.customer or 'no customer'}")
        for item in items
    ]
    count = len(items) if len(items) <= MAX_ROWS else suggestions.count()
    return {
        "figures": [figure("Suggestions received", count)],
        "lists": [listing("Suggestions", rows, "No suggestion was received in the period.")],
    }


def new_complaints(start: dt.date, end: dt.date) -> dict:
    """The weekly digest's first section: complaints received in the week against the week before, and
    the list of them (with a link each). Three queries."""
    from django.conf import settings

    from qms.reviews.inputs import MAX_ROWS, figure, listing, row

    week = FeedbackItem.objects.filter(_between("received_at", start, end), kind=FeedbackKind.COMPLAINT)
    before = FeedbackItem.objects.filter(
        _between("received_at", start - dt.timedelta(days=7), start - dt.timedelta(days=1)),
        kind=FeedbackKind.COMPLAINT,
    ).count()
    items = list(week.select_related("customer", "category").order_by("received_at", "pk")[: MAX_ROWS + 1])
    count = len(items) if len(items) <= MAX_ROWS else week.count()
    base = settings.QMS_PORTAL_URL.rstrip("/")
    rows = [
        {
            **row(
                item.reference,
                item.summary,
                " · ".join(
                    part
                    for part in (
                        str(item.customer) if item.customer_id else "no customer",
                        str(item.category) if item.category_id else "",
                        item.get_status_display(),
                    )
                    if part
                ),
            ),
            "url": base + item.get_absolute_url(),
        }
        for item in items
    ]
    return {
        "figures": [figure("Complaints received this week", count), figure("The week before", before)],
        "lists": [listing("New complaints", rows, "No complaint was received this week.")],
    }


def register_review_inputs() -> None:
    """Register this app's management-review inputs with ``qms.reviews``."""
    from qms.reviews.inputs import register_input
    from qms.reviews.summaries import register_weekly_section

    register_input(
        "customer_satisfaction",
        title="Customer satisfaction and feedback trends",
        clause="9.3.2 c",
        order=30,
        provider=customer_satisfaction,
    )
    register_input(
        "improvement_suggestions",
        title="Suggestions from customers and others",
        clause="9.3.2 f",
        order=80,
        provider=improvement_suggestions,
    )
    register_weekly_section("new_complaints", title="New complaints", order=10, provider=new_complaints)
