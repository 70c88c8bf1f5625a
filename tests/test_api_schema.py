"""The OpenAPI schema: complete, valid, and free of generator warnings."""

from __future__ import annotations

import io

import pytest
import yaml
from django.core.management import call_command


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return yaml.safe_load(out.getvalue())


def test_schema_lists_every_api_endpoint(schema):
    assert {
        "/api/v1/auth/token/",
        "/api/v1/customers/",
        "/api/v1/customers/{id}/",
        "/api/v1/contacts/",
        "/api/v1/contacts/{id}/",
    } <= set(schema["paths"])


def test_customer_list_documents_its_filters_and_ordering(schema):
    names = {parameter["name"] for parameter in schema["paths"]["/api/v1/customers/"]["get"]["parameters"]}
    assert {"q", "segment", "status", "country", "account_owner", "ordering", "page", "page_size"} <= names


def test_schema_declares_token_and_session_authentication(schema):
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])


@pytest.mark.django_db
def test_schema_endpoint_serves_openapi_3_to_signed_in_users(client_for, staff):
    response = client_for(staff).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
