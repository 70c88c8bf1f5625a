"""Survey figures: NPS, CSAT and response rate on small hand-computed data sets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.tests.factories import CustomerFactory
from feedback import survey_figures as figures
from feedback.choices import InvitationStatus, QuestionType
from feedback.models import SurveyResponse
from feedback.tests.survey_factories import (
    AnswerFactory,
    CampaignFactory,
    InvitationFactory,
    QuestionFactory,
    SurveyResponseFactory,
    SurveyTemplateFactory,
)

pytestmark = pytest.mark.django_db
UTC = dt.UTC
MARCH = {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 3, 31)}


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=UTC)


def respond(nps=None, csat=None, day="2026-03-10", **kwargs) -> SurveyResponse:
    return SurveyResponseFactory(nps_score=nps, csat_score=csat, submitted_at=at(day), **kwargs)


def scores(*values, **kwargs) -> None:
    for value in values:
        respond(nps=value, **kwargs)


def all_responses():
    return SurveyResponse.objects.all()


# NPS


def test_nps_is_none_without_responses():
    assert figures.nps_summary(all_responses()) == {
        "promoters": 0,
        "passives": 0,
        "detractors": 0,
        "total": 0,
        "nps": None,
    }


def test_nps_is_none_when_no_response_has_an_nps_score():
    respond(csat=5)
    assert figures.nps_summary(all_responses())["nps"] is None


def test_nps_of_all_detractors_is_minus_100():
    scores(0, 3, 6)
    assert figures.nps_summary(all_responses())["nps"] == -100.0


def test_nps_of_all_promoters_is_plus_100():
    scores(9, 10)
    assert figures.nps_summary(all_responses())["nps"] == 100.0


def test_nps_of_a_mix_is_promoters_minus_detractors_percent():
    scores(9, 9, 10, 10, 10, 7, 8, 8, 0, 6)
    respond(csat=4)  # no NPS score: not counted
    assert figures.nps_summary(all_responses()) == {
        "promoters": 5,
        "passives": 3,
        "detractors": 2,
        "total": 10,
        "nps": 30.0,
    }


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ((10, 7, 7), 33.3),  # 1 promoter of 3: 33.33…
        ((10, 10, 7), 66.7),  # 2 of 3: 66.66…
        ((10, *[8] * 15), 6.3),  # 1 of 16 = 6.25: half away from zero (Python's round gives 6.2)
        ((0, *[8] * 15), -6.3),  # −6.25 rounds away from zero too
        ((10, 8, 0), 0.0),
    ],
)
def test_nps_is_rounded_to_one_decimal_half_away_from_zero(values, expected):
    scores(*values)
    assert figures.nps_summary(all_responses())["nps"] == expected


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(625, 100, 6.3), (-625, 100, -6.3), (624, 100, 6.2), (1, 3, 0.3), (2, 3, 0.7), (0, 5, 0.0), (1, 0, None)],
)
def test_round_tenth_rounds_half_away_from_zero(numerator, denominator, expected):
    assert figures.round_tenth(numerator, denominator) == expected


# CSAT


def test_csat_counts_4_and_5_as_satisfied_and_not_3():
    for value in (5, 4, 3, 1):
        respond(csat=value)
    respond(nps=10)  # no CSAT score: not counted
    assert figures.csat_summary(all_responses()) == {"satisfied": 2, "total": 4, "csat_pct": 50.0}


def test_csat_is_none_without_scores():
    respond(nps=9)
    assert figures.csat_summary(all_responses()) == {"satisfied": 0, "total": 0, "csat_pct": None}


def test_csat_one_of_three_is_33_3():
    for value in (5, 3, 2):
        respond(csat=value)
    assert figures.csat_summary(all_responses())["csat_pct"] == 33.3


# Response rate


@pytest.fixture
def campaign_invitations():
    campaign = CampaignFactory()
    InvitationFactory.create_batch(2, campaign=campaign)
    SurveyResponseFactory.create_batch(2, campaign=campaign, submitted_at=at("2026-03-12"))
    InvitationFactory(campaign=campaign, status=InvitationStatus.FAILED)  # sent_at set but bounced
    InvitationFactory(campaign=campaign, status=InvitationStatus.PENDING, sent_at=None, last_message_at=None)
    return campaign


def test_response_rate_leaves_failed_and_pending_invitations_out_of_delivered(campaign_invitations):
    assert figures.response_rate_summary(campaign_invitations.invitations.all()) == {
        "responses": 2,
        "delivered": 4,
        "rate_pct": 50.0,
    }


def test_response_rate_is_none_when_nothing_was_delivered():
    InvitationFactory(status=InvitationStatus.PENDING, sent_at=None)
    assert figures.response_rate_summary(figures.survey_invitations()) == {
        "responses": 0,
        "delivered": 0,
        "rate_pct": None,
    }


def test_survey_response_rate_counts_invitations_sent_in_the_period():
    campaign = CampaignFactory()
    InvitationFactory(campaign=campaign, sent_at=at("2026-02-28"))
    InvitationFactory(campaign=campaign, sent_at=at("2026-03-01", 0))
    SurveyResponseFactory(campaign=campaign, invitation__sent_at=at("2026-03-31", 23))
    assert figures.survey_response_rate(**MARCH) == {"responses": 1, "delivered": 2, "rate_pct": 50.0}


# Periods, filters and who may see


def test_nps_by_month_lists_every_month_with_zeros():
    scores(10, 10, 0, day="2026-01-15")
    scores(7, day="2026-03-31")
    rows = figures.nps_by_period(start=dt.date(2026, 1, 1), end=dt.date(2026, 4, 30))
    assert rows == [
        {"period": dt.date(2026, 1, 1), "nps": 33.3, "promoters": 2, "passives": 0, "detractors": 1, "total": 3},
        {"period": dt.date(2026, 2, 1), "nps": None, "promoters": 0, "passives": 0, "detractors": 0, "total": 0},
        {"period": dt.date(2026, 3, 1), "nps": 0.0, "promoters": 0, "passives": 1, "detractors": 0, "total": 1},
        {"period": dt.date(2026, 4, 1), "nps": None, "promoters": 0, "passives": 0, "detractors": 0, "total": 0},
    ]


def test_csat_by_quarter_is_zero_filled():
    respond(csat=5, day="2026-02-01")
    respond(csat=2, day="2026-03-01")
    assert figures.csat_by_period(start=dt.date(2026, 1, 1), end=dt.date(2026, 6, 30), period="quarter") == [
        {"period": dt.date(2026, 1, 1), "csat_pct": 50.0, "satisfied": 1, "total": 2},
        {"period": dt.date(2026, 4, 1), "csat_pct": None, "satisfied": 0, "total": 0},
    ]


def test_response_rate_by_week_counts_by_the_week_the_invitation_was_sent():
    campaign = CampaignFactory()
    for day in ("2026-03-02", "2026-03-04"):
        InvitationFactory(campaign=campaign, sent_at=at(day))
    SurveyResponseFactory(campaign=campaign, invitation__sent_at=at("2026-03-08"), submitted_at=at("2026-03-17"))
    InvitationFactory(campaign=campaign, sent_at=at("2026-03-16"), status=InvitationStatus.FAILED)
    InvitationFactory(campaign=campaign, sent_at=at("2026-03-17"))
    rows = figures.response_rate_by_period(start=dt.date(2026, 3, 4), end=dt.date(2026, 3, 22), period="week")
    assert rows == [
        {"period": dt.date(2026, 3, 2), "rate_pct": 50.0, "responses": 1, "delivered": 2},
        {"period": dt.date(2026, 3, 9), "rate_pct": None, "responses": 0, "delivered": 0},
        {"period": dt.date(2026, 3, 16), "rate_pct": 0.0, "responses": 0, "delivered": 1},
    ]


def test_an_unknown_period_is_refused():
    with pytest.raises(ValueError, match="period"):
        figures.nps_by_period(start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31), period="day")


def test_start_and_end_are_inclusive_dates():
    scores(10, day="2026-02-28")
    respond(nps=10, day="2026-03-01")
    SurveyResponseFactory(nps_score=0, submitted_at=dt.datetime(2026, 3, 31, 23, 59, tzinfo=UTC))
    scores(0, day="2026-04-01")
    assert figures.nps(**MARCH) == {"promoters": 1, "passives": 0, "detractors": 1, "total": 2, "nps": 0.0}


def test_nps_and_csat_filter_by_segment_campaign_and_customer():
    public = CustomerFactory(segment="public")
    campaign = CampaignFactory()
    respond(nps=10, csat=5, customer=public, campaign=campaign)
    respond(nps=0, csat=1, customer=CustomerFactory(segment="sme"), campaign=campaign)
    respond(nps=0, csat=1, customer=public)
    assert figures.nps(**MARCH, segment="public")["total"] == 2
    assert figures.nps(**MARCH, campaign=campaign)["nps"] == 0.0
    assert figures.nps(**MARCH, segment="public", campaign=campaign)["nps"] == 100.0
    assert figures.csat(**MARCH, customer=public) == {"satisfied": 1, "total": 2, "csat_pct": 50.0}
    assert figures.nps_by_period(**MARCH, segment="sme")[0]["detractors"] == 1


def test_segment_filter_uses_the_segment_kept_on_the_response():
    customer = CustomerFactory(segment="sme")
    respond(nps=10, customer=customer)
    customer.segment = "enterprise"
    customer.save()
    assert figures.nps(**MARCH, segment="sme")["total"] == 1
    assert figures.nps(**MARCH, segment="enterprise")["total"] == 0


def test_staff_get_no_survey_figures(staff, quality):
    scores(10, 0)
    respond(csat=5)
    InvitationFactory()
    assert figures.nps(**MARCH, user=staff)["nps"] is None
    assert figures.csat(**MARCH, user=staff)["total"] == 0
    assert figures.survey_response_rate(start=None, end=None, user=staff)["delivered"] == 0
    assert figures.survey_responses(user=staff).count() == 0
    assert figures.nps(**MARCH, user=quality)["total"] == 2


@pytest.mark.parametrize("role", ["management", "auditor"])
def test_readers_get_every_figure(role, request):
    scores(10, 0)
    assert figures.nps(**MARCH, user=request.getfixturevalue(role))["total"] == 2


def test_nps_by_segment_lists_every_segment_in_order():
    scores(10, 10, 0, customer=CustomerFactory(segment="public"))
    respond(nps=8, csat=5, customer=CustomerFactory(segment="enterprise"))
    respond(nps=0, customer=None)
    rows = figures.nps_by_segment(**MARCH)
    assert [row["segment"] for row in rows] == ["enterprise", "sme", "public", "distributor", "consumer", ""]
    by_key = {row["segment"]: row for row in rows}
    assert by_key["public"] == {
        "segment": "public",
        "segment_label": "Public sector",
        "nps": 33.3,
        "promoters": 2,
        "passives": 0,
        "detractors": 1,
        "total": 3,
        "csat_pct": None,
    }
    assert (by_key["enterprise"]["nps"], by_key["enterprise"]["csat_pct"]) == (0.0, 100.0)
    assert (by_key["sme"]["total"], by_key["sme"]["nps"]) == (0, None)
    assert by_key[""]["segment_label"] == "Not recorded"


def test_results_by_customer_most_responses_first():
    acme = CustomerFactory(name="Acme")
    scores(10, 0, customer=acme)
    respond(csat=4, customer=acme)
    zeta = CustomerFactory(name="Zeta")
    respond(nps=9, customer=zeta)
    respond(nps=9, customer=None)
    assert figures.results_by_customer(**MARCH) == [
        {"customer_id": acme.pk, "customer": "Acme", "nps": 0.0, "csat_pct": 100.0, "responses": 3},
        {"customer_id": None, "customer": "No customer recorded", "nps": 100.0, "csat_pct": None, "responses": 1},
        {"customer_id": zeta.pk, "customer": "Zeta", "nps": 100.0, "csat_pct": None, "responses": 1},
    ]


# Questions


@pytest.fixture
def template():
    return SurveyTemplateFactory()


def test_scored_distribution_lists_every_value_with_zeros(template):
    question = QuestionFactory(template=template, type=QuestionType.CSAT)
    for value in (5, 5, 4, 1):
        AnswerFactory(question=question, number=value)
    AnswerFactory(question=question, number=None)  # skipped: not counted
    assert figures.question_distribution(question, all_responses()) == [
        {"label": "1", "count": 1, "pct": 25.0},
        {"label": "2", "count": 0, "pct": 0.0},
        {"label": "3", "count": 0, "pct": 0.0},
        {"label": "4", "count": 1, "pct": 25.0},
        {"label": "5", "count": 2, "pct": 50.0},
    ]


def test_nps_and_rating_distributions_follow_their_scale(template):
    nps_question = QuestionFactory(template=template, type=QuestionType.NPS)
    rating = QuestionFactory(template=template, type=QuestionType.RATING, scale_max=3)
    AnswerFactory(question=nps_question, number=0)
    assert [row["label"] for row in figures.question_distribution(nps_question, all_responses())] == [
        str(n) for n in range(11)
    ]
    assert figures.question_distribution(rating, all_responses()) == [
        {"label": "1", "count": 0, "pct": None},
        {"label": "2", "count": 0, "pct": None},
        {"label": "3", "count": 0, "pct": None},
    ]


def test_distribution_counts_only_the_responses_given(template):
    question = QuestionFactory(template=template, type=QuestionType.CSAT)
    kept = AnswerFactory(question=question, number=5).response
    AnswerFactory(question=question, number=1)
    rows = figures.question_distribution(question, SurveyResponse.objects.filter(pk=kept.pk))
    assert [row["count"] for row in rows] == [0, 0, 0, 0, 1]


def test_single_choice_distribution_includes_options_nobody_chose(template):
    question = QuestionFactory(template=template, type=QuestionType.SINGLE, choices="Price\nQuality\nService")
    AnswerFactory(question=question, choices=["Quality"])
    AnswerFactory(question=question, choices=["Quality"])
    AnswerFactory(question=question, choices=["Price"])
    assert figures.question_distribution(question, all_responses()) == [
        {"label": "Price", "count": 1, "pct": 33.3},
        {"label": "Quality", "count": 2, "pct": 66.7},
        {"label": "Service", "count": 0, "pct": 0.0},
    ]


def test_multiple_choice_percentages_are_of_respondents(template):
    question = QuestionFactory(template=template, type=QuestionType.MULTIPLE, choices="Price\nQuality\nService")
    AnswerFactory(question=question, choices=["Price", "Quality"])
    AnswerFactory(question=question, choices=["Quality"])
    AnswerFactory(question=question, choices=["Quality", "Price"])
    AnswerFactory(question=question, choices=["Service", "Quality"])
    AnswerFactory(question=question, choices=[])  # answered nothing: not a respondent
    assert figures.question_distribution(question, all_responses()) == [
        {"label": "Price", "count": 2, "pct": 50.0},
        {"label": "Quality", "count": 4, "pct": 100.0},
        {"label": "Service", "count": 1, "pct": 25.0},
    ]


def test_free_text_answers_are_newest_first_without_blanks(template):
    question = QuestionFactory(template=template, type=QuestionType.TEXT)
    for day, text in [("2026-03-01", "Oldest"), ("2026-03-20", "Newest"), ("2026-03-10", "Middle")]:
        AnswerFactory(question=question, text=text, response__submitted_at=at(day))
    AnswerFactory(question=question, text="", response__submitted_at=at("2026-03-25"))
    AnswerFactory(question=question, text="   ", response__submitted_at=at("2026-03-26"))
    assert figures.free_text_answers(question, all_responses()) == ["Newest", "Middle", "Oldest"]
    assert figures.question_distribution(question, all_responses()) == []


def test_campaign_results_has_the_summaries_and_every_question_in_order(template):
    text = QuestionFactory(template=template, type=QuestionType.TEXT, order=2)
    nps_question = QuestionFactory(template=template, type=QuestionType.NPS, order=1)
    choice = QuestionFactory(template=template, type=QuestionType.SINGLE, order=3, choices="Yes\nNo")
    campaign = CampaignFactory(template=template)
    InvitationFactory(campaign=campaign)
    response = SurveyResponseFactory(campaign=campaign, nps_score=10, csat_score=None)
    AnswerFactory(response=response, question=nps_question, number=10)
    AnswerFactory(response=response, question=text, text="Great")
    AnswerFactory(response=response, question=choice, choices=["No"])
    SurveyResponseFactory(nps_score=0)  # another campaign's

    results = figures.campaign_results(campaign)

    assert results["response_rate"] == {"responses": 1, "delivered": 2, "rate_pct": 50.0}
    assert results["nps"]["nps"] == 100.0
    assert results["csat"] == {"satisfied": 0, "total": 0, "csat_pct": None}
    assert [(row["question"], row["kind"]) for row in results["questions"]] == [
        (nps_question, "scored"),
        (text, "text"),
        (choice, "choice"),
    ]
    assert results["questions"][0]["distribution"][10] == {"label": "10", "count": 1, "pct": 100.0}
    assert results["questions"][1] == {"question": text, "kind": "text", "distribution": [], "answers": ["Great"]}
    assert results["questions"][2]["distribution"] == [
        {"label": "Yes", "count": 0, "pct": 0.0},
        {"label": "No", "count": 1, "pct": 100.0},
    ]


# Cost


def test_each_figure_is_one_query(campaign_invitations):
    scores(10, 0, 8)
    figures_and_calls = [
        lambda: figures.nps(**MARCH),
        lambda: figures.csat(**MARCH),
        lambda: figures.survey_response_rate(**MARCH),
        lambda: figures.nps_by_period(start=dt.date(2025, 1, 1), end=dt.date(2026, 12, 31)),
        lambda: figures.csat_by_period(**MARCH),
        lambda: figures.response_rate_by_period(**MARCH),
        lambda: figures.nps_by_segment(**MARCH),
        lambda: figures.results_by_customer(**MARCH),
    ]
    for call in figures_and_calls:
        with CaptureQueriesContext(connection) as queries:
            call()
        assert len(queries) == 1
