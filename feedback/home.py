"""The feedback register's part of the home page: the signed-in person's complaints to work on."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from qms.accounts.permissions import can, role_names
from qms.core.homepage import HomeContribution

from . import selectors, survey_figures
from .choices import OPEN_STATUSES, FeedbackKind
from .filters import overdue_q
from .models import OVERSEEING_ROLES, Campaign, FeedbackItem


def feedback_home(user) -> HomeContribution:
    part = HomeContribution()
    if not can(user, "view", FeedbackItem):
        return part
    list_url = reverse("feedback:item_list")
    part.links.append({"label": "Browse feedback and complaints", "url": list_url})
    if can(user, "add", FeedbackItem):
        part.links.append({"label": "Log feedback a customer gave you", "url": reverse("feedback:item_create")})
    if user.is_superuser or role_names(user) & OVERSEEING_ROLES:
        # Everyone's complaints, for those who oversee them all.
        open_complaints = FeedbackItem.objects.filter(kind=FeedbackKind.COMPLAINT, status__in=OPEN_STATUSES)
        all_open = f"{list_url}?kind=complaint&open=true"
        part.figures.append({"label": "Open complaints", "value": open_complaints.count(), "url": all_open})
        part.figures.append(
            {
                "label": "Complaints past a time target",
                "value": open_complaints.filter(overdue_q()).count(),
                "url": f"{all_open}&overdue=true",
            }
        )
    _survey_part(user, part)
    if not can(user, "work", FeedbackItem):
        # Top management and auditors are never assigned complaints: no figures about "yours".
        return part
    mine = f"{list_url}?kind=complaint&open=true&assignee={user.pk}"
    part.figures.append(
        {"label": "Complaints assigned to you, open", "value": selectors.my_open_complaints(user).count(), "url": mine}
    )
    part.figures.append(
        {
            "label": "Your complaints past a time target",
            "value": selectors.my_overdue_complaints(user).count(),
            "url": f"{mine}&overdue=true",
        }
    )
    return part


def _survey_part(user, part: HomeContribution) -> None:
    """The NPS of the last twelve months and the way to the surveys, for those who may read them."""
    if not can(user, "view", Campaign):
        return
    today = timezone.localdate()
    nps = survey_figures.nps(start=today - dt.timedelta(days=365), end=today, user=user)
    part.figures.append(
        {
            "label": f"NPS, last 12 months ({nps['total']} answer{'s' if nps['total'] != 1 else ''})",
            "value": "—" if nps["nps"] is None else nps["nps"],
            "url": reverse("feedback:survey_results"),
        }
    )
    part.links.append({"label": "Survey results", "url": reverse("feedback:survey_results")})
    if can(user, "add", Campaign):
        part.links.append({"label": "Run a customer survey", "url": reverse("feedback:campaign_create")})
