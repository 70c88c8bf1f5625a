"""Links to records, written without a full ``reverse()`` per row.

A list page links each of its 25–50 rows to the record; Django's ``reverse`` re-resolves the pattern on
every call (a tenth of a register page's time). ``record_url`` reverses a view once per process with a
stand-in key and writes each record's key into the text it got: the same URL ``reverse`` gives.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_STAND_IN = 7_305_912_468_035_119  # a key no record has: it appears once in the reversed text
_SHAPES: dict[tuple[str, str, str], tuple[str, str]] = {}


def record_url(viewname: str, pk) -> str:
    """``reverse(viewname, args=[pk])`` for a view whose one argument is an integer key."""
    if pk is None:  # an unsaved record: reverse raises NoReverseMatch, as it always has
        return reverse(viewname, args=[pk])
    key = (viewname, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    shape = _SHAPES.get(key)
    if shape is None:
        before, found, after = reverse(viewname, args=[_STAND_IN]).partition(str(_STAND_IN))
        if not found:  # not an integer argument written as itself: no shortcut for this view
            return reverse(viewname, args=[pk])
        shape = _SHAPES[key] = (before, after)
    return f"{shape[0]}{int(pk)}{shape[1]}"
