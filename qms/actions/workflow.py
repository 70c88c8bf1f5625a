"""The one table of allowed status changes of an action, read by the services (pages and API alike)."""

from __future__ import annotations

from dataclasses import dataclass

from .choices import ActionStatus


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # the button
    sources: frozenset[str]
    target: str
    permission: str  # engine action: "work" (the owner) or "change" (quality manager)
    note_label: str = ""  # the text asked for with it; empty when none
    note_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("start", "Start", frozenset({ActionStatus.OPEN}), ActionStatus.IN_PROGRESS, "work"),
        Transition(
            "complete",
            "Mark done",
            frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS}),
            ActionStatus.DONE,
            "work",
            note_label="What was done",
            note_required=True,
        ),
        Transition(
            "verify_effective",
            "Verified effective",
            frozenset({ActionStatus.DONE}),
            ActionStatus.VERIFIED_EFFECTIVE,
            "change",
            note_label="What the check found",
            note_required=True,
        ),
        Transition(
            "verify_not_effective",
            "Not effective",
            frozenset({ActionStatus.DONE}),
            ActionStatus.NOT_EFFECTIVE,
            "change",
            note_label="What the check found",
            note_required=True,
        ),
        Transition(
            "reopen",
            "Reopen",
            frozenset({ActionStatus.DONE, ActionStatus.NOT_EFFECTIVE}),
            ActionStatus.IN_PROGRESS,
            "change",
        ),
        Transition(
            "cancel",
            "Cancel action",
            frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.NOT_EFFECTIVE}),
            ActionStatus.CANCELLED,
            "change",
            note_label="Why it is cancelled",
            note_required=True,
        ),
    )
}
TRANSITION_NAMES = tuple(TRANSITIONS)


def allowed_from(status: str) -> list[Transition]:
    """The transitions the table allows from ``status`` (whoever may perform them)."""
    return [transition for transition in TRANSITIONS.values() if status in transition.sources]
