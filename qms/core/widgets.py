"""Form widgets shared by the registers' forms and list filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language

# The browser's own pickers. The value is written in ISO 8601, the only form these inputs read: a date
# written in the locale's format would show an empty picker and be lost on the next save.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class FixedChoicesSelect(forms.Select):
    """A select over choices fixed in the code (countries, statuses, segments), its markup kept by the
    process for each name, value, attributes, choices and language: a list page's country filter built its
    250 options on every view, a fifth of the page's CPU. Selects of records (a queryset) are not this."""

    KEEP = 2048  # markups kept per process; all are forgotten when there are more
    _kept: dict[tuple, str] = {}

    def render(self, name, value, attrs=None, renderer=None):
        try:
            key = (
                name,
                tuple(self.format_value(value)),
                tuple(self.build_attrs(self.attrs, attrs).items()),
                tuple(self.choices),
                get_language(),
                type(renderer),
            )
            kept = self._kept.get(key)
        except TypeError:  # a value or attribute that cannot be a key: rendered as Django does
            return super().render(name, value, attrs, renderer)
        if kept is None:
            kept = super().render(name, value, attrs, renderer)
            if len(self._kept) >= self.KEEP:
                self._kept.clear()
            self._kept[key] = kept
        return kept
