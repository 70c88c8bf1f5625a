"""The risk register's part of the home page: the signed-in person's entries due for review and, for
those who approve, acceptances waiting for approval."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from qms.accounts.permissions import can
from qms.core.homepage import HomeContribution

from . import selectors
from .models import RiskEntry


def risks_home(user) -> HomeContribution:
    part = HomeContribution()
    if not can(user, "view", RiskEntry):
        return part
    list_url = reverse("risks:entry_list")
    part.links.append({"label": "Risk heat map", "url": reverse("risks:heat_map")})
    if can(user, "add", RiskEntry) or can(user, "propose", RiskEntry):
        verb = "Add" if can(user, "add", RiskEntry) else "Propose"
        part.links.append({"label": f"{verb} a risk or opportunity", "url": reverse("risks:entry_create")})
    works, approves = can(user, "work", RiskEntry), can(user, "approve", RiskEntry)
    if not (works or approves):
        return part
    # Both figures in one query, reading only the rows either counts (through the indexes on owners and on
    # acceptances awaiting approval), not the whole log.
    due = selectors.due_for_review_q(timezone.localdate()) & Q(owner=user)
    waiting = selectors.awaiting_approval_q()
    counts = (
        selectors.entry_list(user=user)
        .filter(due | waiting)
        .order_by()
        .aggregate(due=Count("pk", filter=due), waiting=Count("pk", filter=waiting))
    )
    if works:
        part.figures.append(
            {
                "label": "Your risks and opportunities due for review",
                "value": counts["due"],
                "url": f"{list_url}?owner={user.pk}",
            }
        )
    if approves:
        part.figures.append(
            {
                "label": "Risk acceptances waiting for approval",
                "value": counts["waiting"],
                "url": reverse("risks:heat_map"),
            }
        )
    return part
