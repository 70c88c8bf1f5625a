"""Overdue actions, for the quality manager's dashboard (registered in ``ActionsConfig.ready``)."""

from __future__ import annotations

import datetime as dt

from qms.kpis.figures import list_url
from qms.kpis.queues import Queue, QueueItem, queue_from, register_queue

from . import selectors
from .models import Action


def _item(action: Action) -> QueueItem:
    return QueueItem(label=str(action), url=action.get_absolute_url(), due=action.due_date, note=str(action.owner))


def overdue_actions(today: dt.date) -> Queue:
    """Open actions past their due date, the longest overdue first."""
    return queue_from(
        selectors.overdue_actions(today=today),
        key="overdue_actions",
        title="Actions overdue",
        list_url=list_url("actions:action_list", overdue="true"),
        item=_item,
        empty="No action is overdue.",
    )


def register_queues() -> None:
    register_queue("overdue_actions", overdue_actions, order=25)
