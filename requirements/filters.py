"""One FilterSet per list, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone

from customers.models import Customer
from qms.core.filters import PersonFilter, PortalFilterSet, YesNoFilter
from qms.core.lookups import LookupSelect
from qms.core.widgets import DATE_INPUT

from .choices import EvaluationResult, IssueScope, PartyKind, RequirementKind, RequirementStatus
from .models import Acknowledgement, ContextIssue, Evaluation, InterestedParty, Requirement
from .selectors import ENDED_STATUSES, overdue_q


def _customers(request):
    return Customer.objects.order_by("name")


class RequirementFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    kind = django_filters.ChoiceFilter(choices=RequirementKind.choices, empty_label="Any kind")
    status = django_filters.ChoiceFilter(choices=RequirementStatus.choices, empty_label="Any status")
    owner = PersonFilter(empty_label="Any owner")
    customer = django_filters.ModelChoiceFilter(
        queryset=_customers, empty_label="Any customer", widget=LookupSelect("customers")
    )
    overdue = YesNoFilter(method="filter_overdue", label="Overdue review or evaluation")

    class Meta:
        model = Requirement
        fields = ["q", "kind", "status", "owner", "customer", "overdue"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference__icontains=value)
            | Q(title__icontains=value)
            | Q(text__icontains=value)
            | Q(legal_reference__icontains=value)
            | Q(applicability__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        """Needs the annotations of ``selectors.with_last_evaluation`` (the list selector adds them)."""
        if value is None:
            return queryset
        if value:
            # A superseded or retired requirement has nothing due any more, so it is never overdue.
            return queryset.filter(overdue_q()).exclude(status__in=ENDED_STATUSES)
        # Spelled out: exclude(overdue_q()) would also drop requirements never evaluated (a NULL due date).
        today = timezone.localdate()
        return queryset.filter(
            Q(next_review_date__gte=today) & (Q(evaluation_due__isnull=True) | Q(evaluation_due__gte=today))
        )


class InterestedPartyFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    kind = django_filters.ChoiceFilter(choices=PartyKind.choices, empty_label="Any kind")

    class Meta:
        model = InterestedParty
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(needs__icontains=value)) if value else queryset


class AcknowledgementFilterSet(PortalFilterSet):
    requirement = django_filters.NumberFilter(field_name="requirement__id")
    user = django_filters.NumberFilter(field_name="user__id")

    class Meta:
        model = Acknowledgement
        fields = ["requirement", "user", "version"]


class EvaluationFilterSet(PortalFilterSet):
    requirement = django_filters.NumberFilter(field_name="requirement__id")
    result = django_filters.ChoiceFilter(choices=EvaluationResult.choices)
    since = django_filters.DateFilter(field_name="evaluated_on", lookup_expr="gte", widget=DATE_INPUT)
    until = django_filters.DateFilter(field_name="evaluated_on", lookup_expr="lte", widget=DATE_INPUT)

    class Meta:
        model = Evaluation
        fields = ["requirement", "result", "since", "until"]


class ContextIssueFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    scope = django_filters.ChoiceFilter(
        choices=IssueScope.choices, empty_label="Internal and external", label="Internal or external"
    )

    class Meta:
        model = ContextIssue
        fields = ["q", "scope"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value) | Q(effect__icontains=value))
