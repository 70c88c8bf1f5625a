"""The customer register's part of the home page."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from qms.accounts.permissions import can
from qms.core import rollups
from qms.core.homepage import HomeContribution

from .choices import CustomerStatus
from .models import Customer

CUSTOMER_COUNTS = "customers.counts"


@rollups.rollup(CUSTOMER_COUNTS)
def customer_counts() -> dict[str, int]:
    """Every customer, and the active ones: the home page's figures."""
    return Customer.objects.aggregate(total=Count("pk"), active=Count("pk", filter=Q(status=CustomerStatus.ACTIVE)))


def customer_home(user) -> HomeContribution:
    part = HomeContribution()
    if not can(user, "view", Customer):
        return part
    # Whoever may view customers sees them all: the figures are the roll-up job's.
    counted = rollups.read(CUSTOMER_COUNTS)
    counts = counted.data
    list_url = reverse("customers:customer_list")
    part.figures.append({"label": "Customers", "value": counts["total"], "url": list_url, "counted": counted})
    part.figures.append(
        {
            "label": "Active customers",
            "value": counts["active"],
            "url": f"{list_url}?status=active",
            "counted": counted,
        }
    )
    part.links.append({"label": "Browse customers", "url": list_url})
    if can(user, "add", Customer):
        part.links.append({"label": "Add a customer", "url": reverse("customers:customer_create")})
    if can(user, "import", Customer):
        part.links.append({"label": "Import customers from CSV or Excel", "url": reverse("customers:customer_import")})
    return part
