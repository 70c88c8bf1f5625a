"""A few risks and opportunities for the demo, scored and one in treatment, written through the
services (idempotent: an entry whose title exists is left alone)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from qms.audit.context import audit_context

from . import services
from .models import RiskCategory, RiskEntry

DEMO_CATEGORIES = ("Supply", "Production", "Customers", "People")

# title -> data, inherent (likelihood, impact), what happens next
DEMO_ENTRIES = [
    {
        "data": {
            "kind": "risk",
            "title": "Single supplier for sterile housings",
            "category": "Supply",
            "cause": "Only one qualified supplier for the housings.",
            "effect": "A supplier stoppage halts deliveries to medical customers.",
            "source": "process",
        },
        "inherent": (4, 4),
        "treat": "reduce",
        "action": "Qualify a second supplier for sterile housings",
    },
    {
        "data": {
            "kind": "risk",
            "title": "Certificates of conformity sent late",
            "category": "Customers",
            "cause": "Certificates are made by hand after shipping.",
            "effect": "Customers quarantine lots; complaints rise.",
            "source": "complaint_trend",
        },
        "inherent": (3, 3),
    },
    {
        "data": {
            "kind": "risk",
            "title": "Key CNC operator leaves",
            "category": "People",
            "cause": "Setup knowledge for the 5-axis machine rests with one person.",
            "effect": "Longer lead times and more scrap on complex parts.",
            "source": "process",
        },
        "inherent": (2, 4),
    },
    {
        "data": {
            "kind": "opportunity",
            "title": "Offer certificates through the customer portal",
            "category": "Customers",
            "cause": "Customers ask for faster access to certificates.",
            "effect": "Fewer calls and complaints; a selling point in tenders.",
            "source": "interested_party",
        },
        "inherent": (4, 3),
    },
    {
        "data": {
            "kind": "opportunity",
            "title": "Reuse offcuts for small brackets",
            "category": "Production",
            "effect": "Lower material cost per bracket.",
            "source": "process",
        },
        "inherent": (3, 2),
    },
]


def seed_risks() -> str:
    users = {user.username: user for user in get_user_model().objects.filter(username__in=["quality", "staff"])}
    quality = users.get("quality")
    if quality is None:
        return "risks: skipped (no demo users)"
    staff = users.get("staff", quality)
    today = timezone.localdate()
    created = 0
    with audit_context(source="cli"):
        categories = {}
        for name in DEMO_CATEGORIES:
            category = RiskCategory.objects.filter(name=name).first()
            if category is None:
                category = services.category_save(actor=quality, category=None, data={"name": name, "active": True})
            categories[name] = category
        for spec in DEMO_ENTRIES:
            data = dict(spec["data"])
            if RiskEntry.objects.filter(title=data["title"]).exists():
                continue
            data["category"] = categories[data["category"]]
            data["owner"] = staff if spec.get("treat") else quality
            entry = services.entry_create(actor=quality, data=data)
            created += 1
            likelihood, impact = spec["inherent"]
            services.entry_assess(actor=quality, entry=entry, kind="inherent", likelihood=likelihood, impact=impact)
            if spec.get("treat"):
                services.entry_assess(actor=quality, entry=entry, kind="target", likelihood=2, impact=impact - 1)
                services.entry_step(actor=quality, entry=entry, name="start_treatment", treatment_option=spec["treat"])
                services.treatment_action_create(
                    actor=quality,
                    entry=entry,
                    title=spec["action"],
                    owner=entry.owner,
                    due_date=today + dt.timedelta(days=45),
                )
    return f"risks: {created} entr{'y' if created == 1 else 'ies'} created"
