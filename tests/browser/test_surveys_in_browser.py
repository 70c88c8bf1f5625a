"""A customer satisfaction survey end to end in a real browser: the quality manager creates a campaign
for the demo customers with the shipped relationship template and sends it; a contact answers from the
link in the e-mail; the quality manager reads the result (and the overview)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from customers.demo import seed_customers
from feedback.choices import CampaignStatus, TemplatePurpose
from feedback.models import Campaign, SurveyTemplate
from feedback.services import survey_delivery
from qms.core.models import OutboxEmail

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://[^\s\"'<>]+/s/([A-Za-z0-9_\-]+)/")


def _relationship_template() -> SurveyTemplate:
    # Shipped by the data migration; the browser tests' database is flushed between tests, so the
    # template may need shipping again.
    template = SurveyTemplate.objects.filter(
        purpose=TemplatePurpose.RELATIONSHIP, superseded_by__isnull=True, questions__isnull=False
    ).first()
    if template is None:
        import importlib

        from django.apps import apps

        shipped = importlib.import_module("feedback.migrations.0003_shipped_survey_templates")
        shipped.ship_templates(apps, None)
        template = SurveyTemplate.objects.get(code="relationship-nps", version=1)
    return template


def test_quality_manager_runs_a_survey_and_reads_the_answer(portal, quality, management):
    page = portal.page
    seed_customers()
    template = _relationship_template()

    portal.login("quality")
    page.get_by_role("link", name="Surveys", exact=True).first.click()
    page.wait_for_url("**/feedback/surveys/")
    expect(page.get_by_role("link", name="Create a campaign").first).to_be_visible()
    portal.snap("campaign-list-empty")

    page.get_by_role("link", name="Create a campaign").first.click()
    page.wait_for_url("**/feedback/surveys/new/")
    page.get_by_label("Name").fill("Relationship survey 2026")
    page.get_by_label("Template").select_option(str(template.pk))
    page.get_by_label("Enterprise").check()
    portal.snap("campaign-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/feedback/surveys/\d+/$"))
    campaign = Campaign.objects.get(name="Relationship survey 2026")
    audience = survey_delivery.campaign_audience(campaign).count()
    assert audience >= 1
    expect(page.get_by_test_id("audience-count")).to_have_text(str(audience))
    portal.snap("draft-campaign")

    page.get_by_role("link", name="Send…").click()
    expect(page.locator("main")).to_contain_text(f"This e-mails {audience} contact")
    portal.snap("send-confirmation")
    page.get_by_role("button", name=re.compile(r"Yes, e-mail")).click()
    page.wait_for_url(re.compile(rf"/feedback/surveys/{campaign.pk}/$"))
    expect(page.locator("#campaign-progress")).to_be_visible()
    portal.snap("sending")
    # The live server has no Celery worker: the batch job runs here; the page's polling notices.
    survey_delivery.invitations_send_batch(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    expect(page.locator("#progress-text")).to_contain_text(f"{audience} of {audience} sent", timeout=10_000)
    expect(page.locator("#campaign-progress")).not_to_have_attribute("hx-trigger", re.compile("every"))
    portal.snap("sent")

    # A respondent opens the link in the e-mail and answers.
    invitation = campaign.invitations.order_by("pk").first()
    mail = OutboxEmail.objects.get(key=f"survey-invitation:{invitation.pk}")
    match = LINK.search(mail.body)
    assert match and match.group(1) == invitation.token
    portal.logout()
    portal.goto(f"/s/{invitation.token}/", "respondent-form")
    nps, csat, *_ = template.questions.order_by("order", "pk")
    # NPS is a row of buttons (labels over visually hidden radios); CSAT a list of worded options.
    page.locator(f'label[for="id_q{nps.pk}_9"]').click()
    page.locator(f'input[name="q{csat.pk}"][value="5"]').check()
    expect(page.locator(f"#id_q{nps.pk}_9")).to_be_checked()
    page.get_by_role("button", name=re.compile("Send|Submit", re.I)).click()
    page.wait_for_url(re.compile(rf"/s/{invitation.token}/thanks/$"))
    portal.snap("respondent-thanks")

    # The quality manager sees the answer on the campaign page.
    portal.login("quality")
    portal.goto(f"/feedback/surveys/{campaign.pk}/", "campaign-results")
    expect(page.get_by_test_id("nps")).to_have_text("100.0")
    expect(page.locator("#results")).to_contain_text("1 response of")
    expect(page.locator("#results")).to_contain_text("1 promoter (9–10)")
    expect(page.locator("canvas.question-chart").first).to_be_visible()

    portal.goto("/feedback/surveys/results/", "results-overview")
    expect(page.locator("#nps-chart")).to_be_visible()
    expect(page.locator("#segment-table")).to_contain_text("Enterprise")
    expect(page.locator("#campaigns-heading")).to_be_visible()
    expect(page.get_by_role("link", name="Relationship survey 2026")).to_be_visible()

    # The template is frozen now that a campaign used it: editing says it makes the next version.
    portal.goto(template.get_absolute_url(), "template-frozen")
    expect(page.get_by_test_id("frozen-badge")).to_be_visible()
    expect(page.get_by_role("link", name=f"Edit — editing makes version {template.version + 1}")).to_be_visible()
