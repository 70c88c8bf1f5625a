"""Writes to the requirements register: numbering, bad input on the field, versions, acknowledgements,
evaluations and attachments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from qms.accounts.roles import STAFF
from qms.actions.models import Action
from qms.actions.selectors import actions_for_source
from qms.audit.models import AuditEntry
from requirements import services
from requirements.models import Acknowledgement, Assignment, Requirement
from requirements.selectors import acknowledgement_status
from requirements.tests.factories import RequirementFactory, UserFactory

pytestmark = pytest.mark.django_db

IN_A_MONTH = timezone.localdate() + dt.timedelta(days=30)


def new_data(**overrides) -> dict:
    data = {
        "title": "Certificate of conformity with each delivery",
        "text": "Every delivery carries a signed certificate of conformity.",
        "kind": "specified",
        "customer": CustomerFactory(),
        "owner": UserFactory(),
        "next_review_date": IN_A_MONTH,
    }
    return {**data, **overrides}


def error_fields(excinfo) -> set[str]:
    return set(excinfo.value.message_dict)


# References


def test_first_reference_is_req_0001():
    assert services.requirement_next_reference() == "REQ-0001"


def test_next_reference_follows_the_highest_number_in_use():
    RequirementFactory(reference="REQ-0001")
    RequirementFactory(reference="REQ-0007")
    RequirementFactory(reference="QA-0042")
    assert services.requirement_next_reference() == "REQ-0008"


def test_next_reference_with_a_custom_prefix_counts_only_that_prefix():
    RequirementFactory(reference="REQ-0009")
    RequirementFactory(reference="LEG-0002")
    assert services.requirement_next_reference("leg") == "LEG-0003"


def test_default_prefix_comes_from_the_settings(settings):
    settings.QMS_REQUIREMENT_PREFIX = "CR"
    assert services.requirement_next_reference() == "CR-0001"


def test_create_without_reference_numbers_it_and_keeps_version_1(quality):
    RequirementFactory(reference="REQ-0003")
    requirement = services.requirement_create(actor=quality, data=new_data(reference=""))
    assert (requirement.reference, requirement.version) == ("REQ-0004", 1)
    assert list(requirement.versions.values_list("version", "text")) == [
        (1, "Every delivery carries a signed certificate of conformity.")
    ]


def test_create_with_a_reference_prefix_numbers_in_that_series(quality):
    requirement = services.requirement_create(actor=quality, data=new_data(reference_prefix="CUS"))
    assert requirement.reference == "CUS-0001"


def test_duplicate_reference_in_other_case_is_refused_on_the_reference_field(quality):
    RequirementFactory(reference="REQ-0005")
    with pytest.raises(ValidationError) as excinfo:
        services.requirement_create(actor=quality, data=new_data(reference="req-0005"))
    assert error_fields(excinfo) == {"reference"}
    assert Requirement.objects.count() == 1


def test_new_requirement_with_next_review_in_the_past_is_refused_on_that_field(quality):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as excinfo:
        services.requirement_create(actor=quality, data=new_data(next_review_date=yesterday))
    assert error_fields(excinfo) == {"next_review_date"}
    assert not Requirement.objects.exists()


@pytest.mark.parametrize("kind", ["statutory", "regulatory"])
def test_legal_requirement_needs_legal_reference_and_jurisdiction(quality, kind):
    with pytest.raises(ValidationError) as excinfo:
        services.requirement_create(actor=quality, data=new_data(kind=kind, customer=None))
    assert error_fields(excinfo) == {"legal_reference", "jurisdiction"}


def test_statutory_requirement_with_its_legal_fields_is_created(quality):
    requirement = services.requirement_create(
        actor=quality,
        data=new_data(
            kind="statutory",
            customer=None,
            legal_reference="Regulation (EU) 2023/988, Art. 9",
            jurisdiction="EU",
            authority="European Commission",
        ),
    )
    assert requirement.kind == "statutory"


@pytest.mark.parametrize("kind", ["contractual", "specified", "implied"])
def test_customer_requirement_needs_its_customer(quality, kind):
    with pytest.raises(ValidationError) as excinfo:
        services.requirement_create(actor=quality, data=new_data(kind=kind, customer=None))
    assert error_fields(excinfo) == {"customer"}


def test_create_writes_one_audit_entry_naming_the_actor(quality):
    before = AuditEntry.objects.filter(content_type="requirements.requirement").count()
    requirement = services.requirement_create(actor=quality, data=new_data())
    entries = AuditEntry.objects.filter(content_type="requirements.requirement", object_id=str(requirement.pk))
    assert entries.count() == before + 1
    assert entries.get().actor_id == quality.pk


@pytest.mark.parametrize("persona", ["staff", "auditor", "management"])
def test_only_quality_managers_create_requirements(request, persona):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.requirement_create(actor=actor, data=new_data())


# Versions


def test_changing_the_text_of_an_active_requirement_makes_version_2_and_keeps_both_wordings(quality):
    requirement = RequirementFactory(status="active", text="Ship within 10 days.")
    services.requirement_update(actor=quality, requirement=requirement, data={"text": "Ship within 5 days."})
    requirement.refresh_from_db()
    assert requirement.version == 2
    assert list(requirement.versions.order_by("version").values_list("version", "text", "changed_by_name")) == [
        (1, "Ship within 10 days.", "factory"),
        (2, "Ship within 5 days.", "Quality Tester"),
    ]


def test_changing_the_title_of_an_active_requirement_also_makes_a_new_version(quality):
    requirement = RequirementFactory(status="active", title="Old title")
    services.requirement_update(actor=quality, requirement=requirement, data={"title": "New title"})
    assert Requirement.objects.get(pk=requirement.pk).version == 2


def test_changing_other_fields_of_an_active_requirement_keeps_the_version(quality):
    requirement = RequirementFactory(status="active", criticality="medium")
    services.requirement_update(
        actor=quality, requirement=requirement, data={"criticality": "high", "text": requirement.text}
    )
    requirement.refresh_from_db()
    assert (requirement.version, requirement.criticality, requirement.versions.count()) == (1, "high", 1)


def test_editing_a_draft_changes_its_wording_in_place(quality):
    requirement = RequirementFactory(status="draft", text="First draft.")
    services.requirement_update(actor=quality, requirement=requirement, data={"text": "Second draft."})
    requirement.refresh_from_db()
    assert requirement.version == 1
    assert list(requirement.versions.values_list("version", "text")) == [(1, "Second draft.")]


def test_only_drafts_are_deleted(quality):
    active = RequirementFactory(status="active")
    with pytest.raises(ValidationError):
        services.requirement_delete(actor=quality, requirement=active)
    draft = RequirementFactory(status="draft")
    services.requirement_delete(actor=quality, requirement=draft)
    assert list(Requirement.objects.all()) == [active]


# Acknowledgements


def test_assigned_user_acknowledges_the_current_version(quality, staff):
    requirement = RequirementFactory(status="active")
    services.assignment_add(actor=quality, requirement=requirement, user=staff)
    acknowledgement = services.requirement_acknowledge(actor=staff, requirement=requirement)
    assert (acknowledgement.user, acknowledgement.version) == (staff, 1)


def test_user_assigned_through_their_role_acknowledges(quality, staff):
    requirement = RequirementFactory(status="active")
    services.assignment_add(actor=quality, requirement=requirement, group=Group.objects.get(name=STAFF))
    services.requirement_acknowledge(actor=staff, requirement=requirement)
    assert Acknowledgement.objects.filter(requirement=requirement, user=staff, version=1).count() == 1


def test_user_not_assigned_cannot_acknowledge(staff):
    requirement = RequirementFactory(status="active")
    with pytest.raises(ValidationError, match="not assigned to you"):
        services.requirement_acknowledge(actor=staff, requirement=requirement)
    assert not Acknowledgement.objects.exists()


def test_auditor_cannot_acknowledge(quality, auditor):
    requirement = RequirementFactory(status="active")
    Assignment.objects.create(requirement=requirement, user=auditor)
    with pytest.raises(PermissionDenied):
        services.requirement_acknowledge(actor=auditor, requirement=requirement)


def test_draft_is_not_acknowledged(quality, staff):
    requirement = RequirementFactory(status="draft")
    services.assignment_add(actor=quality, requirement=requirement, user=staff)
    with pytest.raises(ValidationError, match="Only active"):
        services.requirement_acknowledge(actor=staff, requirement=requirement)


def test_acknowledging_twice_keeps_one_record(quality, staff):
    requirement = RequirementFactory(status="active")
    services.assignment_add(actor=quality, requirement=requirement, user=staff)
    first = services.requirement_acknowledge(actor=staff, requirement=requirement)
    second = services.requirement_acknowledge(actor=staff, requirement=requirement)
    assert first.pk == second.pk
    assert Acknowledgement.objects.count() == 1


def test_a_new_version_asks_again_and_the_old_acknowledgement_does_not_count(quality, staff):
    requirement = RequirementFactory(status="active", text="Ship within 10 days.")
    services.assignment_add(actor=quality, requirement=requirement, user=staff)
    services.requirement_acknowledge(actor=staff, requirement=requirement)
    services.requirement_update(actor=quality, requirement=requirement, data={"text": "Ship within 5 days."})
    requirement.refresh_from_db()
    [row] = acknowledgement_status(requirement)
    assert (row["user"], row["acknowledgement"].version, row["current"]) == (staff, 1, False)
    services.requirement_acknowledge(actor=staff, requirement=requirement)
    [row] = acknowledgement_status(requirement)
    assert (row["acknowledgement"].version, row["current"]) == (2, True)
    assert sorted(Acknowledgement.objects.values_list("version", flat=True)) == [1, 2]


def test_assigning_the_same_person_twice_is_refused_on_the_user_field(quality, staff):
    requirement = RequirementFactory(status="active")
    services.assignment_add(actor=quality, requirement=requirement, user=staff)
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_add(actor=quality, requirement=requirement, user=staff)
    assert error_fields(excinfo) == {"user"}


# Evaluations


def test_not_met_without_a_corrective_action_is_refused_on_action_title(quality):
    requirement = RequirementFactory(status="active")
    with pytest.raises(ValidationError) as excinfo:
        services.evaluation_record(
            actor=quality,
            requirement=requirement,
            data={"evaluated_on": timezone.localdate(), "result": "not_met", "findings": "Two late deliveries."},
        )
    assert error_fields(excinfo) == {"action_title"}
    assert not requirement.evaluations.exists()


def test_not_met_with_a_corrective_action_records_both(quality, staff):
    requirement = RequirementFactory(status="active")
    evaluation = services.evaluation_record(
        actor=quality,
        requirement=requirement,
        data={"evaluated_on": timezone.localdate(), "result": "not_met", "findings": "Two late deliveries."},
        action={"title": "Review the dispatch schedule", "owner": staff, "due_date": IN_A_MONTH},
    )
    action = Action.objects.get()
    assert (action.source, action.kind, action.owner, action.status, action.created_by) == (
        evaluation,
        "corrective",
        staff,
        "open",
        quality,
    )
    assert action.source_label == str(evaluation)
    assert list(actions_for_source(evaluation)) == [action]
    assert evaluation.evaluator == quality


def test_corrective_action_without_owner_is_refused_on_action_owner(quality):
    requirement = RequirementFactory(status="active")
    with pytest.raises(ValidationError) as excinfo:
        services.evaluation_record(
            actor=quality,
            requirement=requirement,
            data={"evaluated_on": timezone.localdate(), "result": "not_met", "findings": "Late."},
            action={"title": "Fix it", "due_date": IN_A_MONTH},
        )
    assert "action_owner" in error_fields(excinfo)
    assert not requirement.evaluations.exists()


def test_evaluation_of_a_retired_requirement_is_refused_on_the_requirement(quality):
    requirement = RequirementFactory(status="retired")
    with pytest.raises(ValidationError) as excinfo:
        services.evaluation_record(
            actor=quality, requirement=requirement, data={"evaluated_on": timezone.localdate(), "result": "met"}
        )
    assert error_fields(excinfo) == {"requirement"}


def test_next_evaluation_must_be_after_this_one(quality):
    requirement = RequirementFactory(status="active")
    today = timezone.localdate()
    with pytest.raises(ValidationError) as excinfo:
        services.evaluation_record(
            actor=quality,
            requirement=requirement,
            data={"evaluated_on": today, "result": "met", "next_due_date": today},
        )
    assert error_fields(excinfo) == {"next_due_date"}


def test_staff_cannot_record_evaluations(staff):
    with pytest.raises(PermissionDenied):
        services.evaluation_record(
            actor=staff,
            requirement=RequirementFactory(status="active"),
            data={"evaluated_on": timezone.localdate(), "result": "met"},
        )


# Attachments


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize("name", ["tool.exe", "macro.docm", "no-extension", "page.html", "tool.pdf", "scan.png"])
def test_attachment_of_a_forbidden_type_is_refused_on_file(quality, media, name):
    requirement = RequirementFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.attachment_add(
            actor=quality, requirement=requirement, upload=SimpleUploadedFile(name, b"data"), kind="other"
        )
    assert error_fields(excinfo) == {"file"}
    assert not requirement.attachments.exists()


def test_attachment_over_the_size_limit_is_refused_on_file(quality, media, settings):
    settings.QMS_ATTACHMENT_MAX_BYTES = 1024 * 1024
    requirement = RequirementFactory()
    upload = SimpleUploadedFile("contract.pdf", b"%PDF-1.4" + b"x" * (1024 * 1024))
    with pytest.raises(ValidationError) as excinfo:
        services.attachment_add(actor=quality, requirement=requirement, upload=upload, kind="contract")
    assert error_fields(excinfo) == {"file"}
    assert "larger than 1 MB" in excinfo.value.message_dict["file"][0]


def test_attachment_of_an_allowed_type_is_kept_with_name_and_size(quality, media):
    requirement = RequirementFactory()
    attachment = services.attachment_add(
        actor=quality, requirement=requirement, upload=SimpleUploadedFile("Clause 7.pdf", b"%PDF-1.4"), kind="contract"
    )
    assert (attachment.original_name, attachment.size, attachment.uploaded_by) == ("Clause 7.pdf", 8, quality)
    assert attachment.file.read() == b"%PDF-1.4"


def test_a_draft_with_actions_raised_from_it_is_not_deleted(quality):
    from qms.actions.tests.factories import ActionFactory

    draft = RequirementFactory(status="draft")
    ActionFactory(source=draft)
    with pytest.raises(ValidationError):
        services.requirement_delete(actor=quality, requirement=draft)
    assert Requirement.objects.filter(pk=draft.pk).exists()
