"""The feedback register's figures over every complaint, counted by the roll-up job (``qms.core.rollups``)."""

from __future__ import annotations

from django.db.models import Count

from qms.core.rollups import rollup

from .choices import OPEN_STATUSES, FeedbackKind
from .filters import overdue_q
from .models import FeedbackItem

PARETO = "feedback.pareto"
OPEN_COMPLAINTS = "feedback.open_complaints"


@rollup(PARETO)
def pareto() -> list[dict]:
    """Complaints per category with the cumulative share: the chart on the register's list."""
    from .figures import complaints_by_category

    return complaints_by_category()


@rollup(OPEN_COMPLAINTS)
def open_complaints() -> dict[str, int]:
    """Every open complaint, and those past a time target: the home page's figures for those who oversee."""
    return FeedbackItem.objects.filter(kind=FeedbackKind.COMPLAINT, status__in=OPEN_STATUSES).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=overdue_q())
    )
