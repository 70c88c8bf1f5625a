from __future__ import annotations

import django_filters
from django.db.models import Q

from qms.core.filters import PortalFilterSet
from qms.core.widgets import DATE_INPUT

from .choices import AuditAction, AuditSource
from .models import AuditEntry


class AuditEntryFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, empty_label="Any action")
    source = django_filters.ChoiceFilter(choices=AuditSource.choices, empty_label="Any source")
    content_type = django_filters.ChoiceFilter(choices=[], empty_label="Any record type", label="Record type")
    actor = django_filters.CharFilter(field_name="actor_name", lookup_expr="icontains", label="Who")
    since = django_filters.DateFilter(
        field_name="timestamp", lookup_expr="date__gte", label="From (date)", widget=DATE_INPUT
    )
    until = django_filters.DateFilter(
        field_name="timestamp", lookup_expr="date__lte", label="To (date)", widget=DATE_INPUT
    )
    object_id = django_filters.CharFilter(label="Record id")

    class Meta:
        model = AuditEntry
        fields = ["q", "action", "source", "content_type", "actor", "since", "until", "object_id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.apps import apps

        self.filters["content_type"].extra["choices"] = sorted(
            (model._meta.label_lower, str(model._meta.verbose_name).capitalize())
            for model in apps.get_models()
            if model._meta.label_lower in audited_labels()
        )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(object_repr__icontains=value) | Q(request_id=value) | Q(actor_name__icontains=value))


def audited_labels() -> set[str]:
    from django.apps import apps

    from .mixins import AuditedModel

    labels = {model._meta.label_lower for model in apps.get_models() if issubclass(model, AuditedModel)}
    return labels | {"auth.group"}
