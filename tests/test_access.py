"""Who may open what: every URL pattern of the portal, for every role.

The table must name every URL pattern; a new page or endpoint without a rule fails
``test_every_url_pattern_has_an_access_rule``, so nothing is added open by accident.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from customers.tests.factories import ContactFactory

ROLES = ("anon", "quality", "management", "staff", "auditor", "admin")

ALL = dict.fromkeys(ROLES, 200)
SIGNED_IN = {**ALL, "anon": 302}
REGISTER_WRITE = {"anon": 302, "quality": 200, "management": 403, "staff": 403, "auditor": 403, "admin": 200}
AUDIT_READ = {"anon": 302, "quality": 200, "management": 403, "staff": 403, "auditor": 200, "admin": 200}
API_READ = {**dict.fromkeys(ROLES, 200), "anon": 401}
EVERYONE_REDIRECTED_BUT_ANON = {**dict.fromkeys(ROLES, 302), "anon": 200}
# Feedback: staff log it and see what they logged or are assigned (the sample was logged by the quality manager).
FEEDBACK_LOG = {**REGISTER_WRITE, "staff": 200}
FEEDBACK_READ = {**SIGNED_IN, "staff": 404}
FEEDBACK_WORK = {**REGISTER_WRITE, "staff": 404}
API_FEEDBACK_READ = {**API_READ, "staff": 404}
POST_ONLY = {**dict.fromkeys(ROLES, 405), "anon": 302}
# Surveys: quality managers run them, top management and auditors read the results, staff have no access.
SURVEY_READ = {**SIGNED_IN, "staff": 403}
SURVEY_POST_ONLY = {**REGISTER_WRITE, "quality": 405, "admin": 405}
API_SURVEY_READ = {**API_READ, "staff": 403}
API_SURVEY_POST_ONLY = {**dict.fromkeys(ROLES, 405), "anon": 401, "staff": 403}
API_POST_ONLY = {**dict.fromkeys(ROLES, 405), "anon": 401}
# Acknowledging is a POST; those who may not acknowledge are refused before the method is looked at.
POST_ONLY_ACKNOWLEDGE = {"anon": 302, "quality": 405, "management": 403, "staff": 405, "auditor": 403, "admin": 405}

# url name -> expected GET status per role
GET_RULES: dict[str, dict[str, int]] = {
    "home": SIGNED_IN,
    "healthz": ALL,
    "lookup": SIGNED_IN,  # /lookup/customers/: every role may view customers
    "accounts:login": EVERYONE_REDIRECTED_BUT_ANON,
    "accounts:logout": dict.fromkeys(ROLES, 405),  # sign-out is a POST
    "accounts:password_change": SIGNED_IN,
    "accounts:password_change_done": SIGNED_IN,
    "accounts:password_reset": ALL,
    "accounts:password_reset_done": ALL,
    "accounts:password_reset_confirm": ALL,  # shows "link invalid" for a bad token
    "accounts:password_reset_complete": ALL,
    "customers:customer_list": SIGNED_IN,
    "customers:customer_detail": SIGNED_IN,
    "customers:customer_create": REGISTER_WRITE,
    "customers:customer_update": REGISTER_WRITE,
    "customers:customer_delete": REGISTER_WRITE,
    "customers:customer_import": REGISTER_WRITE,
    "customers:contact_create": REGISTER_WRITE,
    "customers:contact_update": REGISTER_WRITE,
    "customers:contact_delete": REGISTER_WRITE,
    "requirements:requirement_list": SIGNED_IN,
    "requirements:requirement_detail": SIGNED_IN,
    "requirements:requirement_create": REGISTER_WRITE,
    "requirements:requirement_import": REGISTER_WRITE,
    "requirements:requirement_update": REGISTER_WRITE,
    "requirements:requirement_delete": REGISTER_WRITE,  # the sample is a draft, so it may be deleted
    "requirements:requirement_acknowledge": POST_ONLY_ACKNOWLEDGE,
    "requirements:acknowledgement_overview": SIGNED_IN,
    "requirements:assignment_create": REGISTER_WRITE,
    "requirements:assignment_delete": REGISTER_WRITE,
    "requirements:evaluation_create": REGISTER_WRITE,
    "requirements:attachment_create": REGISTER_WRITE,
    "requirements:attachment_download": SIGNED_IN,
    "requirements:attachment_delete": REGISTER_WRITE,
    "requirements:party_list": SIGNED_IN,
    "requirements:party_detail": SIGNED_IN,
    "requirements:party_create": REGISTER_WRITE,
    "requirements:party_update": REGISTER_WRITE,
    "requirements:party_delete": REGISTER_WRITE,
    "requirements:issue_list": SIGNED_IN,
    "requirements:issue_detail": SIGNED_IN,
    "requirements:issue_create": REGISTER_WRITE,
    "requirements:issue_update": REGISTER_WRITE,
    "requirements:issue_delete": REGISTER_WRITE,
    "audit:entry_list": AUDIT_READ,
    "audit:entry_detail": AUDIT_READ,
    # A record's history follows the record's own rules (the sample is a feedback item).
    "audit:record_history": FEEDBACK_READ,
    "api:auth_token": dict.fromkeys(ROLES, 405),  # POST only
    "api:customer-list": API_READ,
    "api:customer-detail": API_READ,
    "api:contact-list": API_READ,
    "api:contact-detail": API_READ,
    "api:interestedparty-list": API_READ,
    "api:interestedparty-detail": API_READ,
    "api:requirement-list": API_READ,
    "api:requirement-detail": API_READ,
    "api:acknowledgement-list": API_READ,
    "api:acknowledgement-detail": API_READ,
    "api:evaluation-list": API_READ,
    "api:evaluation-detail": API_READ,
    "actions:action_list": SIGNED_IN,
    "actions:my_actions": SIGNED_IN,
    "actions:action_detail": SIGNED_IN,
    "actions:action_create": REGISTER_WRITE,
    "actions:action_update": REGISTER_WRITE,
    "actions:action_transition": POST_ONLY,
    "api:action-list": API_READ,
    "api:action-detail": API_READ,
    "api:action-transition": API_POST_ONLY,
    "feedback:item_list": SIGNED_IN,
    "feedback:item_create": FEEDBACK_LOG,
    "feedback:item_detail": FEEDBACK_READ,
    "feedback:item_update": FEEDBACK_WORK,
    "feedback:item_transition": POST_ONLY,
    "feedback:attachment_create": FEEDBACK_WORK,
    "feedback:attachment_download": FEEDBACK_READ,
    "feedback:attachment_delete": REGISTER_WRITE,
    "feedback:category_list": SIGNED_IN,
    "feedback:category_create": REGISTER_WRITE,
    "feedback:category_update": REGISTER_WRITE,
    "feedback:category_delete": REGISTER_WRITE,
    "feedback:sla_settings": SIGNED_IN,
    "feedback:holiday_delete": REGISTER_WRITE,
    "feedback_public:submit": ALL,
    "feedback_public:thanks": dict.fromkeys(ROLES, 302),  # only right after a submission
    "feedback_public:status": ALL,
    "feedback_public:status_token": ALL,
    "api:feedbackitem-list": API_READ,
    "api:feedbackitem-detail": API_FEEDBACK_READ,
    "api:feedbackitem-transition": API_POST_ONLY,
    "api:feedbackcategory-list": API_READ,
    "feedback:template_list": SURVEY_READ,
    "feedback:template_detail": SURVEY_READ,
    "feedback:template_create": REGISTER_WRITE,
    "feedback:template_update": REGISTER_WRITE,
    "feedback:template_new_version": SURVEY_POST_ONLY,
    "feedback:question_create": REGISTER_WRITE,
    "feedback:question_update": REGISTER_WRITE,
    "feedback:question_delete": REGISTER_WRITE,
    "feedback:question_move": SURVEY_POST_ONLY,
    "feedback:campaign_list": SURVEY_READ,
    "feedback:campaign_detail": SURVEY_READ,
    "feedback:campaign_create": REGISTER_WRITE,
    "feedback:campaign_update": REGISTER_WRITE,
    "feedback:campaign_send": REGISTER_WRITE,  # a confirmation page; the sample is a draft
    "feedback:campaign_close": REGISTER_WRITE,  # a confirmation page; the sample is open
    "feedback:campaign_progress": SURVEY_READ,
    "feedback:campaign_responses_export": SURVEY_READ,
    "feedback:survey_results": SURVEY_READ,
    "feedback:survey_settings": SURVEY_READ,
    "survey_public:respond": ALL,
    "survey_public:thanks": dict.fromkeys(ROLES, 302),  # only after answering
    "survey_public:opt_out": ALL,
    "api:surveytemplate-list": API_SURVEY_READ,
    "api:surveytemplate-detail": API_SURVEY_READ,
    "api:campaign-list": API_SURVEY_READ,
    "api:campaign-detail": API_SURVEY_READ,
    "api:campaign-send": API_SURVEY_POST_ONLY,
    "api:campaign-close": API_SURVEY_POST_ONLY,
    "api:invitation-list": API_SURVEY_READ,
    "api:invitation-detail": API_SURVEY_READ,
    "api:surveyresponse-list": API_SURVEY_READ,
    "api:surveyresponse-detail": API_SURVEY_READ,
    "risks:entry_list": SIGNED_IN,
    "risks:entry_detail": SIGNED_IN,
    "risks:entry_create": FEEDBACK_LOG,  # staff propose entries
    "risks:entry_update": REGISTER_WRITE,  # owners too; the sample is not the staff persona's
    "risks:entry_assess": POST_ONLY,
    "risks:entry_step": POST_ONLY,
    "risks:treatment_action_create": REGISTER_WRITE,
    "risks:heat_map": SIGNED_IN,
    "risks:matrix_detail": SIGNED_IN,
    "risks:matrix_edit": REGISTER_WRITE,
    "risks:category_list": SIGNED_IN,
    "risks:category_create": REGISTER_WRITE,
    "risks:category_update": REGISTER_WRITE,
    "risks:category_delete": REGISTER_WRITE,
    "api:riskentry-list": API_READ,
    "api:riskentry-detail": API_READ,
    "api:riskentry-assess": API_POST_ONLY,
    "api:riskentry-step": API_POST_ONLY,
    "api:riskmatrix-list": API_READ,
    "api:riskmatrix-detail": API_READ,
    # KPIs: quality managers define them; owners enter values (the sample KPI is owned by none of the personas).
    "kpis:kpi_list": SIGNED_IN,
    "kpis:kpi_create": REGISTER_WRITE,
    "kpis:kpi_detail": SIGNED_IN,
    "kpis:kpi_update": REGISTER_WRITE,
    "kpis:kpi_delete": REGISTER_WRITE,
    "kpis:value_enter": REGISTER_WRITE,
    "kpis:value_delete": REGISTER_WRITE,
    "kpis:value_import": REGISTER_WRITE,
    "kpis:order_list": SIGNED_IN,
    "kpis:objective_list": SIGNED_IN,
    "kpis:objective_create": REGISTER_WRITE,
    "kpis:objective_detail": SIGNED_IN,
    "kpis:objective_update": REGISTER_WRITE,
    "kpis:objective_delete": REGISTER_WRITE,
    "api:kpi-list": API_READ,
    "api:kpi-detail": API_READ,
    "api:kpi-values": API_READ,
    "api:objective-list": API_READ,
    "api:objective-detail": API_READ,
    # Dashboards count every record: not for staff, who see only their own.
    "api:dashboard": API_SURVEY_READ,
    "kpis:dashboard": SURVEY_READ,
    "kpis:dashboard_pdf": SURVEY_READ,
    "kpis:quality_dashboard": REGISTER_WRITE,  # the quality manager's work queues
    "kpis:dashboard_refresh": POST_ONLY,
    # Management reviews: quality managers plan and prepare; only the chair approves (the sample is planned,
    # chaired by the management persona, so the chair is sent back to the review: not held yet). The inputs
    # count every complaint and answer, so staff, who see only their own records, do not read reviews.
    "reviews:review_list": SURVEY_READ,
    "reviews:review_create": REGISTER_WRITE,
    "reviews:review_detail": SURVEY_READ,
    "reviews:review_update": REGISTER_WRITE,
    "reviews:review_prepare": REGISTER_WRITE,  # a confirmation page
    "reviews:review_hold": REGISTER_WRITE,
    "reviews:output_create": REGISTER_WRITE,
    "reviews:review_approve": {**REGISTER_WRITE, "quality": 403, "management": 302, "admin": 403},
    "api:review-list": API_SURVEY_READ,
    "api:review-detail": API_SURVEY_READ,
    "api:review-prepare": API_SURVEY_POST_ONLY,
    "api:review-approve": API_SURVEY_POST_ONLY,
    # Scheduled summaries: read like the reviews; only quality managers change when they are sent.
    "reviews:summary_list": SURVEY_READ,
    "reviews:summary_schedule": REGISTER_WRITE,
    "reviews:summary_detail": SURVEY_READ,
    "reviews:summary_pdf": SURVEY_READ,
    "api:summary-list": API_SURVEY_READ,
    "api:summary-detail": API_SURVEY_READ,
    "api:summary-pdf": API_SURVEY_READ,
    # Evidence packs: auditors and quality managers make them (the sample is the logger's, still queued).
    "evidence:export_list": AUDIT_READ,
    "evidence:export_detail": AUDIT_READ,
    "evidence:export_progress": AUDIT_READ,
    "evidence:export_download": {**AUDIT_READ, "quality": 404, "auditor": 404, "admin": 404},  # not built yet
    "api:evidenceexport-list": {**API_READ, "management": 403, "staff": 403},
    "api:evidenceexport-detail": {**API_READ, "management": 403, "staff": 403},
    "api:evidenceexport-download": {
        **API_READ,
        "quality": 404,
        "management": 403,
        "staff": 403,
        "auditor": 404,
        "admin": 404,
    },
    "api-schema": API_READ,
    "api-docs": API_READ,
    "api-redoc": API_READ,
}
# The admin is for administrators; others are sent to its login page.
ADMIN_RULE = {**dict.fromkeys(ROLES, 302), "admin": 200}
ADMIN_SAMPLES = [
    "admin:index",
    "admin:customers_customer_changelist",
    "admin:audit_auditentry_changelist",
    "admin:accounts_user_changelist",
]


def _named_patterns(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _named_patterns(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}"


def test_every_url_pattern_has_an_access_rule():
    names = set(_named_patterns(get_resolver().url_patterns))
    missing = sorted(name for name in names if not name.startswith("admin:") and name not in GET_RULES)
    assert not missing, f"Add these URL names to the access table in {__file__}: {missing}"
    stale = sorted(set(GET_RULES) - names)
    assert not stale, f"The access table names URLs that no longer exist: {stale}"


@pytest.fixture
def url_kwargs(db, settings, tmp_path, management):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from qms.accounts.roles import STAFF
    from qms.actions.tests.factories import ActionFactory
    from qms.audit.models import AuditEntry
    from requirements.models import Acknowledgement, Assignment, Attachment, ContextIssue
    from requirements.tests.factories import EvaluationFactory, InterestedPartyFactory, RequirementFactory

    settings.MEDIA_ROOT = tmp_path
    contact = ContactFactory()
    entry = AuditEntry.objects.order_by("seq").first()
    requirement = RequirementFactory(status="draft")
    evaluation = EvaluationFactory(requirement=requirement)
    action = ActionFactory()
    assignment = Assignment.objects.create(requirement=requirement, group=Group.objects.get_or_create(name=STAFF)[0])
    attachment = Attachment(
        requirement=requirement, kind="other", original_name="clause.txt", size=5, uploaded_by=requirement.owner
    )
    attachment.file.save("clause.txt", ContentFile(b"text."), save=True)
    acknowledgement = Acknowledgement.objects.create(
        requirement=requirement, user=requirement.owner, version=1, acknowledged_at=timezone.now()
    )
    from feedback import services as feedback_services
    from feedback.models import Attachment as FeedbackAttachment
    from feedback.models import Holiday
    from feedback.tests.factories import CategoryFactory
    from qms.accounts.roles import QUALITY_MANAGER

    quality = get_user_model().objects.create_user("logger", email="logger@example.com")
    quality.groups.add(Group.objects.get(name=QUALITY_MANAGER))
    item = feedback_services.feedback_log(actor=quality, data={"summary": "Late", "description": "Late again."})
    feedback_attachment = FeedbackAttachment(item=item, original_name="photo.txt", size=5, uploaded_by=quality)
    feedback_attachment.file.save("photo.txt", ContentFile(b"photo"), save=True)
    from feedback.tests.survey_factories import (
        CampaignFactory,
        InvitationFactory,
        QuestionFactory,
        SurveyResponseFactory,
    )

    question = QuestionFactory()
    draft_campaign = CampaignFactory(template=question.template, status="draft")
    open_campaign = CampaignFactory(template=question.template)
    invitation = InvitationFactory(campaign=open_campaign)
    survey_response = SurveyResponseFactory(campaign=open_campaign)
    from risks.services import active_matrix
    from risks.tests.factories import RiskCategoryFactory, RiskEntryFactory

    matrix = active_matrix()
    from qms.evidence.models import EvidenceExport
    from qms.kpis.tests.factories import KpiFactory, KpiValueFactory, ObjectiveFactory
    from qms.reviews.tests.factories import ReviewFactory

    evidence_export = EvidenceExport.objects.create(
        created_by=quality, created_at=timezone.now(), period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 6, 30)
    )
    kpi = KpiFactory()
    kpi_value = KpiValueFactory(kpi=kpi)
    from qms.reviews.models import Summary

    summary = Summary.objects.create(
        kind="weekly",
        period_start=dt.date(2026, 11, 23),
        period_end=dt.date(2026, 11, 29),
        title="Top-management digest, week 48 of 2026",
        html="<p>digest</p>",
        pdf=b"%PDF-1.7 sample",
        compiled_at=timezone.now(),
    )
    return {
        "summary_pk": summary.pk,
        "review_pk": ReviewFactory(chair=management).pk,
        "evidence_export_pk": evidence_export.pk,
        "kpi_pk": kpi.pk,
        "kpi_value_pk": kpi_value.pk,
        "objective_pk": ObjectiveFactory().pk,
        "risk_pk": RiskEntryFactory().pk,
        "risk_category_pk": RiskCategoryFactory().pk,
        "matrix_pk": matrix.pk,
        "template_pk": question.template_id,
        "question_pk": question.pk,
        "campaign_pk": draft_campaign.pk,
        "open_campaign_pk": open_campaign.pk,
        "invitation_pk": invitation.pk,
        "invitation_token": invitation.token,
        "survey_response_pk": survey_response.pk,
        "feedback_pk": item.pk,
        "feedback_token": item.public_token,
        "feedback_attachment_pk": feedback_attachment.pk,
        "category_pk": CategoryFactory().pk,
        "holiday_pk": Holiday.objects.create(date=dt.date(2030, 12, 25), name="Christmas").pk,
        "pk": contact.customer_id,
        "contact_pk": contact.pk,
        "uidb64": "MQ",
        "token": "invalid-token",
        "audit_pk": entry.pk,
        "requirement_pk": requirement.pk,
        "evaluation_pk": evaluation.pk,
        "action_pk": action.pk,
        "assignment_pk": assignment.pk,
        "attachment_pk": attachment.pk,
        "acknowledgement_pk": acknowledgement.pk,
        "party_pk": InterestedPartyFactory().pk,
        "issue_pk": ContextIssue.objects.create(scope="external", title="New law").pk,
    }


def _url_for(name: str, kwargs: dict) -> str:
    from django.urls import NoReverseMatch, reverse

    pattern_kwargs = {
        "audit:entry_detail": {"pk": kwargs["audit_pk"]},
        "audit:record_history": {"model_label": "feedback.feedbackitem", "object_id": kwargs["feedback_pk"]},
        "lookup": {"source": "customers"},
        "customers:contact_update": {"pk": kwargs["pk"], "contact_pk": kwargs["contact_pk"]},
        "customers:contact_delete": {"pk": kwargs["pk"], "contact_pk": kwargs["contact_pk"]},
        "accounts:password_reset_confirm": {"uidb64": kwargs["uidb64"], "token": kwargs["token"]},
        "api:contact-detail": {"pk": kwargs["contact_pk"]},
        "requirements:assignment_delete": {"pk": kwargs["requirement_pk"], "assignment_pk": kwargs["assignment_pk"]},
        "api:action-detail": {"pk": kwargs["action_pk"]},
        "feedback:attachment_download": {
            "pk": kwargs["feedback_pk"],
            "attachment_pk": kwargs["feedback_attachment_pk"],
        },
        "feedback:attachment_delete": {"pk": kwargs["feedback_pk"], "attachment_pk": kwargs["feedback_attachment_pk"]},
        "feedback_public:status_token": {"token": kwargs["feedback_token"]},
        "api:feedbackitem-detail": {"pk": kwargs["feedback_pk"]},
        "feedback:campaign_close": {"pk": kwargs["open_campaign_pk"]},
        "api:campaign-close": {"pk": kwargs["open_campaign_pk"]},
        "api:surveytemplate-detail": {"pk": kwargs["template_pk"]},
        "api:riskentry-detail": {"pk": kwargs["risk_pk"]},
        "api:riskentry-assess": {"pk": kwargs["risk_pk"]},
        "api:riskentry-step": {"pk": kwargs["risk_pk"]},
        "api:riskmatrix-detail": {"pk": kwargs["matrix_pk"]},
        "api:campaign-detail": {"pk": kwargs["campaign_pk"]},
        "api:campaign-send": {"pk": kwargs["campaign_pk"]},
        "api:invitation-detail": {"pk": kwargs["invitation_pk"]},
        "api:surveyresponse-detail": {"pk": kwargs["survey_response_pk"]},
        "api:feedbackitem-transition": {"pk": kwargs["feedback_pk"]},
        "api:action-transition": {"pk": kwargs["action_pk"]},
        "requirements:attachment_download": {"pk": kwargs["requirement_pk"], "attachment_pk": kwargs["attachment_pk"]},
        "requirements:attachment_delete": {"pk": kwargs["requirement_pk"], "attachment_pk": kwargs["attachment_pk"]},
        "api:interestedparty-detail": {"pk": kwargs["party_pk"]},
        "api:requirement-detail": {"pk": kwargs["requirement_pk"]},
        "api:evaluation-detail": {"pk": kwargs["evaluation_pk"]},
        "api:acknowledgement-detail": {"pk": kwargs["acknowledgement_pk"]},
    }
    if name in pattern_kwargs:
        return reverse(name, kwargs=pattern_kwargs[name])
    try:
        return reverse(name)
    except NoReverseMatch:
        pass
    if (
        name.startswith("evidence:export_")
        and name != "evidence:export_list"
        or name.startswith("api:evidenceexport-d")
    ):
        return reverse(name, kwargs={"pk": kwargs["evidence_export_pk"]})
    if name in ("reviews:summary_detail", "reviews:summary_pdf") or name.startswith("api:summary-"):
        return reverse(name, kwargs={"pk": kwargs["summary_pk"]})
    if name.startswith("reviews:") or name.startswith("api:review-"):
        return reverse(name, kwargs={"pk": kwargs["review_pk"]})
    if name.startswith("kpis:objective_") or name == "api:objective-detail":
        return reverse(name, kwargs={"pk": kwargs["objective_pk"]})
    if name == "kpis:value_delete":
        return reverse(name, kwargs={"pk": kwargs["kpi_value_pk"]})
    if name.startswith("kpis:") or name in ("api:kpi-detail", "api:kpi-values"):
        return reverse(name, kwargs={"pk": kwargs["kpi_pk"]})
    if name.startswith("risks:category_"):
        return reverse(name, kwargs={"pk": kwargs["risk_category_pk"]})
    if name.startswith("risks:"):
        return reverse(name, kwargs={"pk": kwargs["risk_pk"]})
    if name.startswith("survey_public:"):
        return reverse(name, kwargs={"token": kwargs["invitation_token"]})
    if name.startswith("feedback:template_") or name == "feedback:question_create":
        return reverse(name, kwargs={"pk": kwargs["template_pk"]})
    if name.startswith("feedback:question_"):
        return reverse(name, kwargs={"pk": kwargs["question_pk"]})
    if name.startswith("feedback:campaign_"):
        return reverse(name, kwargs={"pk": kwargs["campaign_pk"]})
    if name.startswith("feedback:category_"):
        return reverse(name, kwargs={"pk": kwargs["category_pk"]})
    if name == "feedback:holiday_delete":
        return reverse(name, kwargs={"pk": kwargs["holiday_pk"]})
    if name.startswith("feedback:"):
        return reverse(name, kwargs={"pk": kwargs["feedback_pk"]})
    if name.startswith("actions:"):
        return reverse(name, kwargs={"pk": kwargs["action_pk"]})
    if name.startswith("requirements:party_"):
        return reverse(name, kwargs={"pk": kwargs["party_pk"]})
    if name.startswith("requirements:issue_"):
        return reverse(name, kwargs={"pk": kwargs["issue_pk"]})
    if name.startswith("requirements:"):
        return reverse(name, kwargs={"pk": kwargs["requirement_pk"]})
    return reverse(name, kwargs={"pk": kwargs["pk"]})


@pytest.mark.parametrize("name", sorted(GET_RULES))
def test_get_access_for_every_role(name, personas, url_kwargs, client):
    url = _url_for(name, url_kwargs)
    for role in ROLES:
        client.logout()
        if role != "anon":
            client.force_login(personas[role])
        response = client.get(url)
        expected = GET_RULES[name][role]
        assert response.status_code == expected, f"{role} GET {url}: {response.status_code}, expected {expected}"


@pytest.mark.parametrize("name", ADMIN_SAMPLES)
def test_admin_is_for_administrators_only(name, personas, client):
    from django.urls import reverse

    url = reverse(name)
    for role in ROLES:
        client.logout()
        if role != "anon":
            client.force_login(personas[role])
        assert client.get(url).status_code == ADMIN_RULE[role], f"{role} GET {url}"


# Writes: (url name, method, allowed roles). Allowed roles must not get 401/403; others must.
WRITE_RULES = [
    ("customers:customer_create", "post", {"quality", "admin"}),
    ("customers:customer_update", "post", {"quality", "admin"}),
    ("customers:customer_delete", "post", {"quality", "admin"}),
    ("customers:customer_import", "post", {"quality", "admin"}),
    ("customers:contact_create", "post", {"quality", "admin"}),
    ("customers:contact_update", "post", {"quality", "admin"}),
    ("customers:contact_delete", "post", {"quality", "admin"}),
    ("api:customer-list", "post", {"quality", "admin"}),
    ("api:customer-detail", "patch", {"quality", "admin"}),
    ("api:customer-detail", "delete", {"quality", "admin"}),
    ("api:contact-list", "post", {"quality", "admin"}),
    ("api:contact-detail", "patch", {"quality", "admin"}),
    ("api:contact-detail", "delete", {"quality", "admin"}),
    ("requirements:requirement_create", "post", {"quality", "admin"}),
    ("requirements:requirement_import", "post", {"quality", "admin"}),
    ("requirements:requirement_update", "post", {"quality", "admin"}),
    ("requirements:requirement_delete", "post", {"quality", "admin"}),
    ("requirements:requirement_acknowledge", "post", {"quality", "staff", "admin"}),
    ("requirements:assignment_create", "post", {"quality", "admin"}),
    ("requirements:assignment_delete", "post", {"quality", "admin"}),
    ("requirements:evaluation_create", "post", {"quality", "admin"}),
    ("requirements:attachment_create", "post", {"quality", "admin"}),
    ("requirements:attachment_delete", "post", {"quality", "admin"}),
    ("requirements:party_create", "post", {"quality", "admin"}),
    ("requirements:party_update", "post", {"quality", "admin"}),
    ("requirements:party_delete", "post", {"quality", "admin"}),
    ("requirements:issue_create", "post", {"quality", "admin"}),
    ("requirements:issue_update", "post", {"quality", "admin"}),
    ("requirements:issue_delete", "post", {"quality", "admin"}),
    ("api:interestedparty-list", "post", {"quality", "admin"}),
    ("api:interestedparty-detail", "patch", {"quality", "admin"}),
    ("api:interestedparty-detail", "delete", {"quality", "admin"}),
    ("api:requirement-list", "post", {"quality", "admin"}),
    ("api:requirement-detail", "patch", {"quality", "admin"}),
    ("api:requirement-detail", "delete", {"quality", "admin"}),
    ("api:acknowledgement-list", "post", {"quality", "staff", "admin"}),
    ("api:evaluation-list", "post", {"quality", "admin"}),
    ("actions:action_create", "post", {"quality", "admin"}),
    ("actions:action_update", "post", {"quality", "admin"}),
    ("actions:action_transition", "post", {"quality", "admin"}),  # staff only on their own actions
    ("api:action-list", "post", {"quality", "admin"}),
    ("api:action-detail", "patch", {"quality", "admin"}),
    ("api:action-transition", "post", {"quality", "admin"}),
    ("feedback:item_create", "post", {"quality", "staff", "admin"}),
    ("feedback:item_update", "post", {"quality", "admin"}),
    ("feedback:item_transition", "post", {"quality", "admin"}),
    ("feedback:attachment_create", "post", {"quality", "admin"}),
    ("feedback:attachment_delete", "post", {"quality", "admin"}),
    ("feedback:category_create", "post", {"quality", "admin"}),
    ("feedback:category_update", "post", {"quality", "admin"}),
    ("feedback:category_delete", "post", {"quality", "admin"}),
    ("feedback:sla_settings", "post", {"quality", "admin"}),
    ("feedback:holiday_delete", "post", {"quality", "admin"}),
    ("api:feedbackitem-list", "post", {"quality", "staff", "admin"}),
    ("api:feedbackitem-detail", "patch", {"quality", "admin"}),
    ("api:feedbackitem-transition", "post", {"quality", "admin"}),
    ("feedback:template_create", "post", {"quality", "admin"}),
    ("feedback:template_update", "post", {"quality", "admin"}),
    ("feedback:template_new_version", "post", {"quality", "admin"}),
    ("feedback:question_create", "post", {"quality", "admin"}),
    ("feedback:question_update", "post", {"quality", "admin"}),
    ("feedback:question_move", "post", {"quality", "admin"}),
    ("feedback:question_delete", "post", {"quality", "admin"}),
    ("feedback:campaign_create", "post", {"quality", "admin"}),
    ("feedback:campaign_update", "post", {"quality", "admin"}),
    ("feedback:campaign_send", "post", {"quality", "admin"}),
    ("feedback:campaign_close", "post", {"quality", "admin"}),
    ("feedback:survey_settings", "post", {"quality", "admin"}),
    ("api:campaign-list", "post", {"quality", "admin"}),
    ("api:campaign-detail", "patch", {"quality", "admin"}),
    ("api:campaign-send", "post", {"quality", "admin"}),
    ("api:campaign-close", "post", {"quality", "admin"}),
    ("risks:entry_create", "post", {"quality", "staff", "admin"}),
    ("risks:entry_update", "post", {"quality", "admin"}),
    ("risks:entry_assess", "post", {"quality", "admin"}),
    ("risks:entry_step", "post", {"quality", "management", "admin"}),  # top management approves
    ("risks:treatment_action_create", "post", {"quality", "admin"}),
    ("risks:matrix_edit", "post", {"quality", "admin"}),
    ("risks:category_create", "post", {"quality", "admin"}),
    ("risks:category_update", "post", {"quality", "admin"}),
    ("risks:category_delete", "post", {"quality", "admin"}),
    ("api:riskentry-list", "post", {"quality", "staff", "admin"}),
    ("api:riskentry-detail", "patch", {"quality", "admin"}),
    ("api:riskentry-assess", "post", {"quality", "admin"}),
    ("api:riskentry-step", "post", {"quality", "management", "admin"}),
    ("api:riskmatrix-list", "post", {"quality", "admin"}),
    ("kpis:kpi_create", "post", {"quality", "admin"}),
    ("evidence:export_list", "post", {"quality", "auditor", "admin"}),
    ("api:evidenceexport-list", "post", {"quality", "auditor", "admin"}),
    ("reviews:review_create", "post", {"quality", "admin"}),
    ("reviews:review_update", "post", {"quality", "admin"}),
    ("reviews:review_prepare", "post", {"quality", "admin"}),
    ("reviews:review_hold", "post", {"quality", "admin"}),
    ("reviews:output_create", "post", {"quality", "admin"}),
    ("reviews:review_approve", "post", {"management"}),  # only the chair
    ("api:review-list", "post", {"quality", "admin"}),
    ("api:review-detail", "patch", {"quality", "admin"}),
    ("api:review-prepare", "post", {"quality", "admin"}),
    ("api:review-approve", "post", {"management"}),  # only the chair
    ("reviews:summary_schedule", "post", {"quality", "admin"}),
    ("kpis:dashboard_refresh", "post", {"quality", "admin"}),
    ("kpis:kpi_update", "post", {"quality", "admin"}),
    ("kpis:kpi_delete", "post", {"quality", "admin"}),
    ("kpis:value_enter", "post", {"quality", "admin"}),
    ("kpis:value_import", "post", {"quality", "admin"}),
    ("kpis:order_list", "post", {"quality", "admin"}),
    ("kpis:objective_create", "post", {"quality", "admin"}),
    ("kpis:objective_update", "post", {"quality", "admin"}),
    ("kpis:objective_delete", "post", {"quality", "admin"}),
    ("kpis:value_delete", "post", {"quality", "admin"}),
    ("api:kpi-list", "post", {"quality", "admin"}),
    ("api:kpi-detail", "patch", {"quality", "admin"}),
    ("api:kpi-values", "post", {"quality", "admin"}),
    ("api:objective-list", "post", {"quality", "admin"}),
    ("api:objective-detail", "patch", {"quality", "admin"}),
]
# Every (write, role) pair the table refuses.
REFUSED_WRITES = [
    (name, method, role) for name, method, allowed in WRITE_RULES for role in ROLES if role not in allowed
]


def _send(client, name, method, url, data):
    if name.startswith("api:"):
        return getattr(client, method)(url, data=data, content_type="application/json")
    return client.post(url, data=data)


def _record_counts():
    from customers.models import Contact, Customer
    from feedback.models import (
        Campaign,
        Category,
        FeedbackItem,
        FeedbackTransition,
        Holiday,
        Invitation,
        Question,
        SurveySettings,
        SurveyTemplate,
    )
    from qms.actions.models import Action
    from qms.audit.models import AuditEntry
    from qms.evidence.models import EvidenceExport
    from qms.kpis.models import Kpi, KpiValue, Objective, OrderVolume
    from qms.reviews.models import Summary
    from requirements.models import Acknowledgement, Evaluation, Requirement, RequirementVersion
    from risks.models import RiskAssessment, RiskCategory, RiskEntry, RiskMatrix

    models = (
        Customer,
        Contact,
        Requirement,
        RequirementVersion,
        Acknowledgement,
        Evaluation,
        Action,
        FeedbackItem,
        FeedbackTransition,
        Category,
        Holiday,
        SurveyTemplate,
        Question,
        Campaign,
        Invitation,
        SurveySettings,
        RiskEntry,
        RiskAssessment,
        RiskMatrix,
        RiskCategory,
        Kpi,
        KpiValue,
        Objective,
        OrderVolume,
        EvidenceExport,
        Summary,
        AuditEntry,
    )
    return tuple(model.objects.count() for model in models)


@pytest.mark.parametrize(("name", "method", "role"), REFUSED_WRITES)
def test_writes_are_refused_to_roles_without_permission(name, method, role, personas, url_kwargs, client):
    before = _record_counts()
    if role != "anon":
        client.force_login(personas[role])
    url = _url_for(name, url_kwargs)
    response = _send(client, name, method, url, {"name": "Changed"})
    # A record out of the role's scope answers 404 rather than admitting it exists.
    expected = {401, 403, 404} if name.startswith("api:") else ({302} if role == "anon" else {403, 404})
    assert response.status_code in expected, f"{role} {method.upper()} {url}: {response.status_code}"
    assert _record_counts() == before


@pytest.mark.parametrize(("name", "method", "allowed"), WRITE_RULES)
def test_writes_are_open_to_roles_with_permission(name, method, allowed, personas, url_kwargs, client):
    for role in sorted(allowed):
        client.force_login(personas[role])
        url = _url_for(name, url_kwargs)
        response = _send(client, name, method, url, {})
        assert response.status_code not in {401, 403, 405}, f"{role} {method.upper()} {url}"
        if method == "delete" or name.endswith("_delete"):
            break  # the record is gone for the next role
