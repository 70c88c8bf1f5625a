"""Escalation of complaint time targets: a warning before, a breach notice after, each sent once."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from feedback import escalations, services
from feedback.escalations import escalations_send
from feedback.models import Escalation, FeedbackItem
from qms.core.models import OutboxEmail

UTC = dt.UTC
# Monday 23 November 2026, 09:00 UTC; the portal's time zone in tests is UTC, the week Monday to Friday.
RECEIVED = dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# Medium (the default for an unassessed complaint): acknowledge within 1 working day, resolve within 10,
# warn 4 working hours before.
ACK_WARN = dt.datetime(2026, 11, 24, 5, 0, tzinfo=UTC)
ACK_DUE = dt.datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
RESOLVE_WARN = dt.datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
RESOLVE_DUE = dt.datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
MINUTE = dt.timedelta(minutes=1)

pytestmark = pytest.mark.django_db


def log(actor, *, kind: str = "complaint", assignee=None) -> FeedbackItem:
    with time_machine.travel(RECEIVED, tick=False):
        item = services.feedback_log(
            actor=actor,
            data={
                "kind": kind,
                "summary": "Damaged pallet",
                "description": "Two boxes crushed.",
                "received_at": RECEIVED,
            },
        )
    if assignee is not None:
        FeedbackItem.objects.filter(pk=item.pk).update(assignee=assignee)
        item.refresh_from_db()
    return item


def run_at(moment: dt.datetime) -> dict[str, int]:
    with time_machine.travel(moment, tick=False):
        return escalations_send()


def sent() -> list[tuple[str, str, int]]:
    return sorted(Escalation.objects.values_list("target", "level", "cycle"))


def outbox() -> list[OutboxEmail]:
    return list(OutboxEmail.objects.filter(key__startswith="escalation:").order_by("pk"))


def transition(item, actor, name: str, moment: dt.datetime, **kwargs) -> FeedbackItem:
    with time_machine.travel(moment, tick=False):
        return services.feedback_transition(actor=actor, item=item, name=name, **kwargs)


def test_due_times_are_as_the_tests_assume(quality):
    item = log(quality)
    assert (item.acknowledge_warn_at, item.acknowledge_due_at) == (ACK_WARN, ACK_DUE)
    assert (item.resolve_warn_at, item.resolve_due_at) == (RESOLVE_WARN, RESOLVE_DUE)


def test_nothing_before_the_warning_time(quality, staff):
    log(quality, assignee=staff)
    assert run_at(ACK_WARN - MINUTE) == {"warning": 0, "breach": 0, "already_sent": 0, "no_recipients": 0}
    assert sent() == [] and outbox() == []


def test_the_assignee_is_warned_once(quality, staff):
    item = log(quality, assignee=staff)
    assert run_at(ACK_WARN)["warning"] == 1
    assert run_at(ACK_WARN + 30 * MINUTE) == {"warning": 0, "breach": 0, "already_sent": 1, "no_recipients": 0}
    assert sent() == [("acknowledge", "warning", 0)]
    [message] = outbox()
    assert message.recipients == ["staff@example.com"]
    assert message.subject == f"Target approaching: {item.reference} acknowledgement due 24 Nov 2026 09:00"
    assert item.get_absolute_url() in message.body
    assert item.get_absolute_url() in message.html_body
    escalation = Escalation.objects.get()
    assert message.key == f"escalation:{escalation.pk}"
    assert (escalation.due_at, escalation.recipients) == (ACK_DUE, "staff@example.com")


def test_without_an_assignee_the_quality_managers_are_warned(quality):
    log(quality)
    run_at(ACK_WARN)
    [message] = outbox()
    assert message.recipients == ["quality@example.com"]


def test_a_breach_goes_to_the_quality_managers_with_the_assignee_copied(quality, staff):
    item = log(quality, assignee=staff)
    run_at(ACK_WARN)
    assert run_at(ACK_DUE)["breach"] == 1
    assert sent() == [("acknowledge", "breach", 0), ("acknowledge", "warning", 0)]
    breach = outbox()[-1]
    assert breach.recipients == ["quality@example.com", "staff@example.com"]
    assert breach.subject == f"Target missed: {item.reference} acknowledgement was due 24 Nov 2026 09:00"
    assert "was missed" in breach.body


def test_a_warning_not_yet_sent_when_the_target_is_missed_is_skipped(quality, staff):
    log(quality, assignee=staff)
    assert run_at(ACK_DUE + MINUTE) == {"warning": 0, "breach": 1, "already_sent": 0, "no_recipients": 0}
    assert sent() == [("acknowledge", "breach", 0)]
    assert len(outbox()) == 1


def test_running_twice_sends_each_notice_once(quality, staff):
    log(quality, assignee=staff)
    first = run_at(RESOLVE_DUE + MINUTE)
    second = run_at(RESOLVE_DUE + MINUTE)
    # Acknowledgement and resolution both missed: two breaches, each sent once.
    assert (first["breach"], second["breach"], second["already_sent"]) == (2, 0, 2)
    assert sent() == [("acknowledge", "breach", 0), ("resolve", "breach", 0)]
    assert len(outbox()) == 2


def test_an_acknowledged_complaint_is_escalated_for_its_resolution_only(quality, staff):
    item = log(quality, assignee=staff)
    transition(item, quality, "acknowledge", RECEIVED + dt.timedelta(hours=1))
    assert run_at(ACK_DUE + MINUTE)["breach"] == 0
    assert run_at(RESOLVE_WARN)["warning"] == 1
    assert sent() == [("resolve", "warning", 0)]


def test_nothing_for_a_complaint_waiting_on_the_customer(quality, staff):
    item = log(quality, assignee=staff)
    FeedbackItem.objects.filter(pk=item.pk).update(severity="medium")
    transition(item, quality, "acknowledge", RECEIVED + dt.timedelta(hours=1))
    transition(item, quality, "investigate", RECEIVED + dt.timedelta(hours=2))
    transition(item, quality, "await_customer", RECEIVED + dt.timedelta(hours=3), comment="Asked for photos")
    assert run_at(RESOLVE_DUE + dt.timedelta(days=30)) == {
        "warning": 0,
        "breach": 0,
        "already_sent": 0,
        "no_recipients": 0,
    }


@pytest.mark.parametrize("status", ["resolved", "closed", "withdrawn", "rejected"])
def test_nothing_for_a_complaint_no_longer_open(quality, staff, status):
    item = log(quality, assignee=staff)
    FeedbackItem.objects.filter(pk=item.pk).update(status=status)
    assert run_at(RESOLVE_DUE + MINUTE)["breach"] == 0
    assert sent() == []


@pytest.mark.parametrize("kind", ["compliment", "suggestion", "enquiry"])
def test_nothing_for_other_kinds_of_feedback(quality, kind):
    item = log(quality, kind=kind)
    # Even with due times (which the services never give them), only complaints are escalated.
    FeedbackItem.objects.filter(pk=item.pk).update(
        acknowledge_warn_at=ACK_WARN,
        acknowledge_due_at=ACK_DUE,
        resolve_warn_at=RESOLVE_WARN,
        resolve_due_at=RESOLVE_DUE,
    )
    assert run_at(RESOLVE_DUE + MINUTE)["breach"] == 0
    assert sent() == []


def test_a_reopened_complaint_is_escalated_again_in_a_new_cycle(quality, staff):
    item = log(quality, assignee=staff)
    FeedbackItem.objects.filter(pk=item.pk).update(severity="medium", response="We replaced the goods.")
    transition(item, quality, "acknowledge", RECEIVED + dt.timedelta(hours=1))
    transition(item, quality, "investigate", RECEIVED + dt.timedelta(hours=2))
    assert run_at(RESOLVE_DUE + MINUTE)["breach"] == 1
    late = RESOLVE_DUE + dt.timedelta(hours=2)
    transition(item, quality, "propose_response", late)
    transition(item, quality, "resolve", late + MINUTE)
    reopened_at = dt.datetime(2026, 12, 8, 9, 0, tzinfo=UTC)  # a Tuesday
    item = transition(item, quality, "reopen", reopened_at, comment="The replacement was damaged too.")
    assert item.reopen_count == 1
    assert item.resolve_due_at == dt.datetime(2026, 12, 22, 9, 0, tzinfo=UTC)
    assert run_at(dt.datetime(2026, 12, 22, 9, 1, tzinfo=UTC))["breach"] == 1
    assert sent() == [("resolve", "breach", 0), ("resolve", "breach", 1)]
    assert len(outbox()) == 2


def test_nobody_to_tell_records_nothing_so_a_later_run_sends(quality):
    log(quality)
    quality.email = ""
    quality.save(update_fields=["email"])
    assert run_at(ACK_WARN)["no_recipients"] == 1
    assert sent() == []
    quality.email = "quality@example.com"
    quality.save(update_fields=["email"])
    assert run_at(ACK_WARN)["warning"] == 1


def test_a_failure_while_queuing_the_mail_leaves_no_escalation_recorded(quality, staff, monkeypatch):
    log(quality, assignee=staff)

    def broken_outbox(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(escalations, "outbox_queue", broken_outbox)
    with pytest.raises(RuntimeError):
        run_at(ACK_WARN)
    assert sent() == []
    monkeypatch.undo()
    assert run_at(ACK_WARN)["warning"] == 1
    assert len(outbox()) == 1


def test_an_escalation_claimed_elsewhere_is_not_sent_again(quality, staff):
    item = log(quality, assignee=staff)
    Escalation.objects.create(item=item, target="acknowledge", level="warning", cycle=0, due_at=ACK_DUE)
    assert run_at(ACK_WARN) == {"warning": 0, "breach": 0, "already_sent": 1, "no_recipients": 0}
    assert outbox() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_each_notice_once(quality, staff, at_once):
    for _ in range(3):
        log(quality, assignee=staff)
    results, errors = at_once(lambda: escalations_send(now=RESOLVE_DUE + MINUTE))
    assert errors == []
    assert sum(result["breach"] for result in results) == 6
    assert sum(result["already_sent"] for result in results) == 6
    assert Escalation.objects.count() == 6
    assert len(outbox()) == 6
