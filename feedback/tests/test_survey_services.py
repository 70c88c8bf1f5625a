"""Survey configuration services: template versions, questions, campaigns and settings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from customers.tests.factories import ContactFactory, CustomerFactory
from feedback.choices import CampaignStatus, QuestionType, TemplatePurpose
from feedback.models import Answer, Campaign, Question, SurveyResponse, SurveySettings, SurveyTemplate
from feedback.services import survey_delivery
from feedback.services import surveys as survey_services
from qms.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def make_template(actor, *, code="satisfaction", questions=("nps", "csat", "text")) -> SurveyTemplate:
    template = survey_services.template_save(
        actor=actor,
        template=None,
        data={
            "code": code,
            "name": "Satisfaction",
            "purpose": TemplatePurpose.RELATIONSHIP,
            "intro": "",
            "thank_you": "Thanks.",
        },
    )
    for kind in questions:
        survey_services.question_save(
            actor=actor,
            template=template,
            question=None,
            data={"type": kind, "text": f"A {kind} question", "required": kind != "text"},
        )
    return template


def campaign_data(template, **overrides) -> dict:
    now = timezone.now()
    data = {
        "name": "Spring survey",
        "template": template,
        "segments": [],
        "customer_statuses": [],
        "customers": [],
        "opens_at": now,
        "closes_at": now + dt.timedelta(days=30),
        "reminder_max": 2,
        "reminder_after_days": 5,
    }
    data.update(overrides)
    return data


def sent_campaign(actor, template) -> Campaign:
    ContactFactory(customer=CustomerFactory())
    campaign = survey_services.campaign_save(actor=actor, campaign=None, data=campaign_data(template))
    survey_delivery.campaign_send(actor=actor, campaign=campaign)
    survey_delivery.invitations_send_all(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign


# Templates and versions ----------------------------------------------------------------------------


def test_new_template_starts_at_version_one_with_questions_in_order(quality):
    template = make_template(quality)
    assert template.version == 1
    assert list(template.questions.values_list("order", "type")) == [(1, "nps"), (2, "csat"), (3, "text")]


def test_editing_a_template_not_yet_used_changes_it_in_place(quality):
    template = make_template(quality)
    saved = survey_services.template_save(actor=quality, template=template, data={"name": "Renamed"})
    assert saved.pk == template.pk
    assert SurveyTemplate.objects.get(pk=template.pk).name == "Renamed"


def test_editing_a_frozen_template_makes_the_next_version(quality):
    template = make_template(quality)
    sent_campaign(quality, template)
    template.refresh_from_db()
    assert template.is_frozen
    newer = survey_services.template_save(actor=quality, template=template, data={"name": "Renamed"})
    template.refresh_from_db()
    assert newer.pk != template.pk
    assert (newer.version, newer.name, newer.code) == (2, "Renamed", template.code)
    assert template.name == "Satisfaction"
    assert template.superseded_by == newer
    assert newer.questions.count() == 3
    assert not newer.is_frozen


def test_a_replaced_version_cannot_be_edited_or_versioned_again(quality):
    template = make_template(quality)
    survey_services.template_new_version(actor=quality, template=template)
    template.refresh_from_db()
    with pytest.raises(ValidationError):
        survey_services.template_save(actor=quality, template=template, data={"name": "Again"})
    with pytest.raises(ValidationError):
        survey_services.template_new_version(actor=quality, template=template)


def test_the_code_cannot_change_across_versions(quality):
    template = make_template(quality)
    newer = survey_services.template_new_version(actor=quality, template=template)
    with pytest.raises(ValidationError) as error:
        survey_services.template_save(actor=quality, template=newer, data={"code": "other"})
    assert "code" in error.value.message_dict


def test_editing_a_question_of_a_frozen_template_keeps_old_answers_on_the_old_question(quality):
    template = make_template(quality)
    campaign = sent_campaign(quality, template)
    invitation = campaign.invitations.get()
    nps, csat, text = template.questions.order_by("order")
    survey_delivery.response_submit(invitation=invitation, answers={nps.pk: 9, csat.pk: 4})
    template.refresh_from_db()

    edited = survey_services.question_save(
        actor=quality,
        template=template,
        question=nps,
        data={"type": "nps", "text": "Would you recommend us?", "required": True},
    )

    assert edited.pk != nps.pk
    assert edited.template.version == 2
    nps.refresh_from_db()
    assert nps.text == "A nps question"
    answer = Answer.objects.get(response__campaign=campaign, question__type=QuestionType.NPS)
    assert answer.question_id == nps.pk
    assert SurveyResponse.objects.get().nps_score == 9


def test_deleting_a_question_of_a_frozen_template_removes_it_from_the_next_version_only(quality):
    template = make_template(quality)
    sent_campaign(quality, template)
    template.refresh_from_db()
    question = template.questions.order_by("order").last()
    newer = survey_services.question_delete(actor=quality, question=question)
    assert newer.version == 2
    assert newer.questions.count() == 2
    assert template.questions.count() == 3


def test_deleting_a_question_renumbers_the_rest(quality):
    template = make_template(quality)
    first = template.questions.order_by("order").first()
    survey_services.question_delete(actor=quality, question=first)
    assert list(template.questions.values_list("order", "type")) == [(1, "csat"), (2, "text")]


@pytest.mark.parametrize(
    ("index", "direction", "expected"),
    [
        (2, "up", ["nps", "text", "csat"]),
        (0, "down", ["csat", "nps", "text"]),
        (0, "up", ["nps", "csat", "text"]),
        (2, "down", ["nps", "csat", "text"]),
    ],
)
def test_question_move(quality, index, direction, expected):
    template = make_template(quality)
    question = list(template.questions.order_by("order"))[index]
    survey_services.question_move(actor=quality, question=question, direction=direction)
    assert list(template.questions.order_by("order").values_list("type", flat=True)) == expected


def test_moving_a_question_of_a_frozen_template_reorders_the_next_version(quality):
    template = make_template(quality)
    sent_campaign(quality, template)
    template.refresh_from_db()
    last = template.questions.order_by("order").last()
    moved = survey_services.question_move(actor=quality, question=last, direction="up")
    assert moved.template.version == 2
    assert list(moved.template.questions.order_by("order").values_list("type", flat=True)) == ["nps", "text", "csat"]
    assert list(template.questions.order_by("order").values_list("type", flat=True)) == ["nps", "csat", "text"]


def test_a_choice_question_needs_two_options(quality):
    template = make_template(quality, questions=())
    with pytest.raises(ValidationError) as error:
        survey_services.question_save(
            actor=quality, template=template, question=None, data={"type": "single", "text": "Pick", "choices": "Only"}
        )
    assert "choices" in error.value.message_dict


def test_a_template_save_writes_one_audit_row(quality):
    before = AuditEntry.objects.count()
    make_template(quality, questions=())
    assert AuditEntry.objects.count() == before + 1


# Campaigns -----------------------------------------------------------------------------------------


def test_campaign_save_creates_a_draft_with_its_audience(quality):
    template = make_template(quality)
    customer = CustomerFactory()
    campaign = survey_services.campaign_save(
        actor=quality, campaign=None, data=campaign_data(template, segments=["sme"], customers=[customer])
    )
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.created_by == quality
    assert campaign.segments == ["sme"]
    assert list(campaign.customers.all()) == [customer]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"segments": ["galactic"]}, "segments"),
        ({"customer_statuses": ["dormant"]}, "customer_statuses"),
        ({"closes_at": timezone.now() - dt.timedelta(days=1)}, "closes_at"),
    ],
)
def test_campaign_save_names_the_wrong_field(quality, overrides, field):
    template = make_template(quality)
    with pytest.raises(ValidationError) as error:
        survey_services.campaign_save(actor=quality, campaign=None, data=campaign_data(template, **overrides))
    assert field in error.value.message_dict


def test_campaign_must_close_after_it_opens(quality):
    template = make_template(quality)
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        survey_services.campaign_save(
            actor=quality,
            campaign=None,
            data=campaign_data(template, opens_at=now + dt.timedelta(days=5), closes_at=now + dt.timedelta(days=2)),
        )
    assert "closes_at" in error.value.message_dict


def test_campaign_needs_a_current_template_with_questions(quality):
    empty = make_template(quality, code="empty", questions=())
    with pytest.raises(ValidationError) as error:
        survey_services.campaign_save(actor=quality, campaign=None, data=campaign_data(empty))
    assert "template" in error.value.message_dict
    old = make_template(quality, code="old")
    survey_services.template_new_version(actor=quality, template=old)
    old.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        survey_services.campaign_save(actor=quality, campaign=None, data=campaign_data(old))
    assert "template" in error.value.message_dict


def test_a_sent_campaign_may_only_close_later_and_change_its_reminders(quality):
    template = make_template(quality)
    campaign = sent_campaign(quality, template)
    later = campaign.closes_at + dt.timedelta(days=7)
    saved = survey_services.campaign_save(
        actor=quality, campaign=campaign, data={"closes_at": later, "reminder_max": 1, "reminder_after_days": 3}
    )
    assert (saved.closes_at, saved.reminder_max, saved.reminder_after_days) == (later, 1, 3)
    for data, field in (
        ({"name": "Renamed"}, "name"),
        ({"segments": ["public"]}, "segments"),
        ({"customers": [CustomerFactory()]}, "customers"),
        ({"closes_at": campaign.closes_at - dt.timedelta(days=1)}, "closes_at"),
    ):
        fresh = Campaign.objects.get(pk=campaign.pk)
        with pytest.raises(ValidationError) as error:
            survey_services.campaign_save(actor=quality, campaign=fresh, data=data)
        assert field in error.value.message_dict


def test_a_sent_campaign_freezes_its_template(quality):
    template = make_template(quality)
    sent_campaign(quality, template)
    template.refresh_from_db()
    assert template.frozen_at is not None


# Settings ------------------------------------------------------------------------------------------


def test_survey_settings_need_a_post_complaint_template(quality):
    relationship = make_template(quality)
    with pytest.raises(ValidationError) as error:
        survey_services.survey_settings_save(
            actor=quality, data={"post_complaint_enabled": True, "post_complaint_template": relationship}
        )
    assert "post_complaint_template" in error.value.message_dict


def test_survey_settings_stay_one_row(quality):
    template = make_template(quality, code="after", questions=("csat",))
    template = survey_services.template_save(actor=quality, template=template, data={"purpose": "post_complaint"})
    for enabled in (True, False):
        survey_services.survey_settings_save(
            actor=quality,
            data={
                "post_complaint_enabled": enabled,
                "post_complaint_template": template,
                "follow_up_assignee": quality,
            },
        )
    assert SurveySettings.objects.count() == 1
    row = SurveySettings.objects.get()
    assert (row.post_complaint_enabled, row.post_complaint_template, row.follow_up_assignee) == (
        False,
        template,
        quality,
    )


# Permissions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "auditor", "management"])
def test_only_quality_managers_configure_surveys(role, personas):
    actor = personas[role]
    quality = personas["quality"]
    template = make_template(quality)
    question = template.questions.first()
    campaign = survey_services.campaign_save(actor=quality, campaign=None, data=campaign_data(template))
    calls = [
        lambda: survey_services.template_save(actor=actor, template=None, data={"code": "x", "name": "X"}),
        lambda: survey_services.template_save(actor=actor, template=template, data={"name": "X"}),
        lambda: survey_services.template_new_version(actor=actor, template=template),
        lambda: survey_services.question_save(
            actor=actor, template=template, question=None, data={"type": "text", "text": "?"}
        ),
        lambda: survey_services.question_save(actor=actor, template=template, question=question, data={"text": "?"}),
        lambda: survey_services.question_delete(actor=actor, question=question),
        lambda: survey_services.question_move(actor=actor, question=question, direction="down"),
        lambda: survey_services.campaign_save(actor=actor, campaign=None, data=campaign_data(template)),
        lambda: survey_services.campaign_save(actor=actor, campaign=campaign, data={"name": "X"}),
        lambda: survey_services.survey_settings_save(actor=actor, data={"post_complaint_enabled": False}),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert Question.objects.filter(template=template).count() == 3


# Demo ----------------------------------------------------------------------------------------------


def test_demo_seeder_sends_a_campaign_with_responses_once(quality, shipped):
    from customers.demo import seed_customers
    from feedback.demo import DEMO_CAMPAIGN, seed_surveys

    seed_customers()
    message = seed_surveys()
    campaign = Campaign.objects.get(name=DEMO_CAMPAIGN)
    assert campaign.status == CampaignStatus.OPEN, message
    assert campaign.template.code == "relationship-nps"
    assert 1 <= campaign.responses.count() <= 5
    assert campaign.responses.filter(nps_score__isnull=False).exists()
    entries = AuditEntry.objects.count()
    assert "already there" in seed_surveys()
    assert Campaign.objects.filter(name=DEMO_CAMPAIGN).count() == 1
    assert AuditEntry.objects.count() == entries
