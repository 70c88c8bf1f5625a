"""Filter pieces shared by the registers' list pages and APIs."""

from __future__ import annotations

import django_filters
from django import forms


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
