"""Pages of the requirements register: forms, versions, acknowledgements, evaluations, attachments, access."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from qms.accounts.roles import STAFF
from qms.actions.models import Action
from qms.actions.tests.factories import ActionFactory
from qms.audit.models import AuditEntry
from qms.core.tests.upload_samples import HTML, content_for
from requirements import services
from requirements.models import (
    Acknowledgement,
    Assignment,
    Attachment,
    ContextIssue,
    Evaluation,
    InterestedParty,
    Requirement,
)
from requirements.tests.factories import (
    EvaluationFactory,
    InterestedPartyFactory,
    RequirementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("requirements:requirement_list")
CREATE_URL = reverse("requirements:requirement_create")
LIST_QUERY_BUDGET = 9
DETAIL_QUERY_BUDGET = 19
OVERVIEW_QUERY_BUDGET = 15


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def user_in_role(request):
    """``user_in_role("staff")``: that one persona, without creating every other."""

    def _user(role: str):
        return request.getfixturevalue({"admin": "superuser"}.get(role, role))

    return _user


def _future(days: int = 90) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _statutory_form(owner, **overrides) -> dict:
    data = {
        "reference": "",
        "reference_prefix": "REQ",
        "title": "Report serious incidents",
        "text": "Report serious incidents to the competent authority within 15 days.",
        "kind": "statutory",
        "status": "active",
        "legal_reference": "Regulation (EU) 2017/745, Art. 87",
        "jurisdiction": "European Union",
        "authority": "Competent authority",
        "applicability": "Implants, EU customers",
        "owner": owner.pk,
        "criticality": "high",
        "review_frequency_months": 12,
        "next_review_date": _future(),
    }
    data.update(overrides)
    return data


def _assign_to_staff_role(requirement) -> Assignment:
    return Assignment.objects.create(requirement=requirement, group=Group.objects.get(name=STAFF))


# Create and edit -------------------------------------------------------------------------------------


def test_quality_manager_creates_a_statutory_requirement_with_a_generated_reference(client_for, quality):
    response = client_for(quality).post(CREATE_URL, _statutory_form(quality))
    requirement = Requirement.objects.get()
    assert response.status_code == 302
    assert response.url == requirement.get_absolute_url()
    assert requirement.reference == "REQ-0001"
    assert requirement.versions.count() == 1


def test_the_reference_prefix_is_editable(client_for, quality):
    client_for(quality).post(CREATE_URL, _statutory_form(quality, reference_prefix="LAW"))
    assert Requirement.objects.get().reference == "LAW-0001"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"legal_reference": ""}, "legal_reference"),
        ({"jurisdiction": ""}, "jurisdiction"),
        ({"kind": "contractual"}, "customer"),
        ({"next_review_date": "2000-01-01"}, "next_review_date"),
        ({"title": ""}, "title"),
        ({"reference": "not a reference"}, "reference"),
    ],
)
def test_invalid_requirement_names_the_field_and_saves_nothing(client_for, quality, overrides, field):
    entries = AuditEntry.objects.count()
    response = client_for(quality).post(CREATE_URL, _statutory_form(quality, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Requirement.objects.exists()
    assert AuditEntry.objects.count() == entries


def test_duplicate_reference_is_refused_on_the_reference_field(client_for, quality):
    RequirementFactory(reference="REQ-0007")
    response = client_for(quality).post(CREATE_URL, _statutory_form(quality, reference="req-0007"))
    assert response.status_code == 400
    assert "already exists" in " ".join(response.context["form"].errors["reference"])
    assert Requirement.objects.count() == 1


def test_changing_the_wording_of_an_active_requirement_shows_both_versions(client_for, quality):
    client = client_for(quality)
    client.post(CREATE_URL, _statutory_form(quality))
    requirement = Requirement.objects.get()
    data = _statutory_form(quality, reference=requirement.reference, text="Report within 10 days.")
    data.pop("reference_prefix")
    response = client.post(reverse("requirements:requirement_update", args=[requirement.pk]), data)
    assert response.status_code == 302
    requirement.refresh_from_db()
    assert requirement.version == 2
    page = client.get(requirement.get_absolute_url()).content.decode()
    assert "Version 2 (current)" in page and "Version 1" in page
    assert "Report within 10 days." in page
    assert "Report serious incidents to the competent authority within 15 days." in page


def test_invalid_edit_answers_400_and_keeps_the_stored_requirement(client_for, quality):
    requirement = RequirementFactory(owner=quality)
    data = _statutory_form(quality, reference=requirement.reference, jurisdiction="")
    response = client_for(quality).post(reverse("requirements:requirement_update", args=[requirement.pk]), data)
    assert response.status_code == 400
    assert "jurisdiction" in response.context["form"].errors
    requirement.refresh_from_db()
    assert requirement.kind == "specified"


# Delete -------------------------------------------------------------------------------------------------


def test_a_draft_is_deleted_after_confirmation(client_for, quality):
    requirement = RequirementFactory(status="draft")
    client = client_for(quality)
    url = reverse("requirements:requirement_delete", args=[requirement.pk])
    assert "Yes, delete" in client.get(url).content.decode()
    client.post(url)
    assert not Requirement.objects.filter(pk=requirement.pk).exists()


def test_an_active_requirement_is_not_deleted_and_the_message_says_retire(client_for, quality):
    requirement = RequirementFactory(status="active")
    response = client_for(quality).post(reverse("requirements:requirement_delete", args=[requirement.pk]), follow=True)
    assert Requirement.objects.filter(pk=requirement.pk).exists()
    assert "retired instead" in response.content.decode()


# Acknowledgements -------------------------------------------------------------------------------------


def test_assigned_staff_sees_the_button_and_acknowledges(client_for, staff):
    requirement = RequirementFactory()
    _assign_to_staff_role(requirement)
    client = client_for(staff)
    assert "Acknowledge version 1" in client.get(requirement.get_absolute_url()).content.decode()
    response = client.post(reverse("requirements:requirement_acknowledge", args=[requirement.pk]))
    assert response.status_code == 302
    assert Acknowledgement.objects.get().user == staff
    assert "Acknowledge version 1" not in client.get(requirement.get_absolute_url()).content.decode()


def test_acknowledging_with_htmx_returns_the_confirmation_fragment(client_for, staff):
    requirement = RequirementFactory()
    _assign_to_staff_role(requirement)
    response = client_for(staff).post(
        reverse("requirements:requirement_acknowledge", args=[requirement.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "you acknowledged version 1" in response.content.decode()


def test_staff_not_assigned_cannot_acknowledge(client_for, staff):
    requirement = RequirementFactory()
    client = client_for(staff)
    assert "Acknowledge version" not in client.get(requirement.get_absolute_url()).content.decode()
    response = client.post(reverse("requirements:requirement_acknowledge", args=[requirement.pk]), follow=True)
    assert "not assigned to you" in response.content.decode()
    assert not Acknowledgement.objects.exists()


def test_a_new_version_asks_staff_to_acknowledge_again(client_for, quality, staff):
    requirement = RequirementFactory()
    _assign_to_staff_role(requirement)
    services.requirement_acknowledge(actor=staff, requirement=requirement)
    services.requirement_update(actor=quality, requirement=requirement, data={"text": "New wording."})
    page = client_for(staff).get(requirement.get_absolute_url()).content.decode()
    assert "Acknowledge version 2" in page
    assert "last acknowledged version 1" in page


def test_the_overview_names_who_has_not_acknowledged_and_the_two_figures(client_for, quality, staff):
    requirement = RequirementFactory(title="Certificates")
    _assign_to_staff_role(requirement)
    EvaluationFactory(requirement=requirement, result="met")
    response = client_for(quality).get(reverse("requirements:acknowledgement_overview"))
    row = response.context["rows"][0]
    assert [person.username for person in row["pending"]] == ["staff"]
    assert response.context["coverage_pct"] == 0
    assert response.context["met_pct"] == 100
    assert "Staff Tester" in response.content.decode()


def test_the_overview_also_lists_each_persons_pending_requirements(client_for, quality, staff):
    first = RequirementFactory(reference="REQ-0101")
    second = RequirementFactory(reference="REQ-0102")
    for requirement in (first, second):
        _assign_to_staff_role(requirement)
    services.requirement_acknowledge(actor=staff, requirement=first)
    people = client_for(quality).get(reverse("requirements:acknowledgement_overview")).context["people"]
    assert [(entry["person"].username, [r.reference for r in entry["requirements"]]) for entry in people] == [
        ("staff", ["REQ-0102"])
    ]


# Evaluations ----------------------------------------------------------------------------------------------


def test_evaluation_met_is_recorded(client_for, quality):
    requirement = RequirementFactory()
    response = client_for(quality).post(
        reverse("requirements:evaluation_create", args=[requirement.pk]),
        {"evaluated_on": timezone.localdate().isoformat(), "result": "met", "findings": "All fine."},
    )
    assert response.status_code == 302
    assert Evaluation.objects.get().evaluator == quality


def test_not_met_without_an_action_asks_for_the_action_title(client_for, quality):
    requirement = RequirementFactory()
    response = client_for(quality).post(
        reverse("requirements:evaluation_create", args=[requirement.pk]),
        {"evaluated_on": timezone.localdate().isoformat(), "result": "not_met", "findings": "Late twice."},
    )
    assert response.status_code == 400
    assert "action_title" in response.context["form"].errors
    assert not Evaluation.objects.exists()


def test_not_met_with_an_action_records_both(client_for, quality):
    requirement = RequirementFactory()
    client_for(quality).post(
        reverse("requirements:evaluation_create", args=[requirement.pk]),
        {
            "evaluated_on": timezone.localdate().isoformat(),
            "result": "not_met",
            "findings": "Late twice.",
            "action_title": "Add a dispatch check",
            "action_owner": quality.pk,
            "action_due_date": _future(30),
        },
    )
    action = Action.objects.get()
    assert action.source == Evaluation.objects.get()
    assert (action.kind, action.status) == ("corrective", "open")


def test_not_met_with_an_action_but_no_owner_names_the_owner_field(client_for, quality):
    requirement = RequirementFactory()
    response = client_for(quality).post(
        reverse("requirements:evaluation_create", args=[requirement.pk]),
        {
            "evaluated_on": timezone.localdate().isoformat(),
            "result": "not_met",
            "findings": "Late twice.",
            "action_title": "Add a dispatch check",
        },
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"action_owner", "action_due_date"}


def test_evaluation_of_a_retired_requirement_is_refused(client_for, quality):
    requirement = RequirementFactory(status="retired")
    response = client_for(quality).post(
        reverse("requirements:evaluation_create", args=[requirement.pk]),
        {"evaluated_on": timezone.localdate().isoformat(), "result": "met"},
    )
    assert response.status_code == 400
    assert "retired" in " ".join(response.context["form"].non_field_errors())
    assert not Evaluation.objects.exists()


def test_detail_lists_the_actions_of_the_requirement_and_its_evaluations_with_links(client_for, quality):
    requirement = RequirementFactory()
    evaluation = EvaluationFactory(requirement=requirement, result="not_met")
    on_evaluation = ActionFactory(source=evaluation, title="Add a dispatch check")
    on_requirement = ActionFactory(source=requirement, title="Brief the team", kind="preventive")
    ActionFactory(source=RequirementFactory(), title="Elsewhere")
    response = client_for(quality).get(requirement.get_absolute_url())
    assert set(response.context["actions"]) == {on_evaluation, on_requirement}
    page = response.content.decode()
    assert on_evaluation.get_absolute_url() in page
    assert on_requirement.get_absolute_url() in page
    assert "Elsewhere" not in page
    assert f"{reverse('actions:action_create')}?source=requirements.requirement:{requirement.pk}" in page


def test_raise_an_action_link_is_only_for_who_may_add_actions(client_for, staff):
    requirement = RequirementFactory()
    page = client_for(staff).get(requirement.get_absolute_url()).content.decode()
    assert reverse("actions:action_create") not in page


# Attachments ----------------------------------------------------------------------------------------------


def _upload(client, requirement, name: str, content: bytes | None = None, kind: str = "contract"):
    content = content_for(name) if content is None else content
    return client.post(
        reverse("requirements:attachment_create", args=[requirement.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def test_an_allowed_attachment_is_kept_and_downloaded_under_its_name(client_for, quality, auditor):
    requirement = RequirementFactory()
    assert _upload(client_for(quality), requirement, "clause 4.pdf").status_code == 302
    attachment = Attachment.objects.get()
    response = client_for(auditor).get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content_for("clause 4.pdf")
    assert 'filename="clause 4.pdf"' in response["Content-Disposition"]


def test_a_forbidden_attachment_type_is_refused_on_the_file_field(client_for, quality):
    response = _upload(client_for(quality), RequirementFactory(), "macro.exe")
    assert response.status_code == 400
    assert "not accepted" in " ".join(response.context["form"].errors["file"])
    assert not Attachment.objects.exists()


def test_an_oversize_attachment_is_refused_on_the_file_field(client_for, quality, settings):
    settings.QMS_ATTACHMENT_MAX_BYTES = 1024 * 1024
    response = _upload(client_for(quality), RequirementFactory(), "big.pdf", b"%PDF-1.4" + b"x" * (1024 * 1024))
    assert response.status_code == 400
    assert "larger than 1 MB" in " ".join(response.context["form"].errors["file"])
    assert not Attachment.objects.exists()


def test_html_sent_as_text_is_downloaded_never_shown_as_a_page(client_for, quality):
    requirement = RequirementFactory()
    assert _upload(client_for(quality), requirement, "notes.txt", HTML).status_code == 302
    attachment = Attachment.objects.get()
    response = client_for(quality).get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="notes.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"".join(response.streaming_content) == HTML


def test_stored_name_is_random_and_the_given_name_is_kept_for_display(client_for, quality):
    requirement = RequirementFactory()
    _upload(client_for(quality), requirement, "../../Contract clause.pdf")
    _upload(client_for(quality), requirement, "../../Contract clause.pdf")
    stored = [attachment.file.name for attachment in Attachment.objects.all()]
    assert {attachment.original_name for attachment in Attachment.objects.all()} == {"Contract clause.pdf"}
    assert len(set(stored)) == 2
    for name in stored:
        assert re.fullmatch(r"requirements/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", name), name


def test_a_non_ascii_file_name_is_encoded_in_the_download_header(client_for, quality):
    requirement = RequirementFactory()
    _upload(client_for(quality), requirement, "Vertrag Übersicht.pdf")
    response = client_for(quality).get(Attachment.objects.get().get_absolute_url())
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Vertrag%20%C3%9Cbersicht.pdf"
    assert response["Content-Type"] == "application/pdf"


def test_a_pdf_named_as_an_image_is_refused(client_for, quality):
    response = _upload(client_for(quality), RequirementFactory(), "scan.png", content_for("x.pdf"))
    assert response.status_code == 400
    assert "scan.png: the content is a PDF file" in " ".join(response.context["form"].errors["file"])
    assert not Attachment.objects.exists()


def test_download_needs_sign_in(client_for, quality):
    requirement = RequirementFactory()
    _upload(client_for(quality), requirement, "clause.pdf")
    response = client_for(None).get(Attachment.objects.get().get_absolute_url())
    assert response.status_code == 302


def test_download_is_refused_to_a_signed_in_user_without_a_role(client_for, quality):
    requirement = RequirementFactory()
    _upload(client_for(quality), requirement, "clause.pdf")
    response = client_for(UserFactory()).get(Attachment.objects.get().get_absolute_url())
    assert response.status_code == 403


def test_download_of_an_attachment_under_another_requirement_is_not_found(client_for, quality):
    requirement, other = RequirementFactory(), RequirementFactory()
    _upload(client_for(quality), requirement, "clause.pdf")
    attachment = Attachment.objects.get()
    url = reverse("requirements:attachment_download", args=[other.pk, attachment.pk])
    assert client_for(quality).get(url).status_code == 404


# Assignments ----------------------------------------------------------------------------------------------


def test_assigning_a_role_then_removing_it(client_for, quality):
    requirement = RequirementFactory()
    client = client_for(quality)
    role = Group.objects.get(name=STAFF)
    client.post(reverse("requirements:assignment_create", args=[requirement.pk]), {"group": role.pk})
    assignment = Assignment.objects.get()
    assert assignment.group == role
    client.post(reverse("requirements:assignment_delete", args=[requirement.pk, assignment.pk]))
    assert not Assignment.objects.exists()


def test_assigning_neither_person_nor_role_names_the_person_field(client_for, quality):
    requirement = RequirementFactory()
    response = client_for(quality).post(reverse("requirements:assignment_create", args=[requirement.pk]), {})
    assert response.status_code == 400
    assert "user" in response.context["form"].errors
    assert not Assignment.objects.exists()


def test_assigning_the_same_person_twice_is_refused(client_for, quality):
    requirement = RequirementFactory()
    person = UserFactory()
    Assignment.objects.create(requirement=requirement, user=person)
    response = client_for(quality).post(
        reverse("requirements:assignment_create", args=[requirement.pk]), {"user": person.pk}
    )
    assert response.status_code == 400
    assert "Already assigned" in " ".join(response.context["form"].errors["user"])


# Parties and issues ---------------------------------------------------------------------------------------


def test_interested_party_customer_kind_needs_the_customer(client_for, quality):
    response = client_for(quality).post(
        reverse("requirements:party_create"), {"name": "Acme", "kind": "customer", "relevance": "high"}
    )
    assert response.status_code == 400
    assert "customer" in response.context["form"].errors
    assert not InterestedParty.objects.exists()


def test_a_party_that_is_a_source_is_not_deleted(client_for, quality):
    party = InterestedPartyFactory()
    RequirementFactory(kind="party", party=party, customer=None)
    response = client_for(quality).post(reverse("requirements:party_delete", args=[party.pk]), follow=True)
    assert InterestedParty.objects.filter(pk=party.pk).exists()
    assert "source of requirements" in response.content.decode()


def test_context_issue_is_created_and_listed(client_for, quality):
    client = client_for(quality)
    client.post(reverse("requirements:issue_create"), {"scope": "external", "title": "New tariff rules"})
    assert ContextIssue.objects.get().title == "New tariff rules"
    assert "New tariff rules" in client.get(reverse("requirements:issue_list")).content.decode()


# The list ------------------------------------------------------------------------------------------------


def test_list_says_overdue_and_last_result_in_words(client_for, quality):
    overdue = RequirementFactory(next_review_date=timezone.localdate() - dt.timedelta(days=1))
    EvaluationFactory(requirement=overdue, result="partly_met")
    RequirementFactory()
    page = client_for(quality).get(LIST_URL).content.decode()
    assert "Overdue" in page and "Partly met" in page and "Never evaluated" in page


def test_list_sorts_by_the_words_it_shows_and_reads_the_last_result_once(client_for, quality):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today = timezone.localdate()
    late = RequirementFactory(reference="REQ-A", next_review_date=today - dt.timedelta(days=1))
    EvaluationFactory(requirement=late, result="not_met", evaluated_on=today - dt.timedelta(days=30))
    EvaluationFactory(requirement=late, result="met", evaluated_on=today - dt.timedelta(days=2))
    RequirementFactory(reference="REQ-B")
    partly = RequirementFactory(reference="REQ-C")
    EvaluationFactory(requirement=partly, result="partly_met")
    client = client_for(quality)

    def order(sort):
        return [row.reference for row in client.get(LIST_URL, {"sort": sort}).context["object_list"]]

    assert order("overdue_label") == ["REQ-B", "REQ-C", "REQ-A"]  # "No" before "Overdue"
    assert order("-overdue_label")[0] == "REQ-A"
    # "Met" (the newest evaluation, not the older "Not met"), "Never evaluated", "Partly met"
    assert order("last_result_label") == ["REQ-A", "REQ-B", "REQ-C"]
    with CaptureQueriesContext(connection) as queries:
        page = client.get(LIST_URL).content.decode()
    assert "Partly met" in page and "Never evaluated" in page and "Not met" not in page
    listed = next(
        query["sql"] for query in queries if "requirements_requirement" in query["sql"] and "LIMIT" in query["sql"]
    )
    # result, date and due date of the newest evaluation; the words are worked out for the page's rows
    assert listed.count('FROM "requirements_evaluation"') == 3
    assert '"requirements_requirement"."text"' not in listed and "customers_customer" not in listed
    assert '"accounts_user"."password"' not in listed


def test_the_pages_words_are_the_databases(client_for, quality):
    """Unsorted, the page works "Overdue" and the last result out itself; sorted by them, the database does:
    both say the same of every requirement."""
    today = timezone.localdate()
    cases = [
        (today - dt.timedelta(days=1), None, None),  # review passed, never evaluated
        (today + dt.timedelta(days=30), "met", today - dt.timedelta(days=1)),  # evaluation due date passed
        (today + dt.timedelta(days=30), "not_applicable", today + dt.timedelta(days=9)),
        (today, "partly_met", today),  # due today: not overdue yet
    ]
    for review, result, due in cases:
        requirement = RequirementFactory(next_review_date=review)
        if result:
            EvaluationFactory(requirement=requirement, result=result, next_due_date=due)
    client = client_for(quality)

    def words(**params):
        rows = client.get(LIST_URL, params).context["object_list"]
        return {row.reference: (row.overdue_label, row.last_result_label) for row in rows}

    in_python = words()
    assert in_python == words(sort="overdue_label") == words(sort="-last_result_label")
    assert sorted(in_python.values()) == [
        ("No", "Not applicable"),
        ("No", "Partly met"),
        ("Overdue", "Met"),
        ("Overdue", "Never evaluated"),
    ]


def test_list_filters_overdue(client_for, quality):
    overdue = RequirementFactory(next_review_date=timezone.localdate() - dt.timedelta(days=1))
    RequirementFactory()
    response = client_for(quality).get(LIST_URL, {"overdue": "true"})
    assert list(response.context["object_list"]) == [overdue]


def test_list_sorts_by_owner(client_for, quality):
    RequirementFactory(owner=UserFactory(first_name="Zoe"))
    RequirementFactory(owner=UserFactory(first_name="Adam"))
    response = client_for(quality).get(LIST_URL, {"sort": "owner.display_name"})
    assert [row.owner.first_name for row in response.context["object_list"]] == ["Adam", "Zoe"]


def test_list_exports_xlsx(client_for, management):
    RequirementFactory(reference="REQ-0042")
    response = client_for(management).get(LIST_URL, {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')


def test_list_exports_csv_for_the_auditor(client_for, auditor):
    RequirementFactory(reference="REQ-0042")
    response = client_for(auditor).get(LIST_URL, {"export": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0].startswith("reference,title,text,kind")
    assert "REQ-0042" in body


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(client_for, quality, django_assert_max_num_queries, rows):
    for _ in range(rows):
        EvaluationFactory(requirement=RequirementFactory(owner=UserFactory()))
    client = client_for(quality)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        response = client.get(LIST_URL)
    assert len(response.context["object_list"]) == min(rows, 25)


@pytest.mark.parametrize("rows", [1, 10])
def test_detail_query_count_does_not_grow_with_rows(client_for, quality, django_assert_max_num_queries, rows):
    requirement = RequirementFactory()
    _assign_to_staff_role(requirement)
    for number in range(rows):
        person = UserFactory()
        Assignment.objects.create(requirement=requirement, user=person)
        Acknowledgement.objects.create(requirement=requirement, user=person, version=1, acknowledged_at=timezone.now())
        evaluation = EvaluationFactory(requirement=requirement, evaluator=person)
        ActionFactory(source=evaluation, title=f"Action {number}", owner=person)
    client = client_for(quality)
    with django_assert_max_num_queries(DETAIL_QUERY_BUDGET):
        response = client.get(requirement.get_absolute_url())
    assert len(response.context["acknowledgement_rows"]) == rows


# Permissions ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["management", "staff", "auditor"])
def test_read_only_roles_get_403_on_forms_and_change_nothing(client_for, user_in_role, role):
    requirement = RequirementFactory()
    client = client_for(user_in_role(role))
    entries = AuditEntry.objects.count()
    urls = [
        CREATE_URL,
        reverse("requirements:requirement_update", args=[requirement.pk]),
        reverse("requirements:requirement_delete", args=[requirement.pk]),
        reverse("requirements:evaluation_create", args=[requirement.pk]),
        reverse("requirements:assignment_create", args=[requirement.pk]),
        reverse("requirements:attachment_create", args=[requirement.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"result": "met", "title": "x"}).status_code == 403, url
    assert AuditEntry.objects.count() == entries
    assert Requirement.objects.count() == 1 and not Evaluation.objects.exists()


@pytest.mark.parametrize("role", ["management", "auditor"])
def test_management_and_auditor_cannot_acknowledge_even_when_assigned(client_for, user_in_role, role):
    requirement = RequirementFactory()
    person = user_in_role(role)
    Assignment.objects.create(requirement=requirement, user=person)
    client = client_for(person)
    assert "Acknowledge version" not in client.get(requirement.get_absolute_url()).content.decode()
    assert client.post(reverse("requirements:requirement_acknowledge", args=[requirement.pk])).status_code == 403
    assert not Acknowledgement.objects.exists()


@pytest.mark.parametrize("role", ["management", "staff", "auditor"])
def test_detail_offers_no_change_buttons_to_read_only_roles(client_for, user_in_role, role):
    requirement = RequirementFactory()
    page = client_for(user_in_role(role)).get(requirement.get_absolute_url()).content.decode()
    for name in ("requirement_update", "evaluation_create", "assignment_create", "attachment_create"):
        assert reverse(f"requirements:{name}", args=[requirement.pk]) not in page


@pytest.mark.parametrize("rows", [1, 10])
def test_overview_query_count_does_not_grow_with_rows(client_for, quality, staff, django_assert_max_num_queries, rows):
    for _ in range(rows):
        requirement = RequirementFactory()
        _assign_to_staff_role(requirement)
        Assignment.objects.create(requirement=requirement, user=UserFactory())
    client = client_for(quality)
    with django_assert_max_num_queries(OVERVIEW_QUERY_BUDGET):
        response = client.get(reverse("requirements:acknowledgement_overview"))
    assert len(response.context["rows"]) == rows


def test_party_page_lists_each_need_with_a_way_to_make_it_a_requirement(client_for, quality):
    from requirements.models import InterestedParty

    party = InterestedParty.objects.create(
        name="Health regulator", kind="regulator", needs="Annual vigilance report\n\nIncident reports in 15 days"
    )
    RequirementFactory(party=party, kind="party", customer=None, title="Annual vigilance report")
    response = client_for(quality).get(reverse("requirements:party_detail", args=[party.pk]))
    rows = response.context["need_rows"]
    assert [(row["need"], row["requirement"] is not None) for row in rows] == [
        ("Annual vigilance report", True),
        ("Incident reports in 15 days", False),
    ]
    assert "Make it a requirement" in response.content.decode()


def test_new_requirement_form_starts_from_the_party_and_need(client_for, quality):
    from requirements.models import InterestedParty

    party = InterestedParty.objects.create(name="Health regulator", kind="regulator", needs="Annual report")
    url = reverse("requirements:requirement_create") + f"?party={party.pk}&title=Annual+report"
    form = client_for(quality).get(url).context["form"]
    assert (form.initial["party"], form.initial["kind"], form.initial["title"]) == (party, "party", "Annual report")


def test_reader_sees_needs_but_no_button(client_for, auditor):
    from requirements.models import InterestedParty

    party = InterestedParty.objects.create(name="Community", kind="community", needs="Quiet nights")
    page = client_for(auditor).get(reverse("requirements:party_detail", args=[party.pk])).content.decode()
    assert "Quiet nights" in page and "Not yet a requirement" in page and "Make it a requirement" not in page


def test_evidence_file_is_attached_to_an_evaluation_and_shown_with_it(client_for, quality, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    evaluation = EvaluationFactory()
    requirement = evaluation.requirement
    response = client_for(quality).post(
        reverse("requirements:attachment_create", args=[requirement.pk]),
        {
            "kind": "evidence",
            "evaluation": evaluation.pk,
            "file": SimpleUploadedFile("audit-report.pdf", b"%PDF-1.4 evidence", content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    assert evaluation.attachments.get().original_name == "audit-report.pdf"
    page = client_for(quality).get(requirement.get_absolute_url()).content.decode()
    assert "Evidence file: <a" in page and "audit-report.pdf" in page


def test_evidence_cannot_point_at_another_requirements_evaluation(quality, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    other = EvaluationFactory()
    requirement = RequirementFactory()
    upload = SimpleUploadedFile("x.pdf", b"%PDF-1.4", content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        services.attachment_add(
            actor=quality, requirement=requirement, upload=upload, kind="evidence", evaluation=other
        )
    assert "evaluation" in refused.value.message_dict
