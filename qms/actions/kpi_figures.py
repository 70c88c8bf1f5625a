"""The action figures a computed KPI can pick (registered in ``ActionsConfig.ready``)."""

from __future__ import annotations

from qms.kpis.choices import Direction
from qms.kpis.figures import FLOW, SNAPSHOT, Figure, list_url, register

from . import selectors


def overdue_actions(start, end) -> int:
    return selectors.overdue_action_count()


def verified_effective(start, end):
    return selectors.actions_verified_effective_pct(start=start, end=end)


def register_figures() -> None:
    for figure in [
        Figure(
            "overdue_actions",
            "Overdue actions",
            "actions",
            Direction.LOWER,
            SNAPSHOT,
            overdue_actions,
            frozenset(),
            lambda start, end, **_: list_url("actions:action_list", overdue="true"),
            "10.2",
            "Open actions past their due date.",
        ),
        Figure(
            "actions_verified_effective_pct",
            "Actions verified effective",
            "%",
            Direction.HIGHER,
            FLOW,
            verified_effective,
            frozenset(),
            None,
            "10.2",
            "Of the effectiveness checks made in the period, the share that found the action effective.",
        ),
    ]:
        register(figure)
