"""This app's inputs to the management review (9.3.2), registered in ``ready``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q


def customer_base(start: dt.date, end: dt.date) -> dict:
    """9.3.2 c 1 (context for the satisfaction figures): customers now, and those added in the period,
    by segment. One query."""
    from qms.reviews.inputs import day_bounds, figure, listing, row

    from .models import Customer

    since, until = day_bounds(start, end)
    rows = (
        Customer.objects.order_by()
        .values("segment")
        .annotate(total=Count("pk"), added=Count("pk", filter=Q(created_at__gte=since, created_at__lt=until)))
        .order_by("segment")
    )
    labels = dict(Customer._meta.get_field("segment").choices or [])
    segments = list(rows)
    return {
        "figures": [
            figure("Customers", sum(item["total"] for item in segments)),
            figure("Customers added in the period", sum(item["added"] for item in segments)),
        ],
        "lists": [
            listing(
                "Customers by segment",
                [
                    row(
                        str(labels.get(item["segment"], item["segment"] or "No segment")),
                        f"{item['total']} customer{'' if item['total'] == 1 else 's'}",
                        f"{item['added']} added",
                    )
                    for item in segments
                ],
                "No customer is registered yet.",
            )
        ],
    }


def register_review_inputs() -> None:
    """Register this app's management-review inputs with ``qms.reviews``."""
    from qms.reviews.inputs import register_input

    register_input(
        "customer_base",
        title="Customer base",
        clause="9.3.2 c",
        order=25,
        provider=customer_base,
    )
