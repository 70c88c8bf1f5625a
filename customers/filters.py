"""One FilterSet per list, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from qms.core.filters import PersonFilter, PortalFilterSet, YesNoFilter

from .choices import CustomerStatus, Segment, country_choices
from .models import Contact, Customer


class CustomerFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    segment = django_filters.ChoiceFilter(choices=Segment.choices, empty_label="Any segment")
    status = django_filters.ChoiceFilter(choices=CustomerStatus.choices, empty_label="Any status")
    country = django_filters.ChoiceFilter(choices=country_choices, empty_label="Any country")
    account_owner = PersonFilter(empty_label="Any owner", label="Account owner")

    class Meta:
        model = Customer
        fields = ["q", "segment", "status", "country", "account_owner"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value)
            | Q(name__icontains=value)
            | Q(contacts__email__icontains=value)
            | Q(contacts__name__icontains=value)
        ).distinct()


class ContactFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    customer = django_filters.NumberFilter(field_name="customer__id")
    survey_opt_out = YesNoFilter()

    class Meta:
        model = Contact
        fields = ["q", "customer", "survey_opt_out"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value) | Q(role__icontains=value))
