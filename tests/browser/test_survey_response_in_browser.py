"""A customer answers a survey on a phone: a first try without the required answers, then for real."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from customers.tests.factories import ContactFactory
from feedback.models import SurveyResponse
from feedback.tests.test_survey_delivery import make_template, sent_campaign

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def _fits_the_screen(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_customer_answers_a_survey_on_a_phone(portal):
    template = make_template(name="Customer relationship survey", intro="Five minutes of your time.")
    invitation = sent_campaign([ContactFactory()], template).invitations.get()
    page = portal.page
    page.set_viewport_size(PHONE)

    portal.goto(f"/s/{invitation.token}/", "survey")
    assert _fits_the_screen(page)
    expect(page.get_by_text("0 = not at all likely")).to_be_visible()
    expect(page.get_by_role("link", name="Opt out of surveys")).to_be_visible()

    # Only the free text: the required questions are named, the text is kept.
    page.get_by_label("What should we do better?").fill("Answer the phone sooner.")
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_load_state()
    portal.snap("survey-errors", status=400)
    expect(page.locator(".invalid-feedback").first).to_contain_text("Please answer this question.")
    expect(page.get_by_label("What should we do better?")).to_have_value("Answer the phone sooner.")

    page.locator("label.btn", has_text="8").first.click()
    page.get_by_label("4 – Satisfied").check()
    page.get_by_label("Gadgets").check()
    page.get_by_role("button", name="Send my answers").click()
    page.wait_for_url(f"**/s/{invitation.token}/thanks/")
    portal.snap("thanks")
    expect(page.get_by_test_id("thank-you")).to_be_visible()
    response = SurveyResponse.objects.get(invitation=invitation)
    assert (response.nps_score, response.csat_score) == (8, 4)

    portal.goto(f"/s/{invitation.token}/", "already-answered")
    expect(page.get_by_test_id("already-answered")).to_be_visible()
