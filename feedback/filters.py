"""One FilterSet per list, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone

from customers.choices import Segment
from customers.models import Customer
from qms.core import search
from qms.core.filters import KeptRecordChoiceFilter, PersonFilter, PortalFilterSet, YesNoFilter
from qms.core.lookups import LookupSelect
from qms.core.widgets import DATE_INPUT

from .choices import OPEN_STATUSES, Channel, FeedbackKind, FeedbackStatus, Severity
from .models import Category, FeedbackItem


def _customers(request):
    return Customer.objects.order_by("name")


def _categories(request):
    return Category.objects.order_by("name")


# What the search box reads, besides the customer's code and name (migration 0005 indexes these on PostgreSQL).
SEARCH_FIELDS = ("reference", "summary", "description", "submitter_name", "submitter_email", "product")
# A customer's columns the search reads (customers 0004 indexes them).
CUSTOMER_SEARCH_FIELDS = ("code", "name")
# More customers than this matching: their records are matched through a subquery instead of by numbers.
CUSTOMERS_MATCHED_BY_NUMBER = 500


def customer_named(value: str) -> Q:
    """Records of customers whose code or name holds ``value``: by the customers' numbers (an index lookup
    the search's own index can be combined with), or through a subquery when too many match to list."""
    customers = search.matching(Customer.objects.order_by(), value, CUSTOMER_SEARCH_FIELDS)
    numbers = list(customers.values_list("pk", flat=True)[: CUSTOMERS_MATCHED_BY_NUMBER + 1])
    if len(numbers) > CUSTOMERS_MATCHED_BY_NUMBER:
        return Q(customer__in=customers.values("pk"))
    return Q(customer__in=numbers)


def overdue_q(now=None) -> Q:
    """Open complaints past a time target: acknowledgement (while received) or resolution (not paused)."""
    now = now or timezone.now()
    return Q(kind=FeedbackKind.COMPLAINT) & (
        Q(status=FeedbackStatus.RECEIVED, acknowledge_due_at__lt=now)
        | Q(status__in=OPEN_STATUSES, paused_since__isnull=True, resolve_due_at__lt=now)
    )


class FeedbackItemFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    kind = django_filters.ChoiceFilter(choices=FeedbackKind.choices, empty_label="Any kind")
    status = django_filters.ChoiceFilter(choices=FeedbackStatus.choices, empty_label="Any status")
    open = YesNoFilter(method="filter_open", label="Still open")
    severity = django_filters.ChoiceFilter(choices=Severity.choices, empty_label="Any severity")
    channel = django_filters.ChoiceFilter(choices=Channel.choices, empty_label="Any channel")
    category = KeptRecordChoiceFilter(queryset=_categories, empty_label="Any category")
    customer = django_filters.ModelChoiceFilter(
        queryset=_customers, empty_label="Any customer", widget=LookupSelect("customers")
    )
    assignee = PersonFilter(empty_label="Anyone")
    overdue = YesNoFilter(method="filter_overdue", label="Past a time target")
    received_after = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__gte", label="Received from", widget=DATE_INPUT
    )
    received_before = django_filters.DateFilter(
        field_name="received_at", lookup_expr="date__lte", label="Received to", widget=DATE_INPUT
    )
    product = django_filters.CharFilter(field_name="product", lookup_expr="iexact", label="Product or service")
    segment = django_filters.ChoiceFilter(
        field_name="customer__segment", choices=Segment.choices, empty_label="Any segment", label="Customer segment"
    )
    resolved_after = django_filters.DateFilter(
        field_name="resolved_at", lookup_expr="date__gte", label="Resolved from", widget=DATE_INPUT
    )
    resolved_before = django_filters.DateFilter(
        field_name="resolved_at", lookup_expr="date__lte", label="Resolved to", widget=DATE_INPUT
    )

    class Meta:
        model = FeedbackItem
        fields = [
            "q",
            "kind",
            "status",
            "open",
            "severity",
            "channel",
            "category",
            "customer",
            "assignee",
            "overdue",
            "received_after",
            "received_before",
            "product",
            "segment",
            "resolved_after",
            "resolved_before",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return search.matching(queryset, value, SEARCH_FIELDS, also=customer_named(value))

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
