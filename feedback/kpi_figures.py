"""The complaint and survey figures a computed KPI can pick (registered in ``FeedbackConfig.ready``)."""

from __future__ import annotations

from decimal import Decimal

from qms.kpis.choices import Direction
from qms.kpis.figures import FLOW, PRODUCT, SEGMENT, Figure, list_url, register

from . import figures, survey_figures

COMPLAINT_FILTERS = frozenset({SEGMENT, PRODUCT})
SURVEY_FILTERS = frozenset({SEGMENT})


def complaints_received_total(start, end, segment=None, product=None) -> int:
    """Complaints received from ``start`` to ``end`` (one count)."""
    rows = figures.complaints_received(start=start, end=end, period="quarter", segment=segment, product=product)
    return sum(row["count"] for row in rows)


def complaints_per_thousand_orders(start, end, segment=None, product=None) -> Decimal | None:
    """Complaints received ÷ orders entered for the months of the range × 1,000; None without orders."""
    from qms.kpis.selectors import orders_in

    orders = orders_in(start, end)
    if not orders:
        return None
    return Decimal(1000) * complaints_received_total(start, end, segment, product) / orders


def median_days_to_resolve(start, end, segment=None, product=None):
    return figures.time_to_resolve(start=start, end=end, segment=segment, product=product)["median"]


def resolved_within_target(start, end, segment=None, product=None):
    return figures.resolved_within_target_pct(start=start, end=end, segment=segment, product=product)


def reopen_rate(start, end, segment=None, product=None):
    return figures.reopen_rate(start=start, end=end, segment=segment, product=product)


def nps(start, end, segment=None):
    return survey_figures.nps(start=start, end=end, segment=segment)["nps"]


def csat(start, end, segment=None):
    return survey_figures.csat(start=start, end=end, segment=segment)["csat_pct"]


def response_rate(start, end, segment=None):
    return survey_figures.survey_response_rate(start=start, end=end, segment=segment)["rate_pct"]


def received_url(start, end, segment="", product=""):
    """The complaints received in the range (the records behind a count)."""
    return list_url(
        "feedback:item_list",
        kind="complaint",
        received_after=start.isoformat(),
        received_before=end.isoformat(),
        segment=segment,
        product=product,
    )


def resolved_url(start, end, segment="", product=""):
    """The complaints resolved in the range (the records behind a resolution share)."""
    return list_url(
        "feedback:item_list",
        kind="complaint",
        resolved_after=start.isoformat(),
        resolved_before=end.isoformat(),
        segment=segment,
        product=product,
    )


def register_figures() -> None:
    for figure in [
        Figure(
            "complaints_received",
            "Complaints received",
            "complaints",
            Direction.LOWER,
            FLOW,
            complaints_received_total,
            COMPLAINT_FILTERS,
            received_url,
            "9.1.2",
            "Complaints received in the period (by date received).",
            additive=True,
        ),
        Figure(
            "complaints_per_1000_orders",
            "Complaints per 1,000 orders",
            "per 1,000 orders",
            Direction.LOWER,
            FLOW,
            complaints_per_thousand_orders,
            COMPLAINT_FILTERS,
            received_url,
            "9.1.2",
            "Complaints received ÷ orders entered for the period × 1,000; no value until orders are entered.",
        ),
        Figure(
            "median_days_to_resolve",
            "Median days to resolve",
            "working days",
            Direction.LOWER,
            FLOW,
            median_days_to_resolve,
            COMPLAINT_FILTERS,
            received_url,
            "9.1.2",
            "Median working days from receipt to resolution of the complaints received in the period.",
        ),
        Figure(
            "resolved_within_target_pct",
            "Resolved within target",
            "%",
            Direction.HIGHER,
            FLOW,
            resolved_within_target,
            COMPLAINT_FILTERS,
            resolved_url,
            "9.1.2",
            "Of the complaints resolved in the period, the share resolved within their time target.",
        ),
        Figure(
            "reopen_rate",
            "Reopen rate",
            "%",
            Direction.LOWER,
            FLOW,
            reopen_rate,
            COMPLAINT_FILTERS,
            resolved_url,
            "9.1.2",
            "Of the complaints resolved in the period, the share that had been reopened.",
        ),
        Figure(
            "nps",
            "Net Promoter Score",
            "NPS",
            Direction.HIGHER,
            FLOW,
            nps,
            SURVEY_FILTERS,
            None,
            "9.1.2",
            "% promoters (9–10) − % detractors (0–6) of the answers given in the period, −100 to +100.",
        ),
        Figure(
            "csat_pct",
            "Customer satisfaction (CSAT)",
            "%",
            Direction.HIGHER,
            FLOW,
            csat,
            SURVEY_FILTERS,
            None,
            "9.1.2",
            "Share of CSAT answers in the period scoring 4 or 5 out of 5.",
        ),
        Figure(
            "survey_response_rate",
            "Survey response rate",
            "%",
            Direction.HIGHER,
            FLOW,
            response_rate,
            SURVEY_FILTERS,
            None,
            "9.1.2",
            "Responses ÷ invitations delivered, of the invitations sent in the period.",
        ),
    ]:
        register(figure)
