"""Work queues on the quality manager's dashboard: what is overdue or due now, across the registers.

Each domain app registers its queues in ``AppConfig.ready`` (its ``kpi_queues.py``), so this app never
imports a domain app. A queue function takes ``today`` and returns a ``Queue``; ``queue_from`` builds one
from a queryset in one query (the first items, each carrying the total), whatever the number of records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Window
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from qms.core.rollups import Figures, read, rollup

FIRST_ITEMS = 5


@dataclass(frozen=True)
class QueueItem:
    label: str
    url: str
    due: dt.date | dt.datetime | None
    note: str = ""


@dataclass(frozen=True)
class Queue:
    key: str
    title: str
    count: int
    items: list[QueueItem] = field(default_factory=list)
    list_url: str = ""
    empty: str = "Nothing waiting."


QueueFunction = Callable[[dt.date], Queue]
QUEUES: dict[str, tuple[int, QueueFunction]] = {}


def register_queue(key: str, function: QueueFunction, *, order: int = 50) -> None:
    """Add a work queue (each app registers its own in ``AppConfig.ready``), shown by ``order``."""
    QUEUES[key] = (order, function)


def queue_from(
    queryset: QuerySet,
    *,
    key: str,
    title: str,
    list_url: str,
    item: Callable[[Any], QueueItem],
    empty: str = "Nothing waiting.",
) -> Queue:
    """A queue of ``queryset`` (already ordered, related rows joined): its count and first items, in one
    query (the count is a window over the whole queryset, read from the first row)."""
    rows = list(queryset.annotate(queue_total=Window(expression=Count("pk")))[:FIRST_ITEMS])
    return Queue(
        key=key,
        title=title,
        count=rows[0].queue_total if rows else 0,
        items=[item(row) for row in rows],
        list_url=list_url,
        empty=empty,
    )


def work_queues(today: dt.date | None = None) -> list[Queue]:
    """Every registered queue, in order; one query each."""
    today = today or timezone.localdate()
    return [function(today) for _, function in sorted(QUEUES.values(), key=lambda entry: entry[0])]


WORK_QUEUES = "kpis.work_queues"


@rollup(WORK_QUEUES)
def _work_queues_for_rollup() -> list[dict]:
    return [asdict(queue) for queue in work_queues()]


def _due(value: str | None) -> dt.date | dt.datetime | None:
    if value is None:
        return None
    return parse_date(value) if len(value) == 10 else parse_datetime(value)


def counted_work_queues() -> tuple[list[Queue], Figures]:
    """The work queues as the roll-up job last counted them (they count whole registers), and when."""
    figures = read(WORK_QUEUES)
    queues = [
        Queue(**{**queue, "items": [QueueItem(**{**item, "due": _due(item["due"])}) for item in queue["items"]]})
        for queue in figures.data
    ]
    return queues, figures
