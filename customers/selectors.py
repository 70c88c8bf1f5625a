"""Reads of the customer register, already limited to what the user may see."""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import Contact, Customer


def customer_list(*, user, action: str = "view") -> QuerySet[Customer]:
    """Customers the user may see, with owner joined and contact counts computed in SQL."""
    return (
        Customer.objects.restrict(user, action)
        .select_related("account_owner")
        # A correlated subquery, not a join with GROUP BY: a page of 25 counts 25 customers' contacts (through
        # the index on the customer) instead of grouping the whole register before sorting it.
        .annotate(contact_count=Coalesce(Subquery(_contacts_per_customer()), 0))
    )


def _contacts_per_customer():
    return (
        Contact.objects.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(count=Count("pk"))
        .values("count")
    )


def contact_list(*, user, action: str = "view") -> QuerySet[Contact]:
    """Contacts the user may see, with their customer joined."""
    return Contact.objects.restrict(user, action).select_related("customer")


def contacts_with_email(email: str) -> QuerySet[Contact]:
    """Every contact with this e-mail address, in any case (unrestricted: for matching what a customer sent;
    answered from the index on the upper-cased address)."""
    return Contact.objects.filter(email__iexact=email.strip())
