"""The requirements register in a real browser: determined (a statutory requirement), understood (staff
acknowledge it), consistently met (an evaluation), and an auditor reading it all without changing it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from qms.accounts.roles import STAFF
from qms.actions.models import Action
from requirements.models import Acknowledgement, Assignment, Evaluation, Requirement
from requirements.tests.factories import EvaluationFactory, RequirementFactory

pytestmark = pytest.mark.browser


def _in_days(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_quality_manager_creates_a_statutory_requirement_and_assigns_it_to_staff(portal, quality):
    page = portal.page
    portal.login("quality")
    page.get_by_role("link", name="Requirements", exact=True).first.click()
    page.wait_for_url("**/requirements/")
    portal.snap("empty-list")
    page.get_by_role("link", name="Add requirement").click()
    page.wait_for_url("**/requirements/new/")
    portal.snap("new-form")

    page.get_by_label("Title").fill("Report serious incidents")
    page.get_by_label("Full text").fill("Report serious incidents to the competent authority within 15 days.")
    page.get_by_label("Kind").select_option("statutory")
    page.get_by_label("Status").select_option("active")
    page.get_by_label("Applicability").fill("Implants, EU customers")
    page.get_by_label("Owner").select_option(label="Quality Tester (quality)")
    page.get_by_label("Next review date").fill(_in_days(120))
    page.get_by_role("button", name="Save").click()

    # A statutory requirement without its legal reference and jurisdiction: both fields named, nothing saved.
    errors = page.get_by_role("alert")
    expect(errors).to_contain_text("Legal reference: Statutory and regulatory requirements need their legal reference.")
    expect(errors).to_contain_text("Jurisdiction:")
    portal.snap("new-form-error", status=400)
    assert not Requirement.objects.exists()

    page.get_by_label("Legal reference").fill("Regulation (EU) 2017/745, Art. 87")
    page.get_by_label("Jurisdiction").fill("European Union")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/requirements/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("REQ-0001 Report serious incidents")
    expect(page.get_by_role("region", name="Details")).to_contain_text("Regulation (EU) 2017/745, Art. 87")
    expect(page.get_by_role("list", name="Applicability")).to_contain_text("EU customers")
    portal.snap("created")

    page.get_by_role("link", name="Assign", exact=True).click()
    page.get_by_label("Role").select_option(label=STAFF)
    portal.snap("assign-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/requirements/\d+/$"))
    who = page.get_by_role("region", name=re.compile(r"^Who must know it"))
    expect(who).to_contain_text("role Staff")
    portal.snap("assigned")
    assert Assignment.objects.get().group.name == STAFF


def test_staff_acknowledges_the_current_version(portal, staff, quality):
    requirement = RequirementFactory(
        kind="statutory",
        customer=None,
        title="Report serious incidents",
        legal_reference="Regulation (EU) 2017/745, Art. 87",
        jurisdiction="European Union",
        owner=quality,
    )
    Assignment.objects.create(requirement=requirement, group=Group.objects.get(name=STAFF))
    page = portal.page
    portal.login("staff")
    portal.goto(requirement.get_absolute_url(), "detail-to-acknowledge")
    expect(page.get_by_role("region", name=re.compile(r"^Who must know it"))).to_contain_text("Not yet")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)

    page.evaluate("() => { window.noReloadMarker = true; }")
    page.get_by_role("button", name="Acknowledge version 1").click()
    expect(page.get_by_role("region", name="Your acknowledgement")).to_contain_text("you acknowledged version 1")
    assert page.evaluate("() => window.noReloadMarker") is True  # htmx swapped the box in place
    portal.snap("acknowledged")
    assert Acknowledgement.objects.get().user == staff

    page.reload()
    expect(page.get_by_role("button", name=re.compile("Acknowledge version"))).to_have_count(0)
    expect(page.get_by_role("region", name=re.compile(r"^Who must know it"))).to_contain_text("Yes, version 1")
    portal.snap("after-reload")


def test_quality_manager_records_an_evaluation_not_met_with_its_corrective_action(portal, quality):
    requirement = RequirementFactory(title="Deliver within the agreed window", owner=quality)
    page = portal.page
    portal.login("quality")
    portal.goto(requirement.get_absolute_url(), "detail")

    page.get_by_label("Result").select_option("not_met")
    page.get_by_label("Findings").fill("Two deliveries were a day late in March.")
    page.get_by_role("button", name="Record evaluation").click()
    expect(page.get_by_role("alert")).to_contain_text("Corrective action: A requirement not met needs a corrective")
    portal.snap("evaluation-error", status=400)
    assert not Evaluation.objects.exists()

    page.get_by_label("Corrective action").fill("Add a dispatch check the day before")
    # The owner is found by a search (qms/core/lookups.py "people"), then chosen in the select below it.
    page.get_by_label("Search: Action owner").fill("qual")
    page.get_by_label("Action owner", exact=True).select_option(label="Quality Tester (quality)")
    page.get_by_label("Action due date").fill(_in_days(30))
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/requirements/\d+/$"))
    evaluations = page.get_by_role("region", name="Evaluations (1)")
    expect(evaluations).to_contain_text("Not met")
    expect(evaluations).to_contain_text("Add a dispatch check the day before")
    expect(evaluations).to_contain_text("status Open")
    portal.snap("evaluated")
    assert Action.objects.get().source == Evaluation.objects.get()

    portal.goto("/requirements/", "list")
    row = page.locator("#results tbody tr", has_text=requirement.reference)
    expect(row).to_contain_text("Not met")


def test_auditor_reads_the_requirement_without_buttons_and_gets_403_on_forms(portal, auditor, quality, staff):
    requirement = RequirementFactory(
        kind="statutory",
        customer=None,
        title="Report serious incidents",
        legal_reference="Regulation (EU) 2017/745, Art. 87",
        jurisdiction="European Union",
        owner=quality,
        next_review_date=timezone.localdate() - dt.timedelta(days=3),
    )
    Assignment.objects.create(requirement=requirement, group=Group.objects.get(name=STAFF))
    EvaluationFactory(requirement=requirement, evaluator=quality, result="met")
    page = portal.page
    portal.login("auditor")
    portal.goto("/requirements/", "list")
    row = page.locator("#results tbody tr", has_text=requirement.reference)
    expect(row).to_contain_text("Overdue")
    expect(row).to_contain_text("Met")
    expect(page.get_by_role("link", name="Add requirement")).to_have_count(0)
    expect(page.get_by_role("link", name="Export CSV")).to_be_visible()

    page.get_by_role("link", name=requirement.reference).click()
    page.wait_for_url(f"**/requirements/{requirement.pk}/")
    portal.snap("detail")
    main = page.get_by_role("main")
    for name in ("Edit", "Delete", "Assign", "Attach a document", "Update"):
        expect(main.get_by_role("link", name=re.compile(rf"^{name}"))).to_have_count(0)
    for name in ("Record evaluation", "Acknowledge version 1"):
        expect(main.get_by_role("button", name=name)).to_have_count(0)
    expect(page.get_by_role("region", name="Evaluations (1)")).to_contain_text("Met")

    page.get_by_role("link", name="Requirements", exact=True).first.click()
    page.wait_for_url("**/requirements/")
    page.get_by_role("link", name="Acknowledgements").click()
    page.wait_for_url("**/requirements/acknowledgements/")
    portal.snap("acknowledgements")
    expect(page.get_by_label("Acknowledged coverage")).to_have_text("0.0 %")
    expect(page.get_by_label("Requirements met")).to_have_text("100.0 %")
    per_requirement = page.get_by_role("region", name="Who has not acknowledged, per active requirement")
    pending_row = per_requirement.locator("tbody tr", has_text=requirement.reference)
    expect(pending_row).to_contain_text("1 pending Staff Tester")
    per_person = page.get_by_role("region", name="Who has not acknowledged, per person")
    expect(per_person.get_by_role("row", name="Staff Tester")).to_contain_text(requirement.reference)

    forbidden = {
        "new": "/requirements/new/",
        "edit": f"/requirements/{requirement.pk}/edit/",
        "evaluate": f"/requirements/{requirement.pk}/evaluations/new/",
        "attach": f"/requirements/{requirement.pk}/attachments/new/",
    }
    for name, path in forbidden.items():
        portal.goto(path, f"forbidden-{name}", status=403)
        expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")


def test_quality_manager_records_an_interested_party_and_a_context_issue(portal, quality):
    page = portal.page
    portal.login("quality")
    portal.goto("/requirements/", "list")
    page.get_by_role("navigation", name="Requirements register").get_by_role("link", name="Interested parties").click()
    page.wait_for_url("**/requirements/parties/")
    portal.snap("parties-empty")
    page.get_by_role("link", name="Add interested party").click()
    page.get_by_label("Name").fill("Health and Safety Executive")
    page.get_by_label("Kind").select_option("regulator")
    page.get_by_label("Relevance").select_option("high")
    page.get_by_label("Needs and expectations").fill("Safe systems of work\nReporting of dangerous occurrences")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/requirements/parties/\d+/$"))
    needs = page.get_by_role("region", name="Needs and expectations (2)")
    expect(needs.get_by_role("row", name="Reporting of dangerous occurrences")).to_contain_text("Make it a requirement")
    portal.snap("party")
    needs.get_by_role("row", name="Safe systems of work").get_by_role("link").click()
    page.wait_for_url(re.compile(r"/requirements/new/\?party=\d+"))
    expect(page.get_by_label("Title")).to_have_value("Safe systems of work")
    expect(page.get_by_label("Kind")).to_have_value("party")
    portal.snap("requirement-from-need")

    portal.goto("/requirements/issues/", "issues-empty")
    page.get_by_role("link", name="Add context issue").click()
    page.get_by_label("Internal or external").select_option("external")
    page.get_by_label("Title").fill("Tighter EU rules for device suppliers")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/requirements/issues/\d+/$"))
    portal.goto("/requirements/issues/", "issues")
    expect(page.locator("#results tbody")).to_contain_text("Tighter EU rules for device suppliers")
