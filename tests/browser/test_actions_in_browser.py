"""Actions in a real browser: staff work their own from "My actions"; the quality manager raises one and
checks its effectiveness; the list filters and exports like every register."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qms.actions import services
from qms.actions.models import Action
from qms.actions.tests.factories import ActionFactory

pytestmark = pytest.mark.browser


def _in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def test_staff_starts_and_marks_done_their_actions_from_my_actions(portal, staff, quality):
    late = ActionFactory(
        owner=staff, title="Reprint the pallet labels", due_date=_in_days(-2), source_label="REQ-0002 Not met"
    )
    later = ActionFactory(owner=staff, title="Brief the dispatch team", kind="preventive", due_date=_in_days(6))
    ActionFactory(owner=quality, title="Review the complaint form", kind="improvement", due_date=_in_days(20))
    page = portal.page
    portal.login("staff")
    expect(page.get_by_text("My open actions (1 overdue)")).to_be_visible()

    page.get_by_role("link", name="Actions", exact=True).first.click()
    page.wait_for_url("**/actions/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("Overdue")
    portal.snap("list")

    page.get_by_role("link", name="My actions").click()
    page.wait_for_url("**/actions/mine/")
    mine = page.locator("tbody tr")
    expect(mine).to_have_count(2)
    expect(mine.first).to_contain_text("Reprint the pallet labels")  # overdue first
    expect(mine.first).to_contain_text("Overdue")
    expect(page.get_by_text("Review the complaint form")).to_have_count(0)
    portal.snap("my-actions")

    page.get_by_role("button", name=f"Start {late.reference}").click()
    page.wait_for_url("**/actions/mine/")
    expect(page.get_by_role("alert")).to_contain_text(f"{late.reference} is now in progress.")

    page.get_by_role("button", name=f"Mark done {later.reference}").click()
    page.wait_for_url("**/actions/mine/")
    expect(page.get_by_role("alert")).to_contain_text("What was done: Say what was done.")
    portal.snap("mark-done-error")
    later.refresh_from_db()
    assert later.status == "open"

    page.get_by_label(f"What was done on {later.reference}").fill("Briefed all six, sign-in sheet kept.")
    page.get_by_role("button", name=f"Mark done {later.reference}").click()
    page.wait_for_url("**/actions/mine/")
    expect(page.get_by_role("alert")).to_contain_text(f"{later.reference} is now done.")
    expect(page.locator(f"#action-{later.pk}")).to_contain_text("awaiting the effectiveness check")
    portal.snap("after-mark-done")
    later.refresh_from_db()
    assert (later.status, later.completion_note) == ("done", "Briefed all six, sign-in sheet kept.")


def test_quality_manager_raises_an_action_and_checks_its_effectiveness(portal, quality, staff):
    page = portal.page
    portal.login("quality")
    portal.goto("/actions/", "empty-list")
    expect(page.get_by_role("status")).to_contain_text("Nothing here yet.")
    page.get_by_role("link", name="Add action").click()
    page.wait_for_url("**/actions/new/")
    page.get_by_label("Kind").select_option("preventive")
    page.get_by_label("Title").fill("Add a second check at dispatch")
    page.get_by_label("Owner").select_option(label="Staff Tester (staff)")
    page.get_by_label("Due date").fill(_in_days(14).isoformat())
    page.get_by_label("Effectiveness criteria").fill("No wrong label in the next 20 lots.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/actions/\d+/$"))
    action = Action.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{action.reference} Add a second check at dispatch")
    portal.snap("created")

    services.action_complete(actor=staff, action=action, note="Second check added to the dispatch sheet.")
    page.reload()
    expect(page.get_by_role("heading", name="Effectiveness check")).to_be_visible()
    portal.snap("awaiting-check")
    page.get_by_label("What the check found (required)").fill("20 lots checked, no wrong label.")
    page.get_by_role("button", name="Verified effective").click()
    page.wait_for_url(re.compile(r"/actions/\d+/$"))
    expect(page.get_by_text("Status: Verified effective")).to_be_visible()
    portal.snap("verified")
    action.refresh_from_db()
    assert (action.status, action.checked_by) == ("verified_effective", quality)


def test_auditor_reads_actions_without_buttons(portal, auditor, staff):
    action = ActionFactory(owner=staff, title="Reprint the pallet labels")
    page = portal.page
    portal.login("auditor")
    portal.goto(action.get_absolute_url(), "detail")
    expect(page.get_by_role("button", name="Start")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    portal.goto("/actions/new/", "create-refused", status=403)
