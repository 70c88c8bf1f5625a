"""Writes to the feedback register: numbering, who may do what, time targets, closing rules, e-mails."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.tests.factories import ContactFactory, CustomerFactory
from feedback import services
from feedback.models import Attachment, FeedbackItem, FeedbackTransition, Holiday, Pause
from qms.actions.services import action_create
from qms.audit.models import AuditEntry
from qms.core.models import OutboxEmail
from qms.core.tests.upload_samples import PNG, sample_upload

pytestmark = pytest.mark.django_db

FAR = dt.date(2030, 1, 1)
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def log(actor, **overrides) -> FeedbackItem:
    data = {
        "kind": "complaint",
        "channel": "phone",
        "customer": CustomerFactory(),
        "summary": "Order arrived damaged",
        "description": "Two of ten boxes were crushed.",
        "submitter_email": "buyer@example.com",
    }
    return services.feedback_log(actor=actor, data={**data, **overrides})


def walk(item, actor, *names, **extra):
    for name in names:
        item = services.feedback_transition(actor=actor, item=item, name=name, comment="Step.", **extra)
    return item


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


# Receiving


def test_references_count_per_kind_and_year(staff):
    with time_machine.travel(MONDAY_10, tick=False):
        first = log(staff)
        second = log(staff)
        compliment = log(staff, kind="compliment")
    assert (first.reference, second.reference, compliment.reference) == (
        "CMP-2026-00001",
        "CMP-2026-00002",
        "CPL-2026-00001",
    )


def test_logging_records_the_receipt_and_the_person(staff):
    item = log(staff)
    assert item.logged_by == staff and item.status == "received"
    step = item.transitions.get()
    assert (step.name, step.actor) == ("receive", staff)
    assert AuditEntry.objects.filter(object_id=str(item.pk), action="create").exists()


def test_staff_cannot_assign_when_logging(staff, quality):
    item = log(staff, assignee=quality)
    assert item.assignee is None


def test_the_auditor_cannot_log(auditor):
    with pytest.raises(PermissionDenied):
        log(auditor)


def test_a_contact_of_another_customer_is_refused(quality):
    with pytest.raises(ValidationError) as excinfo:
        log(quality, contact=ContactFactory())
    assert error_fields(excinfo) == {"contact"}


def test_a_contact_brings_its_customer(quality):
    contact = ContactFactory()
    item = log(quality, customer=None, contact=contact)
    assert item.customer == contact.customer


def test_received_in_the_future_is_refused(quality):
    with pytest.raises(ValidationError) as excinfo:
        log(quality, received_at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC))
    assert error_fields(excinfo) == {"received_at"}


@pytest.mark.parametrize(
    ("name", "size", "message"),
    [
        ("virus.exe", 10, "virus.exe: this type of file is not accepted"),
        ("big.pdf", 11 * 1024 * 1024, "big.pdf: the file is larger than"),
        ("empty.pdf", 0, "empty.pdf: the file is empty"),
    ],
)
def test_bad_attachments_are_refused_by_name(quality, name, size, message):
    upload = sample_upload(name, size)
    with pytest.raises(ValidationError) as excinfo:
        services.feedback_log(actor=quality, data={"summary": "S", "description": "D"}, uploads=[upload])
    assert message in excinfo.value.message_dict["attachments"][0]
    assert FeedbackItem.objects.count() == 0


def test_attachments_are_kept(quality, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = services.feedback_log(
        actor=quality,
        data={"summary": "S", "description": "D"},
        uploads=[SimpleUploadedFile("photo.png", PNG)],
    )
    attachment = Attachment.objects.get(item=item)
    assert attachment.original_name == "photo.png" and attachment.size == len(PNG)


# Time targets


def test_due_times_follow_the_severity_in_working_days(quality):
    with time_machine.travel(MONDAY_10, tick=False):
        item = log(quality)  # not assessed: Medium's targets (1 and 10 working days)
        assert item.acknowledge_due_at == dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
        assert item.resolve_due_at == dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
        item = services.feedback_update(actor=quality, item=item, data={"severity": "critical"})
    assert item.resolve_due_at == dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)  # 2 working days
    assert item.acknowledge_due_at == dt.datetime(2026, 11, 23, 22, 0, tzinfo=dt.UTC)


def test_changed_targets_apply_to_open_complaints(quality):
    with time_machine.travel(MONDAY_10, tick=False):
        item = log(quality, severity="high")
        services.sla_target_save(
            actor=quality, severity="high", data={"acknowledge_days": 1, "resolve_days": 3, "warn_before_hours": 4}
        )
    item.refresh_from_db()
    assert item.resolve_due_at == dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)


def test_a_new_holiday_moves_open_due_times(quality):
    with time_machine.travel(MONDAY_10, tick=False):
        item = log(quality)
        services.holiday_save(actor=quality, holiday=None, data={"date": dt.date(2026, 11, 24), "name": "Feast"})
    item.refresh_from_db()
    assert item.acknowledge_due_at == dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
    assert Holiday.objects.count() == 1


def test_resolution_must_come_after_acknowledgement(quality):
    with pytest.raises(ValidationError) as excinfo:
        services.sla_target_save(actor=quality, severity="low", data={"acknowledge_days": 5, "resolve_days": 2})
    assert "resolve_days" in excinfo.value.message_dict


def test_a_week_without_working_days_is_refused(quality):
    days = dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), False)
    with pytest.raises(ValidationError):
        services.working_week_save(actor=quality, data=days)


def test_staff_cannot_change_targets(staff):
    with pytest.raises(PermissionDenied):
        services.sla_target_save(actor=staff, severity="low", data={"acknowledge_days": 1, "resolve_days": 2})


def test_waiting_on_the_customer_pauses_the_clock(quality):
    with time_machine.travel(MONDAY_10, tick=False):
        item = log(quality, severity="medium")
        item = walk(item, quality, "acknowledge", "investigate")
        due = item.resolve_due_at
        item = walk(item, quality, "await_customer")
        assert item.is_paused and item.resolve_due_at is None
    with time_machine.travel(MONDAY_10 + dt.timedelta(days=1), tick=False):  # Tuesday 10:00: one working day later
        item = walk(item, quality, "resume")
    assert not item.is_paused
    assert item.resolve_due_at == due + dt.timedelta(days=1)
    assert Pause.objects.get(item=item).ended_at is not None


def test_moving_on_while_paused_ends_the_pause(quality):
    item = walk(log(quality, severity="low"), quality, "acknowledge", "investigate", "await_customer")
    item = services.feedback_transition(actor=quality, item=item, name="withdraw", comment="Customer withdrew.")
    assert not item.is_paused and item.status == "withdrawn"
    assert not Pause.objects.filter(ended_at__isnull=True).exists()


def test_acknowledgement_and_resolution_times_are_kept(quality):
    with time_machine.travel(MONDAY_10, tick=False):
        item = log(quality, severity="medium")
    with time_machine.travel(MONDAY_10 + dt.timedelta(hours=6), tick=False):
        item = walk(item, quality, "acknowledge", "investigate")
        item = walk(item, quality, "propose_response", response="We will replace the boxes.")
    with time_machine.travel(dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC), tick=False):  # Friday
        item = walk(item, quality, "resolve")
    assert item.acknowledge_working_hours == pytest.approx(6)
    assert item.resolve_working_hours == pytest.approx(96)
    assert item.resolved_within_target is True
    assert item.response_published_at is not None


def test_resolving_late_is_recorded(quality):
    with time_machine.travel(MONDAY_10, tick=False):
        item = walk(log(quality, severity="critical"), quality, "acknowledge", "investigate")
        item = walk(item, quality, "propose_response", response="Sorry.")
    with time_machine.travel(MONDAY_10 + dt.timedelta(days=7), tick=False):
        item = walk(item, quality, "resolve")
    assert item.resolved_within_target is False


# Working on it


def test_investigation_needs_a_severity(quality):
    item = walk(log(quality), quality, "acknowledge")
    with pytest.raises(ValidationError) as excinfo:
        walk(item, quality, "investigate")
    assert error_fields(excinfo) == {"severity"}


def test_a_response_is_needed_to_propose_it(quality):
    item = walk(log(quality, severity="low"), quality, "acknowledge", "investigate")
    with pytest.raises(ValidationError) as excinfo:
        walk(item, quality, "propose_response")
    assert error_fields(excinfo) == {"response"}


@pytest.mark.parametrize("name", ["reject", "withdraw"])
def test_rejecting_or_withdrawing_needs_a_reason(quality, name):
    item = log(quality)
    with pytest.raises(ValidationError) as excinfo:
        services.feedback_transition(actor=quality, item=item, name=name, comment="  ")
    assert error_fields(excinfo) == {"comment"}


def test_the_assignee_works_their_item_but_may_not_reject_it(quality, staff):
    item = log(quality, assignee=staff, severity="low")
    item = walk(item, staff, "acknowledge", "investigate")
    item = services.feedback_update(actor=staff, item=item, data={"root_cause_analysis": "Why? Loose pallet."})
    assert item.root_cause_analysis == "Why? Loose pallet."
    with pytest.raises(PermissionDenied):
        walk(item, staff, "reject")


def test_the_assignee_cannot_change_the_details(quality, staff):
    item = log(quality, assignee=staff)
    item = services.feedback_update(actor=staff, item=item, data={"summary": "Changed", "impact": "Two boxes"})
    item.refresh_from_db()
    assert (item.summary, item.impact) == ("Order arrived damaged", "Two boxes")


def test_staff_cannot_work_an_item_not_theirs(quality, staff):
    item = log(quality)
    with pytest.raises(PermissionDenied):
        walk(item, staff, "acknowledge")
    with pytest.raises(PermissionDenied):
        services.feedback_update(actor=staff, item=item, data={"impact": "x"})


def test_the_auditor_can_never_transition(quality, auditor):
    with pytest.raises(PermissionDenied):
        walk(log(quality), auditor, "acknowledge")


def test_a_closed_item_is_not_edited(quality):
    item = walk(log(quality, kind="suggestion"), quality, "close")
    with pytest.raises(ValidationError):
        services.feedback_update(actor=quality, item=item, data={"impact": "x"})


def test_the_kind_cannot_change(quality):
    with pytest.raises(ValidationError) as excinfo:
        services.feedback_update(actor=quality, item=log(quality), data={"kind": "compliment"})
    assert error_fields(excinfo) == {"kind"}


# Closing


def resolved(quality, **overrides):
    item = walk(log(quality, severity="medium", **overrides), quality, "acknowledge", "investigate")
    item = walk(item, quality, "propose_response", response="We replace the goods.")
    return walk(item, quality, "resolve")


def test_closing_asks_for_the_outcome_and_the_acceptance(quality):
    item = resolved(quality)
    with pytest.raises(ValidationError) as excinfo:
        walk(item, quality, "close")
    assert error_fields(excinfo) == {"outcome_communicated", "acceptance"}
    item = walk(item, quality, "close", outcome_communicated="Phoned the buyer.", acceptance="accepted")
    assert item.status == "closed" and item.closed_at is not None


def test_an_open_corrective_action_blocks_closing(quality):
    item = resolved(quality)
    action = action_create(
        actor=quality, kind="corrective", title="Strap pallets", owner=quality, due_date=FAR, source=item
    )
    with pytest.raises(ValidationError) as excinfo:
        walk(item, quality, "close", outcome_communicated="Told them.", acceptance="accepted")
    assert action.reference in excinfo.value.message_dict["override_reason"][0]


def test_the_quality_manager_may_close_anyway_with_a_reason(quality):
    item = resolved(quality)
    action_create(actor=quality, kind="corrective", title="Strap pallets", owner=quality, due_date=FAR, source=item)
    item = services.feedback_transition(
        actor=quality,
        item=item,
        name="close",
        outcome_communicated="Told them.",
        acceptance="refused",
        override_reason="Action runs for months; customer answered.",
    )
    assert item.status == "closed"
    assert item.close_override_reason == "Action runs for months; customer answered."
    assert FeedbackTransition.objects.get(item=item, name="close").comment.startswith("Action runs")


def test_the_assignee_may_not_override_open_actions(quality, staff):
    item = resolved(quality, assignee=staff)
    action_create(actor=quality, kind="corrective", title="Strap pallets", owner=quality, due_date=FAR, source=item)
    with pytest.raises(ValidationError) as excinfo:
        services.feedback_transition(
            actor=staff, item=item, name="close", outcome_communicated="T", acceptance="accepted", override_reason="No"
        )
    assert "quality manager" in excinfo.value.message_dict["override_reason"][0]


def test_reopening_starts_a_new_resolution_clock(quality):
    item = resolved(quality)
    with time_machine.travel(dt.datetime(2027, 1, 4, 10, 0, tzinfo=dt.UTC), tick=False):  # a Monday
        item = services.feedback_transition(actor=quality, item=item, name="reopen", comment="Boxes broke again.")
    assert (item.status, item.reopen_count, item.resolved_at) == ("investigating", 1, None)
    assert item.resolve_due_at == dt.datetime(2027, 1, 18, 10, 0, tzinfo=dt.UTC)


# E-mails


def test_acknowledging_queues_one_receipt_for_the_complainant(quality):
    item = walk(log(quality), quality, "acknowledge")
    message = OutboxEmail.objects.get()
    assert message.recipients == ["buyer@example.com"] and item.reference in message.subject
    assert item.public_token in message.body


def test_resolving_queues_the_response(quality):
    item = resolved(quality)
    message = OutboxEmail.objects.get(key__startswith="feedback-response")
    assert "We replace the goods." in message.body and message.recipients == ["buyer@example.com"]
    assert item.reference in message.subject


def test_assigning_tells_the_assignee(quality, staff):
    item = log(quality)
    services.feedback_assign(actor=quality, item=item, assignee=staff)
    assert OutboxEmail.objects.get(key__startswith="feedback-assigned").recipients == [staff.email]


# Public submissions


def test_a_public_submission_links_a_known_contact_and_queues_the_receipt():
    contact = ContactFactory(email="ann@example.com")
    item = services.feedback_submit_public(
        actor=None,
        data={
            "kind": "complaint",
            "submitter_name": "Ann",
            "submitter_email": "ANN@example.com",
            "summary": "Late",
            "description": "Very late.",
        },
    )
    assert (item.channel, item.contact, item.customer, item.logged_by) == ("web_form", contact, contact.customer, None)
    assert OutboxEmail.objects.get().recipients == ["ANN@example.com"]


def test_a_public_submission_cannot_be_an_enquiry_or_set_internal_fields():
    with pytest.raises(ValidationError) as excinfo:
        services.feedback_submit_public(
            actor=None, data={"kind": "enquiry", "submitter_email": "ann@example.com", "summary": "S"}
        )
    assert error_fields(excinfo) == {"kind"}
    item = services.feedback_submit_public(
        actor=None,
        data={
            "kind": "suggestion",
            "submitter_email": "ann@example.com",
            "summary": "S",
            "description": "D",
            "severity": "critical",
            "status": "closed",
        },
    )
    assert (item.severity, item.status) == ("", "received")


def test_after_a_reference_is_taken_only_the_record_itself_is_written():
    """The counter's row stays locked until the commit and every submission of the kind waits for it, so
    numbering comes last: nothing after it reads configuration, contacts or targets."""
    ContactFactory(email="ann@example.com")
    data = {"kind": "complaint", "submitter_email": "ann@example.com", "summary": "Late", "description": "Late."}
    with CaptureQueriesContext(connection) as queries:
        services.feedback_submit_public(actor=None, data=data)
    statements = [query["sql"] for query in queries.captured_queries]
    numbered = next(i for i, sql in enumerate(statements) if sql.startswith('UPDATE "feedback_referencecounter"'))
    reads_before = [sql for sql in statements[:numbered] if sql.startswith("SELECT")]
    reads_after = [sql.split(" FROM ")[1].split()[0] for sql in statements[numbered:] if sql.startswith("SELECT")]
    assert len(reads_before) >= 3  # the contact, the working calendar and the targets were read first
    assert set(reads_after) <= {'"feedback_referencecounter"', '"audit_auditchainhead"'}, reads_after


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_logging_at_once_get_different_references(quality, at_once):
    references, errors = at_once(lambda: log(quality).reference)
    assert not errors
    assert len(set(references)) == 2


def test_editing_the_response_after_resolving_does_not_change_what_was_published(quality):
    item = resolved(quality)
    item = services.feedback_update(actor=quality, item=item, data={"response": "A draft for next time."})
    item.refresh_from_db()
    assert item.published_response == "We replace the goods."


def test_resolving_late_while_paused_is_still_late(quality):
    with time_machine.travel(MONDAY_10, tick=False):
        item = walk(log(quality, severity="critical"), quality, "acknowledge", "investigate")
    with time_machine.travel(MONDAY_10 + dt.timedelta(days=7), tick=False):  # past the 2-day target
        item = walk(item, quality, "await_customer")
        item = walk(item, quality, "propose_response", response="Sorry.")
        item = walk(item, quality, "resolve")
    assert item.resolved_within_target is False


def test_an_unknown_severity_is_refused_on_the_field(quality):
    with pytest.raises(ValidationError) as excinfo:
        services.feedback_update(actor=quality, item=log(quality), data={"severity": "apocalyptic"})
    assert error_fields(excinfo) == {"severity"}


def test_correcting_the_received_time_moves_the_due_times(quality):
    with time_machine.travel(MONDAY_10, tick=False):
        item = log(quality)
        item = services.feedback_update(
            actor=quality,
            item=item,
            data={"received_at": MONDAY_10 - dt.timedelta(days=3)},  # the Friday before
        )
    assert item.acknowledge_due_at == MONDAY_10


def test_closing_a_complaint_sends_the_post_complaint_survey_once(quality, shipped):
    from feedback.models import Invitation

    item = resolved(quality)
    item = walk(item, quality, "close", outcome_communicated="Phoned.", acceptance="accepted")
    invitation = Invitation.objects.get(feedback_item=item)
    assert invitation.email == "buyer@example.com" and invitation.campaign.automatic
    item = walk(item, quality, "reopen")
    item = walk(item, quality, "propose_response", response="Again.")
    item = walk(item, quality, "resolve")
    walk(item, quality, "close", outcome_communicated="Phoned again.", acceptance="accepted")
    assert Invitation.objects.filter(feedback_item=item).count() == 1
    assert OutboxEmail.objects.filter(key__startswith="survey-invitation").count() == 1


def test_no_post_complaint_survey_when_switched_off(quality, shipped):
    from feedback.models import Invitation, SurveySettings

    SurveySettings.objects.update(post_complaint_enabled=False)
    walk(resolved(quality), quality, "close", outcome_communicated="Phoned.", acceptance="accepted")
    assert not Invitation.objects.exists()
