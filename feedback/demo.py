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
