"""The feedback register's part of the home page: the signed-in person's complaints to work on."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from qms.accounts.permissions import can, role_names
from qms.core import rollups
from qms.core.homepage import HomeContribution

from . import survey_figures
from .choices import OPEN_STATUSES, FeedbackKind
from .filters import overdue_q
from .models import OVERSEEING_ROLES, Campaign, FeedbackItem
from .rollups import OPEN_COMPLAINTS


def feedback_home(user) -> HomeContribution:
    part = HomeContribution()
    if not can(user, "view", FeedbackItem):
        return part
    list_url = reverse("feedback:item_list")
    part.links.append({"label": "Browse feedback and complaints", "url": list_url})
    if can(user, "add", FeedbackItem):
        part.links.append({"label": "Log feedback a customer gave you", "url": reverse("feedback:item_create")})
    overseeing = user.is_superuser or bool(role_names(user) & OVERSEEING_ROLES)
    works = can(user, "work", FeedbackItem)
    if overseeing:
        # Everyone's complaints, for those who oversee them all: counted by the roll-up job.
        counted = rollups.read(OPEN_COMPLAINTS)
        all_open = f"{list_url}?kind=complaint&open=true"
        part.figures.append(
            {"label": "Open complaints", "value": counted.data["open"], "url": all_open, "counted": counted}
        )
        part.figures.append(
            {
                "label": "Complaints past a time target",
                "value": counted.data["overdue"],
                "url": f"{all_open}&overdue=true",
                "counted": counted,
            }
        )
    _survey_part(user, part)
    if not works:
        # Top management and auditors are never assigned complaints: no figures about "yours".
        return part
    # The user's own, counted live (an index on the assignee finds them).
    counts = _my_open_complaint_counts(user)
    mine = f"{list_url}?kind=complaint&open=true&assignee={user.pk}"
    part.figures.append({"label": "Complaints assigned to you, open", "value": counts["mine"], "url": mine})
    part.figures.append(
        {"label": "Your complaints past a time target", "value": counts["mine_overdue"], "url": f"{mine}&overdue=true"}
    )
    return part


def _my_open_complaint_counts(user) -> dict[str, int]:
    """The user's open complaints and those of them past a target: one aggregate query."""
    complaints = FeedbackItem.objects.filter(kind=FeedbackKind.COMPLAINT, status__in=OPEN_STATUSES, assignee=user)
    return complaints.aggregate(mine=Count("pk"), mine_overdue=Count("pk", filter=overdue_q()))


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
