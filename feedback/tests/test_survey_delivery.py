"""Sending surveys and receiving answers: audience, batches, reminders, responses, closed loop, opt-out."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from customers.tests.factories import ContactFactory, CustomerFactory
from feedback import services
from feedback.choices import CampaignStatus, Channel, FeedbackKind, InvitationStatus, QuestionType
from feedback.models import Campaign, FeedbackItem, Invitation, Reminder, SurveyResponse, SurveySettings
from feedback.services import survey_delivery
from feedback.tests.survey_factories import CampaignFactory, QuestionFactory, SurveyTemplateFactory
from qms.core.models import OutboxEmail
from qms.core.outbox import outbox_deliver

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


# Helpers shared with the other survey test modules ---------------------------------------------------


def make_template(**kwargs):
    """NPS and CSAT (required), single and multiple choice, a rating and free text (optional)."""
    template = SurveyTemplateFactory(**kwargs)
    questions = {
        "nps": QuestionFactory(template=template, order=1, type=QuestionType.NPS, text="Recommend {organisation}?"),
        "csat": QuestionFactory(template=template, order=2, type=QuestionType.CSAT, text="How satisfied are you?"),
        "single": QuestionFactory(
            template=template,
            order=3,
            type=QuestionType.SINGLE,
            text="What matters most?",
            required=False,
            choices="Quality\nPrice\nDelivery",
        ),
        "multiple": QuestionFactory(
            template=template,
            order=4,
            type=QuestionType.MULTIPLE,
            text="Which do you use?",
            required=False,
            choices="Widgets\nGadgets\nSupport",
        ),
        "rating": QuestionFactory(
            template=template, order=5, type=QuestionType.RATING, text="How easy?", required=False, scale_max=5
        ),
        "text": QuestionFactory(
            template=template, order=6, type=QuestionType.TEXT, text="What should we do better?", required=False
        ),
    }
    assert set(questions) == set(qs(template))
    return template


def qs(template) -> dict:
    """The template's questions by type (``make_template`` has one of each)."""
    return {question.type: question for question in template.questions.all()}


def draft_campaign(template=None, **kwargs):
    kwargs.setdefault("status", CampaignStatus.DRAFT)
    kwargs.setdefault("reminder_max", 2)
    kwargs.setdefault("reminder_after_days", 3)
    return CampaignFactory(template=template or make_template(), **kwargs)


def sent_campaign(contacts, template=None, **kwargs):
    """A campaign with one sent invitation per contact (as the send job leaves it): OPEN."""
    campaign = draft_campaign(template, **kwargs)
    campaign.customers.set({contact.customer for contact in contacts})
    services_actor = _quality_manager()
    survey_delivery.campaign_send(actor=services_actor, campaign=campaign)
    survey_delivery.invitations_send_all(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign


def _quality_manager():
    """Whoever sends helper campaigns: a superuser, so a test's own personas stay untouched."""
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="survey-sender", defaults={"is_superuser": True, "is_staff": True, "email": "sender@example.com"}
    )
    return user


def good_answers(template, **overrides):
    answers = {qs(template)["nps"].pk: 9, qs(template)["csat"].pk: 5}
    for key, value in overrides.items():
        if value is None:
            answers.pop(qs(template)[key].pk, None)
        else:
            answers[qs(template)[key].pk] = value
    return answers


def survey_settings(**fields) -> SurveySettings:
    row = SurveySettings.objects.first() or SurveySettings()
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    return row


def outbox_keys(prefix: str) -> list[str]:
    return sorted(OutboxEmail.objects.filter(key__startswith=prefix).values_list("key", flat=True))


# Audience -------------------------------------------------------------------------------------------


@pytest.fixture
def customers_by_kind(db):
    return {
        "enterprise_active": CustomerFactory(segment="enterprise", status="active"),
        "enterprise_inactive": CustomerFactory(segment="enterprise", status="inactive"),
        "sme_active": CustomerFactory(segment="sme", status="active"),
        "public_prospect": CustomerFactory(segment="public", status="prospect"),
    }


@pytest.mark.parametrize(
    ("segments", "statuses", "expected"),
    [
        ([], [], {"enterprise_active", "enterprise_inactive", "sme_active", "public_prospect"}),
        (["enterprise"], [], {"enterprise_active", "enterprise_inactive"}),
        ([], ["active"], {"enterprise_active", "sme_active"}),
        (["enterprise", "public"], ["active", "prospect"], {"enterprise_active", "public_prospect"}),
    ],
)
@pytest.mark.django_db
def test_audience_is_the_contacts_of_customers_in_the_segments_and_statuses(
    customers_by_kind, segments, statuses, expected
):
    contacts = {kind: ContactFactory(customer=customer) for kind, customer in customers_by_kind.items()}
    campaign = draft_campaign(segments=segments, customer_statuses=statuses)
    audience = set(survey_delivery.campaign_audience(campaign))
    assert audience == {contacts[kind] for kind in expected}


@pytest.mark.django_db
def test_hand_picked_customers_replace_the_segment_rules(customers_by_kind):
    picked = ContactFactory(customer=customers_by_kind["public_prospect"])
    ContactFactory(customer=customers_by_kind["enterprise_active"])
    campaign = draft_campaign(segments=["enterprise"])
    campaign.customers.set([customers_by_kind["public_prospect"]])
    assert list(survey_delivery.campaign_audience(campaign)) == [picked]


@pytest.mark.django_db
def test_audience_leaves_out_opted_out_contacts_and_contacts_without_email(customers_by_kind):
    customer = customers_by_kind["sme_active"]
    kept = ContactFactory(customer=customer)
    ContactFactory(customer=customer, survey_opt_out=True)
    ContactFactory(customer=customer, email="")
    campaign = draft_campaign()
    campaign.customers.set([customer])
    assert list(survey_delivery.campaign_audience(campaign)) == [kept]


# Sending --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sending_creates_one_invitation_per_contact_and_queues_the_job(
    quality, django_capture_on_commit_callbacks, monkeypatch
):
    contacts = ContactFactory.create_batch(3, customer=CustomerFactory(segment="enterprise"))
    ContactFactory(customer=CustomerFactory(segment="sme"))
    campaign = draft_campaign(segments=["enterprise"])
    queued = []
    monkeypatch.setattr("feedback.tasks.send_campaign_invitations.delay", lambda pk: queued.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        sent = survey_delivery.campaign_send(actor=quality, campaign=campaign)
    assert sent.status == CampaignStatus.SENDING and sent.sent_started_at is not None
    invitations = list(campaign.invitations.order_by("email"))
    assert [(i.contact, i.customer, i.email, i.name, i.status) for i in invitations] == [
        (c, c.customer, c.email, c.name, InvitationStatus.PENDING) for c in sorted(contacts, key=lambda c: c.email)
    ]
    assert len({i.token for i in invitations}) == 3
    campaign.template.refresh_from_db()
    assert campaign.template.is_frozen
    assert queued == [campaign.pk]


@pytest.mark.django_db
def test_only_a_draft_can_be_sent(quality):
    ContactFactory()
    campaign = draft_campaign(status=CampaignStatus.OPEN)
    with pytest.raises(ValidationError) as error:
        survey_delivery.campaign_send(actor=quality, campaign=campaign)
    assert "only a draft" in error.value.message_dict["status"][0]


@pytest.mark.django_db
def test_an_empty_audience_is_refused(quality):
    ContactFactory(customer=CustomerFactory(segment="sme"))
    campaign = draft_campaign(segments=["enterprise"])
    with pytest.raises(ValidationError) as error:
        survey_delivery.campaign_send(actor=quality, campaign=campaign)
    assert "widen the audience" in error.value.message_dict["segments"][0]
    assert not campaign.invitations.exists()


@pytest.mark.django_db
def test_a_campaign_closing_in_the_past_is_refused(quality):
    ContactFactory()
    campaign = draft_campaign(
        opens_at=timezone.now() - dt.timedelta(days=10), closes_at=timezone.now() - dt.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as error:
        survey_delivery.campaign_send(actor=quality, campaign=campaign)
    assert "closes_at" in error.value.message_dict


@pytest.mark.django_db
def test_staff_cannot_send_a_campaign(staff):
    ContactFactory()
    with pytest.raises(PermissionDenied):
        survey_delivery.campaign_send(actor=staff, campaign=draft_campaign())


@pytest.mark.django_db
def test_batches_send_each_invitation_once_then_the_campaign_opens(quality, mailoutbox):
    customer = CustomerFactory()
    ContactFactory.create_batch(5, customer=customer)
    campaign = draft_campaign()
    campaign.customers.set([customer])
    survey_delivery.campaign_send(actor=quality, campaign=campaign)
    assert survey_delivery.campaign_progress(campaign) == {
        "total": 5,
        "sent": 0,
        "failed": 0,
        "responded": 0,
        "opted_out": 0,
        "pending": 5,
        "percent": 0,
    }
    assert survey_delivery.invitations_send_batch(campaign_id=campaign.pk, batch_size=2) == 2
    progress = survey_delivery.campaign_progress(campaign)
    assert (progress["sent"], progress["pending"], progress["percent"]) == (2, 3, 40)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENDING
    assert survey_delivery.invitations_send_batch(campaign_id=campaign.pk, batch_size=2) == 2
    assert survey_delivery.invitations_send_batch(campaign_id=campaign.pk, batch_size=2) == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    assert survey_delivery.campaign_progress(campaign)["percent"] == 100
    assert survey_delivery.invitations_send_batch(campaign_id=campaign.pk) == 0
    assert all(i.sent_at and i.last_message_at == i.sent_at for i in campaign.invitations.all())
    assert len(outbox_keys("survey-invitation:")) == 5

    assert outbox_deliver()["sent"] == 5
    assert outbox_deliver()["sent"] == 0
    by_address = {message.to[0]: message for message in mailoutbox}
    for invitation in campaign.invitations.all():
        message = by_address[invitation.email]
        assert f"http://127.0.0.1:8000/s/{invitation.token}/" in message.body
        assert f"/s/{invitation.token}/opt-out/" in message.body
        html = message.alternatives[0][0]
        assert f"/s/{invitation.token}/" in html and "opt-out" in html


@pytest.mark.django_db
def test_an_invitation_whose_contact_opted_out_after_sending_started_is_not_emailed(quality):
    contact = ContactFactory()
    campaign = draft_campaign()
    campaign.customers.set([contact.customer])
    survey_delivery.campaign_send(actor=quality, campaign=campaign)
    contact.survey_opt_out = True
    contact.save()
    assert survey_delivery.invitations_send_all(campaign_id=campaign.pk) == 0
    assert campaign.invitations.get().status == InvitationStatus.OPTED_OUT
    assert outbox_keys("survey-invitation:") == []


# Closing --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_closing_expires_unanswered_invitations(quality):
    contacts = ContactFactory.create_batch(2, customer=CustomerFactory())
    campaign = sent_campaign(contacts)
    answered = campaign.invitations.first()
    survey_delivery.response_submit(invitation=answered, answers=good_answers(campaign.template))
    survey_delivery.campaign_close(actor=quality, campaign=campaign)
    statuses = dict(campaign.invitations.values_list("pk", "status"))
    assert statuses.pop(answered.pk) == InvitationStatus.RESPONDED
    assert list(statuses.values()) == [InvitationStatus.EXPIRED]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    with pytest.raises(ValidationError):
        survey_delivery.campaign_close(actor=quality, campaign=campaign)


@pytest.mark.django_db
def test_the_job_closes_campaigns_whose_time_has_come():
    contact = ContactFactory()
    with time_machine.travel(T0, tick=False):
        due = sent_campaign([contact], closes_at=T0 + dt.timedelta(days=5))
        later = sent_campaign([ContactFactory()], closes_at=T0 + dt.timedelta(days=20))
    assert survey_delivery.campaigns_close_due(now=T0 + dt.timedelta(days=4)) == 0
    assert survey_delivery.campaigns_close_due(now=T0 + dt.timedelta(days=5)) == 1
    assert survey_delivery.campaigns_close_due(now=T0 + dt.timedelta(days=6)) == 0
    due.refresh_from_db(), later.refresh_from_db()
    assert (due.status, later.status) == (CampaignStatus.CLOSED, CampaignStatus.OPEN)
    assert due.invitations.get().status == InvitationStatus.EXPIRED


# Reminders ------------------------------------------------------------------------------------------


def _reminders_at(days: float) -> int:
    return survey_delivery.reminders_send(now=T0 + dt.timedelta(days=days))["sent"]


@pytest.mark.django_db
def test_reminders_follow_the_policy_over_time():
    """At most K reminders, each D days after the last message (invitation or reminder)."""
    with time_machine.travel(T0, tick=False):
        campaign = sent_campaign([ContactFactory()], reminder_max=2, reminder_after_days=3)
    invitation = campaign.invitations.get()
    assert [_reminders_at(d) for d in (1, 2.9)] == [0, 0]
    assert _reminders_at(3) == 1
    assert [_reminders_at(d) for d in (3.5, 5.9)] == [0, 0]
    assert _reminders_at(6) == 1
    assert [_reminders_at(d) for d in (9, 12, 20)] == [0, 0, 0]
    invitation.refresh_from_db()
    assert invitation.reminders_sent == 2
    assert invitation.last_message_at == T0 + dt.timedelta(days=6)
    assert list(invitation.reminders.values_list("number", flat=True)) == [1, 2]
    assert outbox_keys("survey-reminder:") == [
        f"survey-reminder:{invitation.pk}:1",
        f"survey-reminder:{invitation.pk}:2",
    ]


@pytest.mark.django_db
def test_no_reminder_after_the_campaign_closes():
    with time_machine.travel(T0, tick=False):
        campaign = sent_campaign(
            [ContactFactory()], reminder_max=3, reminder_after_days=3, closes_at=T0 + dt.timedelta(days=5)
        )
    assert _reminders_at(3) == 1
    # Past the closing time, even before the closing job has run.
    assert _reminders_at(6) == 0
    survey_delivery.campaigns_close_due(now=T0 + dt.timedelta(days=6))
    assert _reminders_at(9) == 0
    assert campaign.invitations.get().reminders_sent == 1


@pytest.mark.django_db
def test_no_reminder_to_someone_who_answered_or_opted_out():
    with time_machine.travel(T0, tick=False):
        campaign = sent_campaign(ContactFactory.create_batch(3, customer=CustomerFactory()))
        answered, opted_out, waiting = campaign.invitations.order_by("pk")
        survey_delivery.response_submit(invitation=answered, answers=good_answers(campaign.template))
        survey_delivery.invitation_opt_out(invitation=opted_out)
    assert _reminders_at(3) == 1
    assert list(Reminder.objects.values_list("invitation", flat=True)) == [waiting.pk]


@pytest.mark.django_db
def test_opting_out_in_one_campaign_stops_reminders_of_another():
    contact = ContactFactory()
    with time_machine.travel(T0, tick=False):
        first = sent_campaign([contact])
        second = sent_campaign([contact])
    survey_delivery.invitation_opt_out(invitation=first.invitations.get())
    assert _reminders_at(3) == 0
    assert second.invitations.get().status == InvitationStatus.SENT
    assert not Reminder.objects.exists()


@pytest.mark.django_db
def test_running_reminders_twice_at_the_same_moment_sends_each_once():
    with time_machine.travel(T0, tick=False):
        sent_campaign(ContactFactory.create_batch(2, customer=CustomerFactory()))
    assert _reminders_at(3) == 2
    assert _reminders_at(3) == 0
    assert Reminder.objects.count() == 2


@pytest.mark.django_db
def test_a_reminder_claimed_before_is_not_sent_again():
    """A run that read the invitation before another run claimed its reminder skips it."""
    with time_machine.travel(T0, tick=False):
        campaign = sent_campaign([ContactFactory()])
    invitation = campaign.invitations.get()
    Reminder.objects.create(invitation=invitation, number=1)
    result = survey_delivery.reminders_send(now=T0 + dt.timedelta(days=3))
    assert result == {"sent": 0, "already_sent": 1}
    assert outbox_keys("survey-reminder:") == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_reminder_runs_send_each_reminder_once(at_once):
    with time_machine.travel(T0, tick=False):
        campaign = sent_campaign(ContactFactory.create_batch(6, customer=CustomerFactory()))
    now = T0 + dt.timedelta(days=3)
    results, errors = at_once(lambda: survey_delivery.reminders_send(now=now))
    assert errors == []
    assert sum(result["sent"] for result in results) == 6
    assert Reminder.objects.count() == 6
    assert len(outbox_keys("survey-reminder:")) == 6
    assert set(campaign.invitations.values_list("reminders_sent", flat=True)) == {1}


# Responses ------------------------------------------------------------------------------------------


@pytest.fixture
def open_invitation(db):
    campaign = sent_campaign([ContactFactory()])
    return campaign.invitations.get()


@pytest.mark.parametrize(
    ("overrides", "question", "message"),
    [
        ({"nps": None}, "nps", "Please answer this question."),
        ({"csat": ""}, "csat", "Please answer this question."),
        ({"nps": 11}, "nps", "11 is outside the scale; choose a number from 0 to 10."),
        ({"nps": -1}, "nps", "-1 is outside the scale; choose a number from 0 to 10."),
        ({"nps": "nine"}, "nps", "Choose a whole number from 0 to 10."),
        ({"csat": 0}, "csat", "0 is outside the scale; choose a number from 1 to 5."),
        ({"csat": 6}, "csat", "6 is outside the scale; choose a number from 1 to 5."),
        ({"rating": 6}, "rating", "6 is outside the scale; choose a number from 1 to 5."),
        ({"single": "Colour"}, "single", "“Colour” is not one of the options; choose one of those shown."),
        (
            {"multiple": ["Widgets", "Boats"]},
            "multiple",
            "“Boats” is not one of the options; choose among those shown.",
        ),
        ({"text": "x" * 5001}, "text", "Keep your answer under 5,000 characters (it has 5,001)."),
    ],
)
def test_a_wrong_answer_is_refused_naming_the_question(open_invitation, overrides, question, message):
    template = open_invitation.campaign.template
    with pytest.raises(ValidationError) as error:
        survey_delivery.response_submit(invitation=open_invitation, answers=good_answers(template, **overrides))
    assert error.value.message_dict == {f"q{qs(template)[question].pk}": [message]}
    assert not SurveyResponse.objects.exists()
    open_invitation.refresh_from_db()
    assert open_invitation.status == InvitationStatus.SENT


def test_a_response_keeps_answers_and_scores(open_invitation):
    template = open_invitation.campaign.template
    answers = good_answers(template, single="Price", multiple=["Support", "Widgets"], rating="4", text=" Faster ")
    response = survey_delivery.response_submit(invitation=open_invitation, answers=answers)
    assert (response.nps_score, response.csat_score, response.follow_up) == (9, 5, None)
    assert response.segment == open_invitation.customer.segment
    stored = {a.question_id: (a.number, a.choices, a.text) for a in response.answers.all()}
    assert stored == {
        qs(template)["nps"].pk: (9, [], ""),
        qs(template)["csat"].pk: (5, [], ""),
        qs(template)["single"].pk: (None, ["Price"], ""),
        qs(template)["multiple"].pk: (None, ["Support", "Widgets"], ""),
        qs(template)["rating"].pk: (4, [], ""),
        qs(template)["text"].pk: (None, [], "Faster"),
    }
    open_invitation.refresh_from_db()
    assert open_invitation.status == InvitationStatus.RESPONDED and open_invitation.responded_at


def test_answers_to_questions_of_another_survey_are_refused(open_invitation):
    answers = {**good_answers(open_invitation.campaign.template), 999999: "x", "junk": 1}
    with pytest.raises(ValidationError) as error:
        survey_delivery.response_submit(invitation=open_invitation, answers=answers)
    assert "do not belong to this survey" in error.value.message_dict["__all__"][0]


def test_only_one_response_per_invitation(open_invitation):
    answers = good_answers(open_invitation.campaign.template)
    survey_delivery.response_submit(invitation=open_invitation, answers=answers)
    with pytest.raises(ValidationError) as error:
        survey_delivery.response_submit(invitation=open_invitation, answers=answers)
    assert error.value.message_dict == {"__all__": ["You have already answered this survey, thank you."]}
    assert SurveyResponse.objects.count() == 1


def test_a_closed_campaign_takes_no_answers(open_invitation, quality):
    survey_delivery.campaign_close(actor=quality, campaign=open_invitation.campaign)
    with pytest.raises(ValidationError) as error:
        survey_delivery.response_submit(
            invitation=open_invitation, answers=good_answers(open_invitation.campaign.template)
        )
    assert error.value.message_dict == {"__all__": ["This survey has closed."]}


def test_a_campaign_past_its_closing_time_takes_no_answers(open_invitation):
    with (
        time_machine.travel(open_invitation.campaign.closes_at + dt.timedelta(minutes=1)),
        pytest.raises(ValidationError, match="closed"),
    ):
        survey_delivery.response_submit(
            invitation=open_invitation, answers=good_answers(open_invitation.campaign.template)
        )


def test_an_expired_or_opted_out_invitation_takes_no_answers(open_invitation):
    Invitation.objects.filter(pk=open_invitation.pk).update(status=InvitationStatus.EXPIRED)
    with pytest.raises(ValidationError, match="closed"):
        survey_delivery.response_submit(
            invitation=open_invitation, answers=good_answers(open_invitation.campaign.template)
        )
    Invitation.objects.filter(pk=open_invitation.pk).update(status=InvitationStatus.OPTED_OUT)
    with pytest.raises(ValidationError, match="not to send you surveys"):
        survey_delivery.response_submit(
            invitation=open_invitation, answers=good_answers(open_invitation.campaign.template)
        )


# The closed loop ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nps", "csat", "kind"),
    [
        (6, 4, FeedbackKind.ENQUIRY),
        (0, 3, FeedbackKind.ENQUIRY),
        (7, 3, None),
        (10, 5, None),
        (9, 2, FeedbackKind.COMPLAINT),
        (3, 1, FeedbackKind.COMPLAINT),
    ],
)
def test_an_unhappy_answer_opens_a_feedback_item_to_follow_up(open_invitation, nps, csat, kind):
    template = open_invitation.campaign.template
    response = survey_delivery.response_submit(
        invitation=open_invitation, answers=good_answers(template, nps=nps, csat=csat, text="Too slow")
    )
    if kind is None:
        assert response.follow_up is None
        assert not FeedbackItem.objects.exists()
        return
    item = response.follow_up
    assert item.kind == kind and item.channel == Channel.SURVEY
    assert (item.customer, item.contact) == (open_invitation.customer, open_invitation.contact)
    assert item.submitter_email == open_invitation.email
    assert item.summary.startswith("Unhappy survey answer: ")
    assert open_invitation.campaign.name in item.summary
    assert (f"NPS {nps}" in item.summary) == (nps <= 6)
    assert "Too slow" in item.description and "How satisfied are you?" in item.description
    assert item.reference.startswith("ENQ-" if kind == FeedbackKind.ENQUIRY else "CMP-")


def test_the_follow_up_goes_to_the_account_owner_first(open_invitation, staff, management):
    survey_settings(follow_up_assignee=management)
    customer = open_invitation.customer
    customer.account_owner = staff
    customer.save()
    response = survey_delivery.response_submit(
        invitation=open_invitation, answers=good_answers(open_invitation.campaign.template, nps=2)
    )
    assert response.follow_up.assignee == staff
    assert outbox_keys(f"feedback-assigned:{response.follow_up.pk}:{staff.pk}:")


def test_without_an_account_owner_the_follow_up_goes_to_the_settings_person(open_invitation, management):
    survey_settings(follow_up_assignee=management)
    response = survey_delivery.response_submit(
        invitation=open_invitation, answers=good_answers(open_invitation.campaign.template, csat=1)
    )
    assert response.follow_up.assignee == management
    assert outbox_keys(f"feedback-assigned:{response.follow_up.pk}:{management.pk}:")


def test_without_anyone_named_the_follow_up_is_unassigned(open_invitation):
    survey_settings(follow_up_assignee=None)
    response = survey_delivery.response_submit(
        invitation=open_invitation, answers=good_answers(open_invitation.campaign.template, nps=4)
    )
    assert response.follow_up.assignee is None
    assert outbox_keys("feedback-assigned:") == []


# Opt-out --------------------------------------------------------------------------------------------


def test_opting_out_is_honoured_by_a_later_campaign(open_invitation):
    contact = open_invitation.contact
    survey_delivery.invitation_opt_out(invitation=open_invitation)
    survey_delivery.invitation_opt_out(invitation=open_invitation)
    contact.refresh_from_db()
    open_invitation.refresh_from_db()
    assert contact.survey_opt_out is True
    assert open_invitation.status == InvitationStatus.OPTED_OUT and open_invitation.opted_out_at
    later = draft_campaign()
    later.customers.set([contact.customer])
    assert contact not in survey_delivery.campaign_audience(later)


# After a complaint ----------------------------------------------------------------------------------


def closed_complaint(actor, **data):
    data = {"summary": "Late delivery", "description": "Two weeks late.", "submitter_email": "pat@example.com", **data}
    return services.feedback_log(actor=actor, data=data)


def test_the_shipped_templates_exist_once(shipped):
    migration = importlib.import_module("feedback.migrations.0003_shipped_survey_templates")
    migration.ship_templates(django_apps, None)
    from feedback.models import SurveyTemplate

    relationship = SurveyTemplate.objects.get(code="relationship-nps", version=1)
    after = SurveyTemplate.objects.get(code="post-complaint-csat", version=1)
    assert [q.type for q in relationship.questions.all()] == ["nps", "csat", "single", "text"]
    assert [q.required for q in relationship.questions.all()] == [True, True, False, False]
    assert len(relationship.questions.get(type="single").choice_list) == 4
    assert [q.type for q in after.questions.all()] == ["csat", "rating", "text"]
    assert (relationship.purpose, after.purpose) == ("relationship", "post_complaint")
    assert shipped.post_complaint_template == after and shipped.post_complaint_enabled


def test_a_closed_complaint_gets_one_survey(shipped, quality, mailoutbox):
    item = closed_complaint(quality)
    invitation = survey_delivery.post_complaint_survey_queue(item)
    assert invitation is not None
    assert survey_delivery.post_complaint_survey_queue(item) is None
    assert Invitation.objects.filter(feedback_item=item).count() == 1
    campaign = invitation.campaign
    assert (campaign.automatic, campaign.status, campaign.name) == (True, CampaignStatus.OPEN, "After a complaint")
    assert (campaign.reminder_max, campaign.reminder_after_days) == (1, 7)
    assert campaign.closes_at > timezone.now() + dt.timedelta(days=3650)
    assert (invitation.status, invitation.email) == (InvitationStatus.SENT, "pat@example.com")
    assert outbox_keys("survey-invitation:") == [f"survey-invitation:{invitation.pk}"]
    outbox_deliver()
    survey_mail = [m for m in mailoutbox if m.subject.startswith("How did we handle")]
    assert len(survey_mail) == 1 and item.reference in survey_mail[0].subject
    assert f"/s/{invitation.token}/" in survey_mail[0].body


def test_complaints_share_the_standing_campaign_even_from_one_contact(shipped, quality):
    contact = ContactFactory(email="sam@example.com")
    first = survey_delivery.post_complaint_survey_queue(closed_complaint(quality, submitter_email="", contact=contact))
    second = survey_delivery.post_complaint_survey_queue(closed_complaint(quality, submitter_email="", contact=contact))
    assert first.campaign == second.campaign
    assert Campaign.objects.filter(automatic=True).count() == 1


@pytest.mark.parametrize(
    "case", ["switched_off", "no_email", "opted_out_contact", "opted_out_address", "not_a_complaint"]
)
def test_no_survey_after_a_complaint_when_it_should_not_go(shipped, quality, case):
    data = {}
    if case == "switched_off":
        survey_settings(post_complaint_enabled=False)
    elif case == "no_email":
        data["submitter_email"] = ""
    elif case == "opted_out_contact":
        data.update(submitter_email="", contact=ContactFactory(survey_opt_out=True))
    elif case == "opted_out_address":
        ContactFactory(email="pat@example.com", survey_opt_out=True)
    else:
        data["kind"] = FeedbackKind.COMPLIMENT
    assert survey_delivery.post_complaint_survey_queue(closed_complaint(quality, **data)) is None
    assert not Invitation.objects.exists()


def test_without_settings_the_shipped_template_is_used(shipped, quality):
    SurveySettings.objects.all().delete()
    invitation = survey_delivery.post_complaint_survey_queue(closed_complaint(quality))
    assert invitation.campaign.template.code == "post-complaint-csat"


def test_a_post_complaint_opt_out_reaches_the_complaints_contact(shipped, quality):
    contact = ContactFactory()
    invitation = survey_delivery.post_complaint_survey_queue(
        closed_complaint(quality, submitter_email="", contact=contact)
    )
    survey_delivery.invitation_opt_out(invitation=invitation)
    contact.refresh_from_db()
    assert contact.survey_opt_out is True


@pytest.mark.django_db
def test_an_invitation_the_mail_server_never_accepts_is_marked_failed_and_not_counted_as_delivered(settings):
    from feedback.survey_figures import response_rate_summary
    from feedback.tests.survey_factories import InvitationFactory
    from qms.core.outbox import MAX_ATTEMPTS

    bounced, delivered = InvitationFactory(), InvitationFactory()
    answered = InvitationFactory(status=InvitationStatus.RESPONDED)
    for invitation in (bounced, answered):
        survey_delivery._queue_invitation_email(invitation)
    settings.EMAIL_BACKEND = "qms.core.tests.test_outbox.RefusingBackend"
    for _ in range(MAX_ATTEMPTS):
        outbox_deliver()
    bounced.refresh_from_db()
    answered.refresh_from_db()
    assert bounced.status == InvitationStatus.FAILED
    assert answered.status == InvitationStatus.RESPONDED  # an answer is never undone
    rate = response_rate_summary(Invitation.objects.filter(pk__in=[bounced.pk, delivered.pk]))
    assert rate["delivered"] == 1
