"""The complaint workflow: the one table of allowed transitions, read by services, pages and the API.

ISO 10002: receipt → acknowledgement → assessment → investigation → response → decision communicated →
closing. Compliments, suggestions and enquiries follow a short path (acknowledge, then close).
Pausing (waiting on the customer) does not change the state; it stops the time-target clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .choices import FeedbackKind, FeedbackStatus

S = FeedbackStatus
ALL_KINDS = frozenset(FeedbackKind)
COMPLAINT = frozenset({FeedbackKind.COMPLAINT})
OTHER_KINDS = ALL_KINDS - COMPLAINT
WORKING = frozenset({S.ACKNOWLEDGED, S.INVESTIGATING, S.RESPONSE_PROPOSED})


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: the state stays (pause and resume)
    kinds: frozenset[str] = ALL_KINDS
    comment_required: bool = False
    # "work": the assignee may do it (and anyone who may change feedback); "change": quality managers only.
    permission: str = "work"
    button: str = "outline-primary"


TRANSITIONS: tuple[Transition, ...] = (
    Transition("acknowledge", "Acknowledge", frozenset({S.RECEIVED}), S.ACKNOWLEDGED, button="primary"),
    Transition("investigate", "Start investigation", frozenset({S.ACKNOWLEDGED}), S.INVESTIGATING, COMPLAINT),
    Transition(
        "propose_response",
        "Propose a response",
        frozenset({S.INVESTIGATING}),
        S.RESPONSE_PROPOSED,
        COMPLAINT,
        button="primary",
    ),
    Transition(
        "revise",
        "Back to investigation",
        frozenset({S.RESPONSE_PROPOSED}),
        S.INVESTIGATING,
        COMPLAINT,
        comment_required=True,
    ),
    Transition("resolve", "Resolve", frozenset({S.RESPONSE_PROPOSED}), S.RESOLVED, COMPLAINT, button="success"),
    Transition("close", "Close", frozenset({S.RESOLVED}), S.CLOSED, COMPLAINT, button="success"),
    Transition(
        "close",
        "Close",
        frozenset({S.RECEIVED, S.ACKNOWLEDGED}),
        S.CLOSED,
        OTHER_KINDS,
        button="success",
    ),
    Transition(
        "await_customer",
        "Wait on the customer",
        WORKING,
        None,
        COMPLAINT,
        comment_required=True,
        button="outline-secondary",
    ),
    Transition("resume", "Customer answered: resume", WORKING, None, COMPLAINT, button="outline-secondary"),
    Transition(
        "withdraw",
        "Withdrawn by the customer",
        frozenset({S.RECEIVED}) | WORKING,
        S.WITHDRAWN,
        COMPLAINT,
        comment_required=True,
        button="outline-danger",
    ),
    Transition(
        "withdraw",
        "Withdrawn by the customer",
        frozenset({S.RECEIVED, S.ACKNOWLEDGED}),
        S.WITHDRAWN,
        OTHER_KINDS,
        comment_required=True,
        button="outline-danger",
    ),
    Transition(
        "reject",
        "Reject",
        frozenset({S.RECEIVED, S.ACKNOWLEDGED, S.INVESTIGATING}),
        S.REJECTED,
        COMPLAINT,
        comment_required=True,
        permission="change",
        button="outline-danger",
    ),
    Transition(
        "reopen",
        "Reopen",
        frozenset({S.RESOLVED, S.CLOSED}),
        S.INVESTIGATING,
        COMPLAINT,
        comment_required=True,
        permission="change",
        button="outline-warning",
    ),
)

TRANSITION_NAMES: tuple[str, ...] = tuple(dict.fromkeys(t.name for t in TRANSITIONS))


def find_transition(name: str, *, kind: str, status: str, paused: bool) -> Transition | None:
    """The transition ``name`` allowed for an item of ``kind`` in ``status``, or None when refused."""
    for transition in TRANSITIONS:
        if transition.name != name or kind not in transition.kinds or status not in transition.sources:
            continue
        if transition.name == "await_customer" and paused:
            return None
        if transition.name == "resume" and not paused:
            return None
        return transition
    return None


def available_transitions(*, kind: str, status: str, paused: bool) -> list[Transition]:
    """Every transition allowed from here, in the table's order (for buttons and the API)."""
    return list(_available(kind, status, paused))


@cache
def _available(kind: str, status: str, paused: bool) -> tuple[Transition, ...]:
    # The table is fixed, so each (kind, status, paused) is worked out once: an API page asks 50 times.
    found = (find_transition(name, kind=kind, status=status, paused=paused) for name in TRANSITION_NAMES)
    return tuple(t for t in found if t is not None)
