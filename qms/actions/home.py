"""Actions' part of the home page: the signed-in person's open actions, and how many are overdue."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from qms.accounts.permissions import can
from qms.core.homepage import HomeContribution

from .choices import OPEN_STATUSES
from .models import Action


def action_home(user) -> HomeContribution:
    part = HomeContribution()
    # Only people who work actions have "my actions"; readers (management, auditors) see the list.
    if not can(user, "work", Action):
        return part
    counts = Action.objects.filter(owner=user, status__in=OPEN_STATUSES).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=timezone.localdate()))
    )
    mine = reverse("actions:my_actions")
    part.figures.append(
        {"label": f"My open actions ({counts['overdue']} overdue)", "value": counts["open"], "url": mine}
    )
    part.links.append({"label": "Work on my actions", "url": mine})
    if can(user, "add", Action):
        part.links.append({"label": "Raise an action", "url": reverse("actions:action_create")})
    return part
