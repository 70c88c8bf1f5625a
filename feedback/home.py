"""The feedback register's part of the home page: the signed-in person's complaints to work on."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from qms.accounts.permissions import can, role_names
from qms.core.homepage import HomeContribution

from . import survey_figures
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
    overseeing = user.is_superuser or bool(role_names(user) & OVERSEEING_ROLES)
    works = can(user, "work", FeedbackItem)
    # Every figure about open complaints in one query.
    counts = _open_complaint_counts(user, everyone=overseeing) if overseeing or works else {}
    if overseeing:
        # Everyone's complaints, for those who oversee them all.
        all_open = f"{list_url}?kind=complaint&open=true"
        part.figures.append({"label": "Open complaints", "value": counts["open"], "url": all_open})
        part.figures.append(
            {"label": "Complaints past a time target", "value": counts["overdue"], "url": f"{all_open}&overdue=true"}
        )
    _survey_part(user, part)
    if not works:
        # Top management and auditors are never assigned complaints: no figures about "yours".
        return part
    mine = f"{list_url}?kind=complaint&open=true&assignee={user.pk}"
    part.figures.append({"label": "Complaints assigned to you, open", "value": counts["mine"], "url": mine})
    part.figures.append(
        {"label": "Your complaints past a time target", "value": counts["mine_overdue"], "url": f"{mine}&overdue=true"}
    )
    return part


def _open_complaint_counts(user, *, everyone: bool) -> dict[str, int]:
    """Open complaints (all of them when ``everyone``, else only the user's), past a target, and the
    user's own: one aggregate query."""
    complaints = FeedbackItem.objects.filter(kind=FeedbackKind.COMPLAINT, status__in=OPEN_STATUSES)
    if not everyone:
        complaints = complaints.filter(assignee=user)
    overdue, assigned = overdue_q(), Q(assignee=user)
    return complaints.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=overdue),
        mine=Count("pk", filter=assigned),
        mine_overdue=Count("pk", filter=assigned & overdue),
    )


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
