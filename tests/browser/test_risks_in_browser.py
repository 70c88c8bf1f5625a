"""The risk register in a real browser: the quality manager logs and scores a risk, treats it with an
action done on the actions pages, scores what is left, records the review, and the heat map moves."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from risks.models import RiskEntry

pytestmark = pytest.mark.browser

DETAIL = re.compile(r"/risks/\d+/$")


def _cell(page, which: str, likelihood: int, impact: int):
    return page.locator(f'[data-testid="grid-{which}"] td[data-likelihood="{likelihood}"][data-impact="{impact}"]')


def test_quality_manager_treats_a_risk_and_the_heat_map_moves(portal, quality):
    page = portal.page
    portal.login("quality")
    page.get_by_role("link", name="Risks", exact=True).first.click()
    page.wait_for_url("**/risks/")
    expect(page.get_by_role("status")).to_contain_text("Add a risk or opportunity")
    portal.snap("empty-list")

    # Log it
    page.get_by_role("link", name="Add a risk or opportunity").click()
    page.wait_for_url("**/risks/new/")
    page.get_by_label("Kind").select_option("risk")
    page.get_by_label("Title").fill("Single supplier for sterile housings")
    page.get_by_label("Cause").fill("Only one qualified supplier.")
    portal.snap("create-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(DETAIL)
    entry = RiskEntry.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{entry.reference} Single supplier for sterile housings")

    # Score it inherent 4 × 4
    page.locator("#assess summary").click()
    page.locator("#id_assess_kind").select_option("inherent")
    page.locator("#id_assess_likelihood").select_option("4")
    page.locator("#id_assess_impact").select_option("4")
    portal.snap("score-form")
    page.get_by_role("button", name="Save the score").click()
    page.wait_for_url(DETAIL)
    expect(page.get_by_test_id("inherent-score")).to_contain_text("High (16)")
    expect(page.get_by_text("Status: Assessed")).to_be_visible()

    # Start treatment: reduce
    page.locator("#step-start_treatment summary").click()
    page.locator("#id_start_treatment_treatment_option").select_option("reduce")
    page.locator("#step-start_treatment button[type=submit]").click()
    page.wait_for_url(DETAIL)
    expect(page.get_by_text("Status: Treating")).to_be_visible()
    portal.snap("treating")

    # A treatment action
    page.get_by_role("link", name="Add treatment action").click()
    page.wait_for_url("**/actions/new/")
    page.get_by_label("Title").fill("Qualify a second supplier")
    page.get_by_label("Due date").fill((timezone.localdate() + dt.timedelta(days=30)).isoformat())
    portal.snap("action-form")
    page.get_by_role("button", name="Add action").click()
    page.wait_for_url(re.compile(r"/risks/\d+/(#actions-heading)?$"))
    actions = page.locator("section[aria-labelledby=actions-heading] tbody tr")
    expect(actions).to_have_count(1)
    expect(actions.first).to_contain_text("Qualify a second supplier")

    # Done on the actions pages
    actions.first.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/actions/\d+/$"))
    page.get_by_role("button", name="Start", exact=True).click()
    page.wait_for_url(re.compile(r"/actions/\d+/$"))
    page.get_by_label("What was done (required)").fill("Second supplier audited and approved.")
    page.get_by_role("button", name="Mark done").click()
    page.wait_for_url(re.compile(r"/actions/\d+/$"))
    page.get_by_label("What the check found (required)").fill("Two lots received from the new supplier.")
    page.get_by_role("button", name="Verified effective").click()
    page.wait_for_url(re.compile(r"/actions/\d+/$"))
    expect(page.get_by_text("Status: Verified effective")).to_be_visible()
    portal.snap("action-verified")

    # Back to the risk: residual 2 × 2, then the effectiveness review
    portal.goto(entry.get_absolute_url(), "before-residual")
    page.locator("#assess summary").click()
    page.locator("#id_assess_kind").select_option("residual")
    page.locator("#id_assess_likelihood").select_option("2")
    page.locator("#id_assess_impact").select_option("2")
    page.get_by_role("button", name="Save the score").click()
    page.wait_for_url(DETAIL)
    expect(page.get_by_test_id("residual-score")).to_contain_text("Low (4)")

    page.locator("#step-review_effectiveness summary").click()
    page.locator("#id_review_effectiveness_target_reached").select_option("yes")
    page.locator("#id_review_effectiveness_comment").fill("Second supplier in place; residual risk low.")
    page.locator("#step-review_effectiveness button[type=submit]").click()
    page.wait_for_url(DETAIL)
    expect(page.get_by_text("Status: Monitoring")).to_be_visible()
    expect(page.locator("section[aria-labelledby=reviews-heading]")).to_contain_text("Target reached")
    expect(page.locator("#score-table tbody tr")).to_have_count(2)
    portal.snap("monitoring")

    # The heat map: inherent still in the high cell, residual now in the low one
    page.get_by_role("link", name="Risks", exact=True).first.click()
    page.wait_for_url("**/risks/")
    page.get_by_role("link", name="Heat map").click()
    page.wait_for_url("**/risks/heat-map/")
    expect(_cell(page, "inherent", 4, 4)).to_have_attribute("data-count", "1")
    expect(_cell(page, "inherent", 4, 4)).to_contain_text("High")
    expect(_cell(page, "residual", 4, 4)).to_have_attribute("data-count", "0")
    expect(_cell(page, "residual", 2, 2)).to_have_attribute("data-count", "1")
    expect(_cell(page, "residual", 2, 2)).to_contain_text("Low")
    portal.snap("heat-map")

    _cell(page, "residual", 2, 2).get_by_role("link").click()
    page.wait_for_url(re.compile(r"/risks/\?.*which=residual"))
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(entry.reference)
    portal.snap("cell-list")
    entry.refresh_from_db()
    assert (entry.status, entry.residual_band) == ("monitoring", "low")


def test_staff_proposes_and_auditor_reads(portal, staff, auditor):
    page = portal.page
    portal.login("staff")
    portal.goto("/risks/new/", "propose-form")
    page.get_by_label("Kind").select_option("opportunity")
    page.get_by_label("Title").fill("Certificates in the customer portal")
    page.get_by_role("button", name="Propose").click()
    page.wait_for_url(DETAIL)
    expect(page.get_by_text("Status: Identified")).to_be_visible()
    portal.snap("proposed")
    portal.logout()

    portal.login("auditor")
    entry = RiskEntry.objects.get()
    portal.goto(entry.get_absolute_url(), "auditor-detail")
    expect(page.locator("#assess")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    portal.goto("/risks/matrix/", "auditor-matrix")
    portal.goto("/risks/matrix/edit/", "auditor-matrix-edit-refused", status=403)


def test_quality_manager_resizes_the_matrix_to_a_new_version(portal, quality):
    page = portal.page
    portal.login("quality")
    portal.goto("/risks/matrix/", "matrix")
    page.get_by_role("link", name="Edit the matrix").click()
    page.wait_for_url("**/risks/matrix/edit/")
    page.get_by_label("Likelihood levels").select_option("4")
    page.get_by_role("button", name="Change the size").click()
    page.wait_for_url(re.compile(r"likelihood=4"))
    expect(page.locator("#section-scores tbody tr")).to_have_count(4)
    page.locator("#id_low_max").fill("2")
    page.get_by_role("button", name=re.compile(r"Save as version")).click()
    expect(page.get_by_role("alert")).to_contain_text("No band holds the score")
    portal.snap("matrix-error", status=400)
    page.locator("#id_low_max").fill("4")
    page.get_by_role("button", name=re.compile(r"Save as version")).click()
    page.wait_for_url(re.compile(r"/risks/matrix/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk matrix, version 2")
    expect(page.locator('[data-testid="grid-matrix"] tbody tr')).to_have_count(4)
    portal.snap("matrix-v2")
