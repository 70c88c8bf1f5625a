"""KPIs in a real browser: the quality manager defines a computed KPI and reads its history with the
target line and a month's drill-down; the owner of an entered KPI records last month's value."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.tests.factories import FeedbackItemFactory
from qms.kpis.models import KpiValue
from qms.kpis.periods import add_periods, period_label, period_start
from qms.kpis.tests.factories import KpiFactory

pytestmark = pytest.mark.browser


def test_quality_manager_defines_a_computed_kpi_and_drills_into_a_month(portal, quality):
    this_month = period_start(timezone.localdate())
    last_month = add_periods(this_month, -1)
    for day in (3, 9, 17):
        FeedbackItemFactory(
            received_at=dt.datetime.combine(last_month.replace(day=day), dt.time(11), tzinfo=dt.UTC),
            summary=f"Last month complaint {day}",
        )
    FeedbackItemFactory(received_at=timezone.now(), summary="This month complaint")
    page = portal.page
    portal.login("quality")
    portal.goto("/kpis/new/", "new-kpi")
    page.get_by_label("Name").fill("Complaints a month")
    page.get_by_label("Unit").fill("complaints")
    page.get_by_label("Direction").select_option("lower")
    page.locator("#id_target").fill("2")
    page.get_by_label("Warning threshold").fill("4")
    page.get_by_label("Source").select_option("computed")
    page.get_by_label("Figure").select_option("complaints_received")
    page.get_by_role("button", name="Save").click()

    portal.snap("saved")
    expect(page.locator(".alert-danger")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_have_text("Complaints a month")
    # The history is there at once: twelve closed months and this one, each with its status.
    row = page.get_by_role("row", name=period_label(last_month))
    expect(row).to_contain_text("3")
    expect(row).to_contain_text("Amber")
    assert page.evaluate("() => !!window.Chart && !!window.Chart.getChart('kpi-chart')")
    portal.snap("kpi-detail")

    row.get_by_role("link", name="3").click()
    page.wait_for_url("**/feedback/**")
    listed = page.locator("table.table-striped tbody tr")
    expect(listed).to_have_count(3)
    expect(page.locator("table.table-striped tbody")).not_to_contain_text("This month complaint")
    portal.snap("drilled-into-last-month")


def test_owner_enters_last_months_value(portal, staff):
    kpi = KpiFactory(name="On-time delivery", owner=staff)
    last_month = add_periods(period_start(timezone.localdate()), -1)
    page = portal.page
    portal.login("staff")
    portal.goto(kpi.get_absolute_url(), "kpi")
    page.get_by_role("link", name="Enter a value").click()
    page.get_by_label("Period").select_option(last_month.isoformat())
    page.get_by_label("Value").fill("93,5")
    portal.snap("value-form")
    page.get_by_role("button", name="Save the value").click()
    expect(page.get_by_role("row", name=period_label(last_month))).to_contain_text("Amber")
    portal.snap("value-saved")
    value = KpiValue.objects.get(kpi=kpi)
    assert (str(value.value), value.recorded_by, value.period_start) == ("93.50", staff, last_month)
