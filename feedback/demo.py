"""A small, believable feedback register for the demo, written through the services (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from customers.models import Customer

from . import services
from .models import Category, FeedbackItem, SlaTarget

DEMO_CATEGORIES = [
    ("Delivery", "Late, incomplete or wrong deliveries."),
    ("Product quality", "Defects, out-of-specification parts, damage."),
    ("Documentation", "Missing or wrong certificates, delivery notes, manuals."),
    ("Invoicing", "Wrong prices, quantities or invoice details."),
    ("Communication", "Slow or unclear answers, broken promises."),
]

# summary -> what to log, then the steps to take (name, extra arguments)
DEMO_ITEMS = [
    {
        "data": {
            "kind": "complaint",
            "channel": "phone",
            "customer": "ACME-01",
            "category": "Delivery",
            "summary": "Order 4471 arrived three days late",
            "description": "The line stopped for half a shift waiting for the brackets.",
            "product": "Mounting brackets",
        },
        "days_ago": 1,
        "steps": [],
    },
    {
        "data": {
            "kind": "complaint",
            "channel": "email",
            "customer": "NORD-02",
            "category": "Documentation",
            "summary": "Certificate of conformity missing for lot 2291",
            "description": "Goods-in quarantined the lot until the certificate arrives.",
            "product": "Sterile housings",
            "severity": "high",
            "impact": "One lot quarantined at the customer; their release is delayed.",
        },
        "days_ago": 4,
        "assign": "staff",
        "steps": [("acknowledge", {}), ("investigate", {})],
    },
    {
        "data": {
            "kind": "complaint",
            "channel": "visit",
            "customer": "TECH-08",
            "category": "Product quality",
            "summary": "Burrs on machined edges of part 7781",
            "description": "Receiving inspection found burrs on 12 of 200 parts.",
            "product": "Part 7781",
            "severity": "medium",
        },
        "days_ago": 20,
        "steps": [
            ("acknowledge", {}),
            ("investigate", {}),
            (
                "propose_response",
                {"response": "We replaced the 12 parts and added a deburring check at final inspection."},
            ),
            ("resolve", {}),
            (
                "close",
                {
                    "outcome_communicated": "Called Dana Kim on the phone and confirmed by e-mail.",
                    "acceptance": "accepted",
                },
            ),
        ],
    },
    {
        "data": {
            "kind": "complaint",
            "channel": "phone",
            "customer": "BELL-04",
            "category": "Delivery",
            "summary": "Pallets delivered to the wrong dock",
            "description": "The driver unloaded at dock 3 instead of the cold store.",
            "severity": "low",
        },
        "days_ago": 6,
        "steps": [
            ("acknowledge", {}),
            ("investigate", {}),
            ("await_customer", {"comment": "Asked for the delivery note photo."}),
        ],
    },
    {
        "data": {
            "kind": "compliment",
            "channel": "email",
            "customer": "PACK-05",
            "summary": "Thanks for the fast turnaround on the rush order",
            "description": "Daan thanked the team for shipping within 24 hours.",
        },
        "days_ago": 3,
        "steps": [("close", {"comment": "Passed on to the dispatch team."})],
    },
]


def seed_feedback() -> str:
    users = {user.username: user for user in get_user_model().objects.filter(username__in=["quality", "staff"])}
    quality = users.get("quality")
    if quality is None:
        return "skipped: the demo users are missing"
    categories = {category.name: category for category in Category.objects.all()}
    for name, description in DEMO_CATEGORIES:
        if name not in categories:
            categories[name] = services.category_save(
                actor=quality, category=None, data={"name": name, "description": description, "active": True}
            )
    for severity, (acknowledge, resolve) in services.DEFAULT_TARGETS.items():
        if not SlaTarget.objects.filter(severity=severity).exists():
            services.sla_target_save(
                actor=quality,
                severity=severity,
                data={"acknowledge_days": acknowledge, "resolve_days": resolve, "warn_before_hours": 4},
            )
    customers = {customer.code: customer for customer in Customer.objects.all()}
    existing = set(FeedbackItem.objects.values_list("summary", flat=True))
    created = 0
    for row in DEMO_ITEMS:
        data = dict(row["data"])
        if data["summary"] in existing:
            continue
        data["customer"] = customers.get(data.get("customer"))
        data["category"] = categories.get(data.get("category"))
        data["received_at"] = timezone.now() - dt.timedelta(days=row["days_ago"])
        data["assignee"] = users.get(row.get("assign", "quality"))
        item = services.feedback_log(actor=quality, data=data)
        for name, extra in row["steps"]:
            item = services.feedback_transition(actor=quality, item=item, name=name, **extra)
        created += 1
    return f"feedback: {created} items created, {len(DEMO_ITEMS) - created} already there"


# Surveys (9.1.2) -------------------------------------------------------------------------------------

DEMO_CAMPAIGN = "Customer relationship survey (demo)"
# One row per demo response: the score given to each scored question type, and a comment.
DEMO_ANSWERS = [
    {"nps": 10, "csat": 5, "rating": 5, "text": "Reliable deliveries and quick answers."},
    {"nps": 9, "csat": 4, "rating": 4, "text": "Good overall; documentation could come sooner."},
    {"nps": 8, "csat": 4, "rating": 4, "text": ""},
    {"nps": 6, "csat": 3, "rating": 3, "text": "Two late orders this quarter."},
    {"nps": 10, "csat": 5, "rating": 5, "text": "The team goes the extra mile."},
]


def _demo_answers(questions, row: dict) -> dict:
    from .choices import QuestionType

    answers = {}
    for question in questions:
        if question.type in (QuestionType.NPS, QuestionType.CSAT):
            answers[question.pk] = row[question.type]
        elif question.type == QuestionType.RATING:
            answers[question.pk] = min(row["rating"], question.scale_max or 5)
        elif question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE) and question.choice_list:
            choice = question.choice_list[0]
            answers[question.pk] = choice if question.type == QuestionType.SINGLE else [choice]
        elif question.type == QuestionType.TEXT and row["text"]:
            answers[question.pk] = row["text"]
    return answers


def seed_surveys() -> str:
    """A sent relationship campaign to the demo customers with a handful of answers (idempotent)."""
    from .choices import CampaignStatus, InvitationStatus, TemplatePurpose
    from .models import Campaign, Invitation, SurveyTemplate
    from .services import survey_delivery
    from .services import surveys as survey_services

    quality = get_user_model().objects.filter(username="quality").first()
    if quality is None:
        return "skipped: the demo users are missing"
    if Campaign.objects.filter(name=DEMO_CAMPAIGN).exists():
        return "surveys: the demo campaign is already there"
    template = (
        SurveyTemplate.objects.filter(purpose=TemplatePurpose.RELATIONSHIP, superseded_by__isnull=True)
        .order_by("code")
        .first()
    )
    if template is None or not template.questions.exists():
        return "skipped: no relationship survey template with questions"
    now = timezone.now()
    campaign = survey_services.campaign_save(
        actor=quality,
        campaign=None,
        data={
            "name": DEMO_CAMPAIGN,
            "template": template,
            "segments": [],
            "customer_statuses": [],
            "customers": list(Customer.objects.all()),
            "opens_at": now - dt.timedelta(days=14),
            "closes_at": now + dt.timedelta(days=16),
            "reminder_max": 2,
            "reminder_after_days": 5,
        },
    )
    if not survey_delivery.campaign_audience(campaign).exists():
        return "surveys: demo campaign created as a draft (no demo contact has an e-mail address)"
    survey_delivery.campaign_send(actor=quality, campaign=campaign)
    # Not left to the worker: the demo must show answers at once.
    survey_delivery.invitations_send_all(campaign_id=campaign.pk)
    questions = list(template.questions.order_by("order", "pk"))
    invitations = Invitation.objects.filter(campaign=campaign, status=InvitationStatus.SENT).order_by("pk")
    answered = 0
    for invitation, row in zip(invitations, DEMO_ANSWERS, strict=False):
        survey_delivery.response_submit(invitation=invitation, answers=_demo_answers(questions, row))
        answered += 1
    campaign.refresh_from_db()
    state = "open" if campaign.status == CampaignStatus.OPEN else campaign.status
    return f"surveys: demo campaign sent ({state}), {answered} responses"
