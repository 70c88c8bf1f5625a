"""A customer on a phone sends a complaint without an account, then follows it by reference and e-mail."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from feedback.models import FeedbackItem
from qms.core.models import OutboxEmail

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def _fits_the_screen(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_customer_submits_a_complaint_on_a_phone_and_follows_its_status(portal, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = portal.page
    page.set_viewport_size(PHONE)

    portal.goto("/public/feedback/", "form")
    assert _fits_the_screen(page)
    expect(page.get_by_text("Up to 5 files, each at most")).to_be_visible()
    expect(page.locator("#user-menu")).to_have_count(0)  # the public layout: no staff menu
    expect(page.locator("#id_website")).not_to_be_in_viewport()  # the honeypot is out of sight

    # A first try without an e-mail address: the form comes back with the field named, text kept.
    page.get_by_label("A complaint").check()
    page.get_by_label("Your name").fill("Ada Customer")
    page.get_by_label("In a few words").fill("Parcel arrived damaged")
    page.get_by_label("Tell us more").fill("The box was crushed and two parts were bent.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_load_state()
    expect(page.locator("#submitter_email-errors")).to_be_visible()
    expect(page.get_by_label("Tell us more")).to_have_value("The box was crushed and two parts were bent.")
    portal.snap("form-with-errors", status=400)
    assert _fits_the_screen(page)

    page.get_by_label("Your e-mail address").fill("ada@example.org")
    photo = tmp_path / "crushed-box.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    page.get_by_label("Files (optional)").set_input_files(str(photo))
    page.get_by_role("button", name="Send").click()
    page.wait_for_url(re.compile(r"/public/feedback/thanks/$"))
    item = FeedbackItem.objects.get()
    expect(page.get_by_test_id("reference")).to_have_text(item.reference)
    expect(page.locator("main")).to_contain_text("ada@example.org")
    portal.snap("thanks")
    assert _fits_the_screen(page)
    assert item.attachments.count() == 1
    assert OutboxEmail.objects.filter(to="ada@example.org").count() == 1

    # Later: the customer looks the complaint up with the reference and the e-mail address.
    page.get_by_role("link", name="Follow a request you sent").click()
    page.wait_for_url(re.compile(r"/public/feedback/status/$"))
    portal.snap("status-lookup")
    page.get_by_label("Reference").fill(item.reference.lower())
    page.get_by_label("The e-mail address you gave us").fill("ADA@example.org")
    page.get_by_role("button", name="Show the status").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("state")).to_have_text("Received")
    expect(page.get_by_test_id("reference")).to_have_text(item.reference)
    portal.snap("status")
    assert _fits_the_screen(page)


def test_a_wrong_pair_gets_a_polite_message(portal):
    page = portal.page
    page.set_viewport_size(PHONE)
    portal.goto("/public/feedback/status/", "status-lookup")
    page.get_by_label("Reference").fill("CMP-2026-99999")
    page.get_by_label("The e-mail address you gave us").fill("nobody@example.org")
    page.get_by_role("button", name="Show the status").click()
    page.wait_for_load_state()
    expect(page.get_by_test_id("not-found")).to_contain_text("We could not find a request")
    portal.snap("not-found", status=404)
