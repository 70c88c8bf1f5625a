"""Export of the customer list, as filtered, to CSV and Excel: safe cells, right headers, who may."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("customers:customer_list")
HEADER = ["code", "name", "segment", "status", "country", "account_owner", "notes"]


def exported_rows(response) -> list[list[str]]:
    """The cells of an export, read back the way a spreadsheet would."""
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [["" if value is None else str(value) for value in row] for row in sheet.iter_rows(values_only=True)]


def export(client, file_format, **filters):
    return client.get(LIST_URL, {**filters, "export": file_format})


@pytest.fixture
def register(staff):
    CustomerFactory(
        code="ACME-01", name="Acme", segment="enterprise", status="active", country="GB", account_owner=staff
    )
    CustomerFactory(code="NORD-02", name="Nord", segment="public", status="inactive", country="DE")
    CustomerFactory(code="BELL-04", name="Bell", segment="public", status="active", country="IE")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_starts_with_the_import_column_names(client_for, quality, register, file_format):
    assert exported_rows(export(client_for(quality), file_format))[0] == HEADER


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["ACME-01", "BELL-04", "NORD-02"]),
        ({"segment": "public"}, ["BELL-04", "NORD-02"]),
        ({"status": "active", "segment": "public"}, ["BELL-04"]),
        ({"q": "acme"}, ["ACME-01"]),
        ({"country": "FR"}, []),
    ],
)
def test_export_holds_only_the_rows_of_the_filtered_list(client_for, quality, register, file_format, filters, expected):
    rows = exported_rows(export(client_for(quality), file_format, **filters))
    assert [row[0] for row in rows[1:]] == expected


def test_export_follows_the_lists_sort(client_for, quality, register):
    rows = exported_rows(export(client_for(quality), "csv", sort="-code"))
    assert [row[0] for row in rows[1:]] == ["NORD-02", "BELL-04", "ACME-01"]


def test_export_holds_every_matching_row_not_just_the_first_page(client_for, quality):
    CustomerFactory.create_batch(30)
    rows = exported_rows(export(client_for(quality), "csv", page="1"))
    assert len(rows) == 31


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_row_carries_the_customers_values(client_for, quality, register, file_format):
    rows = exported_rows(export(client_for(quality), file_format, q="ACME-01"))
    assert rows[1] == ["ACME-01", "Acme", "Enterprise", "Active", "United Kingdom", "staff", ""]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://evil.example","x")', "+1+2", "-1+2", "@SUM(A1)"])
def test_export_neutralises_formulas(client_for, quality, file_format, dangerous):
    customer = CustomerFactory(code="EVIL-01", name=dangerous)
    customer.notes = dangerous
    customer.save()
    row = exported_rows(export(client_for(quality), file_format))[1]
    assert (row[1], row[6]) == ("'" + dangerous, "'" + dangerous)


@pytest.mark.parametrize(
    ("file_format", "content_type"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_export_is_a_download_named_for_the_register_and_the_time(
    client_for, quality, register, file_format, content_type
):
    with time_machine.travel(dt.datetime(2026, 3, 4, 5, 6, tzinfo=dt.UTC), tick=False):
        response = export(client_for(quality), file_format)
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="customers-20260304-0506.{file_format}"'


def test_unknown_export_format_falls_back_to_csv(client_for, quality, register):
    response = export(client_for(quality), "pdf")
    assert response["Content-Disposition"].endswith('.csv"')
    assert exported_rows(response)[0] == HEADER


@pytest.mark.parametrize("role", ["quality", "management", "auditor", "admin"])
def test_roles_that_may_export_get_the_file(client_for, user_in_role, register, role):
    response = export(client_for(user_in_role(role)), "csv")
    assert response.status_code == 200
    assert len(exported_rows(response)) == 4


def test_staff_may_not_export(client_for, staff, register):
    assert export(client_for(staff), "csv").status_code == 403


def test_list_offers_export_links_only_to_roles_that_may_export(client_for, auditor, staff, register):
    assert "export=csv" in client_for(auditor).get(LIST_URL).content.decode()
    assert "export=csv" not in client_for(staff).get(LIST_URL).content.decode()


def test_anonymous_export_is_sent_to_sign_in(client_for, register):
    response = export(client_for(None), "csv")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
