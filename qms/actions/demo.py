"""Demo actions: a few not tied to any record (those raised from records come with each register's demo)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from qms.audit.context import audit_context

from . import services
from .choices import ActionKind
from .models import Action

DEMO_ACTIONS = [
    # title, kind, owner, due in days, then: None, "start", "complete" or "verify"
    ("Brief the dispatch team on the new labelling rules", ActionKind.PREVENTIVE, "staff", 5, "start"),
    ("Add a customer-satisfaction question to the delivery note", ActionKind.IMPROVEMENT, "staff", -3, None),
    ("Quarantine the remaining lot 24-117 pending re-inspection", ActionKind.CONTAINMENT, "quality", -20, "verify"),
    ("Review the complaint form for clarity with two customers", ActionKind.IMPROVEMENT, "quality", 21, "complete"),
]


def seed_actions() -> str:
    users = {user.username: user for user in get_user_model().objects.filter(username__in=["quality", "staff"])}
    quality = users.get("quality")
    if quality is None:
        return "actions: skipped (no demo users)"
    today = timezone.localdate()
    created = 0
    with audit_context(source="cli"):
        for title, kind, owner_name, due_in, progress in DEMO_ACTIONS:
            if Action.objects.filter(title=title).exists():
                continue
            owner = users.get(owner_name, quality)
            action = services.action_create(
                actor=quality,
                kind=kind,
                title=title,
                owner=owner,
                due_date=today + dt.timedelta(days=due_in),
                check_criteria="No repeat of the issue in the next three months.",
            )
            created += 1
            if progress in ("start", "complete", "verify"):
                services.action_start(actor=owner, action=action)
            if progress in ("complete", "verify"):
                services.action_complete(actor=owner, action=action, note="Done as planned; records attached.")
            if progress == "verify":
                services.action_verify(
                    actor=quality, action=action, effective=True, notes="No repeat in the lots checked since."
                )
    return f"actions: {created} action(s) created"
