"""The survey API: templates, campaigns, invitations and responses, by role, through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import ContactFactory, CustomerFactory
from feedback.choices import CampaignStatus, InvitationStatus, QuestionType
from feedback.models import Campaign, Invitation
from feedback.tests.survey_factories import (
    AnswerFactory,
    CampaignFactory,
    InvitationFactory,
    QuestionFactory,
    SurveyResponseFactory,
    SurveyTemplateFactory,
)
from qms.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
BASENAMES = ("surveytemplate", "campaign", "invitation", "surveyresponse")
READERS = ("quality", "management", "auditor", "superuser")
# The user, their permissions (2), the count and the page, plus the list's one prefetch
# (campaigns: customers; responses: answers with their questions).
LIST_QUERY_BUDGETS = {"surveytemplate": 5, "campaign": 6, "invitation": 5, "surveyresponse": 6}


@pytest.fixture
def survey():
    """A template (NPS, CSAT, choice, text), a draft campaign, and an open one with two answers."""
    template = SurveyTemplateFactory(name="Relationship survey", code="relationship")
    questions = {
        "nps": QuestionFactory(template=template, order=1, type=QuestionType.NPS, text="Recommend us?"),
        "csat": QuestionFactory(template=template, order=2, type=QuestionType.CSAT, text="Satisfied?"),
        "choice": QuestionFactory(
            template=template, order=3, type=QuestionType.MULTIPLE, text="What matters?", choices="Price\nQuality"
        ),
        "text": QuestionFactory(template=template, order=4, type=QuestionType.TEXT, text="Anything else?"),
    }
    draft = CampaignFactory(template=template, name="Spring draft", status=CampaignStatus.DRAFT)
    live = CampaignFactory(template=template, name="Winter survey")
    InvitationFactory(campaign=live)
    InvitationFactory(campaign=live, status=InvitationStatus.FAILED)
    response = SurveyResponseFactory(campaign=live, nps_score=10, csat_score=4)
    AnswerFactory(response=response, question=questions["text"], text="Quick delivery")
    AnswerFactory(response=response, question=questions["nps"], number=10)
    AnswerFactory(response=response, question=questions["choice"], choices=["Quality", "Price"])
    AnswerFactory(response=response, question=questions["csat"], number=4)
    SurveyResponseFactory(campaign=live, nps_score=3, csat_score=None)
    return {"template": template, "questions": questions, "draft": draft, "live": live, "response": response}


def list_url(basename: str) -> str:
    return reverse(f"api:{basename}-list")


def detail_url(basename: str, pk: int) -> str:
    return reverse(f"api:{basename}-detail", args=[pk])


def any_pk(basename: str, survey) -> int:
    return {
        "surveytemplate": survey["template"].pk,
        "campaign": survey["live"].pk,
        "invitation": survey["response"].invitation_id,
        "surveyresponse": survey["response"].pk,
    }[basename]


# Who may read


@pytest.mark.parametrize("basename", BASENAMES)
def test_anonymous_gets_401(api_client_for, survey, basename):
    assert api_client_for(None).get(list_url(basename)).status_code == 401
    assert api_client_for(None).get(detail_url(basename, any_pk(basename, survey))).status_code == 401


@pytest.mark.parametrize("basename", BASENAMES)
def test_staff_get_403_on_every_survey_endpoint(api_client_for, staff, survey, basename):
    api = api_client_for(staff)
    assert api.get(list_url(basename)).status_code == 403
    assert api.get(detail_url(basename, any_pk(basename, survey))).status_code == 403


@pytest.mark.parametrize("basename", BASENAMES)
@pytest.mark.parametrize("role", READERS)
def test_readers_list_and_read(api_client_for, survey, basename, role, request):
    api = api_client_for(request.getfixturevalue(role))
    listed = api.get(list_url(basename))
    assert listed.status_code == 200
    assert listed.json()["count"] >= 1
    assert api.get(detail_url(basename, any_pk(basename, survey))).status_code == 200


def test_template_detail_lists_its_questions_in_order(api_client_for, management, survey):
    body = api_client_for(management).get(detail_url("surveytemplate", survey["template"].pk)).json()
    assert (body["code"], body["version"], body["current"]) == ("relationship", 1, True)
    assert [(q["order"], q["type"], q["text"]) for q in body["questions"]] == [
        (1, "nps", "Recommend us?"),
        (2, "csat", "Satisfied?"),
        (3, "multiple", "What matters?"),
        (4, "text", "Anything else?"),
    ]
    assert body["questions"][0]["scale"] == list(range(11))
    assert body["questions"][2]["choices"] == ["Price", "Quality"]
    assert "questions" not in api_client_for(management).get(list_url("surveytemplate")).json()["results"][0]


def test_campaign_detail_has_progress_and_results(api_client_for, auditor, survey):
    body = api_client_for(auditor).get(detail_url("campaign", survey["live"].pk)).json()
    assert (body["name"], body["status"], body["template_name"]) == ("Winter survey", "open", "Relationship survey")
    assert body["progress"] == {
        "total": 4,
        "sent": 4,
        "failed": 1,
        "responded": 2,
        "opted_out": 0,
        "pending": 0,
        "percent": 100,
    }
    assert body["results"] == {
        "response_rate": {"responses": 2, "delivered": 3, "rate_pct": 66.7},
        "nps": {"promoters": 1, "passives": 0, "detractors": 1, "total": 2, "nps": 0.0},
        "csat": {"satisfied": 1, "total": 1, "csat_pct": 100.0},
    }


def test_campaign_list_filters_by_status(api_client_for, quality, survey):
    response = api_client_for(quality).get(list_url("campaign"), {"status": "draft"})
    assert [row["name"] for row in response.json()["results"]] == ["Spring draft"]


def test_response_lists_its_answers_in_question_order(api_client_for, quality, survey):
    body = api_client_for(quality).get(detail_url("surveyresponse", survey["response"].pk)).json()
    questions = survey["questions"]
    assert body["answers"] == [
        {"question": questions["nps"].pk, "type": "nps", "text": "Recommend us?", "value": 10},
        {"question": questions["csat"].pk, "type": "csat", "text": "Satisfied?", "value": 4},
        {
            "question": questions["choice"].pk,
            "type": "multiple",
            "text": "What matters?",
            "value": ["Quality", "Price"],
        },
        {"question": questions["text"].pk, "type": "text", "text": "Anything else?", "value": "Quick delivery"},
    ]
    assert (body["nps_score"], body["csat_score"], body["campaign"]) == (10, 4, survey["live"].pk)


def test_responses_filter_by_campaign_and_segment(api_client_for, quality, survey):
    SurveyResponseFactory(customer=CustomerFactory(segment="public"))
    api = api_client_for(quality)
    assert api.get(list_url("surveyresponse"), {"campaign": survey["live"].pk}).json()["count"] == 2
    assert api.get(list_url("surveyresponse"), {"segment": "public"}).json()["count"] == 1


def test_the_invitation_token_is_never_in_any_payload(api_client_for, quality, survey):
    api = api_client_for(quality)
    tokens = list(Invitation.objects.values_list("token", flat=True))
    payloads = [api.get(list_url("invitation")).content]
    payloads += [
        api.get(detail_url("invitation", pk)).content for pk in Invitation.objects.values_list("pk", flat=True)
    ]
    payloads += [api.get(list_url("surveyresponse")).content, api.get(list_url("campaign")).content]
    payloads.append(api.get(detail_url("campaign", survey["live"].pk)).content)
    for payload in payloads:
        assert b'"token"' not in payload
        assert not any(token.encode() in payload for token in tokens)


def test_invitations_filter_by_campaign_and_status(api_client_for, quality, survey):
    api = api_client_for(quality)
    rows = api.get(list_url("invitation"), {"campaign": survey["live"].pk, "status": "failed"}).json()["results"]
    assert [row["status"] for row in rows] == ["failed"]


@pytest.mark.parametrize("basename", BASENAMES)
def test_list_queries_are_few_and_do_not_grow_with_the_page(api_client_for, quality, survey, basename):
    def fresh_client():
        # A fresh user object each time: permissions and roles are cached on it per request.
        return api_client_for(get_user_model().objects.get(pk=quality.pk))

    # Measured as a running process settles: the first list view reads the table estimates each process reads
    # once a minute (PostgreSQL).
    assert fresh_client().get(list_url(basename)).status_code == 200
    with CaptureQueriesContext(connection) as few:
        assert fresh_client().get(list_url(basename)).status_code == 200
    for _ in range(5):
        template = SurveyTemplateFactory()
        question = QuestionFactory(template=template)
        campaign = CampaignFactory(template=template, customers=[CustomerFactory()])
        response = SurveyResponseFactory(campaign=campaign, nps_score=9)
        AnswerFactory(response=response, question=question, number=9)
        AnswerFactory(response=response, question=QuestionFactory(template=template, type=QuestionType.TEXT))
    with CaptureQueriesContext(connection) as many:
        response = fresh_client().get(list_url(basename))
    assert response.json()["count"] >= 5
    assert len(few) == len(many) <= LIST_QUERY_BUDGETS[basename]


def test_campaign_detail_reads_progress_and_each_figure_once(api_client_for, quality, survey):
    api = api_client_for(get_user_model().objects.get(pk=quality.pk))
    with CaptureQueriesContext(connection) as queries:
        assert api.get(detail_url("campaign", survey["live"].pk)).status_code == 200
    # Permissions and roles (1), the campaign, its customers, progress, response rate, NPS, CSAT.
    assert len(queries) == 7


# Writing


def new_campaign(survey, **overrides) -> dict:
    now = timezone.now()
    return {
        "name": "Summer survey",
        "template": survey["template"].pk,
        "segments": ["sme"],
        "opens_at": now.isoformat(),
        "closes_at": (now + dt.timedelta(days=14)).isoformat(),
        **overrides,
    }


def test_quality_manager_creates_a_draft_campaign_with_one_audit_entry(api_client_for, quality, survey):
    response = api_client_for(quality).post(list_url("campaign"), new_campaign(survey), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    campaign = Campaign.objects.get(pk=body["id"])
    assert (body["status"], body["segments"], body["created_by"]) == ("draft", ["sme"], "quality")
    assert body["progress"]["total"] == 0
    assert campaign.template == survey["template"]
    [entry] = AuditEntry.objects.for_object(campaign)
    assert (entry.action, entry.source) == ("create", "api")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"segments": ["galactic"]}, "segments"),
        ({"closes_at": "2020-01-01T00:00:00Z"}, "closes_at"),
        ({"name": ""}, "name"),
        ({"template": None}, "template"),
    ],
)
def test_a_bad_campaign_is_400_naming_the_field(api_client_for, quality, survey, overrides, field):
    response = api_client_for(quality).post(list_url("campaign"), new_campaign(survey, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_quality_manager_changes_a_draft(api_client_for, quality, survey):
    url = detail_url("campaign", survey["draft"].pk)
    response = api_client_for(quality).patch(url, {"name": "Spring survey", "reminder_max": 1}, format="json")
    assert response.status_code == 200, response.json()
    survey["draft"].refresh_from_db()
    assert (survey["draft"].name, survey["draft"].reminder_max) == ("Spring survey", 1)


def test_a_sent_campaign_refuses_a_new_audience_with_400(api_client_for, quality, survey):
    url = detail_url("campaign", survey["live"].pk)
    response = api_client_for(quality).patch(url, {"segments": ["public"]}, format="json")
    assert response.status_code == 400
    assert "segments" in response.json()["errors"]


def test_quality_manager_sends_a_draft(api_client_for, quality, survey):
    customer = CustomerFactory(segment="sme")
    ContactFactory.create_batch(2, customer=customer)
    campaign = survey["draft"]
    campaign.segments = ["sme"]
    campaign.save()
    response = api_client_for(quality).post(reverse("api:campaign-send", args=[campaign.pk]))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "sending"
    assert body["progress"]["total"] == 2
    assert Invitation.objects.filter(campaign=campaign).count() == 2


def test_sending_a_campaign_twice_is_400_naming_status(api_client_for, quality, survey):
    response = api_client_for(quality).post(reverse("api:campaign-send", args=[survey["live"].pk]))
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_quality_manager_closes_a_live_campaign(api_client_for, quality, survey):
    response = api_client_for(quality).post(reverse("api:campaign-close", args=[survey["live"].pk]))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "closed"
    assert not Invitation.objects.filter(campaign=survey["live"], status=InvitationStatus.SENT).exists()


def test_closing_a_draft_is_400_naming_status(api_client_for, quality, survey):
    response = api_client_for(quality).post(reverse("api:campaign-close", args=[survey["draft"].pk]))
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_campaigns_are_never_deleted(api_client_for, quality, survey):
    assert api_client_for(quality).delete(detail_url("campaign", survey["draft"].pk)).status_code == 405
    assert Campaign.objects.filter(pk=survey["draft"].pk).exists()


@pytest.mark.parametrize("action", ["send", "close"])
def test_top_management_may_not_send_or_close(api_client_for, management, survey, action):
    campaign = survey["draft"] if action == "send" else survey["live"]
    assert api_client_for(management).post(reverse(f"api:campaign-{action}", args=[campaign.pk])).status_code == 403
    assert api_client_for(management).post(list_url("campaign"), new_campaign(survey), format="json").status_code == 403


@pytest.mark.parametrize(
    ("method", "basename", "kind"),
    [
        ("post", "campaign", "list"),
        ("patch", "campaign", "detail"),
        ("put", "campaign", "detail"),
        ("delete", "campaign", "detail"),
        ("post", "campaign", "send"),
        ("post", "campaign", "close"),
        *[
            (method, basename, kind)
            for basename in BASENAMES
            if basename != "campaign"
            for method, kind in [
                ("post", "list"),
                ("patch", "detail"),
                ("put", "detail"),
                ("delete", "detail"),
            ]
        ],
    ],
)
def test_auditor_gets_403_on_every_unsafe_method(api_client_for, auditor, survey, method, basename, kind):
    pk = survey["draft"].pk if basename == "campaign" and kind == "send" else any_pk(basename, survey)
    url = list_url(basename) if kind == "list" else reverse(f"api:{basename}-{kind}", args=[pk])
    before = (Campaign.objects.count(), Invitation.objects.count())
    response = getattr(api_client_for(auditor), method)(url, {"name": "Changed"}, format="json")
    assert response.status_code == 403
    assert (Campaign.objects.count(), Invitation.objects.count()) == before
    assert set(Campaign.objects.values_list("status", flat=True)) == {"draft", "open"}


@pytest.mark.parametrize("basename", ["surveytemplate", "invitation", "surveyresponse"])
def test_read_only_endpoints_refuse_writes_even_to_quality_managers(api_client_for, quality, survey, basename):
    api = api_client_for(quality)
    assert api.post(list_url(basename), {}, format="json").status_code == 405
    assert api.delete(detail_url(basename, any_pk(basename, survey))).status_code == 405


# The schema


def test_schema_documents_the_survey_endpoints(api_schema):
    paths = api_schema["paths"]
    assert set(paths["/api/v1/campaigns/"]) == {"get", "post"}
    assert set(paths["/api/v1/campaigns/{id}/"]) == {"get", "patch"}
    assert set(paths["/api/v1/campaigns/{id}/send/"]) == {"post"}
    assert set(paths["/api/v1/campaigns/{id}/close/"]) == {"post"}
    for path in ("/api/v1/survey-templates/", "/api/v1/invitations/", "/api/v1/responses/"):
        assert set(paths[path]) == {"get"}
        assert set(paths[path.rstrip("/") + "/{id}/"]) == {"get"}
    assert "token" not in api_schema["components"]["schemas"]["Invitation"]["properties"]
    names = {parameter["name"] for parameter in paths["/api/v1/responses/"]["get"]["parameters"]}
    assert {"campaign", "segment", "customer", "submitted_after", "submitted_before", "ordering", "page"} <= names


@pytest.fixture(scope="module")
def api_schema(django_db_blocker):
    import io

    import yaml
    from django.core.management import call_command

    out = io.StringIO()
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return yaml.safe_load(out.getvalue())
