"""Import of customers from CSV and Excel: a preview that saves nothing, then a confirmation that applies."""

from __future__ import annotations

import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from customers.views import CustomerImportView
from qms.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("customers:customer_import")
IMPORT_SESSION_KEY = CustomerImportView().session_key
HEADER = ["code", "name", "segment", "status", "country", "account_owner", "notes"]
FORMATS = ["csv", "xlsx"]


def csv_upload(rows, *, name="customers.csv", delimiter=",", encoding="utf-8"):
    text = "\r\n".join(delimiter.join(str(cell) for cell in row) for row in rows) + "\r\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_upload(rows, *, name="customers.xlsx", as_text=()):
    """An Excel file; cells whose value is in ``as_text`` are stored as text even if they look like formulas."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value in as_text:
                cell.data_type = "s"
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
    return {row.number: row.errors for row in response.context["plan"].rows if row.errors}


def stored() -> list[tuple]:
    return list(
        Customer.objects.order_by("code").values_list(
            "code", "name", "segment", "status", "country", "account_owner__username", "notes"
        )
    )


MIXED_ROWS = [
    HEADER,
    ["ACME-01", "Acme Industrial", "enterprise", "active", "GB", "quality", "Key account"],
    ["NORD-02", "", "enterprise", "active", "DE", "", ""],
    ["BAD CODE", "Bad Code Ltd", "sme", "active", "", "", ""],
    ["CITY-03", "Riverside Council", "public", "active", "GB", "nobody", ""],
    ["BELL-04", "Bellweather Foods", "sme", "prospect", "Ireland", "", ""],
]


# Preview


@pytest.mark.parametrize("file_format", FORMATS)
def test_preview_shows_each_invalid_row_with_the_column_and_reason(client_for, quality, file_format):
    response = preview(client_for(quality), upload(file_format, MIXED_ROWS))
    assert response.status_code == 200
    errors = row_errors(response)
    assert sorted(errors) == [3, 4, 5]
    assert errors[3] == {"name": ["This field is required."]}
    assert list(errors[4]) == ["code"]
    assert errors[5] == {"account_owner": ["No active user with the username “nobody”."]}
    html = response.content.decode()
    assert "<strong>name</strong>: This field is required." in html
    assert "<strong>account_owner</strong>: No active user with the username “nobody”." in html


@pytest.mark.parametrize("file_format", FORMATS)
def test_preview_saves_nothing(client_for, quality, file_format):
    preview(client_for(quality), upload(file_format, MIXED_ROWS))
    assert not Customer.objects.exists()
    assert not AuditEntry.objects.filter(content_type="customers.customer").exists()


def test_preview_sums_up_what_confirming_will_do(client_for, quality):
    CustomerFactory(code="BELL-04")
    html = preview(client_for(quality), csv_upload(MIXED_ROWS)).content.decode()
    assert "5 rows read:" in html
    assert "<strong>2 valid</strong> (1 to create, 1 to update)" in html
    assert "<strong>3 invalid</strong>, which will be skipped" in html
    assert "Nothing has been saved yet." in html


def test_preview_keeps_the_rows_for_confirmation_in_the_session(client_for, quality):
    client = client_for(quality)
    preview(client, csv_upload(MIXED_ROWS, name="march.csv"))
    pending = client.session[IMPORT_SESSION_KEY]
    assert pending["filename"] == "march.csv"
    assert len(pending["records"]) == 5


# Confirm


@pytest.mark.parametrize("file_format", FORMATS)
def test_confirm_creates_the_valid_rows_and_skips_the_invalid(client_for, quality, file_format):
    client = client_for(quality)
    preview(client, upload(file_format, MIXED_ROWS))
    response = confirm(client)
    assert response.status_code == 302
    assert response.url == reverse("customers:customer_list")
    assert stored() == [
        ("ACME-01", "Acme Industrial", "enterprise", "active", "GB", "quality", "Key account"),
        ("BELL-04", "Bellweather Foods", "sme", "prospect", "IE", None, ""),
    ]


def test_confirm_says_what_was_done(client_for, quality):
    client = client_for(quality)
    preview(client, csv_upload(MIXED_ROWS, name="march.csv"))
    response = confirm(client)
    assert messages_of(response) == [
        "Import of march.csv done: 2 created, 0 updated, 0 unchanged, 3 invalid row(s) skipped."
    ]


def test_confirm_writes_one_audit_entry_per_created_customer_from_the_ui(client_for, quality):
    client = client_for(quality)
    preview(client, csv_upload(MIXED_ROWS))
    confirm(client)
    entries = AuditEntry.objects.filter(content_type="customers.customer")
    assert sorted(entries.values_list("action", "object_repr", "source", "actor_id")) == [
        ("create", "Acme Industrial (ACME-01)", "ui", quality.pk),
        ("create", "Bellweather Foods (BELL-04)", "ui", quality.pk),
    ]


def test_confirm_clears_the_pending_preview(client_for, quality):
    client = client_for(quality)
    preview(client, csv_upload(MIXED_ROWS))
    confirm(client)
    assert IMPORT_SESSION_KEY not in client.session


def test_reimport_updates_by_code_whatever_its_case_and_never_duplicates(client_for, quality):
    CustomerFactory(code="ACME-01", name="Acme (old name)", segment="sme")
    client = client_for(quality)
    preview(client, csv_upload([HEADER, ["acme-01", "Acme Industrial", "enterprise", "active", "GB", "", ""]]))
    response = confirm(client)
    assert stored() == [("ACME-01", "Acme Industrial", "enterprise", "active", "GB", None, "")]
    assert "0 created, 1 updated, 0 unchanged." in messages_of(response)[0]


def test_reimport_of_the_same_file_counts_every_row_unchanged_and_writes_nothing(client_for, quality):
    client = client_for(quality)
    preview(client, csv_upload(MIXED_ROWS))
    confirm(client)
    before = stored()
    entries_before = AuditEntry.objects.count()
    preview(client, csv_upload(MIXED_ROWS, name="again.csv"))
    response = confirm(client)
    assert messages_of(response) == [
        "Import of again.csv done: 0 created, 0 updated, 2 unchanged, 3 invalid row(s) skipped."
    ]
    assert stored() == before
    assert AuditEntry.objects.count() == entries_before


def test_update_writes_one_audit_entry_with_before_and_after(client_for, quality):
    customer = CustomerFactory(code="ACME-01", name="Acme (old name)")
    client = client_for(quality)
    preview(client, csv_upload([["code", "name", "country"], ["ACME-01", "Acme Industrial", "GB"]]))
    confirm(client)
    [entry] = AuditEntry.objects.filter(object_id=str(customer.pk), action="update")
    assert entry.changes["name"] == ["Acme (old name)", "Acme Industrial"]


def test_confirm_checks_the_rows_again_against_the_register_as_it_is_then(client_for, quality):
    client = client_for(quality)
    preview(client, csv_upload([["code", "name"], ["NEW-01", "New Ltd"]]))
    CustomerFactory(code="NEW-01", name="Created meanwhile")
    response = confirm(client)
    assert list(Customer.objects.values_list("code", "name")) == [("NEW-01", "New Ltd")]
    assert "0 created, 1 updated" in messages_of(response)[0]


def test_confirm_without_a_preview_sends_back_with_an_error(client_for, quality):
    response = confirm(client_for(quality))
    assert response.status_code == 302
    assert response.url == IMPORT_URL
    assert messages_of(response) == ["The import preview has expired. Upload the file again."]
    assert not Customer.objects.exists()


def test_opening_the_import_page_again_drops_the_pending_preview(client_for, quality):
    client = client_for(quality)
    preview(client, csv_upload(MIXED_ROWS))
    client.get(IMPORT_URL)
    response = confirm(client)
    assert messages_of(response) == ["The import preview has expired. Upload the file again."]
    assert not Customer.objects.exists()


def test_confirm_of_a_file_without_a_valid_row_imports_nothing(client_for, quality):
    client = client_for(quality)
    preview(client, csv_upload([["code", "name"], ["BAD CODE", "Bad"], ["", "No code"]]))
    response = confirm(client)
    assert response.url == IMPORT_URL
    assert messages_of(response) == ["No row of this file is valid, so nothing was imported."]
    assert not Customer.objects.exists()


# Column rules


@pytest.mark.parametrize("username", ["staff", "STAFF", " staff "])
def test_account_owner_is_found_by_username(client_for, quality, staff, username):
    client = client_for(quality)
    preview(client, csv_upload([["code", "name", "account_owner"], ["ACME-01", "Acme", username]]))
    confirm(client)
    assert Customer.objects.get().account_owner == staff


def test_inactive_account_owner_is_a_row_error(client_for, quality, staff):
    staff.is_active = False
    staff.save()
    response = preview(client_for(quality), csv_upload([["code", "name", "account_owner"], ["A-1", "A", "staff"]]))
    assert list(row_errors(response)[2]) == ["account_owner"]


@pytest.mark.parametrize(
    ("typed", "code"),
    [("GB", "GB"), ("de", "DE"), ("Germany", "DE"), ("united kingdom", "GB"), ("Ireland", "IE"), ("", "")],
)
def test_country_is_read_from_its_code_or_name(client_for, quality, typed, code):
    client = client_for(quality)
    preview(client, csv_upload([["code", "name", "country"], ["ACME-01", "Acme", typed]]))
    confirm(client)
    assert Customer.objects.get().country.code == code


@pytest.mark.parametrize("typed", ["Narnia", "XX", "G"])
def test_unknown_country_is_a_row_error_on_the_country_column(client_for, quality, typed):
    response = preview(client_for(quality), csv_upload([["code", "name", "country"], ["ACME-01", "Acme", typed]]))
    assert list(row_errors(response)[2]) == ["country"]


@pytest.mark.parametrize(
    ("column", "typed", "value"),
    [
        ("segment", "public", "public"),
        ("segment", "Public sector", "public"),
        ("segment", "SMALL AND MEDIUM BUSINESS", "sme"),
        ("status", "Inactive", "inactive"),
        ("status", "PROSPECT", "prospect"),
    ],
)
def test_segment_and_status_are_read_from_their_value_or_label(client_for, quality, column, typed, value):
    client = client_for(quality)
    preview(client, csv_upload([["code", "name", column], ["ACME-01", "Acme", typed]]))
    confirm(client)
    assert getattr(Customer.objects.get(), column) == value


@pytest.mark.parametrize(("column", "typed"), [("segment", "martian"), ("status", "dormant")])
def test_unknown_segment_or_status_is_a_row_error_on_that_column(client_for, quality, column, typed):
    response = preview(client_for(quality), csv_upload([["code", "name", column], ["ACME-01", "Acme", typed]]))
    assert list(row_errors(response)[2]) == [column]


def test_blank_segment_and_status_give_the_defaults_to_a_new_customer(client_for, quality):
    client = client_for(quality)
    preview(client, csv_upload([["code", "name", "segment", "status"], ["ACME-01", "Acme", "", ""]]))
    confirm(client)
    assert stored()[0][2:4] == ("sme", "active")


def test_blank_segment_and_status_keep_an_existing_customers_values(client_for, quality):
    CustomerFactory(code="ACME-01", segment="public", status="inactive")
    client = client_for(quality)
    preview(client, csv_upload([["code", "name", "segment", "status"], ["ACME-01", "Acme", "", ""]]))
    confirm(client)
    assert stored()[0][2:4] == ("public", "inactive")


@pytest.mark.parametrize("second", ["ACME-01", "acme-01", " Acme-01 "])
def test_code_repeated_in_one_file_is_an_error_on_the_second_row(client_for, quality, second):
    rows = [["code", "name"], ["ACME-01", "Acme"], [second, "Acme again"], ["NORD-02", "Nord"]]
    response = preview(client_for(quality), csv_upload(rows))
    assert row_errors(response) == {3: {"code": ["Repeats row 2; each code may appear once per file."]}}


def test_code_is_upper_cased_on_import(client_for, quality):
    client = client_for(quality)
    preview(client, csv_upload([["code", "name"], ["acme-01", "Acme"]]))
    confirm(client)
    assert stored()[0][0] == "ACME-01"


@pytest.mark.parametrize("file_format", FORMATS)
def test_cell_starting_with_equals_is_stored_as_text(client_for, quality, file_format):
    rows = [["code", "name", "notes"], ["ACME-01", '=HYPERLINK("http://x.example")', "=1+2"]]
    file = csv_upload(rows) if file_format == "csv" else xlsx_upload(rows, as_text=rows[1])
    client = client_for(quality)
    preview(client, file)
    confirm(client)
    customer = Customer.objects.get()
    assert (customer.name, customer.notes) == ('=HYPERLINK("http://x.example")', "=1+2")


def test_whole_numbers_in_excel_cells_are_read_without_a_decimal_point(client_for, quality):
    client = client_for(quality)
    preview(client, xlsx_upload([["code", "name"], [1001, "Numbered Ltd"]]))
    confirm(client)
    assert stored()[0][0] == "1001"


def test_column_names_are_matched_whatever_their_case_and_spaces(client_for, quality, staff):
    client = client_for(quality)
    preview(client, csv_upload([["Code", " NAME ", "Account Owner"], ["ACME-01", "Acme", "staff"]]))
    confirm(client)
    assert stored() == [("ACME-01", "Acme", "sme", "active", "", "staff", "")]


@pytest.mark.parametrize(
    ("delimiter", "name"),
    # A comma inside a name shows the semicolon and tab files are not split on commas.
    [(",", "Acme Industrial"), (";", "Acme, Industrial"), ("\t", "Acme, Industrial")],
    ids=["comma", "semicolon", "tab"],
)
def test_csv_with_comma_semicolon_or_tab_delimiters_is_read(client_for, quality, delimiter, name):
    rows = [HEADER, ["ACME-01", name, "enterprise", "active", "GB", "", "two words"]]
    client = client_for(quality)
    preview(client, csv_upload(rows, delimiter=delimiter))
    confirm(client)
    assert stored() == [("ACME-01", name, "enterprise", "active", "GB", None, "two words")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_from_excel_in_any_usual_encoding_is_read(client_for, quality, encoding):
    client = client_for(quality)
    preview(client, csv_upload([["code", "name"], ["CAFE-01", "Café Crème"]], encoding=encoding))
    confirm(client)
    assert stored()[0][:2] == ("CAFE-01", "Café Crème")


def test_exported_list_imports_back_unchanged(client_for, quality, staff):
    CustomerFactory(code="ACME-01", name="Acme", segment="public", status="prospect", country="DE", account_owner=staff)
    CustomerFactory(code="NORD-02", name="Nord", segment="distributor", status="inactive", country="")
    client = client_for(quality)
    exported = b"".join(client.get(reverse("customers:customer_list"), {"export": "csv"}).streaming_content)
    before = stored()
    response = preview(client, SimpleUploadedFile("customers.csv", exported))
    assert row_errors(response) == {}
    assert messages_of(confirm(client))[-1].endswith("0 created, 0 updated, 2 unchanged.")
    assert stored() == before


# The file itself


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("customers.txt", b"code,name\nA-1,A\n"), "Choose a .csv or .xlsx file."),
        (SimpleUploadedFile("customers.xls", b"code,name\nA-1,A\n"), "Choose a .csv or .xlsx file."),
        (SimpleUploadedFile("customers.csv", b""), "The submitted file is empty."),
        (SimpleUploadedFile("customers.csv", b"\r\n ,, \r\n"), "The file is empty"),
        (SimpleUploadedFile("customers.csv", b"code,name\r\n"), "The file has column names but no rows to import."),
        (SimpleUploadedFile("customers.csv", b"code,title\r\nA-1,A\r\n"), "Missing column(s): name."),
        (SimpleUploadedFile("customers.csv", b"name\r\nAcme\r\n"), "Missing column(s): code."),
        (SimpleUploadedFile("customers.xlsx", b"not a spreadsheet"), "could not be read as CSV or Excel"),
    ],
    ids=["txt", "xls", "zero-bytes", "blank-lines", "header-only", "no-name", "no-code", "damaged-xlsx"],
)
def test_unusable_file_is_refused_on_the_file_field_and_nothing_is_kept(client_for, quality, file, message):
    client = client_for(quality)
    response = preview(client, file)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["file"])
    assert 'id="error_1_id_file"' in response.content.decode()
    assert IMPORT_SESSION_KEY not in client.session
    assert not Customer.objects.exists()


def test_upload_without_a_file_is_refused_on_the_file_field(client_for, quality):
    response = client_for(quality).post(IMPORT_URL, {})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["This field is required."]


def test_file_with_more_rows_than_allowed_is_refused(client_for, quality, settings):
    settings.QMS_IMPORT_MAX_ROWS = 2
    rows = [["code", "name"], ["A-1", "A"], ["B-2", "B"], ["C-3", "C"]]
    response = preview(client_for(quality), csv_upload(rows))
    assert response.context["form"].errors["file"] == ["The file has 3 rows; at most 2 at a time."]


def test_file_larger_than_allowed_is_refused(client_for, quality, settings):
    settings.QMS_IMPORT_MAX_BYTES = 1024 * 1024
    big = "code,name,notes\r\nA-1,A," + "x" * (1024 * 1024) + "\r\n"
    response = preview(client_for(quality), SimpleUploadedFile("customers.csv", big.encode()))
    assert response.context["form"].errors["file"] == ["The file is larger than 1 MB; split it into smaller files."]


@pytest.mark.parametrize("role", ["management", "staff", "auditor"])
def test_read_only_roles_cannot_confirm_a_pending_import(client_for, quality, user_in_role, role):
    client = client_for(quality)
    preview(client, csv_upload(MIXED_ROWS))
    pending = client.session[IMPORT_SESSION_KEY]
    other = client_for(user_in_role(role))
    session = other.session
    session[IMPORT_SESSION_KEY] = pending
    session.save()
    assert confirm(other).status_code == 403
    assert not Customer.objects.exists()


def test_columns_left_out_of_the_file_keep_the_stored_values(client_for, quality, staff):
    CustomerFactory(code="KEEP-01", name="Keep Ltd", country="DE", account_owner=staff, notes="Key account")
    client = client_for(quality)
    preview(client, csv_upload([["code", "name"], ["KEEP-01", "Keep Limited"]]))
    confirm(client)
    customer = Customer.objects.get(code="KEEP-01")
    assert (customer.name, customer.country.code, customer.account_owner, customer.notes) == (
        "Keep Limited",
        "DE",
        staff,
        "Key account",
    )


def test_preview_shows_only_the_columns_the_file_has(client_for, quality):
    response = preview(client_for(quality), csv_upload([["code", "name"], ["NEW-01", "New Ltd"]]))
    assert response.context["plan"].columns == ["code", "name"]
