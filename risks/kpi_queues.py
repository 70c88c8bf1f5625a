"""Risk reviews due and open risks per band, for the dashboards (registered in ``RisksConfig.ready``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from qms.kpis.figures import list_url
from qms.kpis.queues import Queue, QueueItem, queue_from, register_queue
from qms.kpis.scorecard import register_extra

from . import figures, selectors
from .choices import BandName, EntryKind
from .models import RiskEntry


def _item(entry: RiskEntry) -> QueueItem:
    return QueueItem(label=str(entry), url=entry.get_absolute_url(), due=entry.next_review_date)


def reviews_overdue(today: dt.date) -> Queue:
    """Open risks and opportunities whose next review date has passed, the most overdue first."""
    return queue_from(
        selectors.overdue_reviews(today=today),
        key="risk_reviews_overdue",
        title="Risk reviews overdue",
        list_url=list_url("risks:entry_list", overdue_review="true"),
        item=_item,
        empty="Every open risk and opportunity has been reviewed on time.",
    )


def open_risks_per_band(start: dt.date, end: dt.date) -> dict[str, Any]:
    """Open risks now in each band (residual once scored after treatment), most severe first; one query."""
    counts = figures.open_entries_per_band()
    rows = [
        {
            "band": band,
            "label": BandName(band).label,
            "count": counts[band],
            "url": list_url("risks:entry_list", kind=EntryKind.RISK, band=band),
        }
        for band in reversed(BandName.values)
    ]
    if counts["unscored"]:
        rows.append({"band": "unscored", "label": "Not scored yet", "count": counts["unscored"], "url": None})
    return {"label": "Open risks per band", "rows": rows}


def register_queues() -> None:
    register_queue("risk_reviews_overdue", reviews_overdue, order=40)
    register_extra("open_risks_per_band", open_risks_per_band)
