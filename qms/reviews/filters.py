"""One FilterSet for the management-review list, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from .choices import ReviewStatus, SummaryKind
from .models import Review, Summary


class ReviewFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, empty_label="Any status")
    year = django_filters.NumberFilter(field_name="review_date", lookup_expr="year", label="Year")

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


class SummaryFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Search")
    kind = django_filters.ChoiceFilter(choices=SummaryKind.choices, empty_label="Both kinds")
    year = django_filters.NumberFilter(field_name="period_start", lookup_expr="year", label="Year")

    class Meta:
        model = Summary
        fields = ["q", "kind", "year"]
