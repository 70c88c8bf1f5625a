"""Filter pieces shared by the registers' list pages and APIs."""

from __future__ import annotations

import copy
import functools

import django_filters
import django_filters.fields
from django import forms
from django_filters.filters import FilterMethod, QuerySetRequestMixin

from qms.accounts.people import active_people
from qms.core import kept_choices
from qms.core.lookups import ListedModelChoiceIterator, person_label
from qms.core.widgets import FixedChoicesSelect


class PortalFilterSet(django_filters.FilterSet):
    """django-filter's FilterSet without its per-request rebuilding, which cost a list page 3 ms of CPU.

    django-filter deep-copies every filter and builds a new form class (each field, its label, its widget)
    for each request. Here the filters are copied shallowly (with their own ``extra`` and method) and the
    form class is built once per FilterSet class and process (its selects of fixed choices keep their markup:
    ``FixedChoicesSelect``); the form still copies its fields per request
    as every Django form does, and each record select is given its queryset from this request
    (``queryset=callable(request)``), so choices limited to what the user may see stay limited.
    """

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        base_filters = self.base_filters
        self.base_filters = {}  # nothing for django-filter's deepcopy to copy; the filters are copied below
        try:
            super().__init__(data, queryset, request=request, prefix=prefix)
        finally:
            del self.base_filters
        model = self.queryset.model
        self.filters = {}
        for name, base in base_filters.items():
            filter_ = copy.copy(base)
            filter_.extra = dict(base.extra)
            if isinstance(base.__dict__.get("filter"), FilterMethod):
                filter_.filter = FilterMethod(filter_)
            filter_.model, filter_.parent = model, self
            self.filters[name] = filter_

    def get_form_class(self):
        form_class = type(self).__dict__.get("_portal_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            for field in form_class.base_fields.values():
                if type(field.widget) is forms.Select and not isinstance(field, forms.ModelChoiceField):
                    field.widget.__class__ = FixedChoicesSelect  # the same widget, its markup kept
            type(self)._portal_form_class = form_class
        return form_class

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            for name, filter_ in self.filters.items():
                if isinstance(filter_, QuerySetRequestMixin) and name in form.fields:
                    queryset = filter_.get_queryset(self.request)
                    if queryset is not None:
                        form.fields[name].queryset = queryset
        return self._form


class AnyYesNoSelect(forms.NullBooleanSelect):
    """Any / Yes / No, rather than Django's "Unknown" for "no filter"."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "Any"), ("true", "Yes"), ("false", "No")]


class YesNoFilter(django_filters.BooleanFilter):
    """A yes/no filter whose empty choice reads "Any"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", AnyYesNoSelect)
        super().__init__(*args, **kwargs)


class _ListedFilterChoiceIterator(django_filters.fields.ModelChoiceIterator, ListedModelChoiceIterator):
    """django-filter's iterator (its "null" choice) over options read in one plain query."""


class ListedChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _ListedFilterChoiceIterator


class RecordChoiceFilter(django_filters.ModelChoiceFilter):
    """A select of a few dozen records (categories, templates, campaigns), read in one query."""

    field_class = ListedChoiceField


class _KeptChoiceIterator(_ListedFilterChoiceIterator):
    """The field's records as the process keeps them (``qms.core.kept_choices``): no query per list page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        yield from self._records()

    def _records(self) -> tuple:
        if "_kept" not in self.__dict__:  # read once per request, however often the widget iterates
            self._kept = kept_choices.kept_choices(self.queryset.model, self._read)
        return self._kept

    def _read(self):
        return ((obj.pk, self.field.label_from_instance(obj)) for obj in self.queryset.all())

    def __len__(self):
        return len(self._records()) + (self.field.empty_label is not None) + (self.field.null_label is not None)

    def __bool__(self):
        return True


class KeptChoiceField(ListedChoiceField):
    """A select of records every user is offered alike, listed as the process keeps them; the chosen one is
    checked against the database, as any record choice is."""

    iterator = _KeptChoiceIterator
    widget = FixedChoicesSelect  # the same options for every user: the markup is kept too


class KeptRecordChoiceFilter(RecordChoiceFilter):
    """A select of a few records (categories) that every user is offered alike, kept by the process."""

    field_class = KeptChoiceField


class PersonChoiceField(KeptChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


@functools.cache
def _people_queryset():
    return active_people()


def _active_people(request):
    # Built once per process: the filter only ever clones it (``.all()``, ``.get()``), never reads it itself.
    return _people_queryset()


class PersonFilter(KeptRecordChoiceFilter):
    """Records owned by (given to) one of the active people, chosen by name."""

    field_class = PersonChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", _active_people)
        super().__init__(*args, **kwargs)
