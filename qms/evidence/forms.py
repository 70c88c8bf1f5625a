"""Forms of the evidence pages: shape only; the service validates meaning."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from qms.core.widgets import DATE_INPUT

from .registry import CLAUSES


def default_period() -> tuple[dt.date, dt.date]:
    """The last twelve months up to today."""
    today = timezone.localdate()
    try:
        start = today.replace(year=today.year - 1) + dt.timedelta(days=1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28) + dt.timedelta(days=1)
    return start, today


class ExportForm(forms.Form):
    period_start = forms.DateField(label="From", widget=DATE_INPUT)
    period_end = forms.DateField(label="To (inclusive)", widget=DATE_INPUT)
    clauses = forms.MultipleChoiceField(
        label="ISO 9001 clauses",
        choices=[(clause, f"{clause} {title}") for clause, title in CLAUSES.items()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one clause."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        start, end = default_period()
        self.fields["period_start"].initial = start
        self.fields["period_end"].initial = end
        self.fields["clauses"].initial = list(CLAUSES)
