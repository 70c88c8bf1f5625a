"""The feedback register's part of the home page: the signed-in person's complaints to work on."""

from __future__ import annotations

from django.urls import reverse

from qms.accounts.permissions import can
from qms.core.homepage import HomeContribution

from . import selectors
from .models import FeedbackItem


def feedback_home(user) -> HomeContribution:
    part = HomeContribution()
    if not can(user, "view", FeedbackItem):
        return part
    list_url = reverse("feedback:item_list")
    part.links.append({"label": "Browse feedback and complaints", "url": list_url})
    if can(user, "add", FeedbackItem):
        part.links.append({"label": "Log feedback a customer gave you", "url": reverse("feedback:item_create")})
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
