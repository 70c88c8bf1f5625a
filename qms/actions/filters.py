"""One FilterSet for the action list page and the API."""

from __future__ import annotations

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from qms.core.filters import PersonFilter, PortalFilterSet, YesNoFilter

from .choices import ActionKind, ActionStatus
from .models import Action
from .selectors import overdue_q, parse_source_ref


class ActionFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    kind = django_filters.ChoiceFilter(choices=ActionKind.choices, empty_label="Any kind")
    status = django_filters.ChoiceFilter(choices=ActionStatus.choices, empty_label="Any status")
    owner = PersonFilter(empty_label="Any owner")
    overdue = YesNoFilter(method="filter_overdue", label="Overdue")
    source = django_filters.CharFilter(
        method="filter_source", label="Source", help_text="app_label.model:id, e.g. requirements.requirement:3"
    )

    class Meta:
        model = Action
        fields = ["q", "kind", "status", "owner", "overdue", "source"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(description__icontains=value) | Q(source_label__icontains=value)
        )

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())

    def filter_source(self, queryset, name, value):
        parsed = parse_source_ref(value)
        if parsed is None:
            return queryset.none() if value.strip() else queryset
        app_label, model, pk = parsed
        content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
        if content_type is None:
            return queryset.none()
        return queryset.filter(source_type=content_type, source_id=pk)
