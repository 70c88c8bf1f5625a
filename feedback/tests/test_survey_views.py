"""Survey pages for each role: templates and questions, campaigns (send, progress, close, results,
export), the results overview and the settings."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import ContactFactory, CustomerFactory
from feedback.choices import CampaignStatus
from feedback.models import Campaign, SurveyTemplate
from feedback.services import survey_delivery
from feedback.services import surveys as survey_services
from feedback.tests.test_survey_services import campaign_data, make_template

pytestmark = pytest.mark.django_db

ROLES = ["quality", "management", "staff", "auditor", "admin"]
LIST_QUERY_BUDGET = 14
DETAIL_QUERY_BUDGET = 26
RESULTS_QUERY_BUDGET = 11


@pytest.fixture
def world(quality):
    """A draft, a template with a sent campaign that has one response, and the urls of every page."""
    template = make_template(quality)
    draft = survey_services.campaign_save(actor=quality, campaign=None, data=campaign_data(template, name="Draft"))
    contact = ContactFactory(customer=CustomerFactory(name="Acme Ltd"))
    sent = survey_services.campaign_save(
        actor=quality, campaign=None, data=campaign_data(template, name="Sent", customers=[contact.customer])
    )
    survey_delivery.campaign_send(actor=quality, campaign=sent)
    survey_delivery.invitations_send_all(campaign_id=sent.pk)
    nps, csat, text = template.questions.order_by("order")
    survey_delivery.response_submit(
        invitation=sent.invitations.get(), answers={nps.pk: 10, csat.pk: 4, text.pk: "=SUM(A1) great"}
    )
    sent.refresh_from_db()
    template.refresh_from_db()
    fresh = make_template(quality, code="fresh")
    question = fresh.questions.first()
    return {"template": template, "fresh": fresh, "question": question, "draft": draft, "sent": sent}


def read_urls(world) -> dict[str, str]:
    sent = world["sent"]
    return {
        "template_list": reverse("feedback:template_list"),
        "template_detail": reverse("feedback:template_detail", args=[world["template"].pk]),
        "campaign_list": reverse("feedback:campaign_list"),
        "campaign_detail": reverse("feedback:campaign_detail", args=[sent.pk]),
        "campaign_detail_draft": reverse("feedback:campaign_detail", args=[world["draft"].pk]),
        "campaign_progress": reverse("feedback:campaign_progress", args=[sent.pk]),
        "campaign_responses_export": reverse("feedback:campaign_responses_export", args=[sent.pk]) + "?format=csv",
        "survey_results": reverse("feedback:survey_results"),
        "survey_settings": reverse("feedback:survey_settings"),
    }


def write_urls(world) -> dict[str, str]:
    fresh, question, draft, sent = world["fresh"], world["question"], world["draft"], world["sent"]
    return {
        "template_create": reverse("feedback:template_create"),
        "template_update": reverse("feedback:template_update", args=[fresh.pk]),
        "question_create": reverse("feedback:question_create", args=[fresh.pk]),
        "question_update": reverse("feedback:question_update", args=[question.pk]),
        "question_delete": reverse("feedback:question_delete", args=[question.pk]),
        "campaign_create": reverse("feedback:campaign_create"),
        "campaign_update": reverse("feedback:campaign_update", args=[draft.pk]),
        "campaign_send": reverse("feedback:campaign_send", args=[draft.pk]),
        "campaign_close": reverse("feedback:campaign_close", args=[sent.pk]),
    }


# Access ------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, world):
    for url in {**read_urls(world), **write_urls(world)}.values():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("role", "expected"),
    [("quality", 200), ("management", 200), ("staff", 403), ("auditor", 200), ("admin", 200)],
)
def test_read_pages(role, expected, personas, client_for, world):
    client = client_for(personas[role])
    for name, url in read_urls(world).items():
        assert client.get(url).status_code == expected, name


@pytest.mark.parametrize(
    ("role", "expected"),
    [("quality", 200), ("management", 403), ("staff", 403), ("auditor", 403), ("admin", 200)],
)
def test_write_pages(role, expected, personas, client_for, world):
    client = client_for(personas[role])
    for name, url in write_urls(world).items():
        assert client.get(url).status_code == expected, name


@pytest.mark.parametrize("role", ["management", "staff", "auditor"])
def test_writes_are_refused_without_permission(role, personas, client_for, world):
    client = client_for(personas[role])
    fresh, question, draft = world["fresh"], world["question"], world["draft"]
    posts = [
        (reverse("feedback:template_create"), {"code": "x", "name": "X", "purpose": "relationship"}),
        (reverse("feedback:template_new_version", args=[fresh.pk]), {}),
        (reverse("feedback:question_move", args=[question.pk]), {"direction": "down"}),
        (reverse("feedback:question_delete", args=[question.pk]), {}),
        (reverse("feedback:campaign_send", args=[draft.pk]), {}),
        (reverse("feedback:campaign_close", args=[world["sent"].pk]), {}),
        (reverse("feedback:survey_settings"), {"post_complaint_enabled": "on"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT
    assert fresh.questions.count() == 3


def test_a_question_of_a_replaced_version_is_not_found_for_editing(client_for, quality, world):
    template = world["fresh"]
    question = template.questions.first()
    survey_services.template_new_version(actor=quality, template=template)
    client = client_for(quality)
    assert client.get(reverse("feedback:question_update", args=[question.pk])).status_code == 404
    assert client.get(reverse("feedback:template_update", args=[template.pk])).status_code == 404
    assert client.get(reverse("feedback:campaign_detail", args=[99999])).status_code == 404


@pytest.mark.parametrize("role", ["management", "auditor"])
def test_readers_see_no_write_buttons(role, personas, client_for, world):
    client = client_for(personas[role])
    page = client.get(reverse("feedback:template_detail", args=[world["fresh"].pk])).content.decode()
    assert "Add a question" not in page and "question_move" not in page and "/move/" not in page
    page = client.get(reverse("feedback:campaign_detail", args=[world["draft"].pk])).content.decode()
    assert "Send…" not in page
    page = client.get(reverse("feedback:survey_settings")).content.decode()
    assert "Save the settings" not in page


# Templates and questions ---------------------------------------------------------------------------


def test_quality_creates_a_template(client_for, quality):
    response = client_for(quality).post(
        reverse("feedback:template_create"),
        {"code": "yearly", "name": "Yearly survey", "purpose": "relationship", "intro": "", "thank_you": "Thanks"},
    )
    template = SurveyTemplate.objects.get(code="yearly")
    assert response.status_code == 302
    assert response["Location"] == template.get_absolute_url()


def test_an_invalid_template_answers_400_and_keeps_the_input(client_for, quality):
    response = client_for(quality).post(
        reverse("feedback:template_create"), {"code": "not a slug!", "name": "Kept name", "purpose": "relationship"}
    )
    assert response.status_code == 400
    assert "Kept name" in response.content.decode()
    assert response.context["form"].errors["code"]


def test_a_frozen_template_says_editing_makes_the_next_version(client_for, quality, world):
    page = client_for(quality).get(reverse("feedback:template_detail", args=[world["template"].pk])).content.decode()
    assert "Frozen" in page
    assert "Editing makes version 2" in page


def test_editing_a_frozen_question_through_the_page_makes_version_two(client_for, quality, world):
    template = world["template"]
    question = template.questions.order_by("order").first()
    response = client_for(quality).post(
        reverse("feedback:question_update", args=[question.pk]),
        {"type": "nps", "text": "Would you recommend us?", "required": "on", "help_text": "", "choices": ""},
    )
    newer = SurveyTemplate.objects.get(code=template.code, version=2)
    assert response.status_code == 302
    assert response["Location"] == newer.get_absolute_url()
    assert newer.questions.order_by("order").first().text == "Would you recommend us?"
    question.refresh_from_db()
    assert question.text == "A nps question"


def test_question_move_through_the_page(client_for, quality, world):
    template = world["fresh"]
    first = template.questions.order_by("order").first()
    response = client_for(quality).post(reverse("feedback:question_move", args=[first.pk]), {"direction": "down"})
    assert response.status_code == 302
    assert list(template.questions.order_by("order").values_list("type", flat=True)) == ["csat", "nps", "text"]


def test_question_delete_asks_first(client_for, quality, world):
    question = world["question"]
    client = client_for(quality)
    page = client.get(reverse("feedback:question_delete", args=[question.pk]))
    assert "Yes, delete" in page.content.decode()
    assert world["fresh"].questions.count() == 3
    client.post(reverse("feedback:question_delete", args=[question.pk]))
    assert world["fresh"].questions.count() == 2


# Campaigns -----------------------------------------------------------------------------------------


def _campaign_form(template, **overrides):
    now = timezone.localtime()
    data = {
        "name": "Autumn survey",
        "template": template.pk,
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M"),
        "reminder_max": 2,
        "reminder_after_days": 5,
        "segments": ["sme"],
    }
    data.update(overrides)
    return data


def test_quality_creates_a_campaign(client_for, quality, world):
    response = client_for(quality).post(reverse("feedback:campaign_create"), _campaign_form(world["fresh"]))
    campaign = Campaign.objects.get(name="Autumn survey")
    assert response.status_code == 302
    assert campaign.segments == ["sme"]
    assert campaign.status == CampaignStatus.DRAFT


def test_a_campaign_closing_in_the_past_answers_400_on_that_field(client_for, quality, world):
    past = (timezone.localtime() - dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    earlier = (timezone.localtime() - dt.timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")
    response = client_for(quality).post(
        reverse("feedback:campaign_create"), _campaign_form(world["fresh"], closes_at=past, opens_at=earlier)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["closes_at"]
    assert "Autumn survey" in response.content.decode()


def test_a_sent_campaign_form_only_changes_closing_and_reminders(client_for, quality, world):
    sent = world["sent"]
    later = timezone.localtime(sent.closes_at + dt.timedelta(days=5)).replace(second=0, microsecond=0)
    response = client_for(quality).post(
        reverse("feedback:campaign_update", args=[sent.pk]),
        _campaign_form(world["fresh"], name="Changed", closes_at=later.strftime("%Y-%m-%dT%H:%M"), reminder_max=1),
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert (sent.name, sent.reminder_max, sent.closes_at) == ("Sent", 1, later)


def test_draft_detail_counts_the_audience_and_send_asks_first(client_for, quality, world):
    draft = world["draft"]
    ContactFactory.create_batch(2)
    client = client_for(quality)
    page = client.get(draft.get_absolute_url())
    expected = survey_delivery.campaign_audience(draft).count()
    assert page.context["audience_count"] == expected
    confirm = client.get(reverse("feedback:campaign_send", args=[draft.pk])).content.decode()
    assert f"e-mails <strong>{expected} contacts</strong>" in confirm
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT
    response = client.post(reverse("feedback:campaign_send", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status in (CampaignStatus.SENDING, CampaignStatus.OPEN)
    assert draft.invitations.count() == expected


def test_progress_fragment_polls_while_sending_and_reloads_when_done(client_for, quality, world):
    draft = world["draft"]
    ContactFactory()
    survey_delivery.campaign_send(actor=quality, campaign=draft)
    client = client_for(quality)
    url = reverse("feedback:campaign_progress", args=[draft.pk])
    sending = client.get(url, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in sending.content.decode()
    assert "HX-Refresh" not in sending
    survey_delivery.invitations_send_all(campaign_id=draft.pk)
    done = client.get(url, headers={"HX-Request": "true"})
    assert "every 2s" not in done.content.decode()
    assert done["HX-Refresh"] == "true"


def test_campaign_page_shows_the_results(client_for, management, world):
    response = client_for(management).get(world["sent"].get_absolute_url())
    page = response.content.decode()
    assert response.context["results"]["nps"]["nps"] == 100.0
    assert 'data-testid="nps">100.0<' in page
    assert "1 promoter (9–10), 0 passives (7–8), 0 detractors (0–6)" in page
    assert "=SUM(A1) great" in page
    assert "vendor/chartjs/chart.umd.min.js" in page


def test_free_text_answers_are_capped_with_show_all(client_for, quality, world, monkeypatch):
    from feedback.views import surveys as survey_views

    monkeypatch.setattr(survey_views, "FREE_TEXT_SHOWN", 0)
    client = client_for(quality)
    assert "Show all 1 answers" in client.get(world["sent"].get_absolute_url()).content.decode()
    assert "=SUM(A1) great" in client.get(world["sent"].get_absolute_url() + "?answers=all").content.decode()


def test_close_asks_first_then_closes(client_for, quality, world):
    sent = world["sent"]
    client = client_for(quality)
    assert "Yes, close it" in client.get(reverse("feedback:campaign_close", args=[sent.pk])).content.decode()
    client.post(reverse("feedback:campaign_close", args=[sent.pk]))
    sent.refresh_from_db()
    assert sent.status == CampaignStatus.CLOSED


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_responses_export_has_one_row_per_response_and_neutral_formulas(client_for, auditor, world, export_format):
    url = reverse("feedback:campaign_responses_export", args=[world["sent"].pk]) + f"?format={export_format}"
    response = client_for(auditor).get(url)
    assert response.status_code == 200
    if export_format == "xlsx":
        from openpyxl import load_workbook

        rows = [list(row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    else:
        rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0][:3] == ["Submitted at", "Customer", "Segment"]
    assert rows[0][3:] == ["A nps question", "A csat question", "A text question"]
    assert len(rows) == 2
    assert rows[1][1:] == ["Acme Ltd", "Small and medium business", "10", "4", "'=SUM(A1) great"]


def test_campaign_list_filters_and_empty_state(client_for, quality, world):
    client = client_for(quality)
    page = client.get(reverse("feedback:campaign_list"), {"status": "draft"})
    assert [c.name for c in page.context["object_list"]] == ["Draft"]
    assert "Draft</span>" in page.content.decode()
    Campaign.objects.all().delete()
    page = client.get(reverse("feedback:campaign_list")).content.decode()
    assert "Create a campaign" in page


# Results and settings ------------------------------------------------------------------------------


def test_results_overview_defaults_to_twelve_months(client_for, auditor, world):
    response = client_for(auditor).get(reverse("feedback:survey_results"))
    assert len(response.context["nps_rows"]) == 12
    assert response.context["nps_rows"][-1]["nps"] == 100.0
    page = response.content.decode()
    assert 'id="nps-table"' in page and 'id="segment-table"' in page
    assert world["sent"].name in page


def test_results_overview_lists_results_per_customer(client_for, auditor, world):
    response = client_for(auditor).get(reverse("feedback:survey_results"))
    (row,) = response.context["customer_rows"]
    assert (row["customer"], row["responses"], row["nps"]) == ("Acme Ltd", 1, 100.0)
    assert 'id="customer-table"' in response.content.decode()


def test_results_overview_refuses_a_backwards_period(client_for, auditor, world):
    response = client_for(auditor).get(reverse("feedback:survey_results"), {"start": "2026-05-01", "end": "2026-01-01"})
    assert response.status_code == 200
    assert response.context["period_errors"]


def test_settings_save_and_field_errors(client_for, quality, world, shipped):
    client = client_for(quality)
    relationship = world["fresh"]
    response = client.post(
        reverse("feedback:survey_settings"),
        {"post_complaint_enabled": "on", "post_complaint_template": relationship.pk},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["post_complaint_template"]
    after = SurveyTemplate.objects.filter(purpose="post_complaint", superseded_by__isnull=True).first()
    response = client.post(
        reverse("feedback:survey_settings"),
        {"post_complaint_enabled": "on", "post_complaint_template": after.pk, "follow_up_assignee": quality.pk},
    )
    assert response.status_code == 302


# Query budgets -------------------------------------------------------------------------------------


def _extra_campaigns(quality, template, count):
    for number in range(count):
        survey_services.campaign_save(
            actor=quality, campaign=None, data=campaign_data(template, name=f"Extra {number}")
        )


@pytest.mark.parametrize("extra", [0, 10])
def test_campaign_list_query_budget(client_for, quality, world, django_assert_max_num_queries, extra):
    _extra_campaigns(quality, world["fresh"], extra)
    client = client_for(quality)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        assert client.get(reverse("feedback:campaign_list")).status_code == 200


@pytest.mark.parametrize("extra", [0, 10])
def test_template_list_query_budget(client_for, quality, world, django_assert_max_num_queries, extra):
    for number in range(extra):
        make_template(quality, code=f"extra-{number}", questions=("nps",))
    client = client_for(quality)
    with django_assert_max_num_queries(LIST_QUERY_BUDGET):
        assert client.get(reverse("feedback:template_list")).status_code == 200


@pytest.mark.parametrize("extra", [0, 8])
def test_campaign_detail_query_budget(client_for, quality, world, django_assert_max_num_queries, extra):
    sent = world["sent"]
    contacts = ContactFactory.create_batch(extra, customer=sent.customers.first())
    for contact in contacts:
        invitation = sent.invitations.create(contact=contact, customer=contact.customer, email=contact.email)
        invitation.sent_at = timezone.now()
        invitation.status = "sent"
        invitation.save()
        nps, csat, text = world["template"].questions.order_by("order")
        survey_delivery.response_submit(invitation=invitation, answers={nps.pk: 8, csat.pk: 5, text.pk: "Fine"})
    client = client_for(quality)
    with django_assert_max_num_queries(DETAIL_QUERY_BUDGET):
        assert client.get(sent.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("extra", [0, 8])
def test_template_detail_query_budget(client_for, quality, world, django_assert_max_num_queries, extra):
    template = world["fresh"]
    for number in range(extra):
        survey_services.question_save(
            actor=quality, template=template, question=None, data={"type": "text", "text": f"Extra {number}"}
        )
    client = client_for(quality)
    with django_assert_max_num_queries(DETAIL_QUERY_BUDGET):
        assert client.get(template.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("extra", [0, 6])
def test_results_overview_query_budget(client_for, auditor, world, django_assert_max_num_queries, extra):
    sent = world["sent"]
    nps, csat, text = world["template"].questions.order_by("order")
    for contact in ContactFactory.create_batch(extra):
        invitation = sent.invitations.create(contact=contact, customer=contact.customer, email=contact.email)
        invitation.sent_at = timezone.now()
        invitation.status = "sent"
        invitation.save()
        survey_delivery.response_submit(invitation=invitation, answers={nps.pk: 3, csat.pk: 2, text.pk: "Late"})
    client = client_for(auditor)
    with django_assert_max_num_queries(RESULTS_QUERY_BUDGET):
        response = client.get(reverse("feedback:survey_results"))
    assert len(response.context["customer_rows"]) == 1 + extra


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_responses_export_neutralises_every_formula_start(client_for, quality, export_format):
    from qms.core.tests.test_exporting import STORABLE, as_written, read_table

    template = make_template(quality)
    nps, csat, text = template.questions.order_by("order")
    customers = [CustomerFactory(name=f"Customer {n}") for n in range(len(STORABLE))]
    for customer in customers:
        ContactFactory(customer=customer)
    campaign = survey_services.campaign_save(
        actor=quality, campaign=None, data=campaign_data(template, name="Formulas", customers=customers)
    )
    survey_delivery.campaign_send(actor=quality, campaign=campaign)
    survey_delivery.invitations_send_all(campaign_id=campaign.pk)
    for invitation, value in zip(campaign.invitations.order_by("pk"), STORABLE, strict=True):
        survey_delivery.response_submit(invitation=invitation, answers={nps.pk: 9, csat.pk: 4, text.pk: value})
    url = reverse("feedback:campaign_responses_export", args=[campaign.pk])
    response = client_for(quality).get(url, {"format": export_format})
    assert response.status_code == 200
    answers = [row[-1] for row in read_table(response, export_format)[1:]]
    # The survey keeps answers without their surrounding white space (a leading tab or CR goes).
    assert sorted(answers) == sorted(as_written(value.strip(), export_format) for value in STORABLE)
