import pytest
from django.urls import reverse

from qms.evidence.models import EvidenceExport

PERSONAS = ["anonymous", "quality", "management", "staff", "auditor"]


def persona_user(request, persona):
    return None if persona == "anonymous" else request.getfixturevalue(persona)


@pytest.fixture
def done_export(records, quality, build_pack):
    return build_pack(quality)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("quality", 200), ("management", 403), ("staff", 403), ("auditor", 200)],
)
@pytest.mark.parametrize("name", ["export_detail", "export_progress", "export_download"])
def test_pages_of_a_quality_managers_export_per_persona(done_export, client_for, request, persona, status, name):
    # Evidence packs are for auditors and quality managers: top management and staff are refused.
    response = client_for(persona_user(request, persona)).get(reverse(f"evidence:{name}", args=[done_export.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("quality", 200), ("management", 403), ("staff", 403), ("auditor", 200)],
)
def test_export_list_per_persona(db, client_for, request, persona, status):
    response = client_for(persona_user(request, persona)).get(reverse("evidence:export_list"))
    assert response.status_code == status


def test_list_shows_what_to_do_when_empty_and_defaults_to_all_clauses(auditor, client_for):
    html = client_for(auditor).get(reverse("evidence:export_list")).content.decode()
    assert "You have not exported an evidence pack yet" in html
    assert html.count('name="clauses"') == 8 and html.count("checked") == 8


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 302), ("quality", 302), ("management", 403), ("staff", 403), ("auditor", 302)],
)
def test_starting_an_export_per_persona(db, client_for, request, persona, status, django_capture_on_commit_callbacks):
    from unittest import mock

    with (
        mock.patch("qms.evidence.tasks.build_evidence_pack.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client_for(persona_user(request, persona)).post(
            reverse("evidence:export_list"),
            {"period_start": "2026-01-01", "period_end": "2026-06-30", "clauses": ["6.1", "9.1.2"]},
        )
    assert response.status_code == status
    if persona in ("quality", "auditor"):
        export = EvidenceExport.objects.get()
        assert response["Location"] == export.get_absolute_url()
        assert export.clauses == ["6.1", "9.1.2"] and export.status == "queued"
        delay.assert_called_once_with(export.pk)
    else:
        assert not EvidenceExport.objects.exists()


def test_bad_period_is_shown_on_the_field_and_the_input_is_kept(auditor, client_for):
    response = client_for(auditor).post(
        reverse("evidence:export_list"),
        {"period_start": "2026-05-01", "period_end": "2026-04-01", "clauses": ["6.1"]},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "The end of the period must be on or after its start." in html
    assert 'value="2026-05-01"' in html
    assert not EvidenceExport.objects.exists()


def test_no_clause_chosen_says_so(auditor, client_for):
    response = client_for(auditor).post(
        reverse("evidence:export_list"), {"period_start": "2026-01-01", "period_end": "2026-04-01"}
    )
    assert response.status_code == 400
    assert "Choose at least one clause." in response.content.decode()


def test_download_is_an_attachment_with_nosniff(done_export, client_for, auditor):
    response = client_for(auditor).get(reverse("evidence:export_download", args=[done_export.pk]))
    assert response["Content-Disposition"].startswith('attachment; filename="evidence-pack-')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_person_who_made_it_downloads_it(records, auditor, build_pack, client_for):
    export = build_pack(auditor)
    response = client_for(auditor).get(reverse("evidence:export_download", args=[export.pk]))
    assert response.status_code == 200


def test_unfinished_export_has_no_download(quality, client_for, period):
    from qms.evidence.services import export_create

    export = export_create(actor=quality, start=period[0], end=period[1], clauses=["6.1"])
    client = client_for(quality)
    assert client.get(reverse("evidence:export_download", args=[export.pk])).status_code == 404
    progress = client.get(reverse("evidence:export_progress", args=[export.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in progress and "Download" not in progress


def test_failed_export_shows_its_message_and_no_download(records, quality, build_pack, client_for, monkeypatch):
    from qms.evidence.pack import PackWriter

    monkeypatch.setattr(PackWriter, "_write_index", lambda *a: (_ for _ in ()).throw(RuntimeError("boom")))
    export = build_pack(quality)
    client = client_for(quality)
    html = client.get(reverse("evidence:export_detail", args=[export.pk])).content.decode()
    assert "could not be built" in html and "hx-trigger" not in html
    assert client.get(reverse("evidence:export_download", args=[export.pk])).status_code == 404


def test_done_progress_stops_polling_and_links_the_download(done_export, client_for, quality):
    html = client_for(quality).get(reverse("evidence:export_progress", args=[done_export.pk])).content.decode()
    assert "hx-trigger" not in html
    assert reverse("evidence:export_download", args=[done_export.pk]) in html


def test_list_query_count_does_not_grow_with_exports(auditor, client_for, django_assert_max_num_queries, period):
    from django.utils import timezone

    for _ in range(30):
        EvidenceExport.objects.create(
            created_by=auditor, created_at=timezone.now(), period_start=period[0], period_end=period[1], clauses=["6.1"]
        )
    client = client_for(auditor)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("evidence:export_list"))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 30
    assert len(response.context["object_list"]) == 20
