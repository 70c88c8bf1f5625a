"""Reads of the customer register, already limited to what the user may see."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from .models import Contact, Customer


def customer_list(*, user, action: str = "view") -> QuerySet[Customer]:
    """Customers the user may see, with owner joined and contact counts computed in SQL."""
    return (
        Customer.objects.restrict(user, action)
        .select_related("account_owner")
        # distinct: a search on contacts joins them a second time, which would multiply the count.
        .annotate(contact_count=Count("contacts", distinct=True))
    )


def contact_list(*, user, action: str = "view") -> QuerySet[Contact]:
    """Contacts the user may see, with their customer joined."""
    return Contact.objects.restrict(user, action).select_related("customer")
