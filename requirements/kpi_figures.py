"""The requirement figures a computed KPI can pick (registered in ``RequirementsConfig.ready``)."""

from __future__ import annotations

from qms.kpis.choices import Direction
from qms.kpis.figures import SNAPSHOT, Figure, list_url, register

from . import selectors
from .models import Requirement


def overdue_evaluations_queryset():
    """Requirements not superseded or retired whose review or evaluation date has passed (exactly what the
    list's overdue filter shows)."""
    current = Requirement.objects.exclude(status__in=selectors.ENDED_STATUSES)
    return selectors.with_last_evaluation(current).filter(selectors.overdue_q())


def requirements_met(start, end):
    return selectors.requirements_met_pct()


def acknowledgement_coverage(start, end):
    return selectors.acknowledged_coverage_pct()


def overdue_evaluations(start, end):
    return overdue_evaluations_queryset().count()


def register_figures() -> None:
    for figure in [
        Figure(
            "requirements_met_pct",
            "Requirements met",
            "%",
            Direction.HIGHER,
            SNAPSHOT,
            requirements_met,
            frozenset(),
            lambda start, end, **_: list_url("requirements:requirement_list", status="active"),
            "5.1.2 a)",
            "Share of active applicable requirements whose last evaluation says met.",
        ),
        Figure(
            "acknowledgement_coverage_pct",
            "Acknowledgement coverage",
            "%",
            Direction.HIGHER,
            SNAPSHOT,
            acknowledgement_coverage,
            frozenset(),
            lambda start, end, **_: list_url("requirements:requirement_list", status="active"),
            "5.1.2 a)",
            "Share of (requirement, assignee) pairs acknowledged at the requirement's current version.",
        ),
        Figure(
            "overdue_evaluations",
            "Overdue evaluations",
            "requirements",
            Direction.LOWER,
            SNAPSHOT,
            overdue_evaluations,
            frozenset(),
            lambda start, end, **_: list_url("requirements:requirement_list", overdue="true"),
            "5.1.2 a)",
            "Requirements in draft or in force whose review or evaluation date has passed.",
        ),
    ]:
        register(figure)
