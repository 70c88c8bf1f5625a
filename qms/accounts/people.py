"""The people a record can be given to (owners, assignees, chairs, attendees): the users who can still
sign in, listed by name and labelled "Name (username)" in every form and filter."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
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


# The active people as a filter's choices, kept by each web process (``kept_people_choices``).
_KEPT: dict[str, tuple] = {}


def kept_people_choices() -> tuple[tuple[int, str], ...]:
    """The active people as ``(id, "Name (username)")``, in the people's order, kept by the process for
    ``settings.PEOPLE_CHOICES_SECONDS``: every list page's owner filter read and rendered them, a query and
    a tenth of the page's CPU for a list that changes a few times a year. A person saved or deleted in this
    process is seen at once (``forget_people_choices``); the other processes see it when their copy runs
    out. Validation does not read these: a filter's field still checks the chosen person in the database."""
    seconds = settings.PEOPLE_CHOICES_SECONDS
    kept = _KEPT.get("choices")
    now = time.monotonic()
    if kept is not None and now - kept[0] < seconds:
        return kept[1]
    choices = tuple((user.pk, person_label(user)) for user in active_people())
    if seconds > 0:
        _KEPT["choices"] = (now, choices)
    return choices


def forget_people_choices(**kwargs) -> None:
    """Forget the kept choices now and again when the transaction commits (a person saved or deleted)."""
    _KEPT.clear()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_KEPT.clear)
