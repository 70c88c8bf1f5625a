"""Demo data: the last month's management summary and the last week's digest, as the jobs make them."""

from __future__ import annotations

from .choices import SummaryKind
from .models import Summary


def seed_summaries() -> str:
    from .summaries import summary_send

    made = [summary for kind in SummaryKind.values if (summary := summary_send(kind=kind)) is not None]
    if not made and Summary.objects.exists():
        return "summaries: already there"
    return f"summaries: {len(made)} made ({', '.join(summary.title for summary in made) or 'none'})"
