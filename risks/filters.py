"""One FilterSet for the risk and opportunity list, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone

from qms.core.filters import KeptRecordChoiceFilter, PersonFilter, PortalFilterSet, YesNoFilter

from .choices import OPEN_STATUSES, BandName, EntryKind, EntryStatus
from .models import RiskCategory, RiskEntry


def _categories(request):
    return RiskCategory.objects.order_by("name")


def current_band_q(band: str) -> Q:
    """Entries whose band now is ``band``: the residual band once scored after treatment, else inherent."""
    return Q(residual_band=band) | Q(residual_band="", inherent_band=band)


HIGH_OR_CRITICAL = "high_critical"
BAND_CHOICES = [*BandName.choices, (HIGH_OR_CRITICAL, "High or critical")]


class RiskEntryFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices, empty_label="Risks and opportunities")
    status = django_filters.ChoiceFilter(choices=EntryStatus.choices, empty_label="Any status")
    open = YesNoFilter(method="filter_open", label="Still open")
    band = django_filters.ChoiceFilter(
        choices=BAND_CHOICES, method="filter_band", empty_label="Any band", label="Band now"
    )
    category = KeptRecordChoiceFilter(queryset=_categories, empty_label="Any category")
    owner = PersonFilter(empty_label="Anyone")
    overdue_review = YesNoFilter(method="filter_overdue_review", label="Review overdue")

    class Meta:
        model = RiskEntry
        fields = ["q", "kind", "status", "open", "band", "category", "owner", "overdue_review"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(cause__icontains=value)
            | Q(effect__icontains=value)
        )

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES) if value else queryset.exclude(status__in=OPEN_STATUSES)

    def filter_band(self, queryset, name, value):
        if value == HIGH_OR_CRITICAL:
            return queryset.filter(current_band_q(BandName.HIGH) | current_band_q(BandName.CRITICAL))
        return queryset.filter(current_band_q(value)) if value else queryset

    def filter_overdue_review(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status__in=OPEN_STATUSES, next_review_date__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
