"""The management reviews' API: the same rules as the pages, for each persona."""

from __future__ import annotations

import pytest

from qms.actions.models import Action
from qms.reviews.models import Review, ReviewSignature

from .factories import ReviewFactory

pytestmark = pytest.mark.django_db
LIST = "/api/v1/reviews/"
NEW = {
    "review_date": "2026-04-15",
    "chair": "management",
    "attendees": ["quality"],
    "period_start": "2026-01-01",
    "period_end": "2026-03-31",
}


def detail(review) -> str:
    return f"{LIST}{review.pk}/"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 403), ("quality", 200), ("management", 200), ("staff", 403), ("auditor", 200)],
)
def test_who_may_list_and_read(request, api_client_for, planned, persona, expected):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = api_client_for(user)
    assert client.get(LIST).status_code in ((401, 403) if expected == 403 else (expected,))
    assert client.get(detail(planned)).status_code in ((401, 403) if expected == 403 else (expected,))


def test_quality_manager_plans_a_review(api_client_for, quality, management):
    response = api_client_for(quality).post(LIST, NEW, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["reference"], body["status"], body["chair"], body["attendees"]) == (
        "MR-2026-01",
        "planned",
        "management",
        ["quality"],
    )


@pytest.mark.parametrize("persona", ["management", "staff", "auditor"])
def test_others_may_not_plan_or_change_reviews(request, api_client_for, planned, persona):
    client = api_client_for(request.getfixturevalue(persona))
    assert client.post(LIST, NEW, format="json").status_code == 403
    assert client.patch(detail(planned), {"minutes": "x"}, format="json").status_code in (403, 404)
    assert client.post(f"{detail(planned)}prepare/").status_code in (403, 404)
    assert Review.objects.count() == 1


def test_a_bad_period_names_the_field(api_client_for, quality, management):
    response = api_client_for(quality).post(LIST, {**NEW, "period_end": "2025-01-01"}, format="json")
    assert response.status_code == 400
    assert "period_end" in response.json()["errors"]


def test_quality_manager_edits_and_prepares(api_client_for, quality, planned):
    client = api_client_for(quality)
    assert client.patch(detail(planned), {"minutes": "Agenda sent."}, format="json").json()["minutes"] == "Agenda sent."
    response = client.post(f"{detail(planned)}prepare/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "inputs_ready"
    assert [section["clause"] for section in body["inputs"]["sections"]][0] == "9.3.2 a"


def test_preparing_a_held_review_is_refused_naming_status(api_client_for, quality, held):
    response = api_client_for(quality).post(f"{detail(held)}prepare/")
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_an_approved_review_cannot_be_changed(api_client_for, quality, approved):
    response = api_client_for(quality).patch(detail(approved), {"minutes": "Later."}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_a_wrong_password_is_refused_naming_the_field(api_client_for, management, held):
    response = api_client_for(management).post(f"{detail(held)}approve/", {"password": "nope"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["errors"]
    assert not ReviewSignature.objects.exists()


def test_a_missing_password_is_refused(api_client_for, management, held):
    response = api_client_for(management).post(f"{detail(held)}approve/", {}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["errors"]


def test_the_chair_approves_with_their_password(api_client_for, management, held):
    response = api_client_for(management).post(f"{detail(held)}approve/", {"password": "pw-management"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "approved"
    assert body["signature"]["signer"] == "management"
    assert body["signature"]["meaning"] == "approved as a true record"
    assert len(body["signature"]["content_hash"]) == 64
    assert body["signature_valid"] is True


@pytest.mark.parametrize("persona", ["quality", "staff", "auditor"])
def test_only_the_chair_approves(request, api_client_for, held, persona):
    user = request.getfixturevalue(persona)
    response = api_client_for(user).post(f"{detail(held)}approve/", {"password": f"pw-{user.username}"}, format="json")
    assert response.status_code == 403
    assert not ReviewSignature.objects.exists()


def test_outputs_and_their_actions_are_shown(api_client_for, quality, held, staff):
    import datetime as dt

    from qms.reviews.services import output_add

    output_add(
        actor=quality,
        review=held,
        kind="improvement",
        description="x",
        decision="Offer tracking.",
        action_owner=staff,
        action_due_date=dt.date(2026, 7, 1),
    )
    body = api_client_for(quality).get(detail(held)).json()
    assert body["outputs"][0]["decision"] == "Offer tracking."
    assert body["outputs"][0]["action_reference"] == Action.objects.get().reference


def test_the_list_filters_by_status(api_client_for, auditor):
    ReviewFactory(reference="MR-2026-01", status="approved")
    ReviewFactory(reference="MR-2026-02")
    body = api_client_for(auditor).get(LIST, {"status": "approved"}).json()
    assert [row["reference"] for row in body["results"]] == ["MR-2026-01"]


def test_the_list_keeps_to_its_query_budget(api_client_for, quality, django_assert_max_num_queries):
    for _ in range(30):
        ReviewFactory()
    client = api_client_for(quality)
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert response.status_code == 200


def test_the_reviews_api_is_in_the_openapi_schema():
    import io

    import yaml
    from django.core.management import call_command

    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    assert {
        "/api/v1/reviews/",
        "/api/v1/reviews/{id}/",
        "/api/v1/reviews/{id}/prepare/",
        "/api/v1/reviews/{id}/approve/",
    } <= set(schema["paths"])
    assert "password" in schema["components"]["schemas"]["ReviewApproveInputRequest"]["required"]
