"""The life of a risk or opportunity: the one table of allowed status changes, read by services, pages
and the API. Scoring, accepting and reviewing move the status as a side effect of those services;
the table says from where each may happen."""

from __future__ import annotations

from dataclasses import dataclass

from .choices import EntryStatus

S = EntryStatus


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: the service decides (e.g. an effectiveness review: monitoring or treating)
    # "work": the owner (and quality managers); "change": quality managers; "approve": top management.
    permission: str = "work"
    comment_required: bool = False


STEPS: tuple[Step, ...] = (
    # The first inherent assessment of an identified entry makes it assessed.
    Step("assess", "Score", frozenset({S.IDENTIFIED, S.ASSESSED, S.TREATING, S.MONITORING}), None),
    Step("start_treatment", "Start treatment", frozenset({S.ASSESSED, S.MONITORING}), S.TREATING),
    # Accepting a risk (or declining an opportunity) goes to monitoring at once, or waits for top
    # management's approval when the band requires it.
    Step("accept", "Accept", frozenset({S.ASSESSED, S.TREATING}), None, comment_required=True),
    Step("approve", "Approve acceptance", frozenset({S.ASSESSED, S.TREATING}), S.MONITORING, permission="approve"),
    # Target reached → monitoring; not reached → treating again.
    Step("review_effectiveness", "Record effectiveness", frozenset({S.TREATING, S.MONITORING}), None),
    Step(
        "close",
        "Close",
        frozenset({S.IDENTIFIED, S.ASSESSED, S.TREATING, S.MONITORING}),
        S.CLOSED,
        permission="change",
        comment_required=True,
    ),
    Step("reopen", "Reopen", frozenset({S.CLOSED}), S.ASSESSED, permission="change", comment_required=True),
)

STEP_NAMES = tuple(step.name for step in STEPS)


def find_step(name: str, *, status: str) -> Step | None:
    """The step ``name`` if it is allowed from ``status``, else None."""
    for step in STEPS:
        if step.name == name and status in step.sources:
            return step
    return None


def available_steps(*, status: str) -> list[Step]:
    return [step for step in STEPS if status in step.sources]
