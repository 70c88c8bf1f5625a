"""FilterSets for the KPI and quality-objective lists (the pages; the API may share them)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from qms.core.filters import PersonFilter, PortalFilterSet, YesNoFilter

from .choices import Frequency, KpiSource, ObjectiveStatus
from .models import Kpi, Objective


class KpiFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    source = django_filters.ChoiceFilter(choices=KpiSource.choices, empty_label="Computed or entered")
    frequency = django_filters.ChoiceFilter(choices=Frequency.choices, empty_label="Any frequency")
    active = YesNoFilter(label="Active")
    owner = PersonFilter(empty_label="Anyone")

    class Meta:
        model = Kpi
        fields = ["q", "source", "frequency", "active", "owner"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value) | Q(unit__icontains=value))


class ObjectiveFilterSet(PortalFilterSet):
    """Status is the stored hand-set status; the derived one needs the KPI values (see the list view)."""

    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(
        choices=ObjectiveStatus.choices, method="filter_status", empty_label="Any status", label="Status"
    )
    owner = PersonFilter(empty_label="Anyone")

    class Meta:
        model = Objective
        fields = ["q", "status", "owner"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__icontains=value) | Q(statement__icontains=value))

    def filter_status(self, queryset, name, value):
        # Applied by the list view after the statuses are derived from the KPI values.
        return queryset
