"""Hostile input: schemathesis generates requests for every operation of ``/api/v1/`` from the OpenAPI
schema and sends them as each role and as nobody.

Every answer must be below 500, have a status the schema documents for the operation (``qms.core.schema``
adds the error answers) and match the schema; an anonymous call must be refused (401/403), as documented.
Detail routes are pointed at a small world of real records made once for the module, so reads, changes and
transitions reach the services rather than stopping at 404.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import schemathesis
from django.db import transaction
from django.test import override_settings
from django.test.client import ClientHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

ROLES = ["quality", "management", "staff", "auditor"]
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Per operation and role; the whole module must stay within a few minutes on two cores.
MAX_EXAMPLES = 6
# The token exchange is the one operation that answers the anonymous.
PUBLIC_OPERATIONS = {"POST /api/v1/auth/token/"}


def _openapi_document() -> dict:
    """The schema as ``/api/schema/`` serves it, built by drf-spectacular without a request."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document, renderer_context={}))


CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        # Only the bounded, generated phase: the coverage phase's case count grows with the schema.
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": False},
            "stateful": {"enabled": False},
            "fuzzing": {"enabled": True},
        },
    }
)
schema = schemathesis.openapi.from_dict(_openapi_document(), config=CONFIG).include(path_regex=r"^/api/v1/")

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def django_app(environ, start_response):
    """The project as a WSGI application that behaves like Django's test client: the request stays in
    the test's transaction (no connection is closed at the end of a request) and CSRF is not enforced."""
    response = ClientHandler(enforce_csrf_checks=False)(environ)
    headers = [*response.items(), *(("Set-Cookie", cookie.output(header="")) for cookie in response.cookies.values())]
    start_response(f"{response.status_code} {response.reason_phrase}", headers)
    if response.streaming:
        return [b"".join(response.streaming_content)]
    return [response.content]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Users of every role with their tokens and one or two records of every register, made once for the
    module inside a transaction that is rolled back at its end (each test runs in a savepoint of it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            ids, tokens = _build_world()
        yield {"ids": ids, "tokens": tokens}
        transaction.set_rollback(True)


def _build_world():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from customers.tests.factories import ContactFactory, CustomerFactory
    from feedback.tests.factories import CategoryFactory, FeedbackItemFactory
    from feedback.tests.survey_factories import (
        CampaignFactory,
        InvitationFactory,
        QuestionFactory,
        SurveyResponseFactory,
        SurveyTemplateFactory,
    )
    from qms.accounts.roles import AUDITOR, QUALITY_MANAGER, STAFF, TOP_MANAGEMENT, sync_role_groups
    from qms.actions.tests.factories import ActionFactory
    from qms.evidence.models import EvidenceExport
    from qms.kpis.tests.factories import KpiFactory, KpiValueFactory, ObjectiveFactory, ObjectiveKpiFactory
    from qms.reviews.models import Summary
    from qms.reviews.tests.factories import ReviewFactory
    from requirements.models import Acknowledgement
    from requirements.tests.factories import EvaluationFactory, InterestedPartyFactory, RequirementFactory
    from risks.services import active_matrix
    from risks.tests.factories import RiskEntryFactory

    sync_role_groups(Group, Permission)
    users = {}
    for role, group in zip(ROLES, (QUALITY_MANAGER, TOP_MANAGEMENT, STAFF, AUDITOR), strict=True):
        user = get_user_model().objects.create_user(
            username=f"fuzz-{role}", password=f"pw-fuzz-{role}", email=f"fuzz-{role}@example.com"
        )
        user.groups.add(Group.objects.get(name=group))
        users[role] = user
    tokens = {role: Token.objects.create(user=user).key for role, user in users.items()}
    quality, management, staff = users["quality"], users["management"], users["staff"]

    customer = CustomerFactory(account_owner=staff)
    contact = ContactFactory(customer=customer)
    party = InterestedPartyFactory()
    requirement = RequirementFactory(customer=customer, owner=staff)
    acknowledgement = Acknowledgement.objects.create(
        requirement=requirement, user=staff, version=requirement.version, acknowledged_at=timezone.now()
    )
    evaluation = EvaluationFactory(requirement=requirement, evaluator=quality)
    category = CategoryFactory()
    complaint = FeedbackItemFactory(customer=customer, category=category, logged_by=staff, assignee=staff)
    template = SurveyTemplateFactory()
    QuestionFactory(template=template)
    campaign = CampaignFactory(template=template, customers=[customer])
    invitation = InvitationFactory(campaign=campaign, customer=customer)
    response = SurveyResponseFactory(campaign=campaign, customer=customer, invitation=invitation)
    matrix = active_matrix()
    risk = RiskEntryFactory(owner=staff)
    action = ActionFactory(owner=staff, source=complaint)
    kpi = KpiFactory(owner=staff)
    KpiValueFactory(kpi=kpi)
    objective = ObjectiveFactory(owner=quality)
    ObjectiveKpiFactory(objective=objective, kpi=kpi)
    review = ReviewFactory(chair=management)
    today = timezone.localdate()
    summary = Summary.objects.create(
        kind="monthly",
        period_start=today.replace(day=1) - dt.timedelta(days=31),
        period_end=today.replace(day=1) - dt.timedelta(days=1),
        title="Monthly summary",
        content={"sections": []},
        html="<p>Nothing to report.</p>",
        pdf=b"%PDF-1.4\n%%EOF\n",
        compiled_at=timezone.now(),
    )
    export = EvidenceExport.objects.create(
        created_by=quality,
        created_at=timezone.now(),
        period_start=today - dt.timedelta(days=30),
        period_end=today,
        clauses=["5.1.2"],
    )
    ids = {
        "customers": customer.pk,
        "contacts": contact.pk,
        "interested-parties": party.pk,
        "requirements": requirement.pk,
        "acknowledgements": acknowledgement.pk,
        "evaluations": evaluation.pk,
        "feedback": complaint.pk,
        "feedback-categories": category.pk,
        "survey-templates": template.pk,
        "campaigns": campaign.pk,
        "invitations": invitation.pk,
        "responses": response.pk,
        "risk-matrix": matrix.pk,
        "risks": risk.pk,
        "actions": action.pk,
        "kpis": kpi.pk,
        "objectives": objective.pk,
        "reviews": review.pk,
        "summaries": summary.pk,
        "evidence-exports": export.pk,
    }
    return ids, tokens


def _aim_at_world(case, world) -> None:
    """Point ``{id}`` at the register's real record (a random id would only ever answer 404)."""
    if case.path_parameters and "id" in case.path_parameters:
        resource = case.path.removeprefix("/api/v1/").split("/", 1)[0]
        case.path_parameters = {**case.path_parameters, "id": world["ids"][resource]}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_error_and_answers_are_documented(case, role, world, db):
    _aim_at_world(case, world)
    case.call_and_validate(app=django_app, headers={"Authorization": f"Token {world['tokens'][role]}"}, checks=CHECKS)


@schema.parametrize()
# Refusal does not depend on the input: a couple of requests per operation show it.
@settings(FUZZ_SETTINGS, max_examples=2)
def test_anonymous_calls_are_refused(case, world, db):
    _aim_at_world(case, world)
    response = case.call(app=django_app)
    if case.operation.label in PUBLIC_OPERATIONS:
        assert response.status_code < 500
    else:
        assert response.status_code in (401, 403), (case.operation.label, response.status_code, response.text)
    case.validate_response(response, checks=CHECKS)
