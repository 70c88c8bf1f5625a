"""The risk figures a computed KPI can pick (registered in ``RisksConfig.ready``)."""

from __future__ import annotations

from qms.kpis.choices import Direction
from qms.kpis.figures import FLOW, SNAPSHOT, Figure, list_url, register

from . import figures
from .choices import BandName
from .filters import HIGH_OR_CRITICAL


def open_high_critical_risks(start, end) -> int:
    bands = figures.open_entries_per_band()
    return bands[BandName.HIGH] + bands[BandName.CRITICAL]


def treatments_effective(start, end):
    return figures.treatments_effective_pct(start=start, end=end)


def register_figures() -> None:
    for figure in [
        Figure(
            "open_high_critical_risks",
            "Open high and critical risks",
            "risks",
            Direction.LOWER,
            SNAPSHOT,
            open_high_critical_risks,
            frozenset(),
            lambda start, end, **_: list_url("risks:entry_list", kind="risk", open="true", band=HIGH_OR_CRITICAL),
            "5.1.2 b)",
            "Open risks whose current band is high or critical.",
        ),
        Figure(
            "treatments_effective_pct",
            "Risk treatments effective",
            "%",
            Direction.HIGHER,
            FLOW,
            treatments_effective,
            frozenset(),
            None,
            "6.1",
            "Of the risk effectiveness reviews made in the period, the share that found the target reached.",
        ),
    ]:
        register(figure)
