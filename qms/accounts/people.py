"""The people a record can be given to (owners, assignees, chairs, attendees): the users who can still
sign in, listed by name and labelled "Name (username)" in every form and filter."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from qms.core.lookups import ListedModelChoiceIterator, person_label

PEOPLE_ORDER = ("first_name", "last_name", "username")


def active_people() -> QuerySet:
    return get_user_model().objects.filter(is_active=True).order_by(*PEOPLE_ORDER)


def use_people(field: forms.ModelChoiceField) -> forms.ModelChoiceField:
    """Make a form's user field choose among the active people (one or several), by name."""
    field.iterator = ListedModelChoiceIterator
    field.label_from_instance = person_label
    field.queryset = active_people()  # also gives the widget its choices
    return field
