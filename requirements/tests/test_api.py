"""The requirements register's API: the same rules as the pages, answered in JSON."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import yaml
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from qms.accounts.roles import STAFF
from qms.actions.models import Action
from qms.actions.tests.factories import ActionFactory
from qms.audit.models import AuditEntry
from requirements.models import (
    Acknowledgement,
    Assignment,
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

PARTIES = reverse("api:interestedparty-list")
REQUIREMENTS = reverse("api:requirement-list")
ACKNOWLEDGEMENTS = reverse("api:acknowledgement-list")
EVALUATIONS = reverse("api:evaluation-list")
TODAY = timezone.localdate()
pytestmark = pytest.mark.django_db

IN_A_MONTH = (TODAY + dt.timedelta(days=30)).isoformat()
# The user's permissions (two queries), the count and the page.
LIST_QUERY_BUDGET = 4


def requirement_url(requirement) -> str:
    return reverse("api:requirement-detail", args=[requirement.pk])


def last_seq() -> int:
    entry = AuditEntry.objects.order_by("-seq").first()
    return entry.seq if entry else 0


def entries_since(seq: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(seq__gt=seq).order_by("seq"))


def new_requirement(**overrides) -> dict:
    data = {
        "title": "Certificate of conformity",
        "text": "Each delivery carries a signed certificate of conformity.",
        "kind": "specified",
        "customer": CustomerFactory(code="ACME-01").pk,
        "owner": "quality",
        "next_review_date": IN_A_MONTH,
        "status": "active",
    }
    return {**data, **overrides}


# The schema


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return yaml.safe_load(out.getvalue())


def test_schema_lists_the_requirements_endpoints(schema):
    assert {
        "/api/v1/interested-parties/",
        "/api/v1/interested-parties/{id}/",
        "/api/v1/requirements/",
        "/api/v1/requirements/{id}/",
        "/api/v1/acknowledgements/",
        "/api/v1/acknowledgements/{id}/",
        "/api/v1/evaluations/",
        "/api/v1/evaluations/{id}/",
    } <= set(schema["paths"])


@pytest.mark.parametrize("path", ["/api/v1/acknowledgements/", "/api/v1/evaluations/"])
def test_schema_offers_no_change_or_delete_of_acknowledgements_and_evaluations(schema, path):
    assert set(schema["paths"][path]) == {"get", "post"}
    assert set(schema["paths"][path + "{id}/"]) == {"get"}


def test_schema_documents_the_requirement_filters_and_read_only_fields(schema):
    names = {parameter["name"] for parameter in schema["paths"]["/api/v1/requirements/"]["get"]["parameters"]}
    assert {"q", "kind", "status", "owner", "customer", "overdue", "ordering", "page"} <= names
    requirement = schema["components"]["schemas"]["Requirement"]
    assert {"version", "last_result", "overdue"} <= set(requirement["properties"])
    assert all(requirement["properties"][name].get("readOnly") for name in ("version", "last_result", "overdue"))
    assert "reference" not in schema["components"]["schemas"]["RequirementRequest"].get("required", [])


# Requirements: reading


@pytest.fixture
def register(staff, quality):
    acme = CustomerFactory(code="ACME-01", name="Acme")
    first = RequirementFactory(
        reference="REQ-0001", title="Certificates", kind="specified", customer=acme, owner=staff, status="active"
    )
    EvaluationFactory(requirement=first, result="partly_met", findings="One certificate missing.")
    second = RequirementFactory(
        reference="REQ-0002",
        title="Product safety",
        kind="statutory",
        customer=None,
        legal_reference="GPSR Art. 9",
        jurisdiction="EU",
        owner=quality,
        status="draft",
        next_review_date=TODAY - dt.timedelta(days=2),
    )
    return {"acme": acme, "first": first, "second": second}


def test_requirement_list_shows_version_last_result_and_overdue(api_client_for, auditor, register):
    body = api_client_for(auditor).get(REQUIREMENTS).json()
    assert body["count"] == 2
    rows = {row["reference"]: row for row in body["results"]}
    assert {key: rows["REQ-0001"][key] for key in ("version", "last_result", "overdue", "owner", "customer_code")} == {
        "version": 1,
        "last_result": "partly_met",
        "overdue": False,
        "owner": "staff",
        "customer_code": "ACME-01",
    }
    assert (rows["REQ-0002"]["last_result"], rows["REQ-0002"]["overdue"]) == (None, True)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "statutory"}, ["REQ-0002"]),
        ({"status": "active"}, ["REQ-0001"]),
        ({"overdue": "true"}, ["REQ-0002"]),
        ({"overdue": "false"}, ["REQ-0001"]),
        ({"q": "safety"}, ["REQ-0002"]),
        ({"q": "gpsr"}, ["REQ-0002"]),
    ],
)
def test_requirement_list_filters(api_client_for, quality, register, filters, expected):
    body = api_client_for(quality).get(REQUIREMENTS, filters).json()
    assert [row["reference"] for row in body["results"]] == expected


def test_requirement_list_filters_by_owner_and_customer(api_client_for, quality, staff, register):
    client = api_client_for(quality)
    assert [row["reference"] for row in client.get(REQUIREMENTS, {"owner": staff.pk}).json()["results"]] == ["REQ-0001"]
    by_customer = client.get(REQUIREMENTS, {"customer": register["acme"].pk}).json()["results"]
    assert [row["reference"] for row in by_customer] == ["REQ-0001"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("reference", ["REQ-0001", "REQ-0002"]),
        ("-reference", ["REQ-0002", "REQ-0001"]),
        ("next_review_date", ["REQ-0002", "REQ-0001"]),
    ],
)
def test_requirement_list_ordering(api_client_for, quality, register, ordering, expected):
    body = api_client_for(quality).get(REQUIREMENTS, {"ordering": ordering}).json()
    assert [row["reference"] for row in body["results"]] == expected


def test_unknown_filter_value_is_refused_naming_the_filter(api_client_for, quality, register):
    response = api_client_for(quality).get(REQUIREMENTS, {"kind": "whim"})
    assert response.status_code == 400
    assert "kind" in response.json()["detail"]


@pytest.mark.parametrize("rows", [3, 20])
def test_requirement_list_query_count_does_not_grow_with_rows(
    api_client_for, quality, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        EvaluationFactory(requirement=RequirementFactory())
    client = api_client_for(quality)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        body = client.get(REQUIREMENTS).json()
    assert len(body["results"]) == rows


def test_someone_without_a_role_sees_no_requirement(api_client_for, register):
    assert api_client_for(UserFactory()).get(REQUIREMENTS).status_code == 403


def test_anonymous_is_asked_to_authenticate(api_client_for, register):
    assert api_client_for(None).get(REQUIREMENTS).status_code == 401


# Requirements: writing


def test_quality_manager_creates_a_requirement_numbered_automatically(api_client_for, quality):
    RequirementFactory(reference="REQ-0041")
    response = api_client_for(quality).post(REQUIREMENTS, new_requirement(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["reference"], body["version"], body["last_result"], body["overdue"]) == ("REQ-0042", 1, None, False)
    assert Requirement.objects.get(pk=body["id"]).owner == quality


def test_create_with_a_reference_prefix(api_client_for, quality):
    response = api_client_for(quality).post(REQUIREMENTS, new_requirement(reference_prefix="CUS"), format="json")
    assert response.json()["reference"] == "CUS-0001"


def test_create_writes_audit_entries_from_the_api(api_client_for, quality):
    since = last_seq()
    api_client_for(quality).post(REQUIREMENTS, new_requirement(), format="json")
    entries = [entry for entry in entries_since(since) if entry.content_type == "requirements.requirement"]
    assert [(entry.action, entry.source, entry.actor_id) for entry in entries] == [("create", "api", quality.pk)]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reference": "req-0001"}, "reference"),
        ({"next_review_date": (TODAY - dt.timedelta(days=1)).isoformat()}, "next_review_date"),
        ({"kind": "statutory", "customer": None}, "legal_reference"),
        ({"customer": None}, "customer"),
        ({"owner": "nobody"}, "owner"),
        ({"kind": "whim"}, "kind"),
    ],
)
def test_bad_requirement_is_refused_naming_the_field(api_client_for, quality, register, overrides, field):
    before = Requirement.objects.count()
    response = api_client_for(quality).post(REQUIREMENTS, new_requirement(**overrides), format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"Invalid input. {field}:")
    assert field in response.json()["errors"]
    assert Requirement.objects.count() == before


def test_changing_the_text_of_an_active_requirement_makes_a_new_version(api_client_for, quality, register):
    url = requirement_url(register["first"])
    response = api_client_for(quality).patch(url, {"text": "Certificates signed by QA."}, format="json")
    assert response.status_code == 200
    assert (response.json()["version"], response.json()["last_result"]) == (2, "partly_met")
    assert register["first"].versions.count() == 2


def test_version_is_read_only(api_client_for, quality, register):
    api_client_for(quality).patch(requirement_url(register["first"]), {"version": 9}, format="json")
    assert Requirement.objects.get(pk=register["first"].pk).version == 1


@pytest.mark.parametrize("persona", ["staff", "auditor", "management"])
def test_only_quality_managers_write_requirements(api_client_for, request, register, persona):
    client = api_client_for(request.getfixturevalue(persona))
    assert client.post(REQUIREMENTS, new_requirement(), format="json").status_code == 403
    assert client.patch(requirement_url(register["first"]), {"title": "x"}, format="json").status_code == 403
    assert client.delete(requirement_url(register["second"])).status_code == 403
    assert Requirement.objects.count() == 2


def test_draft_is_deleted_but_an_active_requirement_is_refused(api_client_for, quality, register):
    client = api_client_for(quality)
    assert client.delete(requirement_url(register["second"])).status_code == 204
    response = client.delete(requirement_url(register["first"]))
    assert response.status_code == 400
    assert "retired" in response.json()["detail"]


# Interested parties


def test_quality_manager_adds_and_changes_an_interested_party(api_client_for, quality):
    client = api_client_for(quality)
    response = client.post(PARTIES, {"name": "Trading Standards", "kind": "regulator"}, format="json")
    assert response.status_code == 201
    party = InterestedParty.objects.get()
    response = client.patch(response.json()["url"], {"relevance": "high"}, format="json")
    assert response.status_code == 200
    party.refresh_from_db()
    assert party.relevance == "high"


def test_customer_party_needs_its_customer(api_client_for, quality):
    response = api_client_for(quality).post(PARTIES, {"name": "Acme", "kind": "customer"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invalid input. customer:")


def test_party_that_is_the_source_of_requirements_is_not_deleted(api_client_for, quality):
    party = InterestedPartyFactory()
    RequirementFactory(kind="party", customer=None, party=party)
    response = api_client_for(quality).delete(reverse("api:interestedparty-detail", args=[party.pk]))
    assert response.status_code == 400
    assert InterestedParty.objects.filter(pk=party.pk).exists()


@pytest.mark.parametrize("persona", ["staff", "auditor"])
def test_staff_and_auditors_read_parties_but_do_not_add_them(api_client_for, request, persona):
    InterestedPartyFactory(name="Regulator")
    client = api_client_for(request.getfixturevalue(persona))
    assert [row["name"] for row in client.get(PARTIES).json()["results"]] == ["Regulator"]
    assert client.post(PARTIES, {"name": "X", "kind": "other"}, format="json").status_code == 403


# Acknowledgements


@pytest.fixture
def assigned(quality, staff):
    requirement = RequirementFactory(reference="REQ-0100", status="active")
    Assignment.objects.create(requirement=requirement, group=Group.objects.get(name=STAFF))
    return requirement


def test_staff_acknowledges_the_current_version_as_themselves(api_client_for, staff, assigned):
    response = api_client_for(staff).post(ACKNOWLEDGEMENTS, {"requirement": assigned.pk}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["user"], body["version"], body["requirement_reference"]) == ("staff", 1, "REQ-0100")
    assert Acknowledgement.objects.get().user == staff


def test_acknowledging_ignores_a_user_given_in_the_request(api_client_for, staff, quality, assigned):
    api_client_for(staff).post(ACKNOWLEDGEMENTS, {"requirement": assigned.pk, "user": "quality"}, format="json")
    assert list(Acknowledgement.objects.values_list("user__username", flat=True)) == ["staff"]


def test_acknowledging_a_requirement_not_assigned_is_refused_on_requirement(api_client_for, staff):
    requirement = RequirementFactory(status="active")
    response = api_client_for(staff).post(ACKNOWLEDGEMENTS, {"requirement": requirement.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid input. requirement: This requirement is not assigned to you."
    assert not Acknowledgement.objects.exists()


def test_acknowledging_an_unknown_requirement_is_refused_on_requirement(api_client_for, staff):
    response = api_client_for(staff).post(ACKNOWLEDGEMENTS, {"requirement": 999999}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invalid input. requirement:")


@pytest.mark.parametrize("persona", ["auditor", "management"])
def test_auditors_and_management_do_not_acknowledge(api_client_for, request, assigned, persona):
    response = api_client_for(request.getfixturevalue(persona)).post(
        ACKNOWLEDGEMENTS, {"requirement": assigned.pk}, format="json"
    )
    assert response.status_code == 403


def test_acknowledgements_are_never_changed_or_deleted(api_client_for, quality, staff, assigned):
    api_client_for(staff).post(ACKNOWLEDGEMENTS, {"requirement": assigned.pk}, format="json")
    url = reverse("api:acknowledgement-detail", args=[Acknowledgement.objects.get().pk])
    client = api_client_for(quality)
    assert client.patch(url, {"version": 3}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    assert Acknowledgement.objects.get().version == 1


@pytest.mark.parametrize("persona", ["quality", "management", "staff", "auditor"])
def test_every_role_reads_acknowledgements_filtered_by_requirement(api_client_for, request, staff, assigned, persona):
    api_client_for(staff).post(ACKNOWLEDGEMENTS, {"requirement": assigned.pk}, format="json")
    client = api_client_for(request.getfixturevalue(persona))
    assert client.get(ACKNOWLEDGEMENTS, {"requirement": assigned.pk}).json()["count"] == 1
    assert client.get(ACKNOWLEDGEMENTS, {"requirement": assigned.pk + 1}).json()["count"] == 0


# Evaluations


def evaluation(requirement, **overrides) -> dict:
    # Today as of the call, not the module's TODAY: a run across midnight dated it before the fixture's own
    # evaluation (made "today" at setup), so it was not the latest.
    today = timezone.localdate().isoformat()
    return {"requirement": requirement.pk, "evaluated_on": today, "result": "met", **overrides}


def test_quality_manager_records_an_evaluation(api_client_for, quality, register):
    response = api_client_for(quality).post(EVALUATIONS, evaluation(register["first"]), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["evaluator"], body["result"], body["corrective_actions"]) == ("quality", "met", [])
    requirement = api_client_for(quality).get(requirement_url(register["first"])).json()
    assert requirement["last_result"] == "met"


def test_not_met_with_a_corrective_action_records_both(api_client_for, quality, staff, register):
    payload = evaluation(
        register["first"],
        result="not_met",
        findings="Two deliveries without certificates.",
        corrective_action={"title": "Check certificates at dispatch", "owner": "staff", "due_date": IN_A_MONTH},
    )
    response = api_client_for(quality).post(EVALUATIONS, payload, format="json")
    assert response.status_code == 201, response.json()
    [action] = response.json()["corrective_actions"]
    assert (action["title"], action["owner"], action["status"]) == ("Check certificates at dispatch", "staff", "open")
    created = Action.objects.get()
    assert (created.source, created.kind) == (Evaluation.objects.get(pk=response.json()["id"]), "corrective")
    assert action["reference"] == created.reference


def test_not_met_without_a_corrective_action_is_refused_naming_it(api_client_for, quality, register):
    payload = evaluation(register["first"], result="not_met", findings="Late.")
    before = Evaluation.objects.count()
    response = api_client_for(quality).post(EVALUATIONS, payload, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invalid input. corrective_action: title:")
    assert Evaluation.objects.count() == before


def test_corrective_action_with_an_unknown_owner_is_refused_naming_it(api_client_for, quality, register):
    payload = evaluation(
        register["first"],
        result="not_met",
        findings="Late.",
        corrective_action={"title": "Fix", "owner": "nobody", "due_date": IN_A_MONTH},
    )
    response = api_client_for(quality).post(EVALUATIONS, payload, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invalid input. corrective_action: owner:")


def test_evaluation_of_a_retired_requirement_is_refused_on_requirement(api_client_for, quality):
    retired = RequirementFactory(status="retired")
    response = api_client_for(quality).post(EVALUATIONS, evaluation(retired), format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invalid input. requirement:")
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("persona", ["staff", "auditor", "management"])
def test_only_quality_managers_record_evaluations(api_client_for, request, register, persona):
    response = api_client_for(request.getfixturevalue(persona)).post(
        EVALUATIONS, evaluation(register["first"]), format="json"
    )
    assert response.status_code == 403


def test_evaluations_are_never_changed_or_deleted(api_client_for, quality, register):
    url = reverse("api:evaluation-detail", args=[register["first"].evaluations.get().pk])
    client = api_client_for(quality)
    assert client.patch(url, {"result": "met"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    assert client.get(url).json()["result"] == "partly_met"


def test_evaluation_list_filters_by_result(api_client_for, auditor, register):
    EvaluationFactory(requirement=register["first"], result="met")
    body = api_client_for(auditor).get(EVALUATIONS, {"result": "partly_met"}).json()
    assert [row["findings"] for row in body["results"]] == ["One certificate missing."]


@pytest.mark.parametrize("rows", [3, 20])
def test_evaluation_list_query_count_does_not_grow_with_rows(
    api_client_for, quality, staff, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        ev = EvaluationFactory(result="not_met")
        ActionFactory(source=ev, title="Fix", owner=staff, due_date=TODAY)
    client = api_client_for(quality)
    # The page's corrective actions and their owners: two more queries, whatever the number of rows.
    with django_assert_max_num_queries(LIST_QUERY_BUDGET + 2):
        body = client.get(EVALUATIONS).json()
    assert len(body["results"]) == rows


def test_acknowledging_a_draft_is_refused_on_requirement(api_client_for, staff):
    draft = RequirementFactory(status="draft")
    Assignment.objects.create(requirement=draft, user=staff)
    response = api_client_for(staff).post(ACKNOWLEDGEMENTS, {"requirement": draft.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Invalid input. requirement: Only active requirements are acknowledged."


def test_after_a_new_version_staff_acknowledge_again(api_client_for, quality, staff, assigned):
    client = api_client_for(staff)
    client.post(ACKNOWLEDGEMENTS, {"requirement": assigned.pk}, format="json")
    api_client_for(quality).patch(requirement_url(assigned), {"text": "Reworded."}, format="json")
    response = client.post(ACKNOWLEDGEMENTS, {"requirement": assigned.pk}, format="json")
    assert response.json()["version"] == 2
    assert sorted(Acknowledgement.objects.values_list("version", flat=True)) == [1, 2]


@pytest.mark.parametrize("rows", [3, 20])
def test_acknowledgement_list_query_count_does_not_grow_with_rows(
    api_client_for, quality, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        requirement = RequirementFactory()
        Acknowledgement.objects.create(
            requirement=requirement, user=requirement.owner, version=1, acknowledged_at=timezone.now()
        )
    client = api_client_for(quality)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        body = client.get(ACKNOWLEDGEMENTS).json()
    assert len(body["results"]) == rows
