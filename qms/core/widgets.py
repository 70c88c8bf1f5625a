"""Form widgets shared by the registers' forms and list filters."""

from __future__ import annotations

from django import forms

# The browser's own pickers. The value is written in ISO 8601, the only form these inputs read: a date
# written in the locale's format would show an empty picker and be lost on the next save.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
