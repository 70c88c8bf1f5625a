"""This app's inputs to the management review (9.3.2), registered in ``ready``."""

from __future__ import annotations

import datetime as dt

from .choices import OPEN_STATUSES, EntryKind
from .figures import (
    high_critical_with_open_treatment_pct,
    open_entries_per_band,
    overdue_review_count,
    treatments_effective_pct,
)
from .models import EffectivenessReview, RiskEntry


def _band(entry: RiskEntry) -> str:
    return entry.residual_band or entry.inherent_band or "unscored"


def risk_treatment(start: dt.date, end: dt.date) -> dict:
    """9.3.2 e: open risks per band now, entries logged in the period, and the effectiveness reviews of
    their treatment made in the period. Six queries."""
    from qms.reviews.inputs import day_bounds, figure, listing, row

    since, until = day_bounds(start, end)
    bands = open_entries_per_band()
    logged = RiskEntry.objects.filter(created_at__gte=since, created_at__lt=until).order_by("reference")
    reviews = (
        EffectivenessReview.objects.filter(reviewed_at__gte=since, reviewed_at__lt=until)
        .select_related("entry")
        .order_by("reviewed_at", "pk")
    )
    return {
        "figures": [
            *(figure(f"Open risks, {band} band now", count) for band, count in bands.items()),
            figure("High or critical risks with an open treatment", high_critical_with_open_treatment_pct(), "%"),
            figure("Treatments found effective", treatments_effective_pct(start=start, end=end), "%"),
            figure("Entries overdue for review (now)", overdue_review_count()),
        ],
        "lists": [
            listing(
                "Risks and opportunities logged in the period",
                [
                    row(
                        entry.reference,
                        entry.title,
                        f"{entry.get_kind_display()} · {entry.get_status_display()} · {_band(entry)}",
                    )
                    for entry in logged
                ],
                "No risk or opportunity was logged in the period.",
            ),
            listing(
                "Effectiveness of treatment",
                [
                    row(
                        review.entry.reference,
                        review.entry.title,
                        ("target reached" if review.target_reached else "target not reached")
                        + f" on {review.reviewed_at.date().isoformat()}",
                    )
                    for review in reviews
                ],
                "No treatment was reviewed for effectiveness in the period.",
            ),
        ],
    }


def open_opportunities(start: dt.date, end: dt.date) -> dict:
    """9.3.2 f: the opportunities still open, highest score first. One query."""
    from qms.reviews.inputs import MAX_ROWS, figure, listing, row

    entries = list(
        RiskEntry.objects.filter(kind=EntryKind.OPPORTUNITY, status__in=OPEN_STATUSES).order_by(
            "-inherent_score", "reference"
        )[: MAX_ROWS + 1]
    )
    rows = [row(entry.reference, entry.title, f"{entry.get_status_display()} · {_band(entry)}") for entry in entries]
    return {
        "figures": [figure("Open opportunities", len(rows) if len(rows) <= MAX_ROWS else f"more than {MAX_ROWS}")],
        "lists": [listing("Open opportunities", rows, "No opportunity is open.")],
    }


def register_review_inputs() -> None:
    """Register this app's management-review inputs with ``qms.reviews``."""
    from qms.reviews.inputs import register_input

    register_input(
        "risk_treatment",
        title="Risk and opportunity changes and the effectiveness of their treatment",
        clause="9.3.2 e",
        order=60,
        provider=risk_treatment,
    )
    register_input(
        "open_opportunities",
        title="Opportunities from the risk and opportunity log",
        clause="9.3.2 f",
        order=90,
        provider=open_opportunities,
    )
