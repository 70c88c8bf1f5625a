"""The OpenAPI schema: complete, valid, and free of generator warnings."""

from __future__ import annotations

import io

import jsonschema
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


# Error answers (qms.core.schema) --------------------------------------------------------------------------------


def _responses(schema, path: str, method: str) -> dict:
    return schema["paths"][path][method]["responses"]


def _error_schema_of(responses: dict, status: str) -> str:
    return responses[status]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


def _assert_documented(schema, body, component: str) -> None:
    jsonschema.validate(body, schema["components"]["schemas"][component])


def test_detail_operation_lists_its_refusals_with_the_error_body(schema):
    responses = _responses(schema, "/api/v1/customers/{id}/", "get")
    assert {"200", "401", "403", "404"} <= set(responses)
    assert {_error_schema_of(responses, status) for status in ("401", "403", "404")} == {"Error"}
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_detail_read_without_query_parameters_lists_no_400(schema):
    assert "400" not in _responses(schema, "/api/v1/customers/{id}/", "get")


def test_create_operation_lists_400_with_the_field_errors_but_no_404(schema):
    responses = _responses(schema, "/api/v1/customers/", "post")
    assert _error_schema_of(responses, "400") == "ValidationError"
    assert "errors" in schema["components"]["schemas"]["ValidationError"]["properties"]
    assert "404" not in responses


def test_list_lists_404_for_a_page_that_does_not_exist(schema):
    responses = _responses(schema, "/api/v1/customers/", "get")
    assert _error_schema_of(responses, "404") == "Error"
    assert "page" in responses["404"]["description"]


def test_only_the_token_exchange_lists_429(schema):
    assert "429" in _responses(schema, "/api/v1/auth/token/", "post")
    assert "429" not in _responses(schema, "/api/v1/customers/", "post")


def test_delete_of_a_record_others_refer_to_lists_409(schema):
    assert _error_schema_of(_responses(schema, "/api/v1/customers/{id}/", "delete"), "409") == "Error"


def test_a_status_the_view_already_names_keeps_its_words_and_gets_the_body(schema):
    not_ready = _responses(schema, "/api/v1/evidence-exports/{id}/download/", "get")["404"]
    assert not_ready["description"] == "Not ready"
    assert not_ready["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"


@pytest.mark.django_db
def test_invalid_input_is_answered_as_documented(schema, api_client_for, quality):
    response = api_client_for(quality).post("/api/v1/customers/", {}, format="json")
    assert response.status_code == 400
    _assert_documented(schema, response.json(), "ValidationError")
    assert "name" in response.json()["errors"]


@pytest.mark.django_db
def test_page_past_the_last_is_answered_as_documented(schema, api_client_for, quality):
    response = api_client_for(quality).get("/api/v1/customers/", {"page": 999})
    assert response.status_code == 404
    _assert_documented(schema, response.json(), "Error")


@pytest.mark.django_db
def test_refused_write_is_answered_as_documented(schema, api_client_for, auditor):
    response = api_client_for(auditor).post("/api/v1/customers/", {"name": "Acme"}, format="json")
    assert response.status_code == 403
    _assert_documented(schema, response.json(), "Error")


@pytest.mark.django_db
def test_deleting_a_customer_with_requirements_is_answered_as_documented(schema, api_client_for, quality):
    from customers.tests.factories import CustomerFactory
    from requirements.tests.factories import RequirementFactory

    customer = CustomerFactory()
    RequirementFactory(customer=customer)
    response = api_client_for(quality).delete(f"/api/v1/customers/{customer.pk}/")
    assert response.status_code == 409
    _assert_documented(schema, response.json(), "Error")
