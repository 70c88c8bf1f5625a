"""The registry of management-review inputs (9.3.2), filled by each domain app's ``review_inputs.py``.

This core app never imports a domain app: each app registers the inputs it owns in ``AppConfig.ready``.
A provider takes the period (local dates, both inclusive) and returns JSON-ready data (ISO dates,
numbers, short lists with references and labels; never model instances) in this shape, so that one
template renders every section:

``{"figures": [{"label": "NPS", "value": 42.0, "unit": ""}, ...],
   "lists": [{"title": "Open actions", "rows": [{"reference": "ACT-00001", "label": "...",
              "detail": "..."}, ...], "empty": "No open actions."}, ...],
   "note": "optional sentence"}``
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

# The 9.3.2 items in the standard's order, for headings.
CLAUSE_TITLES = {
    "9.3.2 a": "Status of actions from previous management reviews",
    "9.3.2 b": "Changes in external and internal issues relevant to the QMS",
    "9.3.2 c": "Performance and effectiveness of the QMS",
    "9.3.2 d": "Adequacy of resources",
    "9.3.2 e": "Effectiveness of actions taken to address risks and opportunities",
    "9.3.2 f": "Opportunities for improvement",
}

# A list in a snapshot keeps at most this many rows (the counts say how many there were).
MAX_ROWS = 25

Provider = Callable[[dt.date, dt.date], dict]


@dataclass(frozen=True)
class ReviewInput:
    key: str
    title: str
    clause: str
    order: int
    provider: Provider


_registry: dict[str, ReviewInput] = {}


def register_input(key: str, *, title: str, clause: str, order: int, provider: Provider) -> None:
    """Register (or replace, on a second ``ready``) the input ``key``."""
    _registry[key] = ReviewInput(key=key, title=title, clause=clause, order=order, provider=provider)


def registered_inputs() -> list[ReviewInput]:
    """Every registered input, in review order."""
    return sorted(_registry.values(), key=lambda item: (item.order, item.key))


def compile_sections(start: dt.date, end: dt.date) -> list[dict]:
    """Run every provider for ``start`` … ``end``: ``[{"key", "title", "clause", "data"}, ...]``."""
    return [
        {"key": item.key, "title": item.title, "clause": item.clause, "data": item.provider(start, end)}
        for item in registered_inputs()
    ]


def figure(label: str, value, unit: str = "") -> dict:
    """One figure of a section, ``value`` made JSON-ready (Decimal → float, date → ISO)."""
    return {"label": label, "value": json_ready(value), "unit": unit}


def row(reference: str, label: str, detail: str = "") -> dict:
    return {"reference": reference, "label": label, "detail": detail}


def listing(title: str, rows: list[dict], empty: str) -> dict:
    return {"title": title, "rows": rows[:MAX_ROWS], "empty": empty}


def json_ready(value):
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware datetimes from local midnight of ``start`` to (excluded) local midnight after ``end``."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
