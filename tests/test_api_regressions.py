"""Bugs the API fuzzing (tests/test_api_fuzz.py) found, each pinned by the request that showed it."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def openapi():
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


# Who did something, read from a nullable foreign key: absent people are sent as null, and the schema says so.
NULLABLE_PEOPLE = [
    ("Action", "checked_by"),
    ("Action", "created_by"),
    ("FeedbackItem", "logged_by"),
    ("Campaign", "created_by"),
    ("CampaignDetail", "created_by"),
    ("KpiValue", "recorded_by"),
    ("KpiValue", "action"),
    ("RiskEntry", "accepted_by"),
    ("RiskEntry", "approved_by"),
    ("RiskEntry", "proposed_by"),
    ("RiskMatrix", "created_by"),
]


@pytest.mark.parametrize(("component", "field"), NULLABLE_PEOPLE)
def test_schema_declares_unset_people_nullable(openapi, component, field):
    assert openapi["components"]["schemas"][component]["properties"][field].get("nullable") is True


def test_action_nobody_checked_is_sent_as_null(api_client_for, auditor):
    from qms.actions.tests.factories import ActionFactory

    action = ActionFactory()
    body = api_client_for(auditor).get(reverse("api:action-detail", args=[action.pk])).json()
    assert body["checked_by"] is None
    assert body["created_by"] is None


def test_patching_a_risk_without_category_still_answers_category_name(api_client_for, staff):
    from risks.tests.factories import RiskEntryFactory

    entry = RiskEntryFactory(owner=staff, category=None)
    response = api_client_for(staff).patch(
        reverse("api:riskentry-detail", args=[entry.pk]), {"cause": "One supplier"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert "category_name" in response.json()
    assert response.json()["category_name"] is None


def test_patching_a_party_without_customer_still_answers_customer_code(api_client_for, quality):
    from requirements.tests.factories import InterestedPartyFactory

    party = InterestedPartyFactory(customer=None)
    response = api_client_for(quality).patch(
        reverse("api:interestedparty-detail", args=[party.pk]), {"needs": "Yearly audit"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["customer_code"] is None


def test_patching_a_complaint_without_category_still_answers_category_name(api_client_for, quality):
    from feedback.tests.factories import FeedbackItemFactory

    item = FeedbackItemFactory(category=None)
    response = api_client_for(quality).patch(
        reverse("api:feedbackitem-detail", args=[item.pk]), {"summary": "Late again"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["category_name"] is None


def test_created_customer_answers_its_contact_count(api_client_for, quality):
    new = {"code": "ACME-01", "name": "Acme Ltd", "segment": "enterprise", "status": "active", "country": "GB"}
    response = api_client_for(quality).post(reverse("api:customer-list"), new, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["contact_count"] == 0


def test_changed_customer_answers_its_contact_count(api_client_for, quality):
    from customers.tests.factories import ContactFactory, CustomerFactory

    customer = CustomerFactory()
    ContactFactory(customer=customer)
    response = api_client_for(quality).patch(
        reverse("api:customer-detail", args=[customer.pk]), {"notes": "Key account"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["contact_count"] == 1


def test_deleting_a_customer_others_refer_to_is_409_and_deletes_nothing(api_client_for, quality):
    from customers.models import Customer
    from customers.tests.factories import CustomerFactory
    from requirements.tests.factories import RequirementFactory

    customer = CustomerFactory()
    RequirementFactory(customer=customer)
    response = api_client_for(quality).delete(reverse("api:customer-detail", args=[customer.pk]))
    assert response.status_code == 409
    assert "requirements" in response.json()["detail"]
    assert Customer.objects.filter(pk=customer.pk).exists()


@pytest.mark.parametrize(
    "query",
    [
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"start": "1900-01-01"},
        {"start": "2000-01-01", "end": "2026-01-01"},
    ],
)
def test_dashboard_range_of_decades_is_400_naming_start(api_client_for, quality, query):
    # GET /api/v1/dashboard/?start=0001-01-01&end=9999-12-31 kept a worker busy for minutes.
    response = api_client_for(quality).get(reverse("api:dashboard"), query)
    assert response.status_code == 400
    assert "start" in response.json()["errors"]


def test_dashboard_range_of_ten_years_is_answered(api_client_for, quality):
    response = api_client_for(quality).get(reverse("api:dashboard"), {"start": "2016-01-01", "end": "2026-01-31"})
    assert response.status_code == 200, response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/reviews/", "/api/v1/summaries/"])
@pytest.mark.parametrize("year", ["3.449519212787624e-169", "0", "12345", "twenty"])
def test_a_year_filter_out_of_range_is_a_named_400(api_client_for, quality, path, year):
    response = api_client_for(quality).get(path, {"year": year})
    assert response.status_code == 400
    assert "year" in response.json()["errors"]
