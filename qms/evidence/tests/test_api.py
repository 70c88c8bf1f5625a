from unittest import mock

import pytest

from qms.evidence.models import EvidenceExport

URL = "/api/v1/evidence-exports/"


def persona_user(request, persona):
    return None if persona == "anonymous" else request.getfixturevalue(persona)


@pytest.fixture
def done_export(records, quality, build_pack):
    return build_pack(quality)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", (401,)), ("quality", (202,)), ("management", (403,)), ("staff", (403,)), ("auditor", (202,))],
)
def test_create_per_persona(db, api_client_for, request, persona, status, django_capture_on_commit_callbacks):
    with (
        mock.patch("qms.evidence.tasks.build_evidence_pack.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = api_client_for(persona_user(request, persona)).post(
            URL, {"period_start": "2026-01-01", "period_end": "2026-03-31"}, format="json"
        )
    assert response.status_code in status
    if response.status_code == 202:
        assert response.data["status"] == "queued"
        assert len(response.data["clauses"]) == 8  # all clauses by default
        delay.assert_called_once_with(response.data["id"])
    else:
        assert not EvidenceExport.objects.exists()


def test_create_with_a_bad_period_names_the_field(auditor, api_client_for):
    response = api_client_for(auditor).post(
        URL, {"period_start": "2026-05-01", "period_end": "2026-04-01", "clauses": ["6.1"]}, format="json"
    )
    assert response.status_code == 400
    assert "period_end" in str(response.data)


def test_create_with_an_unknown_clause_is_refused(auditor, api_client_for):
    response = api_client_for(auditor).post(
        URL, {"period_start": "2026-01-01", "period_end": "2026-04-01", "clauses": ["7.5"]}, format="json"
    )
    assert response.status_code == 400
    assert not EvidenceExport.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", (401,)), ("quality", (200,)), ("management", (403,)), ("staff", (403,)), ("auditor", (200,))],
)
@pytest.mark.parametrize("suffix", ["", "download/"])
def test_retrieve_and_download_per_persona(done_export, api_client_for, request, persona, status, suffix):
    response = api_client_for(persona_user(request, persona)).get(f"{URL}{done_export.pk}/{suffix}")
    assert response.status_code in status


def test_poll_reports_progress_and_the_download_link(done_export, api_client_for, auditor):
    data = api_client_for(auditor).get(f"{URL}{done_export.pk}/").data
    assert (data["status"], data["percent"], data["sha256"]) == ("done", 100, done_export.sha256)
    assert data["download_url"].endswith(f"{URL}{done_export.pk}/download/")


def test_download_headers(done_export, api_client_for, auditor):
    response = api_client_for(auditor).get(f"{URL}{done_export.pk}/download/")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_list_shows_only_ones_own_exports(done_export, api_client_for, auditor, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = api_client_for(auditor).get(URL)
    assert response.status_code == 200
    assert response.data["count"] == 0 if isinstance(response.data, dict) else response.data == []


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_auditors_change_nothing_else(done_export, api_client_for, auditor, method):
    response = getattr(api_client_for(auditor), method)(f"{URL}{done_export.pk}/", {}, format="json")
    assert response.status_code in (403, 405)
    assert EvidenceExport.objects.filter(pk=done_export.pk, status="done").exists()


def test_the_endpoint_is_in_the_openapi_schema(quality, api_client_for):
    response = api_client_for(quality).get("/api/schema/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "/api/v1/evidence-exports/{id}/download/" in body
