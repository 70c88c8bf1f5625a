"""Requirements whose review or evaluation is overdue, for the quality manager's dashboard (registered
in ``RequirementsConfig.ready``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from qms.kpis.figures import list_url
from qms.kpis.queues import Queue, QueueItem, queue_from, register_queue

from .kpi_figures import overdue_evaluations_queryset
from .models import Requirement


def _item(requirement: Requirement) -> QueueItem:
    dates = [day for day in (requirement.next_review_date, requirement.evaluation_due) if day is not None]
    return QueueItem(label=str(requirement), url=requirement.get_absolute_url(), due=min(dates) if dates else None)


def overdue_evaluations(today: dt.date) -> Queue:
    """Live requirements whose review date or next evaluation date has passed, the oldest first."""
    queryset = overdue_evaluations_queryset().order_by(F("next_review_date").asc(nulls_last=True), "reference")
    return queue_from(
        queryset,
        key="overdue_evaluations",
        title="Requirement reviews and evaluations overdue",
        list_url=list_url("requirements:requirement_list", overdue="true"),
        item=_item,
        empty="Every requirement has been reviewed and evaluated on time.",
    )


def register_queues() -> None:
    register_queue("overdue_evaluations", overdue_evaluations, order=30)
