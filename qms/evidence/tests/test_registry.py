import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.template import Context, Template

from qms.evidence.registry import CLAUSES, clauses_for, record_types, register_record_type
from qms.evidence.services import clause_tag_add, clause_tag_remove


def test_the_clause_map_holds_the_clauses_of_interest_with_titles():
    assert list(CLAUSES) == ["4.2", "5.1.2", "6.1", "6.2", "8.2", "9.1.2", "9.3", "10.2"]
    assert CLAUSES["5.1.2"] == "Customer focus"


def test_every_register_registers_its_record_types():
    labels = {rt.label for rt in record_types()}
    assert {
        "customers.customer",
        "requirements.requirement",
        "requirements.evaluation",
        "requirements.interestedparty",
        "feedback.feedbackitem",
        "feedback.surveyresponse",
        "risks.riskentry",
        "actions.action",
        "kpis.objective",
        "kpis.kpivalue",
    } <= labels


def test_record_types_are_chosen_by_clause():
    labels = {rt.label for rt in record_types(["6.2"])}
    assert labels >= {"kpis.objective", "kpis.kpivalue"}
    assert "customers.customer" not in labels


def test_registering_an_unknown_clause_is_refused():
    from customers.models import Customer

    with pytest.raises(ImproperlyConfigured, match="7.9"):
        register_record_type(
            Customer, title="x", description="x", clauses=("7.9",), columns=(), date_field="created_at"
        )


def test_clauses_for_a_record_come_from_the_map(records):
    assert clauses_for(records["complaint"]) == [
        ("5.1.2", "Customer focus"),
        ("9.1.2", "Customer satisfaction"),
        ("10.2", "Nonconformity and corrective action"),
    ]


def render_clauses(obj) -> str:
    return Template("{% load evidence %}{% evidence_clauses obj %}").render(Context({"obj": obj}))


def test_record_page_include_shows_evidence_for_clauses(records):
    html = render_clauses(records["risk"])
    assert "Evidence for clauses" in html
    assert "6.1 Actions to address risks and opportunities" in html


def test_include_shows_nothing_for_a_record_type_without_clauses(quality):
    assert "Evidence for clauses" not in render_clauses(quality)


def test_quality_manager_tags_a_record_with_an_iso_27001_clause(records, quality):
    clause_tag_add(actor=quality, obj=records["risk"], standard="ISO 27001", clause="6.1.2")
    assert "ISO 27001 6.1.2" in render_clauses(records["risk"])


def test_tag_with_a_malformed_clause_names_the_field(records, quality):
    with pytest.raises(ValidationError) as caught:
        clause_tag_add(actor=quality, obj=records["risk"], standard="ISO 14001", clause="six")
    assert "clause" in caught.value.message_dict


def test_tagging_twice_is_refused_with_a_message(records, quality):
    clause_tag_add(actor=quality, obj=records["risk"], standard="ISO 45001", clause="8.1")
    with pytest.raises(ValidationError) as caught:
        clause_tag_add(actor=quality, obj=records["risk"], standard="ISO 45001", clause="8.1")
    assert caught.value.message_dict["clause"] == ["This record is already tagged with that clause."]


def test_unknown_standard_is_refused(records, quality):
    with pytest.raises(ValidationError) as caught:
        clause_tag_add(actor=quality, obj=records["risk"], standard="ISO 9999", clause="4.1")
    assert "standard" in caught.value.message_dict


@pytest.mark.parametrize("persona", ["auditor", "staff", "management"])
def test_only_quality_managers_tag_records(records, persona, request):
    with pytest.raises(PermissionDenied):
        clause_tag_add(actor=request.getfixturevalue(persona), obj=records["risk"], standard="ISO 14001", clause="6.1")


def test_removing_a_tag_lands_in_the_audit_trail(records, quality):
    from qms.audit.models import AuditEntry

    tag = clause_tag_add(actor=quality, obj=records["risk"], standard="ISO 14001", clause="6.1")
    clause_tag_remove(actor=quality, tag=tag)
    actions = list(
        AuditEntry.objects.filter(content_type="evidence.clausetag").order_by("seq").values_list("action", flat=True)
    )
    assert actions == ["create", "delete"]
    assert "ISO 14001" not in render_clauses(records["risk"])
