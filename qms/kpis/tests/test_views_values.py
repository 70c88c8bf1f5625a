"""Entering, deleting and importing KPI values, and the monthly order volumes, per persona."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from qms.audit.models import AuditEntry
from qms.kpis.models import KpiValue, OrderVolume
from qms.kpis.periods import add_periods, period_label, period_start

from .conftest import ROLES
from .factories import KpiFactory, KpiValueFactory, OrderVolumeFactory

pytestmark = pytest.mark.django_db


def this_month():
    return period_start(timezone.localdate())


def last_month():
    return add_periods(this_month(), -1)


# Entering a value -----------------------------------------------------------------------------------

# The KPI is owned by staff: its owner and quality managers enter it; top management does not own it.
ENTER_EXPECTED = {"anon": 302, "quality": 200, "management": 403, "staff": 200, "auditor": 403}


@pytest.mark.parametrize("role", ROLES)
def test_enter_form_per_persona(client_for, user_for, staff_kpi, role):
    response = client_for(user_for(role)).get(reverse("kpis:value_enter", args=[staff_kpi.pk]))
    assert response.status_code == ENTER_EXPECTED[role]
    if response.status_code == 200:
        assert "Save the value" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_enter_post_per_persona(client_for, user_for, staff_kpi, role):
    data = {"period_start": last_month().isoformat(), "value": "96.5", "note": "From the ERP"}
    response = client_for(user_for(role)).post(reverse("kpis:value_enter", args=[staff_kpi.pk]), data)
    expected = {200: 302, 302: 302, 403: 403}[ENTER_EXPECTED[role]]
    assert response.status_code == expected
    assert KpiValue.objects.filter(kpi=staff_kpi).exists() is (role in ("quality", "staff"))


def test_staff_cannot_enter_values_of_a_kpi_they_do_not_own(client_for, staff, management_kpi):
    client = client_for(staff)
    url = reverse("kpis:value_enter", args=[management_kpi.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"period_start": last_month().isoformat(), "value": "90"}).status_code == 403
    assert not KpiValue.objects.exists()
    assert "Enter a value" not in client.get(management_kpi.get_absolute_url()).content.decode()


def test_top_management_enters_values_of_the_kpis_it_owns(client_for, management, management_kpi):
    data = {"period_start": last_month().isoformat(), "value": "99"}
    response = client_for(management).post(reverse("kpis:value_enter", args=[management_kpi.pk]), data)
    assert response.status_code == 302
    assert KpiValue.objects.get(kpi=management_kpi).value == Decimal("99.00")


def test_entering_records_origin_recorder_and_an_audit_row(client_for, staff, staff_kpi):
    data = {"period_start": last_month().isoformat(), "value": "87,5 %", "note": " From the ERP "}
    response = client_for(staff).post(reverse("kpis:value_enter", args=[staff_kpi.pk]), data)
    assert response.status_code == 302 and response["Location"] == staff_kpi.get_absolute_url()
    value = KpiValue.objects.get(kpi=staff_kpi)
    assert (value.value, value.origin, value.recorded_by, value.final, value.note) == (
        Decimal("87.50"),
        "form",
        staff,
        True,
        "From the ERP",
    )
    assert AuditEntry.objects.for_object(value).filter(action="create").count() == 1


def test_refused_before_the_input_is_read(client_for, management, staff_kpi):
    response = client_for(management).post(
        reverse("kpis:value_enter", args=[staff_kpi.pk]), {"period_start": "garbage", "value": "x"}
    )
    assert response.status_code == 403


def test_period_select_offers_current_and_previous_24_and_preselects(client_for, staff, staff_kpi):
    response = client_for(staff).get(
        reverse("kpis:value_enter", args=[staff_kpi.pk]), {"period": last_month().isoformat()}
    )
    choices = response.context["form"].fields["period_start"].choices
    assert len(choices) == 25
    assert choices[0] == (this_month().isoformat(), period_label(this_month()))
    assert response.context["form"].initial["period_start"] == last_month().isoformat()


def test_a_period_with_a_value_shows_it_and_is_replaced(client_for, staff, staff_kpi):
    KpiValueFactory(kpi=staff_kpi, period_start=last_month(), value=Decimal("80"), recorded_by=staff)
    client = client_for(staff)
    url = reverse("kpis:value_enter", args=[staff_kpi.pk])
    content = client.get(url, {"period": last_month().isoformat()}).content.decode()
    assert "already has a value" in content and "80.00" in content and "Saving replaces it" in content
    response = client.post(url, {"period_start": last_month().isoformat(), "value": "93"})
    assert response.status_code == 302
    assert list(KpiValue.objects.filter(kpi=staff_kpi).values_list("value", flat=True)) == [Decimal("93.00")]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"value": "lots"}, "value", "“lots” is not a number."),
        ({"value": ""}, "value", "This field is required."),
        ({"value": "1e13"}, "value", "This value is too large."),
        ({"period_start": "2001-01-01", "value": "90"}, "period_start", "Select a valid choice."),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(client_for, staff, staff_kpi, data, field, message):
    payload = {"period_start": last_month().isoformat(), **data}
    response = client_for(staff).post(reverse("kpis:value_enter", args=[staff_kpi.pk]), payload)
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert not KpiValue.objects.exists()


def test_computed_kpi_says_its_values_are_not_entered(client_for, quality, computed_kpi):
    url = reverse("kpis:value_enter", args=[computed_kpi.pk])
    page = client_for(quality).get(url).content.decode()
    assert "computed by the portal" in page and "Save the value" not in page
    response = client_for(quality).post(url, {"period_start": last_month().isoformat(), "value": "3"})
    assert response.status_code == 400
    assert "cannot be entered by hand" in response.context["form"].errors["value"][0]
    assert not KpiValue.objects.exists()


# Deleting a value -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_value_delete_per_persona(client_for, user_for, staff_kpi, role):
    value = KpiValueFactory(kpi=staff_kpi, period_start=last_month())
    url = reverse("kpis:value_delete", args=[value.pk])
    client = client_for(user_for(role))
    expected_get = {"anon": 302, "quality": 200}.get(role, 403)
    assert client.get(url).status_code == expected_get
    response = client.post(url)
    assert response.status_code == (302 if role in ("anon", "quality") else 403)
    assert KpiValue.objects.filter(pk=value.pk).exists() is (role != "quality")


def test_value_delete_confirms_and_writes_the_audit(client_for, quality, staff_kpi):
    value = KpiValueFactory(kpi=staff_kpi, period_start=last_month())
    client = client_for(quality)
    assert "Yes, delete" in client.get(reverse("kpis:value_delete", args=[value.pk])).content.decode()
    response = client.post(reverse("kpis:value_delete", args=[value.pk]))
    assert response["Location"] == staff_kpi.get_absolute_url()
    assert AuditEntry.objects.filter(content_type="kpis.kpivalue", object_id=str(value.pk), action="delete").exists()


def test_computed_values_are_not_deleted(client_for, quality, computed_kpi):
    value = KpiValueFactory(kpi=computed_kpi, period_start=last_month(), origin="computed")
    response = client_for(quality).post(reverse("kpis:value_delete", args=[value.pk]), follow=True)
    assert "not deleted by hand" in response.content.decode()
    assert KpiValue.objects.filter(pk=value.pk).exists()


# Importing values -----------------------------------------------------------------------------------


def _csv(rows: list[list[str]]) -> SimpleUploadedFile:
    text = "\n".join(",".join(row) for row in rows)
    return SimpleUploadedFile("values.csv", text.encode(), content_type="text/csv")


def _xlsx(rows: list[list]) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("values.xlsx", buffer.getvalue())


@pytest.fixture
def mixed_rows(staff_kpi, management_kpi, computed_kpi):
    """Two valid rows for staff's KPI (one correcting a stored value), then one invalid row per reason."""
    KpiValueFactory(kpi=staff_kpi, period_start=last_month(), value=Decimal("80"))
    previous = add_periods(last_month(), -1)
    return [
        ["kpi", "period", "value", "note"],
        ["On-time delivery", previous.strftime("%Y-%m"), "94.5", "ERP"],
        ["On-time delivery", last_month().isoformat(), "96", "corrected"],
        ["Order accuracy", previous.strftime("%Y-%m"), "99", ""],
        ["Complaints received", previous.strftime("%Y-%m"), "3", ""],
        ["No such KPI", previous.strftime("%Y-%m"), "3", ""],
        ["On-time delivery", "March", "90", ""],
        ["On-time delivery", add_periods(last_month(), -2).strftime("%Y-%m"), "lots", ""],
        ["On-time delivery", previous.strftime("%Y-%m"), "93", "same period again"],
    ]


IMPORT_EXPECTED = {"anon": 302, "quality": 200, "management": 200, "staff": 200, "auditor": 403}


@pytest.mark.parametrize("role", ROLES)
def test_import_page_per_persona(client_for, user_for, staff_kpi, management_kpi, role):
    response = client_for(user_for(role)).get(reverse("kpis:value_import"))
    assert response.status_code == IMPORT_EXPECTED[role]
    if response.status_code == 200:
        assert "Import KPI values" in response.content.decode() and "Preview" in response.content.decode()


def test_import_refused_to_staff_who_own_no_kpi(client_for, staff, quality):
    KpiFactory(owner=quality)
    assert client_for(staff).get(reverse("kpis:value_import")).status_code == 403


def test_auditor_cannot_post_an_import(client_for, auditor, mixed_rows):
    response = client_for(auditor).post(reverse("kpis:value_import"), {"file": _csv(mixed_rows)})
    assert response.status_code == 403


def test_staff_import_preview_then_confirm(client_for, staff, staff_kpi, mixed_rows):
    client = client_for(staff)
    preview = client.post(reverse("kpis:value_import"), {"file": _csv(mixed_rows)})
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert [row.action for row in plan.valid_rows] == ["create", "update"]
    errors = {row.number: row.errors for row in plan.invalid_rows}
    assert "You may not enter values of Order accuracy" in errors[4]["kpi"][0]
    assert "computed by the portal" in errors[5]["kpi"][0]
    assert "No KPI is named “No such KPI”" in errors[6]["kpi"][0]
    assert "is not a period" in errors[7]["period"][0]
    assert "“lots” is not a number" in errors[8]["value"][0]
    assert "Repeats row 2" in errors[9]["period"][0]
    assert "Nothing has been saved yet" in preview.content.decode()
    assert KpiValue.objects.filter(kpi=staff_kpi).count() == 1

    done = client.post(reverse("kpis:value_import"), {"confirm": "1"}, follow=True)
    assert "1 created, 1 updated" in done.content.decode() and "6 invalid row(s) skipped" in done.content.decode()
    stored = dict(KpiValue.objects.filter(kpi=staff_kpi).values_list("period_start", "value"))
    assert stored == {add_periods(last_month(), -1): Decimal("94.50"), last_month(): Decimal("96.00")}
    assert set(KpiValue.objects.filter(kpi=staff_kpi).values_list("origin", flat=True)) == {"import"}
    for value in KpiValue.objects.filter(kpi=staff_kpi):
        assert AuditEntry.objects.for_object(value).exists()


def test_quality_manager_imports_an_xlsx_for_any_entered_kpi(client_for, quality, mixed_rows, management_kpi):
    client = client_for(quality)
    rows = [[int(cell) if cell.isdigit() else cell for cell in row] for row in mixed_rows]
    preview = client.post(reverse("kpis:value_import"), {"file": _xlsx(rows)})
    assert preview.status_code == 200
    assert len(preview.context["plan"].valid_rows) == 3  # Order accuracy too, for a quality manager
    client.post(reverse("kpis:value_import"), {"confirm": "1"})
    assert KpiValue.objects.get(kpi=management_kpi).value == Decimal("99.00")


def test_import_without_the_required_columns_names_them(client_for, staff, staff_kpi):
    response = client_for(staff).post(reverse("kpis:value_import"), {"file": _csv([["kpi", "value"], ["x", "1"]])})
    assert response.status_code == 400
    assert "Missing column(s): period" in response.content.decode()


def test_confirm_without_a_preview_says_so(client_for, staff, staff_kpi):
    response = client_for(staff).post(reverse("kpis:value_import"), {"confirm": "1"}, follow=True)
    assert "The import preview has expired" in response.content.decode()


# Order volumes --------------------------------------------------------------------------------------

ORDER_GET = {"anon": 302, "quality": 200, "management": 200, "staff": 200, "auditor": 200}


@pytest.mark.parametrize("role", ROLES)
def test_order_list_per_persona(client_for, user_for, role):
    OrderVolumeFactory(orders=1234)
    response = client_for(user_for(role)).get(reverse("kpis:order_list"))
    assert response.status_code == ORDER_GET[role]
    if response.status_code == 200:
        content = response.content.decode()
        assert "1234" in content and "complaints per 1,000 orders" in content
        assert ("Record a month" in content) is (role == "quality")


@pytest.mark.parametrize("role", ROLES)
def test_order_post_per_persona(client_for, user_for, role):
    response = client_for(user_for(role)).post(reverse("kpis:order_list"), {"month": "2026-03", "orders": "1500"})
    assert response.status_code == (302 if role in ("anon", "quality") else 403)
    assert OrderVolume.objects.filter(orders=1500).exists() is (role == "quality")


def test_recording_a_month_again_corrects_it_with_an_audit_row(client_for, quality):
    client = client_for(quality)
    client.post(reverse("kpis:order_list"), {"month": "2026-03", "orders": "1500"})
    client.post(reverse("kpis:order_list"), {"month": "2026-03", "orders": "1600"})
    volume = OrderVolume.objects.get()
    assert volume.orders == 1600 and volume.month.isoformat() == "2026-03-01"
    assert AuditEntry.objects.for_object(volume).count() == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"month": "March", "orders": "10"}, "month", "Enter a valid date."),
        ({"month": "2026-03", "orders": "-1"}, "orders", "greater than or equal to 0"),
        ({"month": "2026-03", "orders": "many"}, "orders", "Enter a whole number."),
    ],
)
def test_order_form_names_the_bad_field(client_for, quality, data, field, message):
    response = client_for(quality).post(reverse("kpis:order_list"), data)
    assert response.status_code == 400
    assert message in response.context["form"].errors[field][0]
    assert not OrderVolume.objects.exists()


def test_order_list_is_paginated_newest_first_in_fixed_queries(client_for, quality, django_assert_max_num_queries):
    client = client_for(quality)
    start = this_month()
    for offset in range(3):
        OrderVolumeFactory(month=add_periods(start, -offset), entered_by=quality)
    client.get(reverse("kpis:order_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("kpis:order_list"))
    for offset in range(3, 30):
        OrderVolumeFactory(month=add_periods(start, -offset), entered_by=quality)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("kpis:order_list"))
    assert len(few) == len(many)
    assert len(response.context["object_list"]) == 24
    assert response.context["object_list"][0].month == start
    assert "page 1 of 2" in response.content.decode()
    with django_assert_max_num_queries(7):
        client.get(reverse("kpis:order_list"), {"page": 2})


def test_order_list_empty_state(client_for, quality, staff):
    assert "Record last month" in client_for(quality).get(reverse("kpis:order_list")).content.decode()
    assert "A quality manager records them" in client_for(staff).get(reverse("kpis:order_list")).content.decode()
