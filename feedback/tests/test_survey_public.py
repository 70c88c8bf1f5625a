"""The respondent's pages: answer by token, once; clear pages for wrong, closed and used links; opt-out."""

from __future__ import annotations

import pytest
from django.urls import reverse

from customers.tests.factories import ContactFactory
from feedback.choices import InvitationStatus
from feedback.models import Invitation, SurveyResponse
from feedback.services import survey_delivery
from feedback.tests.test_survey_delivery import good_answers, qs, sent_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(db):
    contact = ContactFactory(name="Robin Private", email="robin.private@example.com")
    campaign = sent_campaign([contact])
    return campaign.invitations.get()


def respond_url(invitation) -> str:
    return reverse("survey_public:respond", args=[invitation.token])


def post_data(invitation, **overrides) -> dict:
    return {f"q{pk}": value for pk, value in good_answers(invitation.campaign.template, **overrides).items()}


def assert_private(response) -> None:
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def assert_no_personal_data(response, invitation) -> None:
    page = response.content.decode()
    for secret in ("Robin Private", "robin.private@example.com", invitation.customer.name):
        assert secret not in page


def test_the_urls_are_where_the_emails_point():
    assert reverse("survey_public:respond", args=["abc"]) == "/s/abc/"
    assert reverse("survey_public:opt_out", args=["abc"]) == "/s/abc/opt-out/"


def test_the_survey_page_shows_the_questions(client, invitation, settings):
    response = client.get(respond_url(invitation))
    assert response.status_code == 200
    assert_private(response)
    page = response.content.decode()
    assert f"Recommend {settings.ORGANISATION_NAME}?" in page
    assert "0 = not at all likely" in page and "10 = extremely likely" in page
    assert "Very dissatisfied" in page and "Very satisfied" in page
    assert page.count("(required)") >= 2
    assert reverse("survey_public:opt_out", args=[invitation.token]) in page
    assert_no_personal_data(response, invitation)


def test_answering_records_the_response_and_thanks(client, invitation):
    response = client.post(respond_url(invitation), post_data(invitation, multiple=["Widgets"], text="Fine"))
    assert response.status_code == 302
    assert response["Location"] == reverse("survey_public:thanks", args=[invitation.token])
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert invitation.campaign.template.thank_you in thanks.content.decode()
    stored = SurveyResponse.objects.get(invitation=invitation)
    assert (stored.nps_score, stored.csat_score) == (9, 5)
    multiple = stored.answers.get(question=qs(invitation.campaign.template)["multiple"])
    assert multiple.choices == ["Widgets"]


def test_a_second_visit_after_answering_says_so_without_the_answers(client, invitation):
    client.post(respond_url(invitation), post_data(invitation, text="My secret opinion"))
    response = client.get(respond_url(invitation))
    assert response.status_code == 200
    page = response.content.decode()
    assert "You have already answered, thank you" in page
    assert "My secret opinion" not in page and "<form" not in page.split("<main", 1)[1]
    again = client.post(respond_url(invitation), post_data(invitation, nps=0))
    assert again.status_code == 200 and "already answered" in again.content.decode()
    assert SurveyResponse.objects.get().nps_score == 9


def test_wrong_answers_are_shown_next_to_their_question_and_kept(client, invitation):
    template = invitation.campaign.template
    data = post_data(invitation, nps=None, rating="4", text="Keep this text")
    response = client.post(respond_url(invitation), data)
    assert response.status_code == 400
    page = response.content.decode()
    nps = qs(template)["nps"]
    assert f'id="q{nps.pk}-errors"' in page and "Please answer this question." in page
    assert "Keep this text" in page
    rating = qs(template)["rating"]
    assert f'name="q{rating.pk}" value="4" class="btn-check" autocomplete="off" id="id_q{rating.pk}_3" checked' in page
    assert not SurveyResponse.objects.exists()


def test_a_script_in_a_text_answer_is_shown_escaped(client, invitation):
    data = post_data(invitation, nps=None, text="<script>alert('x')</script>")
    response = client.post(respond_url(invitation), data)
    page = response.content.decode()
    assert "<script>alert('x')</script>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_a_wrong_token_shows_a_plain_not_found_page(client, invitation):
    for url in ("/s/not-a-token/", "/s/not-a-token/opt-out/", "/s/not-a-token/thanks/", "/s/" + "x" * 80 + "/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "We could not find this survey" in response.content.decode()
        assert_private(response)
        assert_no_personal_data(response, invitation)


def test_a_closed_campaign_shows_it_has_closed(client, invitation, quality):
    survey_delivery.campaign_close(actor=quality, campaign=invitation.campaign)
    response = client.get(respond_url(invitation))
    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()
    assert_no_personal_data(response, invitation)
    assert client.post(respond_url(invitation), post_data(invitation)).status_code == 410
    assert not SurveyResponse.objects.exists()


def test_an_expired_invitation_shows_it_has_closed(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(status=InvitationStatus.EXPIRED)
    response = client.get(respond_url(invitation))
    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()


def test_opting_out_asks_then_records(client, invitation):
    url = reverse("survey_public:opt_out", args=[invitation.token])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Yes, send me no more surveys" in confirm.content.decode()
    assert_private(confirm)
    invitation.contact.refresh_from_db()
    assert invitation.contact.survey_opt_out is False
    done = client.post(url)
    assert done.status_code == 200 and "You have opted out" in done.content.decode()
    invitation.refresh_from_db()
    invitation.contact.refresh_from_db()
    assert invitation.contact.survey_opt_out is True
    assert invitation.status == InvitationStatus.OPTED_OUT
    after = client.get(respond_url(invitation))
    assert after.status_code == 200 and "You have opted out of surveys" in after.content.decode()


def test_too_many_posts_from_one_address_are_slowed_down(client, invitation, monkeypatch):
    from feedback import ratelimit, survey_public_views

    monkeypatch.setattr(survey_public_views, "SURVEY_RATE", ratelimit.Rate(count=2, seconds=3600))
    data = post_data(invitation, nps=None)
    assert [client.post(respond_url(invitation), data).status_code for _ in range(3)] == [400, 400, 429]
