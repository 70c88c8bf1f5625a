"""The customer register's part of the home page."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from qms.accounts.permissions import can
from qms.core.homepage import HomeContribution

from .choices import CustomerStatus
from .models import Customer


def customer_home(user) -> HomeContribution:
    part = HomeContribution()
    if not can(user, "view", Customer):
        return part
    counts = Customer.objects.restrict(user, "view").aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(status=CustomerStatus.ACTIVE))
    )
    list_url = reverse("customers:customer_list")
    part.figures.append({"label": "Customers", "value": counts["total"], "url": list_url})
    part.figures.append({"label": "Active customers", "value": counts["active"], "url": f"{list_url}?status=active"})
    part.links.append({"label": "Browse customers", "url": list_url})
    if can(user, "add", Customer):
        part.links.append({"label": "Add a customer", "url": reverse("customers:customer_create")})
    if can(user, "import", Customer):
        part.links.append({"label": "Import customers from CSV or Excel", "url": reverse("customers:customer_import")})
    return part
