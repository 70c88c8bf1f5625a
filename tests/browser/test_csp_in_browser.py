"""The Content Security Policy in a real browser: pages that filter, draw charts and focus form errors
do all of it from static script files, and Chromium reports no violation of the policy on any of them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from customers.tests.factories import CustomerFactory
from feedback.tests.factories import FeedbackItemFactory
from risks import services as risk_services
from risks.tests.factories import RiskEntryFactory

pytestmark = pytest.mark.browser

# Runs before any page script, from the DevTools protocol (which the policy does not govern).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (event) {
  window.__cspViolations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline'));
});
"""


@pytest.fixture
def csp_portal(portal):
    portal.page.add_init_script(RECORD_VIOLATIONS)
    messages: list[str] = []
    portal.page.on("console", lambda message: messages.append(message.text))
    yield portal
    assert not [text for text in messages if "Content Security Policy" in text], messages


def _assert_no_violations(portal) -> None:
    assert portal.page.evaluate("() => window.__cspViolations") == []
    header = portal.page.evaluate("async () => (await fetch(location.href)).headers.get('content-security-policy')")
    assert "script-src 'self';" in header


def _has_chart(page, canvas_id: str) -> bool:
    return page.evaluate(f"() => !!window.Chart && !!window.Chart.getChart('{canvas_id}')")


def test_list_filters_and_form_errors_work_under_the_policy(csp_portal, quality):
    CustomerFactory(name="Acme Optics")
    CustomerFactory(name="Borealis Pumps")
    page = csp_portal.page
    csp_portal.login("quality")
    csp_portal.goto("/customers/", "customer-list")
    # portal.js gave the filter widgets Bootstrap's classes.
    selects = page.locator("form[role=search] select")
    assert selects.count() > 0
    expect(selects.first).to_have_class(re.compile(r"\bform-select\b"))
    page.get_by_role("searchbox").fill("Borealis")
    page.get_by_role("searchbox").press("Enter")
    expect(page.locator("#results")).not_to_contain_text("Acme Optics")
    expect(page.locator("#results-status")).not_to_be_empty()
    csp_portal.snap("filtered")
    _assert_no_violations(csp_portal)

    csp_portal.goto("/customers/new/", "customer-form")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#form-errors")).to_be_focused()
    first_link = page.locator("#form-errors a").first
    target = first_link.get_attribute("href").lstrip("#")
    first_link.click()
    expect(page.locator(f"[id='{target}']")).to_be_focused()
    csp_portal.snap("form-errors", status=400)
    _assert_no_violations(csp_portal)


def test_charts_draw_under_the_policy(csp_portal, quality):
    for _ in range(3):
        FeedbackItemFactory()
    entry = RiskEntryFactory(owner=quality)
    risk_services.entry_assess(actor=quality, entry=entry, kind="inherent", likelihood=3, impact=3)
    page = csp_portal.page
    csp_portal.login("quality")

    csp_portal.goto("/feedback/", "feedback-pareto")
    assert _has_chart(page, "pareto-chart")
    _assert_no_violations(csp_portal)

    csp_portal.goto(f"/risks/{entry.pk}/", "risk-detail")
    assert _has_chart(page, "score-chart")
    _assert_no_violations(csp_portal)

    csp_portal.goto("/feedback/surveys/results/", "survey-results")
    assert _has_chart(page, "nps-chart") and _has_chart(page, "rate-chart")
    _assert_no_violations(csp_portal)

    csp_portal.goto("/kpis/dashboard/", "dashboard")
    _assert_no_violations(csp_portal)


def test_public_form_errors_take_focus_under_the_policy(csp_portal, db):
    page = csp_portal.page
    csp_portal.goto("/public/feedback/status/", "status-lookup")
    page.locator("form button[type=submit]").first.click()
    expect(page.locator("#form-errors")).to_be_focused()
    csp_portal.snap("status-lookup-errors", status=400)
    _assert_no_violations(csp_portal)


def test_swagger_ui_renders_under_the_strict_policy(csp_portal, quality):
    # Redoc is not driven here: drf-spectacular's page links Google Fonts and a logo on a CDN, which
    # the policy blocks (as it should: nothing leaves the server); the page still renders.
    page = csp_portal.page
    csp_portal.login("quality")
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("QMS customer-focus portal API")
    assert page.evaluate("() => window.__cspViolations") == []
