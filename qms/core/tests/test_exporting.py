"""CSV and XLSX exports never hand a spreadsheet a formula, and keep real numbers as numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qms.core.exporting import safe_cell, safe_text, table_response, xlsx_cell

# Every start a spreadsheet may read as a formula (tab, CR and NUL: it may drop them and read what follows).
DANGEROUS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "\x00=1+1"]
# PostgreSQL cannot store NUL in text, so a record can never hold one there: the register paths go without it.
STORABLE = [value for value in DANGEROUS if "\x00" not in value]
FORMATS = ["csv", "xlsx"]


def read_table(response, export_format: str) -> list[list]:
    if export_format == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body, newline="")))


def as_written(value: str, export_format: str) -> str:
    """What a neutralised ``value`` reads back as: an apostrophe first (and no NUL in an XLSX file)."""
    neutral = "'" + value
    # XML keeps no NUL and reads a CR back as a line feed.
    return neutral.replace("\x00", "").replace("\r", "\n") if export_format == "xlsx" else neutral


@pytest.mark.parametrize("value", DANGEROUS)
def test_text_starting_like_a_formula_gets_an_apostrophe(value):
    assert safe_text(value) == "'" + value
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Acme", "", "1+1", " =1", "a=b", "Crème", "'quoted"])
def test_other_text_is_left_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [(-5, -5), (3, 3), (-2.5, -2.5), (Decimal("-1.25"), Decimal("-1.25")), (0, 0)],
)
def test_real_numbers_stay_numbers(value, expected):
    assert safe_cell(value) == expected
    assert type(safe_cell(value)) is type(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ""), (True, "True"), (dt.date(2026, 3, 5), "2026-03-05"), (float("-inf"), "'-inf"), ("-5", "'-5")],
)
def test_other_values_become_safe_text(value, expected):
    assert safe_cell(value) == expected


def test_xlsx_cells_lose_the_control_characters_a_workbook_cannot_hold():
    assert xlsx_cell("a\x00b\x07c\td") == "abc\td"
    assert xlsx_cell("\x00=1+1") == "'=1+1"


@pytest.mark.parametrize("export_format", FORMATS)
@pytest.mark.parametrize("value", DANGEROUS)
def test_table_response_neutralises_every_formula_start(value, export_format):
    response = table_response([["heading"], [value]], export_format, "test")
    assert read_table(response, export_format)[1] == [as_written(value, export_format)]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("export_format", FORMATS)
def test_table_response_keeps_negative_numbers_as_numbers(export_format):
    response = table_response([["balance", "note"], [-5, "-5"]], export_format, "test")
    row = read_table(response, export_format)[1]
    assert row == ([-5, "'-5"] if export_format == "xlsx" else ["-5", "'-5"])


# Every register's list export goes through qms.core.views.RegisterListView and export_response.


def _customer(value):
    from customers.tests.factories import CustomerFactory

    return reverse("customers:customer_list"), CustomerFactory(name=value)


def _requirement(value):
    from requirements.tests.factories import RequirementFactory

    return reverse("requirements:requirement_list"), RequirementFactory(title=value)


def _feedback(value):
    from feedback.tests.factories import FeedbackItemFactory

    return reverse("feedback:item_list"), FeedbackItemFactory(summary=value)


def _risk(value):
    from risks.tests.factories import RiskEntryFactory

    return reverse("risks:entry_list"), RiskEntryFactory(title=value)


REGISTERS = {"customers": _customer, "requirements": _requirement, "feedback": _feedback, "risks": _risk}


@pytest.mark.django_db
@pytest.mark.parametrize("export_format", FORMATS)
@pytest.mark.parametrize("register", sorted(REGISTERS))
def test_register_list_export_neutralises_formulas(client_for, quality, register, export_format):
    url = ""
    for value in STORABLE:  # one record per dangerous start
        url, _ = REGISTERS[register](value)
    response = client_for(quality).get(url, {"export": export_format})
    assert response.status_code == 200
    cells = [cell for row in read_table(response, export_format)[1:] for cell in row]
    for value in STORABLE:
        assert as_written(value, export_format) in cells
        assert value not in cells


# Reading rows as tuples (the fast path) shows exactly what reading instances shows --------------------


def _instance_rows(queryset, columns) -> list[list]:
    """What an export writes when it reads instances: each cell as a page shows it, then neutralised."""
    from qms.core.templatetags.portal import cell_value

    return [[heading for _, heading in columns]] + [
        [safe_cell(cell_value(obj, attribute)) for attribute, _ in columns] for obj in queryset
    ]


def _views_with_exports():
    """Every register list with an export, found through the URL map (so a new one is covered)."""
    import qms.urls  # noqa: F401  (imports every view module)
    from qms.core.views import RegisterListView

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    found = [view for view in subclasses(RegisterListView) if view.export_columns]
    assert len(found) >= 16
    return found


WITH_DATA = {
    "CustomerListView",
    "FeedbackItemListView",
    "AuditEntryListView",
    "RequirementListView",
    "RiskEntryListView",
}


@pytest.mark.django_db
def test_every_register_export_reads_plain_rows_and_shows_what_the_instances_show(rf, quality):
    from customers.tests.factories import CustomerFactory
    from feedback.tests.factories import CategoryFactory, FeedbackItemFactory
    from qms.core import exporting
    from requirements.tests.factories import RequirementFactory
    from risks.tests.factories import RiskEntryFactory

    owned = CustomerFactory(country="GB", account_owner=quality, segment="enterprise")
    CustomerFactory(country="", account_owner=None)
    FeedbackItemFactory(customer=owned, category=CategoryFactory(name="Delivery"), assignee=quality, severity="high")
    FeedbackItemFactory(
        customer=None, category=None, submitter_name="Walk-in", resolved_at=dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    )
    FeedbackItemFactory(customer=owned, submitter_name="")
    RequirementFactory(customer=owned)
    RiskEntryFactory(owner=quality)
    for view_class in _views_with_exports():
        request = rf.get("/")
        request.user = quality
        view = view_class()
        view.setup(request)
        queryset = view.get_export_queryset()
        columns = view.export_columns
        plan = [exporting._database_column(queryset.model, queryset.query.annotations, a) for a, _ in columns]
        fast = list(exporting.rows(queryset, columns))
        assert fast == _instance_rows(queryset, columns), view_class.__name__
        if view_class.__name__ in WITH_DATA:
            assert len(fast) > 1, view_class.__name__
        if view_class.__name__ in ("CustomerListView", "FeedbackItemListView", "AuditEntryListView"):
            assert all(plan), f"{view_class.__name__}: a column is read from instances: {columns}"


@pytest.mark.django_db
def test_the_complainant_column_follows_the_model_s_rule(rf, quality):
    from customers.tests.factories import ContactFactory, CustomerFactory
    from feedback.tests.factories import FeedbackItemFactory
    from feedback.views.complaints import FeedbackItemListView

    acme = CustomerFactory(name="Acme", code="ACME-01")
    items = [
        FeedbackItemFactory(
            contact=ContactFactory(customer=acme, name="Dana"), customer=acme, submitter_name="Ignored"
        ),
        FeedbackItemFactory(customer=acme, submitter_name="Walk-in"),
        FeedbackItemFactory(customer=acme, submitter_name=""),
        FeedbackItemFactory(customer=None, submitter_name=""),
    ]
    request = rf.get("/")
    request.user = quality
    view = FeedbackItemListView()
    view.setup(request)
    by_pk = dict(view.get_export_queryset().values_list("pk", "complainant"))
    assert [by_pk[item.pk] for item in items] == ["Dana", "Walk-in", "Acme (ACME-01)", "Anonymous"]
    assert [by_pk[item.pk] for item in items] == [item.complainant_name for item in items]


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/St_Johns", "Asia/Kathmandu"])
def test_export_times_read_as_strftime_writes_them_in_every_zone(zone):
    """The export's own formatting of date and time (faster than ``strftime``) writes the same text, on
    both sides of a daylight-saving change and in zones a quarter or half an hour off."""
    import zoneinfo

    from qms.core.exporting import _minutes

    local = zoneinfo.ZoneInfo(zone)
    start = dt.datetime(2026, 3, 8, 0, 0, tzinfo=dt.UTC)
    for step in range(0, 60 * 24 * 40, 97):  # every 97 minutes over 40 days across March
        value = start + dt.timedelta(minutes=step, seconds=59, microseconds=999999)
        assert _minutes(value, local) == value.astimezone(local).strftime("%Y-%m-%d %H:%M")


# Streaming: rows come from a cursor in a transaction, never from a result PostgreSQL copied whole first.


@pytest.mark.django_db(transaction=True)
def test_an_export_reads_its_rows_in_a_transaction_that_a_stopped_download_ends(client_for, quality, monkeypatch):
    from django.db import connection

    from customers.tests.factories import CustomerFactory
    from qms.core import exporting

    CustomerFactory.create_batch(3)
    monkeypatch.setattr(exporting, "CSV_LINES_PER_CHUNK", 1)
    response = client_for(quality).get(reverse("customers:customer_list"), {"export": "csv"})
    chunks = iter(response.streaming_content)
    assert next(chunks).startswith(b"code,") and not connection.in_atomic_block  # the headings: nothing read yet
    next(chunks)  # the first row: the cursor is open, in its transaction
    assert connection.in_atomic_block
    response.close()  # the client went away
    assert not connection.in_atomic_block and connection.get_autocommit()
    finished = client_for(quality).get(reverse("customers:customer_list"), {"export": "csv"})
    assert b"".join(finished.streaming_content).count(b"\n") == 4
    assert not connection.in_atomic_block and connection.get_autocommit()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_an_export_streams_from_a_cursor_declared_without_hold(client_for, quality):
    """WITH HOLD (Django's cursor outside a transaction) makes PostgreSQL compute the whole result and copy it
    to a temporary file before the first row: for two million complaints, most of the export's time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from customers.tests.factories import CustomerFactory

    CustomerFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        response = client_for(quality).get(reverse("customers:customer_list"), {"export": "csv"})
        assert b"".join(response.streaming_content).count(b"\n") == 4
    declared = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("DECLARE")]
    assert declared and not any("WITH HOLD" in sql for sql in declared), declared
