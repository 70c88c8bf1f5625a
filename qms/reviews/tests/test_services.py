"""The review's life: planned, inputs frozen, held with its answers, outputs with actions, signed by the chair."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from feedback.tests.factories import CategoryFactory, FeedbackItemFactory
from qms.actions.models import Action
from qms.audit.models import AuditEntry
from qms.reviews import services
from qms.reviews.choices import SIGNATURE_MEANING
from qms.reviews.models import Review, ReviewSignature
from requirements.tests.factories import EvaluationFactory

from .conftest import ANSWERS

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def at(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(10), tzinfo=UTC)


def section(review: Review, key: str) -> dict:
    return next(item for item in review.inputs["sections"] if item["key"] == key)["data"]


def figure_value(data: dict, label: str):
    return next(item["value"] for item in data["figures"] if item["label"] == label)


# Planning ------------------------------------------------------------------------------------------


def test_references_count_up_within_the_year_of_the_review(planned, quality, management):
    second = services.review_create(
        actor=quality,
        data={
            "review_date": dt.date(2026, 10, 1),
            "chair": management,
            "period_start": dt.date(2026, 4, 1),
            "period_end": dt.date(2026, 9, 30),
        },
    )
    assert (planned.reference, second.reference) == ("MR-2026-01", "MR-2026-02")
    assert planned.status == "planned"
    assert set(planned.attendees.values_list("username", flat=True)) == {"quality", "management"}


def test_a_period_ending_before_it_starts_is_refused(quality, management):
    with pytest.raises(ValidationError) as error:
        services.review_create(
            actor=quality,
            data={
                "review_date": dt.date(2026, 4, 1),
                "chair": management,
                "period_start": dt.date(2026, 3, 1),
                "period_end": dt.date(2026, 2, 1),
            },
        )
    assert "period_end" in error.value.message_dict
    assert not Review.objects.exists()


@pytest.mark.parametrize("persona", ["management", "staff", "auditor"])
def test_only_quality_managers_plan_reviews(persona, request, management):
    with pytest.raises(PermissionDenied):
        services.review_create(
            actor=request.getfixturevalue(persona),
            data={
                "review_date": dt.date(2026, 4, 1),
                "chair": management,
                "period_start": dt.date(2026, 1, 1),
                "period_end": dt.date(2026, 3, 31),
            },
        )


def test_creating_a_review_writes_its_audit_row(quality, planned):
    assert AuditEntry.objects.for_object(planned).filter(action="create").count() == 1


# The frozen snapshot --------------------------------------------------------------------------------


def test_prepare_compiles_every_registered_input_and_marks_inputs_ready(prepared):
    from qms.reviews.inputs import registered_inputs

    assert prepared.status == "inputs_ready"
    assert prepared.inputs_compiled_at is not None
    assert [item["key"] for item in prepared.inputs["sections"]] == [item.key for item in registered_inputs()]
    assert prepared.inputs["period_start"] == "2026-01-01"
    json.dumps(prepared.inputs)  # JSON-ready all the way down


def test_the_snapshot_does_not_change_when_the_registers_do(planned, quality):
    category = CategoryFactory(name="Delivery")
    complaint = FeedbackItemFactory(received_at=at("2026-02-10"), category=category)
    evaluation = EvaluationFactory(evaluated_on=dt.date(2026, 2, 1), result="not_met", findings="Late.")
    review = services.review_prepare(actor=quality, review=planned)
    frozen = json.loads(json.dumps(Review.objects.get(pk=review.pk).inputs))
    assert section(review, "customer_satisfaction")["lists"][1]["rows"][0]["reference"] == "Delivery"

    # Later edits to the registers: a complaint recategorised, another logged, the evaluation now met.
    complaint.category = CategoryFactory(name="Packaging")
    complaint.save()
    FeedbackItemFactory(received_at=at("2026-03-01"))
    evaluation.result = "met"
    evaluation.save()

    review.refresh_from_db()
    assert review.inputs == frozen
    assert figure_value(section(review, "requirements_conformity"), "Evaluations: not met") == 1
    assert figure_value(section(review, "customer_satisfaction"), "Complaints received") == 1


def test_compiling_again_before_the_review_is_held_takes_the_registers_as_they_are(prepared, quality):
    FeedbackItemFactory(received_at=at("2026-02-10"))
    again = services.review_prepare(actor=quality, review=prepared)
    assert figure_value(section(again, "customer_satisfaction"), "Complaints received") == 1


def test_the_inputs_cannot_be_compiled_again_once_held(held, quality):
    before = held.inputs
    with pytest.raises(ValidationError) as error:
        services.review_prepare(actor=quality, review=held)
    assert "status" in error.value.message_dict
    held.refresh_from_db()
    assert held.inputs == before


def test_changing_the_period_of_a_prepared_review_sends_it_back_to_planned(prepared, quality):
    review = services.review_update(actor=quality, review=prepared, data={"period_start": dt.date(2025, 12, 1)})
    assert (review.status, review.inputs, review.inputs_compiled_at) == ("planned", {}, None)


def test_the_period_of_a_held_review_is_fixed(held, quality):
    with pytest.raises(ValidationError) as error:
        services.review_update(actor=quality, review=held, data={"period_start": dt.date(2025, 12, 1)})
    assert "period_start" in error.value.message_dict


# Holding ---------------------------------------------------------------------------------------------


def test_holding_needs_the_three_answers(prepared, quality):
    with pytest.raises(ValidationError) as error:
        services.review_hold(actor=quality, review=prepared, data={"done_well": "Fewer complaints.", "to_improve": " "})
    assert set(error.value.message_dict) == {"to_improve", "switch_risk"}
    assert "What would make a customer seek a different supplier?" in error.value.message_dict["switch_risk"][0]
    prepared.refresh_from_db()
    assert prepared.status == "inputs_ready"


def test_a_review_is_held_only_on_prepared_inputs(planned, quality):
    with pytest.raises(ValidationError) as error:
        services.review_hold(actor=quality, review=planned, data=ANSWERS)
    assert "status" in error.value.message_dict


def test_holding_records_the_answers_and_the_time(held):
    assert held.status == "held"
    assert held.held_at is not None
    assert held.switch_risk == ANSWERS["switch_risk"]


# Outputs -----------------------------------------------------------------------------------------------


def test_an_output_with_owner_and_due_date_raises_an_action_from_the_review(held, quality, staff):
    output = services.output_add(
        actor=quality,
        review=held,
        kind="resource",
        description="Two people handle all complaints.",
        decision="Train a third complaint handler.",
        action_owner=staff,
        action_due_date=dt.date(2026, 6, 30),
    )
    action = Action.objects.get()
    assert output.action == action
    assert (action.owner, action.due_date, action.title) == (
        staff,
        dt.date(2026, 6, 30),
        "Train a third complaint handler.",
    )
    assert action.source == held
    assert action.source_label == str(held)


def test_an_output_without_action_fields_raises_no_action(held, quality):
    output = services.output_add(
        actor=quality, review=held, kind="qms_change", description="x", decision="Merge two procedures."
    )
    assert output.action is None
    assert not Action.objects.exists()


def test_an_action_needs_both_owner_and_due_date(held, quality, staff):
    with pytest.raises(ValidationError) as error:
        services.output_add(
            actor=quality, review=held, kind="improvement", description="x", decision="y", action_owner=staff
        )
    assert set(error.value.message_dict) == {"action_due_date"}
    assert not held.outputs.exists()


def test_an_output_needs_a_decision(held, quality):
    with pytest.raises(ValidationError) as error:
        services.output_add(actor=quality, review=held, kind="improvement", description="x", decision=" ")
    assert "decision" in error.value.message_dict


# Approval and signature -------------------------------------------------------------------------------


def test_a_wrong_password_signs_nothing(held, management):
    with pytest.raises(ValidationError) as error:
        services.review_approve(actor=management, review=held, password="not-my-password")
    assert "password" in error.value.message_dict
    held.refresh_from_db()
    assert held.status == "held"
    assert not ReviewSignature.objects.exists()


def test_the_chair_signs_with_the_right_password(held, management):
    signature = services.review_approve(actor=management, review=held, password="pw-management")
    held.refresh_from_db()
    assert held.status == "approved"
    assert held.approved_at == signature.signed_at
    assert (signature.signer, signature.meaning) == (management, SIGNATURE_MEANING)
    assert abs(signature.signed_at - timezone.now()) < dt.timedelta(minutes=1)


def test_the_signature_holds_the_sha256_of_the_canonical_content(approved):
    content = services.review_content(approved)
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert approved.signature.content_hash == hashlib.sha256(canonical).hexdigest()
    assert content["answers"] == ANSWERS
    assert content["inputs"] == approved.inputs
    assert services.verify_signature(approved) is True


def test_content_changed_after_approval_is_detected(approved):
    # A change that bypasses the services (straight in the database) no longer matches the signature.
    Review.objects.filter(pk=approved.pk).update(minutes="Rewritten later.")
    approved.refresh_from_db()
    assert services.verify_signature(approved) is False


def test_an_output_changed_after_approval_is_detected(held, quality, management):
    output = services.output_add(actor=quality, review=held, kind="improvement", description="x", decision="Do it.")
    services.review_approve(actor=management, review=held, password="pw-management")
    type(output).objects.filter(pk=output.pk).update(decision="Do something else.")
    assert services.verify_signature(held) is False


def test_an_unsigned_review_has_no_verification(held):
    assert services.verify_signature(held) is None


@pytest.mark.parametrize("persona", ["quality", "staff", "auditor", "superuser"])
def test_only_the_chair_approves(held, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.review_approve(actor=user, review=held, password=f"pw-{user.username}")
    assert not ReviewSignature.objects.exists()


def test_another_top_manager_who_is_not_the_chair_is_refused(held):
    from django.contrib.auth.models import Group

    other = type(held.chair).objects.create_user("director", password="pw-director")
    other.groups.add(Group.objects.get(name="Top management"))
    with pytest.raises(PermissionDenied):
        services.review_approve(actor=other, review=held, password="pw-director")


def test_a_review_not_yet_held_cannot_be_approved(prepared, management):
    with pytest.raises(ValidationError) as error:
        services.review_approve(actor=management, review=prepared, password="pw-management")
    assert "status" in error.value.message_dict


def test_an_approved_review_is_read_only(approved, quality, management):
    with pytest.raises(ValidationError):
        services.review_update(actor=quality, review=approved, data={"minutes": "Changed."})
    with pytest.raises(ValidationError):
        services.output_add(actor=quality, review=approved, kind="improvement", description="x", decision="y")
    with pytest.raises(ValidationError):
        services.review_prepare(actor=quality, review=approved)
    with pytest.raises(ValidationError):
        services.review_approve(actor=management, review=approved, password="pw-management")
    assert services.verify_signature(approved) is True


def test_reviews_their_outputs_and_signatures_are_evidence_for_9_3():
    from qms.evidence.registry import clauses_for, record_types
    from qms.reviews.models import ReviewOutput, ReviewSignature

    in_9_3 = {record_type.model for record_type in record_types(["9.3"])}
    assert {Review, ReviewOutput, ReviewSignature} <= in_9_3
    assert "9.3" in [clause for clause, _title in clauses_for(Review)]
