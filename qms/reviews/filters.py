"""One FilterSet for the management-review list, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from qms.core.filters import PortalFilterSet

from .choices import ReviewStatus, SummaryKind
from .models import Review, Summary


class YearFilter(django_filters.NumberFilter):
    """A four-digit year (anything else is a form error, answered 400 by the API, not a database error)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "year")
        kwargs.setdefault("label", "Year")
        kwargs.setdefault("min_value", 1000)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


class ReviewFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, empty_label="Any status")
    year = YearFilter(field_name="review_date")

    class Meta:
        model = Review
        fields = ["q", "status", "year"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(minutes__icontains=value)
            | Q(other_attendees__icontains=value)
            | Q(chair__username__icontains=value)
            | Q(chair__last_name__icontains=value)
        )


class SummaryFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Search")
    kind = django_filters.ChoiceFilter(choices=SummaryKind.choices, empty_label="Both kinds")
    year = YearFilter(field_name="period_start")

    class Meta:
        model = Summary
        fields = ["q", "kind", "year"]
