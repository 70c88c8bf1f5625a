"""One FilterSet per survey list, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from customers.choices import Segment
from customers.models import Customer
from qms.core.filters import PortalFilterSet, RecordChoiceFilter, YesNoFilter
from qms.core.lookups import LookupSelect
from qms.core.widgets import DATE_INPUT

from .choices import CampaignStatus, InvitationStatus, TemplatePurpose
from .models import Campaign, Invitation, SurveyResponse, SurveyTemplate


def _templates(request):
    return SurveyTemplate.objects.order_by("name", "-version")


def _campaigns(request):
    if request is not None and getattr(request, "user", None) is not None:
        return Campaign.objects.restrict(request.user, "view").order_by("-opens_at", "-pk")
    return Campaign.objects.order_by("-opens_at", "-pk")


def _customers(request):
    return Customer.objects.order_by("name")


class SurveyTemplateFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    purpose = django_filters.ChoiceFilter(choices=TemplatePurpose.choices, empty_label="Any purpose")
    current = YesNoFilter(method="filter_current", label="Current version only")

    class Meta:
        model = SurveyTemplate
        fields = ["q", "purpose", "current"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(intro__icontains=value))

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(superseded_by__isnull=value)


class CampaignFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices, empty_label="Any status")
    template = RecordChoiceFilter(queryset=_templates, empty_label="Any template")

    class Meta:
        model = Campaign
        fields = ["q", "status", "template"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(template__name__icontains=value))


class InvitationFilterSet(PortalFilterSet):
    campaign = RecordChoiceFilter(queryset=_campaigns, empty_label="Any campaign")
    status = django_filters.ChoiceFilter(choices=InvitationStatus.choices, empty_label="Any status")

    class Meta:
        model = Invitation
        fields = ["campaign", "status"]


class SurveyResponseFilterSet(PortalFilterSet):
    campaign = RecordChoiceFilter(queryset=_campaigns, empty_label="Any campaign")
    segment = django_filters.ChoiceFilter(choices=Segment.choices, empty_label="Any segment")
    customer = django_filters.ModelChoiceFilter(
        queryset=_customers, empty_label="Any customer", widget=LookupSelect("customers")
    )
    submitted_after = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__gte", label="Submitted from", widget=DATE_INPUT
    )
    submitted_before = django_filters.DateFilter(
        field_name="submitted_at", lookup_expr="date__lte", label="Submitted to", widget=DATE_INPUT
    )

    class Meta:
        model = SurveyResponse
        fields = ["campaign", "segment", "customer", "submitted_after", "submitted_before"]
