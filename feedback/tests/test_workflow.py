"""The transitions table, state by state: what it allows and refuses, and that the services obey it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from feedback import services
from feedback.choices import FeedbackKind, FeedbackStatus
from feedback.models import FeedbackTransition
from feedback.workflow import TRANSITION_NAMES, available_transitions, find_transition

from .factories import FeedbackItemFactory

S = FeedbackStatus
# Complaints: what each state allows (not paused).
COMPLAINT_ALLOWED = {
    S.RECEIVED: {"acknowledge", "withdraw", "reject"},
    S.ACKNOWLEDGED: {"investigate", "await_customer", "withdraw", "reject"},
    S.INVESTIGATING: {"propose_response", "await_customer", "withdraw", "reject"},
    S.RESPONSE_PROPOSED: {"revise", "resolve", "await_customer", "withdraw"},
    S.RESOLVED: {"close", "reopen"},
    S.CLOSED: {"reopen"},
    S.WITHDRAWN: set(),
    S.REJECTED: set(),
}
# Compliments, suggestions and enquiries take the short path.
OTHER_ALLOWED = {
    S.RECEIVED: {"acknowledge", "close", "withdraw"},
    S.ACKNOWLEDGED: {"close", "withdraw"},
}
TARGETS = {
    "acknowledge": S.ACKNOWLEDGED,
    "investigate": S.INVESTIGATING,
    "propose_response": S.RESPONSE_PROPOSED,
    "revise": S.INVESTIGATING,
    "resolve": S.RESOLVED,
    "close": S.CLOSED,
    "withdraw": S.WITHDRAWN,
    "reject": S.REJECTED,
    "reopen": S.INVESTIGATING,
}


def expected(kind: str, status: str, paused: bool) -> set[str]:
    allowed = set((COMPLAINT_ALLOWED if kind == FeedbackKind.COMPLAINT else OTHER_ALLOWED).get(status, set()))
    if paused:
        allowed.discard("await_customer")
        if kind == FeedbackKind.COMPLAINT and status in (S.ACKNOWLEDGED, S.INVESTIGATING, S.RESPONSE_PROPOSED):
            allowed.add("resume")
    return allowed


CASES = [
    (kind, status, name)
    for kind in FeedbackKind.values
    for status in FeedbackStatus.values
    for name in TRANSITION_NAMES
]


@pytest.mark.parametrize(("kind", "status", "name"), CASES)
def test_the_table_allows_exactly_the_expected_transitions(kind, status, name):
    allowed = find_transition(name, kind=kind, status=status, paused=False) is not None
    assert allowed == (name in expected(kind, status, paused=False))


@pytest.mark.parametrize("status", FeedbackStatus.values)
def test_while_paused_only_resume_replaces_await(status):
    names = {t.name for t in available_transitions(kind="complaint", status=status, paused=True)}
    assert names == expected("complaint", status, paused=True)


def _ready_item(kind: str, status: str):
    """An item in ``status`` with everything filled in, so the table alone decides."""
    return FeedbackItemFactory(
        kind=kind,
        status=status,
        severity="medium",
        response="We will refund the order.",
        outcome_communicated="Phoned the buyer.",
        acceptance="accepted",
        submitter_email="",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "status", "name"),
    [(k, s, n) for k, s, n in CASES if n not in ("await_customer", "resume") and k in ("complaint", "suggestion")],
)
def test_the_service_obeys_the_table(kind, status, name, quality):
    item = _ready_item(kind, status)
    if name in expected(kind, status, paused=False):
        item = services.feedback_transition(actor=quality, item=item, name=name, comment="Because.")
        assert item.status == TARGETS[name]
        step = FeedbackTransition.objects.get(item=item, name=name)
        assert (step.from_status, step.to_status, step.actor) == (status, TARGETS[name], quality)
    else:
        with pytest.raises(ValidationError) as excinfo:
            services.feedback_transition(actor=quality, item=item, name=name, comment="Because.")
        assert "transition" in excinfo.value.message_dict
        item.refresh_from_db()
        assert item.status == status
