"""Tuning of a long-running web process, applied once when it loads the application (``qms/wsgi.py``)."""

from __future__ import annotations

import gc

# Python's default collects its youngest generation every 700 net allocations: a list page of 25 records
# (a model instance per row and per related row, a dict per serialized row) triggered about three
# collections per request, each walking the objects the request had made. 11 % of the CPU of a request to
# /api/v1/risks/ went to the collector; with this threshold, 5 %.
YOUNG_GENERATION_THRESHOLD = 20_000


def tune_garbage_collector() -> None:
    """Move every object made while loading (modules, settings, URL patterns) out of the collector's reach
    (``gc.freeze``), so the oldest generation's collections walk only what requests made since, and collect
    the youngest generation less often. Objects in reference cycles are still freed, only later."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)
