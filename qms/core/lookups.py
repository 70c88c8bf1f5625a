"""Choosing one record among tens of thousands: a select that renders only what is chosen, and a search.

A plain ``<select>`` of every customer (or complaint) costs seconds to render at scale and is useless to
scroll. ``LookupSelect`` and ``LookupSelectMultiple`` render only the selected option(s) and carry
``data-lookup-url``; ``static/js/portal.js`` adds a search box that asks ``LookupView`` for matches.
Validation is untouched: the form field still checks the submitted key against its own queryset.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

from django import forms
from django.apps import apps
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.views import View

from qms.accounts.permissions import can

RESULTS_PER_LOOKUP = 20
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class LookupSource:
    model: str
    search: tuple[str, ...]
    order_by: tuple[str, ...]
    label: Callable[[object], str]
    select_related: tuple[str, ...] = ()
    only: tuple[tuple[str, object], ...] = ()  # conditions every match meets (``("is_active", True)``)


def contact_label(contact) -> str:
    return f"{contact.name} ({contact.customer.name})"


def reference_label(obj) -> str:
    return f"{obj.reference} {obj.title}"


def feedback_label(item) -> str:
    return f"{item.reference} {item.summary}"


def person_label(user) -> str:
    return f"{user.display_name} ({user.username})"


SOURCES: dict[str, LookupSource] = {
    "customers": LookupSource("customers.Customer", ("name__icontains", "code__istartswith"), ("name", "code"), str),
    "contacts": LookupSource(
        "customers.Contact",
        ("name__icontains", "email__istartswith", "customer__name__icontains"),
        ("name", "pk"),
        contact_label,
        select_related=("customer",),
    ),
    "requirements": LookupSource(
        "requirements.Requirement", ("reference__istartswith", "title__icontains"), ("reference",), reference_label
    ),
    "feedback": LookupSource(
        "feedback.FeedbackItem",
        ("reference__istartswith", "summary__icontains"),
        ("-received_at", "-pk"),
        feedback_label,
    ),
    # Owners of actions and the like: the people who can still sign in.
    "people": LookupSource(
        "accounts.User",
        ("username__istartswith", "first_name__istartswith", "last_name__istartswith", "email__istartswith"),
        ("first_name", "last_name", "username"),
        person_label,
        only=(("is_active", True),),
    ),
}


class LookupView(LoginRequiredMixin, View):
    """``GET /lookup/<source>/?q=…``: up to 20 matches the user may see, as ``{"results": [{id, text}], "more"}``."""

    def get(self, request, source: str):
        spec = SOURCES.get(source)
        if spec is None:
            raise Http404("No such lookup.")
        model = apps.get_model(spec.model)
        if not can(request.user, "view", model):
            return JsonResponse({"detail": "You may not look these records up."}, status=403)
        query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
        rows = model.objects.restrict(request.user, "view").filter(**dict(spec.only))
        if query:
            rows = rows.filter(reduce(operator.or_, (Q(**{field: query}) for field in spec.search)))
        if spec.select_related:
            rows = rows.select_related(*spec.select_related)
        found = list(rows.order_by(*spec.order_by)[: RESULTS_PER_LOOKUP + 1])
        return JsonResponse(
            {
                "results": [{"id": str(obj.pk), "text": spec.label(obj)} for obj in found[:RESULTS_PER_LOOKUP]],
                "more": len(found) > RESULTS_PER_LOOKUP,
            }
        )


class _LookupMixin:
    """Only the chosen options are rendered; the rest are found through the lookup's search."""

    def __init__(self, source: str, attrs=None, **kwargs):
        if source not in SOURCES:
            raise ValueError(f"Unknown lookup {source!r}")
        self.source = source
        super().__init__(attrs, **kwargs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-lookup-url"] = reverse("lookup", args=[self.source])
        widget_attrs.setdefault("data-lookup-placeholder", "Type to search…")
        return context

    def optgroups(self, name, value, attrs=None):
        iterator = self.choices
        queryset = getattr(iterator, "queryset", None)
        if queryset is None:  # plain choices: nothing to save
            return super().optgroups(name, value, attrs)
        field = iterator.field
        wanted = [v for v in value if v not in ("", None)]
        options = []
        if field.empty_label is not None and not self.allow_multiple_selected:
            options.append(("", field.empty_label))
        if wanted:
            try:
                chosen = list(queryset.filter(pk__in=wanted))
            except (ValueError, TypeError, forms.ValidationError):
                chosen = []
            options.extend((str(obj.pk), field.label_from_instance(obj)) for obj in chosen)
        groups = []
        for index, (option_value, label) in enumerate(options):
            selected = str(option_value) in value
            groups.append((None, [self.create_option(name, option_value, label, selected, index, attrs=attrs)], index))
        return groups


class ListedModelChoiceIterator(forms.models.ModelChoiceIterator):
    """The options of a select read in one plain query. Django's own iterator reads them through
    ``QuerySet.iterator()``, which on PostgreSQL opens a server-side cursor (DECLARE, FETCH, CLOSE: three
    round trips) to read the few dozen rows a select holds."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class LookupSelect(_LookupMixin, forms.Select):
    pass


class LookupSelectMultiple(_LookupMixin, forms.SelectMultiple):
    pass


def use_lookup(field: forms.ModelChoiceField, source: str) -> None:
    """Give a model choice field a lookup widget (after the form built it), keeping its attributes."""
    widget_class = LookupSelectMultiple if isinstance(field, forms.ModelMultipleChoiceField) else LookupSelect
    widget = widget_class(source, attrs=dict(field.widget.attrs))
    widget.is_required = field.widget.is_required
    field.widget = widget
    widget.choices = field.choices
