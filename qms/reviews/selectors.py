"""Reads of management reviews, restricted by the permission engine."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Review, ReviewOutput, Summary


def review_list(*, user, action: str = "view") -> QuerySet[Review]:
    """The reviews ``user`` may act on, with their chair."""
    return Review.objects.restrict(user, action).select_related("chair")


def review_detail_queryset(*, user, action: str = "view") -> QuerySet[Review]:
    """As ``review_list``, with everything the review's page and API show (fixed number of queries)."""
    return (
        review_list(user=user, action=action)
        .select_related("signature__signer", "created_by")
        .prefetch_related(
            "attendees",
            Prefetch("outputs", queryset=ReviewOutput.objects.select_related("action__owner").order_by("kind", "pk")),
        )
    )


def sections_by_clause(review: Review) -> list[dict]:
    """The snapshot's sections grouped under their 9.3.2 item, in the standard's order."""
    from .inputs import CLAUSE_TITLES

    grouped: dict[str, list[dict]] = {}
    for section in (review.inputs or {}).get("sections", []):
        grouped.setdefault(section["clause"], []).append(section)
    ordered = sorted(grouped, key=lambda clause: (clause not in CLAUSE_TITLES, clause))
    return [
        {"clause": clause, "title": CLAUSE_TITLES.get(clause, ""), "sections": grouped[clause]} for clause in ordered
    ]


def summary_list(*, user) -> QuerySet[Summary]:
    """The scheduled summaries ``user`` may read, with their e-mail's delivery state (not the PDF)."""
    return Summary.objects.restrict(user, "view").select_related("delivery").defer("pdf", "html", "content")


def summary_detail_queryset(*, user) -> QuerySet[Summary]:
    """As ``summary_list``, with the frozen content the page shows."""
    return Summary.objects.restrict(user, "view").select_related("delivery").defer("pdf", "html")


def summary_pdf_queryset(*, user) -> QuerySet[Summary]:
    """The summaries ``user`` may read, loading only what the PDF download needs."""
    return Summary.objects.restrict(user, "view").only("kind", "period_start", "pdf")
