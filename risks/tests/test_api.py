"""The risk and opportunity log's API: the same rules as the pages, answered in JSON."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qms.audit.models import AuditEntry
from qms.core.models import OutboxEmail
from risks.models import RiskEntry, RiskMatrix
from risks.tests.factories import THREE_BY_THREE, RiskEntryFactory

ENTRIES = reverse("api:riskentry-list")
MATRICES = reverse("api:riskmatrix-list")
pytestmark = pytest.mark.django_db
ROLES = ["quality", "management", "staff", "auditor", "admin"]
# Roles and permissions, the count, the page, three prefetches (requirements, customers, feedback).
LIST_QUERY_BUDGET = 8


def entry_url(entry, action: str = "detail") -> str:
    return reverse(f"api:riskentry-{action}", args=[entry.pk])


@pytest.fixture
def register(quality, staff):
    return {
        "mine": RiskEntryFactory(reference="RSK-0001", owner=staff, title="Staff's risk"),
        "other": RiskEntryFactory(reference="RSK-0002", owner=quality, inherent_score=20, inherent_band="critical"),
        "opportunity": RiskEntryFactory(reference="OPP-0001", kind="opportunity", owner=quality),
    }


def references(response) -> list[str]:
    return sorted(row["reference"] for row in response.json()["results"])


def entry_audit_rows(entry) -> int:
    return AuditEntry.objects.filter(content_type="risks.riskentry", object_id=str(entry.pk)).count()


# Reading ---------------------------------------------------------------------------------------------


def test_anonymous_gets_401(api_client_for, register, matrix):
    assert api_client_for(None).get(ENTRIES).status_code == 401
    assert api_client_for(None).get(entry_url(register["other"])).status_code == 401
    assert api_client_for(None).get(MATRICES).status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_log_and_the_matrix(api_client_for, user_in_role, register, matrix, role):
    client = api_client_for(user_in_role(role))
    response = client.get(ENTRIES)
    assert response.status_code == 200
    assert references(response) == ["OPP-0001", "RSK-0001", "RSK-0002"]
    assert client.get(entry_url(register["other"])).status_code == 200
    assert client.get(MATRICES).status_code == 200
    assert client.get(reverse("api:riskmatrix-detail", args=[matrix.pk])).status_code == 200


def test_kind_filter(api_client_for, auditor, register):
    assert references(api_client_for(auditor).get(ENTRIES, {"kind": "opportunity"})) == ["OPP-0001"]
    assert references(api_client_for(auditor).get(ENTRIES, {"kind": "risk", "band": "critical"})) == ["RSK-0002"]


def test_detail_shows_scores_and_the_steps_the_caller_may_take(api_client_for, staff, quality, register):
    data = api_client_for(staff).get(entry_url(register["mine"])).json()
    assert (data["status"], data["owner"], data["current_band"]) == ("identified", "staff", "")
    assert data["allowed_steps"] == ["assess"]
    data = api_client_for(quality).get(entry_url(register["mine"])).json()
    assert data["allowed_steps"] == ["assess", "close"]


def test_matrix_list_on_a_fresh_install_shows_version_one(api_client_for, auditor):
    RiskMatrix.objects.all().delete()
    data = api_client_for(auditor).get(MATRICES).json()
    assert [(row["version"], row["active"]) for row in data["results"]] == [(1, True)]
    assert data["results"][0]["bands"][3]["requires_approval"] is True


@pytest.mark.parametrize("rows", [1, 12])
def test_list_query_count_does_not_grow_with_rows(api_client_for, quality, django_assert_max_num_queries, rows):
    for _ in range(rows):
        RiskEntryFactory()
    client = api_client_for(quality)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        assert client.get(ENTRIES).status_code == 200


def test_matrix_list_query_count(api_client_for, quality, matrix, django_assert_max_num_queries):
    client = api_client_for(quality)
    with django_assert_max_num_queries(5):  # roles, permissions, the matrix in use, count, page
        assert client.get(MATRICES).status_code == 200


# Writing ---------------------------------------------------------------------------------------------


def test_quality_manager_logs_an_entry(api_client_for, quality, staff):
    response = api_client_for(quality).post(
        ENTRIES, {"title": "Supplier insolvent", "kind": "risk", "owner": "staff", "source": "process"}, format="json"
    )
    assert response.status_code == 201, response.json()
    entry = RiskEntry.objects.get()
    assert (response.json()["reference"], entry.owner, entry.status) == ("RSK-0001", staff, "identified")
    assert entry_audit_rows(entry) == 1


def test_staff_propose_an_entry(api_client_for, staff):
    response = api_client_for(staff).post(ENTRIES, {"title": "New market", "kind": "opportunity"}, format="json")
    assert response.status_code == 201
    data = response.json()
    assert (data["reference"], data["status"], data["owner"], data["proposed_by"]) == (
        "OPP-0001",
        "identified",
        "staff",
        "staff",
    )


@pytest.mark.parametrize("role", ["management", "auditor"])
def test_readers_cannot_log(api_client_for, user_in_role, role):
    response = api_client_for(user_in_role(role)).post(ENTRIES, {"title": "x"}, format="json")
    assert response.status_code == 403
    assert not RiskEntry.objects.exists()


def test_bad_choice_is_refused_naming_the_field(api_client_for, quality):
    response = api_client_for(quality).post(ENTRIES, {"title": "x", "kind": "threat"}, format="json")
    assert response.status_code == 400
    assert "kind" in response.json()["errors"]


def test_owner_edits_their_own_entry_only(api_client_for, staff, register):
    client = api_client_for(staff)
    response = client.patch(entry_url(register["mine"]), {"cause": "One supplier"}, format="json")
    assert response.status_code == 200
    assert response.json()["cause"] == "One supplier"
    assert entry_audit_rows(register["mine"]) == 2
    assert client.patch(entry_url(register["other"]), {"cause": "x"}, format="json").status_code == 403


@pytest.mark.parametrize("role", ["management", "auditor"])
def test_readers_cannot_edit(api_client_for, user_in_role, register, role):
    response = api_client_for(user_in_role(role)).patch(entry_url(register["other"]), {"title": "x"}, format="json")
    assert response.status_code == 403


def test_no_delete(api_client_for, superuser, register):
    assert api_client_for(superuser).delete(entry_url(register["other"])).status_code == 405


def test_owner_scores_through_assess(api_client_for, staff, register, matrix):
    response = api_client_for(staff).post(
        entry_url(register["mine"], "assess"), {"kind": "inherent", "likelihood": 3, "impact": 4}, format="json"
    )
    assert response.status_code == 201
    data = response.json()
    assert (data["status"], data["inherent_score"], data["inherent_band"]) == ("assessed", 12, "high")


def test_assess_out_of_range_names_the_field(api_client_for, quality, register, matrix):
    response = api_client_for(quality).post(
        entry_url(register["other"], "assess"), {"kind": "inherent", "likelihood": 9, "impact": 1}, format="json"
    )
    assert response.status_code == 400
    assert "likelihood" in response.json()["errors"]


@pytest.mark.parametrize("role", ["management", "auditor"])
def test_readers_cannot_score(api_client_for, user_in_role, register, matrix, role):
    response = api_client_for(user_in_role(role)).post(
        entry_url(register["other"], "assess"), {"kind": "inherent", "likelihood": 1, "impact": 1}, format="json"
    )
    assert response.status_code == 403


def test_acceptance_and_approval_through_step(api_client_for, quality, management, register, matrix):
    entry = register["other"]
    quality_client = api_client_for(quality)
    quality_client.post(entry_url(entry, "assess"), {"kind": "inherent", "likelihood": 5, "impact": 5}, format="json")
    response = quality_client.post(entry_url(entry, "step"), {"step": "accept", "comment": "No way out"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["approval_required"]) == ("assessed", True)
    # Already critical before the score (no second "entered" notice); the acceptance asks for approval.
    assert [m.key.split(":")[0] for m in OutboxEmail.objects.all()] == ["risk-acceptance"]
    response = api_client_for(management).get(entry_url(entry))
    assert "approve" in response.json()["allowed_steps"]
    response = api_client_for(management).post(entry_url(entry, "step"), {"step": "approve"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["approved_by"]) == ("monitoring", "management")


def test_refused_step_names_step(api_client_for, quality, register):
    response = api_client_for(quality).post(entry_url(register["mine"], "step"), {"step": "reopen", "comment": "x"})
    assert response.status_code == 400
    assert "step" in response.json()["errors"]


@pytest.mark.parametrize(("role", "status"), [("staff", 403), ("auditor", 403), ("management", 403)])
def test_step_not_yours_is_403(api_client_for, user_in_role, register, role, status):
    response = api_client_for(user_in_role(role)).post(
        entry_url(register["other"], "step"), {"step": "close", "comment": "x"}, format="json"
    )
    assert response.status_code == status


def test_quality_manager_posts_the_next_matrix_version(api_client_for, quality, matrix):
    response = api_client_for(quality).post(MATRICES, THREE_BY_THREE, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["version"], response.json()["active"]) == (2, True)
    matrix.refresh_from_db()
    assert not matrix.active


def test_invalid_matrix_is_400_naming_the_field(api_client_for, quality, matrix):
    response = api_client_for(quality).post(MATRICES, {**THREE_BY_THREE, "scores": [[1, 2, 3]]}, format="json")
    assert response.status_code == 400
    assert "scores" in response.json()["errors"]


@pytest.mark.parametrize("role", ["management", "staff", "auditor"])
def test_only_quality_managers_post_a_matrix(api_client_for, user_in_role, matrix, role):
    response = api_client_for(user_in_role(role)).post(MATRICES, THREE_BY_THREE, format="json")
    assert response.status_code == 403
    assert RiskMatrix.objects.count() == 1


def test_matrix_versions_cannot_be_changed_in_place(api_client_for, superuser, matrix):
    url = reverse("api:riskmatrix-detail", args=[matrix.pk])
    assert api_client_for(superuser).patch(url, {"name": "x"}, format="json").status_code == 405
    assert api_client_for(superuser).delete(url).status_code == 405


def test_schema_lists_the_risk_endpoints():
    import io

    import yaml
    from django.core.management import call_command

    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    paths = set(yaml.safe_load(out.getvalue())["paths"])
    assert {
        "/api/v1/risks/",
        "/api/v1/risks/{id}/",
        "/api/v1/risks/{id}/assess/",
        "/api/v1/risks/{id}/step/",
        "/api/v1/risk-matrix/",
        "/api/v1/risk-matrix/{id}/",
    } <= paths


# GET per role, as the access table in tests/test_access.py lists it.
GET_STATUS = {
    "api:riskentry-list": {"anon": 401, **dict.fromkeys(ROLES, 200)},
    "api:riskentry-detail": {"anon": 401, **dict.fromkeys(ROLES, 200)},
    "api:riskentry-assess": {"anon": 401, **dict.fromkeys(ROLES, 405)},
    "api:riskentry-step": {"anon": 401, **dict.fromkeys(ROLES, 405)},
    "api:riskmatrix-list": {"anon": 401, **dict.fromkeys(ROLES, 200)},
    "api:riskmatrix-detail": {"anon": 401, **dict.fromkeys(ROLES, 200)},
}


@pytest.mark.parametrize("name", GET_STATUS)
def test_get_status_per_role(api_client_for, personas, register, matrix, name):
    args = [] if name.endswith("-list") else [matrix.pk if "matrix" in name else register["other"].pk]
    url = reverse(name, args=args)
    got = {"anon": api_client_for(None).get(url).status_code}
    got |= {role: api_client_for(personas[role]).get(url).status_code for role in ROLES}
    assert got == GET_STATUS[name]
