"""/healthz, request ids, and error pages that never show a stack trace."""

from __future__ import annotations

import pytest
from django.urls import path

from qms.urls import urlpatterns as portal_urlpatterns


@pytest.mark.django_db
def test_healthz_names_database_and_broker(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "detail": __import__("django.db").db.connection.vendor}
    assert body["broker"]["ok"] is True
    assert body["broker"]["detail"] == settings.CELERY_BROKER_URL.split(":", 1)[0]


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    response = client.get("/healthz")
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_request_id_with_unsafe_characters_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert "<" not in response["X-Request-ID"]


@pytest.mark.django_db
def test_unknown_page_gets_a_friendly_404(client_for, staff):
    response = client_for(staff).get("/no/such/page/")
    assert response.status_code == 404
    assert "There is no such page or record" in response.content.decode()


@pytest.mark.django_db
def test_unknown_api_record_gets_json_404(client_for, staff):
    response = client_for(staff).get("/api/v1/customers/999999/")
    assert response.status_code == 404
    assert response.json()["detail"] == "No such record, or you may not see it."


@pytest.mark.django_db
def test_forbidden_page_explains_why(client_for, staff):
    response = client_for(staff).get("/customers/new/")
    assert response.status_code == 403
    assert "Your role does not allow this" in response.content.decode()


def _explode(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("explode/", _explode), path("api/v1/explode/", _explode), *portal_urlpatterns]
handler500 = "qms.core.errors.server_error"


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("url", "json"), [("/explode/", False), ("/api/v1/explode/", True)])
def test_an_unexpected_error_shows_no_stack_trace(client, url, json):
    client.raise_request_exception = False
    response = client.get(url, HTTP_X_REQUEST_ID="trace-me-12345")
    assert response.status_code == 500
    text = response.content.decode()
    assert "secret internal detail" not in text and "Traceback" not in text
    assert "trace-me-12345" in text
    if json:
        assert response.json()["detail"].startswith("Something went wrong")
