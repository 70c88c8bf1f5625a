"""This app's inputs to the management review (9.3.2), registered in ``ready``."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q

from .choices import EvaluationResult
from .models import ContextIssue, Evaluation, InterestedParty
from .selectors import requirements_met_pct

NONCONFORMING = (EvaluationResult.NOT_MET, EvaluationResult.PARTLY_MET)


def _change(created_at: dt.datetime, since: dt.datetime) -> str:
    return "new" if created_at >= since else "changed"


def context_changes(start: dt.date, end: dt.date) -> dict:
    """9.3.2 b: context issues and interested parties added or changed in the period (by their
    timestamps; the audit trail has each change). Two queries."""
    from qms.reviews.inputs import day_bounds, figure, listing, row

    since, until = day_bounds(start, end)
    in_period = Q(updated_at__gte=since, updated_at__lt=until) | Q(created_at__gte=since, created_at__lt=until)
    issues = list(ContextIssue.objects.filter(in_period).order_by("scope", "title"))
    parties = list(InterestedParty.objects.filter(in_period).order_by("name"))
    return {
        "figures": [
            figure("Issues added", sum(1 for issue in issues if issue.created_at >= since)),
            figure("Issues changed", sum(1 for issue in issues if issue.created_at < since)),
            figure("Interested parties added", sum(1 for party in parties if party.created_at >= since)),
            figure("Interested parties changed", sum(1 for party in parties if party.created_at < since)),
        ],
        "lists": [
            listing(
                "Context issues",
                [
                    row(
                        f"ISS-{issue.pk}",
                        issue.title,
                        f"{issue.get_scope_display()} · {_change(issue.created_at, since)}",
                    )
                    for issue in issues
                ],
                "No context issue was added or changed in the period.",
            ),
            listing(
                "Interested parties",
                [
                    row(
                        f"IP-{party.pk}",
                        party.name,
                        f"{party.get_kind_display()} · {party.get_relevance_display()} relevance · "
                        f"{_change(party.created_at, since)}",
                    )
                    for party in parties
                ],
                "No interested party was added or changed in the period.",
            ),
        ],
    }


def requirements_conformity(start: dt.date, end: dt.date) -> dict:
    """9.3.2 c: requirements met % (now), the evaluations of the period by result, and the
    nonconformities found (not or partly met) with their corrective actions. Six queries."""
    from qms.reviews.inputs import figure, listing, row

    evaluations = Evaluation.objects.filter(evaluated_on__gte=start, evaluated_on__lte=end)
    counts = dict(evaluations.order_by().values_list("result").annotate(count=Count("pk")))
    findings = (
        evaluations.filter(result__in=NONCONFORMING)
        .select_related("requirement")
        .prefetch_related(Prefetch("actions"))
        .order_by("evaluated_on", "pk")
    )
    rows = []
    for evaluation in findings:
        actions = ", ".join(
            f"{action.reference} ({action.get_status_display()})" for action in evaluation.actions.all()
        )
        rows.append(
            row(
                evaluation.requirement.reference,
                f"{evaluation.requirement.title}: {evaluation.get_result_display().lower()} on "
                f"{evaluation.evaluated_on.isoformat()}",
                f"Corrective actions: {actions}" if actions else "No corrective action raised",
            )
        )
    return {
        "figures": [
            figure("Requirements met (now)", requirements_met_pct(), "%"),
            *(
                figure(f"Evaluations: {label.lower()}", counts.get(value, 0))
                for value, label in EvaluationResult.choices
            ),
        ],
        "lists": [listing("Nonconformities and their corrective actions", rows, "No nonconformity was found.")],
    }


def register_review_inputs() -> None:
    """Register this app's management-review inputs with ``qms.reviews``."""
    from qms.reviews.inputs import register_input

    register_input(
        "context_changes",
        title="Changes in context issues and interested parties",
        clause="9.3.2 b",
        order=20,
        provider=context_changes,
    )
    register_input(
        "requirements_conformity",
        title="Requirements met, evaluations and nonconformities with their corrective actions",
        clause="9.3.2 c",
        order=50,
        provider=requirements_conformity,
    )
