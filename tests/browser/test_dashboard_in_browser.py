"""The customer-focus scorecard in a real browser: top management reads the three 5.1.2 panels, a KPI
tile and the complaint trend, then follows one month's drill-down to exactly that month's complaints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback.tests.factories import FeedbackItemFactory
from feedback.tests.survey_factories import SurveyResponseFactory
from qms.kpis.periods import add_periods, period_label, period_start
from qms.kpis.tests.factories import KpiFactory, KpiValueFactory, ObjectiveKpiFactory
from requirements.tests.factories import EvaluationFactory, RequirementFactory
from risks.tests.factories import RiskEntryFactory

pytestmark = pytest.mark.browser


def _at(month: dt.date, day: int) -> dt.datetime:
    return dt.datetime.combine(month.replace(day=day), dt.time(10), tzinfo=dt.UTC)


def _scorecard_data(owner) -> dt.date:
    """Complaints and survey answers over four months, requirements, risks and a KPI with an objective;
    returns the month whose complaints the test drills into (two months ago)."""
    this_month = period_start(timezone.localdate())
    months = [add_periods(this_month, offset) for offset in (-3, -2, -1)]
    for month, count in zip(months, (4, 2, 5), strict=True):
        for number in range(count):
            FeedbackItemFactory(
                received_at=_at(month, 3 + number), summary=f"{period_label(month)} complaint {number + 1}"
            )
        for score, csat in ((10, 5), (9, 4), (6, 2), (8, 4)):
            SurveyResponseFactory(nps_score=score, csat_score=csat, submitted_at=_at(month, 12))
    for result in ("met", "met", "not_met"):
        EvaluationFactory(requirement=RequirementFactory(), result=result)
    RiskEntryFactory(inherent_band="high")
    RiskEntryFactory(inherent_band="medium")
    kpi = KpiFactory(name="On-time delivery", owner=owner)
    for month, value in zip(months, ("93.5", "96", "97.2"), strict=True):
        KpiValueFactory(kpi=kpi, period_start=month, value=Decimal(value), final=True)
    ObjectiveKpiFactory(kpi=kpi, objective__statement="Deliver 95 % of orders on time")
    return months[1]


def test_top_management_reads_the_scorecard_and_drills_into_a_month(portal, management, quality):
    drilled = _scorecard_data(quality)
    page = portal.page
    portal.login("management")
    portal.goto("/kpis/dashboard/", "dashboard")

    expect(page.get_by_role("heading", level=1)).to_have_text("Customer-focus scorecard")
    for title in ("Customer and statutory requirements", "Risks and opportunities", "Customer satisfaction"):
        expect(page.get_by_role("heading", name=title)).to_be_visible()
    tile = page.get_by_test_id("kpi-tile")
    expect(tile).to_have_count(1)
    expect(tile).to_contain_text("On-time delivery")
    expect(tile).to_contain_text("Green · On target")
    expect(tile.locator("svg.sparkline")).to_be_visible()
    expect(page.locator("#chart-complaints")).to_be_visible()
    expect(page.get_by_test_id("objective")).to_contain_text("Deliver 95 % of orders on time")
    # Chart.js drew on the canvas (from the json_script data, no inline script).
    assert page.evaluate("() => !!window.Chart && !!window.Chart.getChart('chart-complaints')")

    # Printed, the navigation goes and the charts' figures show as a table.
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.get_by_test_id("trend-table")).to_be_visible()
    portal.snap("printed")
    page.emulate_media(media="screen")
    expect(page.get_by_test_id("trend-table")).to_be_hidden()

    page.get_by_test_id("trend-details").locator("summary").click()
    table = page.get_by_test_id("trend-table")
    expect(table).to_be_visible()
    portal.snap("trend-table-open")

    label = period_label(drilled)
    page.get_by_role("link", name=f"Complaints received in {label}").click()
    page.wait_for_url("**/feedback/?kind=complaint&received_after=*")
    portal.snap("drilled-month")
    expect(page.get_by_text(f"{label} complaint 1", exact=True)).to_be_visible()
    expect(page.get_by_text(f"{label} complaint 2", exact=True)).to_be_visible()
    expect(page.get_by_text(" complaint 3", exact=False)).to_have_count(0)
    expect(page.get_by_text(f"{period_label(add_periods(drilled, -1))} complaint 1")).to_have_count(0)


def test_quality_manager_sees_the_work_queues_and_recomputes(portal, quality):
    _scorecard_data(quality)
    page = portal.page
    portal.login("quality")
    portal.goto("/kpis/dashboard/quality/", "quality-dashboard")
    expect(page.get_by_role("heading", name="Work queues")).to_be_visible()
    page.get_by_role("button", name="Recompute now").click()
    page.wait_for_url("**/kpis/dashboard/quality/")
    expect(page.get_by_role("alert").filter(has_text="The figures were recomputed just now.")).to_be_visible()
    portal.snap("recomputed")
