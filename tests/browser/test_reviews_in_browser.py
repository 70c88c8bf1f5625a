"""Management reviews in a real browser: the quality manager plans and prepares a review, records it as
held with its answers and an output, the chair (top management) approves it with their password, and the
auditor downloads an evidence pack holding the signed review; then the scheduled summaries' pages."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from feedback.tests.factories import CategoryFactory, FeedbackItemFactory
from qms.actions.models import Action
from qms.reviews.models import Review

pytestmark = pytest.mark.browser

DETAIL = re.compile(r"/reviews/\d+/$")


def test_quality_manager_prepares_a_review_the_chair_approves_it_and_the_auditor_exports_it(
    portal, quality, management, staff, auditor, tmp_path
):
    today = timezone.localdate()
    start = (today - dt.timedelta(days=90)).replace(day=1)
    FeedbackItemFactory(
        received_at=timezone.now() - dt.timedelta(days=10), category=CategoryFactory(name="Late delivery")
    )
    page = portal.page
    portal.login("quality")
    portal.goto("/reviews/", "empty-list")
    expect(page.get_by_role("status")).to_contain_text("Plan the first management review")

    # Plan it
    page.get_by_role("link", name="Plan a management review").click()
    page.wait_for_url("**/reviews/new/")
    page.get_by_label("Date of the review").fill(today.isoformat())
    page.locator("#id_chair").select_option(label="Management Tester (management)")
    page.locator("#id_attendees").select_option(label=["Quality Tester (quality)", "Management Tester (management)"])
    page.get_by_label("Period from").fill(start.isoformat())
    page.get_by_label("Period to").fill(today.isoformat())
    portal.snap("plan-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(DETAIL)
    review = Review.objects.get()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Management review {review.reference}")
    expect(page.get_by_text("The inputs are not compiled yet.")).to_be_visible()
    portal.snap("planned")

    # Prepare it: a confirmation, then the frozen snapshot section by section
    page.get_by_role("link", name="Compile the inputs").click()
    page.wait_for_url("**/prepare/")
    portal.snap("prepare-confirm")
    page.get_by_role("button", name="Compile the inputs").click()
    page.wait_for_url(DETAIL)
    expect(page.get_by_role("alert")).to_contain_text("were compiled and frozen")
    expect(page.get_by_role("heading", name="9.3.2 c Performance and effectiveness of the QMS")).to_be_visible()
    expect(page.get_by_text("Late delivery").first).to_be_visible()
    portal.snap("inputs-ready")

    # Hold it: the three questions are required
    page.get_by_role("link", name="Record as held").click()
    page.wait_for_url("**/hold/")
    page.get_by_label("What have we done well lately?").fill("Complaints are answered within two days.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#form-errors")).to_contain_text("Where do we need to improve?")
    expect(page.locator("#form-errors")).to_be_focused()
    portal.snap("hold-missing-answers", status=400)
    page.get_by_label("Where do we need to improve?").fill("On-time delivery is below target.")
    page.get_by_label("What would make a customer seek a different supplier?").fill("Two late deliveries in a row.")
    page.get_by_label("Notes and minutes").fill("All attendees present.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(DETAIL)
    expect(page.get_by_text("Held; waiting for Management Tester, the chair")).to_be_visible()

    # An output with its action
    page.get_by_role("link", name="Add an output").click()
    page.wait_for_url("**/outputs/new/")
    page.locator("#id_kind").select_option("resource")
    page.locator("#id_description").fill("One person plans all deliveries.")
    page.locator("#id_decision").fill("Train a second delivery planner.")
    page.get_by_label("Action owner").select_option(label="Staff Tester (staff)")
    page.get_by_label("Action due date").fill((today + dt.timedelta(days=60)).isoformat())
    portal.snap("output-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(DETAIL)
    action = Action.objects.get()
    expect(page.locator("#outputs-heading")).to_be_visible()
    expect(page.get_by_role("link", name=action.reference)).to_be_visible()
    portal.snap("held")
    expect(page.get_by_role("link", name="Approve and sign")).to_have_count(0)
    portal.logout()

    # The chair approves with their password
    portal.login("management")
    portal.goto(review.get_absolute_url(), "chair-sees-review")
    page.get_by_role("link", name="Approve and sign").click()
    page.wait_for_url("**/approve/")
    page.get_by_label("Your password").fill("not-my-password")
    page.get_by_role("button", name="Approve and sign").click()
    expect(page.locator("#form-errors")).to_contain_text("That is not your password; the review was not signed.")
    portal.snap("wrong-password", status=400)
    review.refresh_from_db()
    assert review.status == "held"
    page.get_by_label("Your password").fill("pw-management")
    page.get_by_role("button", name="Approve and sign").click()
    page.wait_for_url(DETAIL)
    expect(page.locator("#signature-status")).to_contain_text("Signature valid")
    expect(page.get_by_text("approved as a true record")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    portal.snap("approved")
    review.refresh_from_db()
    assert review.status == "approved" and review.signature.signer == management
    assert action.source == review
    portal.logout()

    # The auditor builds an evidence pack of the period and downloads it.
    from qms.evidence.models import EvidenceExport
    from qms.evidence.tasks import build_evidence_pack

    portal.login("auditor")
    portal.goto("/evidence/", "auditor-evidence-form")
    page.get_by_label("From").fill(start.isoformat())
    page.get_by_label("To (inclusive)").fill(today.isoformat())
    page.get_by_role("button", name="Build the evidence pack").click()
    page.wait_for_url(re.compile(r"/evidence/\d+/$"))
    export = EvidenceExport.objects.get()
    expect(page.locator("#export-progress")).to_contain_text("waiting for a worker")
    portal.snap("auditor-pack-queued")
    # The live server has no Celery worker: the job runs here; the page's polling notices.
    build_evidence_pack(export.pk)
    download_link = page.get_by_role("link", name=re.compile("Download the evidence pack"))
    expect(download_link).to_be_visible(timeout=10_000)
    portal.snap("auditor-pack-ready")
    with page.expect_download() as download_info:
        download_link.click()
    pack = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(pack)
    out = io.StringIO()
    call_command("verify_evidence_pack", str(pack), stdout=out)
    assert "intact" in out.getvalue()
    with zipfile.ZipFile(pack) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["export"]["created_by"]["username"] == "auditor"
        reviews = [name for name in archive.namelist() if "review" in name and name.endswith(".csv")]
        assert reviews, archive.namelist()
        assert any(review.reference in archive.read(name).decode() for name in reviews)
        assert any(
            review.signature.content_hash in archive.read(name).decode()
            for name in archive.namelist()
            if name.endswith(".csv")
        )


def test_summaries_pages_read_as_sent_and_the_schedule_is_changed(portal, quality, management):
    from qms.reviews.summaries import summary_send

    FeedbackItemFactory(received_at=timezone.now() - dt.timedelta(days=7), summary="Pallet arrived damaged")
    for kind in ("monthly", "weekly"):
        summary_send(kind=kind)
    page = portal.page
    portal.login("quality")
    portal.goto("/reviews/", "reviews-list")
    page.get_by_role("link", name="Scheduled summaries").click()
    page.wait_for_url("**/reviews/summaries/")
    expect(page.get_by_text("Every month on day 1 at 06:00")).to_be_visible()
    portal.snap("summaries-list")
    page.get_by_role("link", name=re.compile("Top-management digest")).click()
    page.wait_for_url(re.compile(r"/reviews/summaries/\d+/$"))
    expect(page.get_by_role("heading", name="New complaints")).to_be_visible()
    portal.snap("weekly-digest")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    assert download_info.value.suggested_filename.startswith("weekly-summary-")

    page.goto("/reviews/summaries/")
    page.get_by_role("link", name="Change when they are sent").click()
    page.wait_for_url("**/summaries/schedule/")
    portal.snap("summary-schedule")
    monthly = page.locator("section", has=page.get_by_role("heading", name="Monthly management summary"))
    monthly.get_by_label("Day of the month").select_option("3")
    monthly.get_by_label("Time").fill("05:30")
    monthly.get_by_role("button", name="Save this schedule").click()
    expect(page.get_by_role("alert")).to_contain_text("Every month on day 3 at 05:30")
    portal.snap("summary-schedule-saved")
