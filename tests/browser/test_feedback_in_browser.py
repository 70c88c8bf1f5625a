"""The feedback register in a real browser: staff log a phone complaint with the quick form; the quality
manager works it through ISO 10002's steps to closure, with a corrective action on the way."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from feedback import services
from feedback.models import FeedbackItem
from feedback.tests.factories import CategoryFactory
from qms.actions.models import Action

pytestmark = pytest.mark.browser


def _complaints_for_the_chart(actor) -> None:
    for name, count in (("Delivery", 4), ("Product quality", 2), ("Documentation", 1)):
        category = CategoryFactory(name=name)
        for number in range(count):
            services.feedback_log(
                actor=actor,
                data={
                    "summary": f"{name} problem {number + 1}",
                    "description": "Seen at goods-in.",
                    "category": category,
                },
            )


def test_staff_logs_a_phone_complaint_and_sees_its_reference(portal, staff, quality):
    page = portal.page
    _complaints_for_the_chart(staff)
    portal.login("staff")
    page.get_by_role("link", name="Feedback", exact=True).first.click()
    page.wait_for_url("**/feedback/")
    expect(page.get_by_role("heading", name="Complaints by category")).to_be_visible()
    expect(page.locator("#pareto-chart")).to_be_visible()
    portal.snap("list-with-pareto-chart")

    page.get_by_role("link", name="Log feedback").click()
    page.wait_for_url("**/feedback/new/")
    portal.snap("log-form")
    page.get_by_label("Kind").select_option("complaint")
    page.get_by_label("Channel").select_option("phone")
    page.get_by_label("Name", exact=True).fill("Jo Caller")
    page.get_by_label("Phone", exact=True).fill("+44 20 7946 0000")
    page.get_by_label("Summary").fill("Seal broken on two boxes")
    page.get_by_label("Description").fill("The caller says two of five boxes arrived with broken seals.")
    page.get_by_label("Category").select_option(label="Product quality")
    page.get_by_role("button", name="Log it").click()
    page.wait_for_url(re.compile(r"/feedback/\d+/$"))

    item = FeedbackItem.objects.get(summary="Seal broken on two boxes")
    expect(page.get_by_role("alert").filter(has_text="Logged as")).to_contain_text(f"Logged as {item.reference}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{item.reference} Seal broken on two boxes")
    expect(page.get_by_role("region", name="Time targets")).to_contain_text("left")
    portal.snap("logged")
    assert item.logged_by == staff and item.channel == "phone" and item.submitter_name == "Jo Caller"


def _open_step(page, label: str):
    page.locator("summary", has_text=label).click()
    form = page.get_by_role("form", name=label)
    expect(form).to_be_visible()
    return form


def test_quality_manager_works_a_complaint_to_closure(portal, quality, staff):
    page = portal.page
    _complaints_for_the_chart(quality)
    item = services.feedback_log(
        actor=staff,
        data={"summary": "Seal broken on two boxes", "description": "Two of five boxes had broken seals."},
    )
    portal.login("quality")
    portal.goto(item.get_absolute_url(), "received")

    # Initial assessment and assignment.
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Severity").select_option("high")
    page.get_by_label("Impact").fill("Two boxes unusable; customer line waits.")
    page.get_by_label("Assignee").select_option(label="Quality Tester (quality)")
    portal.snap("assess-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/feedback/\d+/$"))
    expect(page.get_by_role("region", name="Assessment")).to_contain_text("High")

    _open_step(page, "Acknowledge").get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("alert").filter(has_text="acknowledge done")).to_be_visible()
    _open_step(page, "Start investigation").get_by_role("button", name="Start investigation").click()
    expect(page.locator(".badge", has_text="Investigating")).to_be_visible()

    # The investigation's findings.
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Root cause category").select_option("process")
    page.get_by_label("Root cause analysis").fill("Why 1: seals torn\nWhy 2: tape gun set too tight")
    page.get_by_label("Containment").fill("Replaced the boxes the same day.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/feedback/\d+/$"))

    # A corrective action through the actions pages, then done by its owner.
    page.get_by_role("link", name="Add corrective action").click()
    page.wait_for_url(re.compile(r"/actions/new/\?source=feedback\.feedbackitem"))
    page.get_by_label("Kind").select_option("corrective")
    page.get_by_label("Title").fill("Set the tape gun tension in the packing work instruction")
    page.get_by_label("Owner").select_option(label="Quality Tester (quality)")
    page.get_by_label("Due date").fill((timezone.localdate() + dt.timedelta(days=14)).isoformat())
    portal.snap("action-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/actions/\d+/$"))
    action = Action.objects.get()
    assert action.source == item
    portal.goto(item.get_absolute_url(), "with-open-action")
    expect(page.get_by_role("region", name=re.compile(r"^Corrective actions"))).to_contain_text(action.reference)

    _open_step(page, "Propose a response").get_by_label("Response to the complainant").fill(
        "We replaced the two boxes and changed how we seal them."
    )
    page.get_by_role("form", name="Propose a response").get_by_role("button", name="Propose a response").click()
    expect(page.locator(".badge", has_text="Response proposed")).to_be_visible()
    _open_step(page, "Resolve").get_by_role("button", name="Resolve").click()
    expect(page.locator(".badge", has_text="Resolved")).to_be_visible()

    # Closing without the outcome is refused, naming the fields; with the action open a reason is asked.
    close = _open_step(page, "Close")
    expect(close.get_by_label("Reason to close with actions open")).to_be_visible()
    close.get_by_role("button", name="Close").click()
    refused = page.get_by_role("form", name="Close").get_by_role("alert")
    expect(refused).to_contain_text("Outcome communicated: Say what outcome was communicated")
    expect(refused).to_contain_text("Complainant's acceptance:")
    portal.snap("close-refused", status=400)

    # The owner finishes the action; then the complaint closes with outcome and acceptance.
    portal.goto(action.get_absolute_url(), "action")
    page.get_by_label("What was done (required)").fill("Work instruction WI-12 updated; packers briefed.")
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_role("alert").filter(has_text="is now done")).to_be_visible()
    portal.goto(item.get_absolute_url(), "resolved")
    close = _open_step(page, "Close")
    expect(close.get_by_label("Reason to close with actions open")).to_have_count(0)
    close.get_by_label("Outcome communicated").fill("Phoned Jo Caller and confirmed by e-mail.")
    close.get_by_label("Complainant's acceptance").select_option("accepted")
    close.get_by_role("button", name="Close").click()
    expect(page.locator(".badge", has_text="Closed")).to_be_visible()
    expect(page.get_by_role("region", name="Timeline")).to_contain_text("Resolved → Closed")
    portal.snap("closed-detail")

    item.refresh_from_db()
    assert item.status == "closed" and item.acceptance == "accepted" and item.assignee == quality
    assert item.root_cause_category == "process"
    portal.goto("/feedback/", "list-after")
    portal.goto("/feedback/time-targets/", "time-targets")
    expect(page.get_by_role("button", name="Save the targets")).to_be_visible()


def test_quality_manager_filters_complaints_by_a_customer_found_by_typing(portal, quality):
    """The customer filter holds no list of every customer: typing finds one, choosing it filters."""
    from customers.tests.factories import CustomerFactory
    from feedback.tests.factories import FeedbackItemFactory

    acme = CustomerFactory(name="Acme Widgets", code="ACME-01")
    CustomerFactory.create_batch(40)
    FeedbackItemFactory(customer=acme, summary="Acme's crate was crushed", logged_by=quality)
    FeedbackItemFactory(summary="Someone else's late order", logged_by=quality)
    page = portal.page
    portal.login("quality")
    portal.goto("/feedback/", "list-before-customer-filter")
    customer = page.locator("select[name=customer]")
    expect(customer.locator("option")).to_have_count(1)

    page.get_by_label("Search: Customer").fill("acme")
    expect(customer.locator("option", has_text="Acme Widgets (ACME-01)")).to_have_count(1)
    expect(page.get_by_text("1 match: choose it below.")).to_be_visible()
    portal.snap("customer-found-by-typing")
    customer.select_option(label="Acme Widgets (ACME-01)")
    expect(page.locator("#results")).to_contain_text("Acme's crate was crushed")
    expect(page.locator("#results")).not_to_contain_text("Someone else's late order")
    assert f"customer={acme.pk}" in page.url
    portal.snap("filtered-by-customer")

    page.reload()  # the chosen customer is rendered on its own, selected
    expect(customer.locator("option:checked")).to_have_text("Acme Widgets (ACME-01)")
