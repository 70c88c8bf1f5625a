"""The registered figures a computed KPI can pick, each one function of the app that owns the data.

A figure is computed for a date range (local calendar dates, both inclusive) and, where it allows,
for one customer segment or one product. Two kinds:

- ``flow`` figures count what happened in the range (complaints received, NPS of the answers given);
  a closed period's value can be computed again at any time;
- ``snapshot`` figures describe the state now (requirements met %, overdue actions); they ignore the
  range, so their history is what the nightly job recorded period by period.

The apps that own the data register their figures in ``AppConfig.ready`` (their ``kpi_figures.py``),
so this app never imports a domain app.

Figures return a ``Decimal`` rounded to two places, or None when there is nothing to measure (NPS of
no answers). ``drilldown`` gives the URL of the records behind a value, when a register lists them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.urls import reverse

FLOW, SNAPSHOT = "flow", "snapshot"
SEGMENT, PRODUCT = "segment", "product"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    direction: str
    kind: str
    compute: Callable[..., Decimal | None]
    filters: frozenset[str] = field(default_factory=frozenset)
    drilldown: Callable[..., str | None] | None = None
    clause: str = "9.1.2"
    description: str = ""
    # A count that adds up over time (complaints received): over a range of several periods it is compared
    # with a per-period target as its average per period.
    additive: bool = False

    def value(self, start: dt.date, end: dt.date, *, segment: str = "", product: str = "") -> Decimal | None:
        """The figure for ``start`` … ``end``; filters the figure does not allow are ignored."""
        kwargs = {}
        if SEGMENT in self.filters:
            kwargs["segment"] = segment or None
        if PRODUCT in self.filters:
            kwargs["product"] = product or None
        return as_decimal(self.compute(start, end, **kwargs))

    def drilldown_url(self, start: dt.date, end: dt.date, *, segment: str = "", product: str = "") -> str | None:
        if self.drilldown is None:
            return None
        return self.drilldown(
            start,
            end,
            segment=segment if SEGMENT in self.filters else "",
            product=product if PRODUCT in self.filters else "",
        )


def as_decimal(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def list_url(name: str, **params) -> str:
    """The URL of a register's list page filtered by ``params`` (empty ones left out)."""
    query = urlencode({key: value for key, value in params.items() if value not in ("", None)})
    return reverse(name) + (f"?{query}" if query else "")


REGISTRY: dict[str, Figure] = {}


def register(figure: Figure) -> Figure:
    """Add a figure (each app registers its own in ``AppConfig.ready``); a key is registered once."""
    existing = REGISTRY.get(figure.key)
    if existing is not None and existing != figure:
        raise ValueError(f"A different figure is already registered under {figure.key!r}.")
    REGISTRY[figure.key] = figure
    return figure


def figure_choices() -> list[tuple[str, str]]:
    """``(key, label)`` of every registered figure, in label order, for forms and the API."""
    return sorted(((figure.key, figure.label) for figure in REGISTRY.values()), key=lambda choice: choice[1])


def get_figure(key: str) -> Figure:
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(f"No figure is registered under {key!r}.") from None
