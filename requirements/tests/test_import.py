"""Import of requirements from CSV and Excel: a preview that saves nothing, then a confirmation that applies."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from customers.tests.factories import CustomerFactory
from qms.audit.models import AuditEntry
from requirements.imports import RequirementImportView
from requirements.models import Requirement
from requirements.tests.factories import InterestedPartyFactory, RequirementFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("requirements:requirement_import")
IMPORT_SESSION_KEY = RequirementImportView().session_key
FORMATS = ["csv", "xlsx"]
HEADER = [
    "reference",
    "title",
    "text",
    "kind",
    "customer",
    "party",
    "legal_reference",
    "jurisdiction",
    "authority",
    "applicability",
    "owner",
    "criticality",
    "review_frequency_months",
    "next_review_date",
    "status",
]


@pytest.fixture
def sources(db):
    return {
        "acme": CustomerFactory(code="ACME-01", name="Acme"),
        "regulator": InterestedPartyFactory(name="Trading Standards"),
    }


def row(**values) -> list[str]:
    defaults = {
        "reference": "",
        "title": "Certificate of conformity",
        "text": "Each delivery carries a certificate.",
        "kind": "specified",
        "customer": "ACME-01",
        "party": "",
        "legal_reference": "",
        "jurisdiction": "",
        "authority": "",
        "applicability": "All products",
        "owner": "quality",
        "criticality": "high",
        "review_frequency_months": "12",
        "next_review_date": "2030-01-31",
        "status": "active",
    }
    defaults.update(values)
    return [defaults[column] for column in HEADER]


def csv_upload(rows, *, name="requirements.csv"):
    text = "\r\n".join(",".join(f'"{cell}"' if "," in str(cell) else str(cell) for cell in r) for r in rows) + "\r\n"
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_upload(rows, *, name="requirements.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(
        name, buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def upload(file_format, rows):
    return csv_upload(rows) if file_format == "csv" else xlsx_upload(rows)


def preview(client, file):
    return client.post(IMPORT_URL, {"file": file})


def confirm(client):
    return client.post(IMPORT_URL, {"confirm": "1"})


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def row_errors(response) -> dict[int, dict[str, list[str]]]:
    return {r.number: r.errors for r in response.context["plan"].rows if r.errors}


MIXED_ROWS = [
    HEADER,
    row(title="Certificates"),
    row(reference="QA-0007", title="Labelling", next_review_date="31/01/2030"),
    row(reference="REQ-0003", kind="whim"),
    row(reference="REQ-0004", customer="NOPE-99"),
    row(reference="REQ-0005", next_review_date="31.01.2030"),
    row(reference="REQ-0006", owner="nobody"),
    row(reference="REQ-0007", kind="statutory", customer=""),
    row(reference="REQ-0008", next_review_date="2020-01-01"),
    row(reference="qa-0007", title="Same reference again"),
    row(reference="REQ-0010", review_frequency_months="twelve"),
    row(reference="BAD REF", title="Bad reference"),
]


# Preview


@pytest.mark.parametrize("file_format", FORMATS)
def test_preview_names_the_column_of_each_malformed_row(client_for, quality, sources, file_format):
    response = preview(client_for(quality), upload(file_format, MIXED_ROWS))
    assert response.status_code == 200
    errors = row_errors(response)
    assert {number: sorted(fields) for number, fields in errors.items()} == {
        4: ["kind"],
        5: ["customer"],
        6: ["next_review_date"],
        7: ["owner"],
        8: ["jurisdiction", "legal_reference"],
        9: ["next_review_date"],
        10: ["reference"],
        11: ["review_frequency_months"],
        12: ["reference"],
    }
    assert errors[5] == {"customer": ["No customer with the code “NOPE-99”."]}
    assert errors[6] == {"next_review_date": ["“31.01.2030” is not a date; write YYYY-MM-DD or DD/MM/YYYY."]}
    assert errors[9] == {"next_review_date": ["A new requirement's next review cannot be in the past."]}
    html = response.content.decode()
    assert "<strong>owner</strong>: No active user with the username “nobody”." in html


@pytest.mark.parametrize("file_format", FORMATS)
def test_preview_saves_nothing(client_for, quality, sources, file_format):
    response = preview(client_for(quality), upload(file_format, MIXED_ROWS))
    assert "Nothing has been saved yet." in response.content.decode()
    assert not Requirement.objects.exists()
    assert not AuditEntry.objects.filter(content_type="requirements.requirement").exists()


def test_preview_sums_up_what_confirming_will_do(client_for, quality, sources):
    RequirementFactory(reference="QA-0007")
    html = preview(client_for(quality), csv_upload(MIXED_ROWS)).content.decode()
    assert "11 rows read:" in html
    assert "<strong>2 valid</strong> (1 to create, 1 to update)" in html
    assert "<strong>9 invalid</strong>, which will be skipped" in html


def test_missing_required_column_is_an_error_on_the_file(client_for, quality):
    response = preview(client_for(quality), csv_upload([["title", "text"], ["A", "B"]]))
    assert response.status_code == 400
    assert "Missing column(s): reference." in response.content.decode()


# Confirm


@pytest.mark.parametrize("file_format", FORMATS)
def test_confirm_creates_the_valid_rows_numbering_those_without_reference(client_for, quality, sources, file_format):
    client = client_for(quality)
    preview(client, upload(file_format, MIXED_ROWS))
    response = confirm(client)
    assert response.status_code == 302
    assert response.url == reverse("requirements:requirement_list")
    assert list(
        Requirement.objects.order_by("reference").values_list(
            "reference", "title", "kind", "customer__code", "owner__username", "next_review_date", "version"
        )
    ) == [
        ("QA-0007", "Labelling", "specified", "ACME-01", "quality", dt.date(2030, 1, 31), 1),
        ("REQ-0001", "Certificates", "specified", "ACME-01", "quality", dt.date(2030, 1, 31), 1),
    ]
    assert messages_of(response) == [
        f"Import of requirements.{file_format} done: 2 created, 0 updated, 0 unchanged, 9 invalid row(s) skipped."
    ]


def test_confirm_keeps_each_first_version_and_audits_each_creation(client_for, quality, sources):
    client = client_for(quality)
    preview(client, csv_upload(MIXED_ROWS))
    confirm(client)
    assert sorted(Requirement.objects.values_list("versions__version", flat=True)) == [1, 1]
    entries = AuditEntry.objects.filter(content_type="requirements.requirement", action="create")
    assert sorted(entries.values_list("source", "actor_id")) == [("ui", quality.pk), ("ui", quality.pk)]


def test_statutory_row_with_legal_fields_and_party_is_imported(client_for, quality, sources):
    client = client_for(quality)
    rows = [
        HEADER,
        row(
            kind="Statutory",
            customer="",
            party="trading standards",
            legal_reference="Consumer Protection Act 1987, s. 10",
            jurisdiction="UK",
            authority="OPSS",
            criticality="Critical",
            status="Under review",
        ),
    ]
    preview(client, csv_upload(rows))
    confirm(client)
    requirement = Requirement.objects.get()
    assert (requirement.kind, requirement.party, requirement.jurisdiction, requirement.criticality) == (
        "statutory",
        sources["regulator"],
        "UK",
        "critical",
    )
    assert requirement.status == "under_review"


def test_reimport_updates_by_reference_and_a_new_wording_of_an_active_one_is_a_new_version(
    client_for, quality, sources
):
    existing = RequirementFactory(reference="REQ-0042", status="active", text="Old wording.", criticality="low")
    client = client_for(quality)
    preview(client, csv_upload([["reference", "title", "text"], ["req-0042", existing.title, "New wording."]]))
    response = confirm(client)
    existing.refresh_from_db()
    assert (existing.version, existing.text, existing.criticality) == (2, "New wording.", "low")
    assert list(existing.versions.order_by("version").values_list("text", flat=True)) == [
        "Old wording.",
        "New wording.",
    ]
    assert "0 created, 1 updated, 0 unchanged." in messages_of(response)[0]
    assert Requirement.objects.count() == 1


def test_reimport_of_a_draft_changes_its_wording_in_place(client_for, quality, sources):
    draft = RequirementFactory(reference="REQ-0042", status="draft", text="Draft.")
    client = client_for(quality)
    preview(client, csv_upload([["reference", "title", "text"], ["REQ-0042", draft.title, "Better draft."]]))
    confirm(client)
    draft.refresh_from_db()
    assert (draft.version, draft.text) == (1, "Better draft.")


def test_columns_left_out_keep_the_stored_values(client_for, quality, staff, sources):
    existing = RequirementFactory(reference="REQ-0042", owner=staff, criticality="critical", applicability="Site A")
    client = client_for(quality)
    preview(client, csv_upload([["reference", "title"], ["REQ-0042", "Renamed"]]))
    confirm(client)
    existing.refresh_from_db()
    assert (existing.title, existing.owner, existing.criticality, existing.applicability) == (
        "Renamed",
        staff,
        "critical",
        "Site A",
    )


def test_reimport_of_the_same_file_counts_every_row_unchanged(client_for, quality, sources):
    client = client_for(quality)
    rows = [HEADER, row(reference="REQ-0001"), row(reference="REQ-0002", title="Labelling")]
    preview(client, csv_upload(rows))
    confirm(client)
    entries = AuditEntry.objects.count()
    preview(client, csv_upload(rows, name="again.csv"))
    response = confirm(client)
    assert messages_of(response) == ["Import of again.csv done: 0 created, 0 updated, 2 unchanged."]
    assert AuditEntry.objects.count() == entries
    assert list(Requirement.objects.values_list("version", flat=True)) == [1, 1]


def test_blank_choice_cells_keep_the_stored_value(client_for, quality, sources):
    existing = RequirementFactory(reference="REQ-0042", criticality="critical", status="active")
    client = client_for(quality)
    preview(client, csv_upload([["reference", "title", "criticality", "status"], ["REQ-0042", existing.title, "", ""]]))
    response = confirm(client)
    existing.refresh_from_db()
    assert (existing.criticality, existing.status) == ("critical", "active")
    assert "1 unchanged" in messages_of(response)[0]


def test_xlsx_date_cells_are_read_as_dates(client_for, quality, sources):
    rows = [HEADER, row(next_review_date=dt.datetime(2030, 3, 1))]  # noqa: DTZ001 - a spreadsheet date cell
    client = client_for(quality)
    preview(client, xlsx_upload(rows))
    confirm(client)
    assert Requirement.objects.get().next_review_date == dt.date(2030, 3, 1)


def test_existing_requirement_may_keep_a_past_review_date(client_for, quality, sources):
    existing = RequirementFactory(reference="REQ-0042", next_review_date=dt.date(2020, 1, 1))
    client = client_for(quality)
    preview(client, csv_upload([["reference", "title", "next_review_date"], ["REQ-0042", "Renamed", "2020-01-01"]]))
    confirm(client)
    existing.refresh_from_db()
    assert existing.title == "Renamed"


def test_confirm_checks_the_rows_again_against_the_register_as_it_is_then(client_for, quality, sources):
    client = client_for(quality)
    preview(client, csv_upload([HEADER, row(reference="REQ-0042", title="From the file")]))
    RequirementFactory(reference="REQ-0042", title="Created meanwhile", status="draft")
    response = confirm(client)
    assert list(Requirement.objects.values_list("reference", "title")) == [("REQ-0042", "From the file")]
    assert "0 created, 1 updated" in messages_of(response)[0]


def test_confirm_clears_the_pending_preview(client_for, quality, sources):
    client = client_for(quality)
    preview(client, csv_upload(MIXED_ROWS))
    assert len(client.session[IMPORT_SESSION_KEY]["records"]) == 11
    confirm(client)
    assert IMPORT_SESSION_KEY not in client.session


def test_confirm_without_a_preview_sends_back_with_an_error(client_for, quality):
    response = confirm(client_for(quality))
    assert response.status_code == 302
    assert response.url == IMPORT_URL
    assert messages_of(response) == ["The import preview has expired. Upload the file again."]


def test_confirm_of_a_file_without_a_valid_row_imports_nothing(client_for, quality, sources):
    client = client_for(quality)
    preview(client, csv_upload([HEADER, row(kind="whim")]))
    response = confirm(client)
    assert messages_of(response) == ["No row of this file is valid, so nothing was imported."]
    assert not Requirement.objects.exists()


# Who may import


@pytest.mark.parametrize("persona", ["staff", "management", "auditor"])
def test_only_quality_managers_import(client_for, request, sources, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(IMPORT_URL).status_code == 403
    assert preview(client, csv_upload(MIXED_ROWS)).status_code == 403
    assert not Requirement.objects.exists()


def test_import_page_opens_for_the_quality_manager(client_for, quality):
    response = client_for(quality).get(IMPORT_URL)
    assert response.status_code == 200
    assert "Import requirements" in response.content.decode()
