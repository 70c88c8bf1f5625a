"""This app's inputs to the management review (9.3.2), registered in ``ready``."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count
from django.utils import timezone

from .choices import OPEN_STATUSES, ActionStatus
from .models import Action


def earlier_review_actions(start: dt.date, end: dt.date) -> dict:
    """9.3.2 a: the actions raised by management reviews up to the end of the period, counted by status,
    and those still open (overdue first). Two queries (the content type is cached)."""
    from qms.reviews.inputs import figure, listing, row

    review_model = apps.get_model("reviews", "Review")
    review_type = ContentType.objects.get_for_model(review_model)
    # Reviews held by the end of the period: not the one being prepared, nor any later one.
    earlier = review_model.objects.filter(review_date__lte=end).values("pk")
    actions = Action.objects.filter(source_type=review_type, source_id__in=earlier)
    counts = dict(actions.order_by().values_list("status").annotate(count=Count("pk")))
    today = timezone.localdate()
    open_rows = [
        row(
            action.reference,
            action.title,
            f"{action.source_label} · {action.get_status_display()} · due {action.due_date.isoformat()}"
            + (" · overdue" if action.due_date < today else ""),
        )
        for action in actions.filter(status__in=OPEN_STATUSES).order_by("due_date", "pk")
    ]
    return {
        "figures": [figure(label, counts.get(value, 0)) for value, label in ActionStatus.choices],
        "lists": [listing("Still open", open_rows, "No action from an earlier review is still open.")],
    }


def register_review_inputs() -> None:
    """Register this app's management-review inputs with ``qms.reviews``."""
    from qms.reviews.inputs import register_input

    register_input(
        "earlier_review_actions",
        title="Status of actions from earlier reviews",
        clause="9.3.2 a",
        order=10,
        provider=earlier_review_actions,
    )
