"""Reads of the requirements register, limited to what the user may see, and its two figures."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from .choices import EvaluationResult, RequirementStatus
from .models import Acknowledgement, Assignment, Evaluation, Requirement

DUE_SOON_DAYS = 14
# Requirements with nothing due any more: never overdue.
ENDED_STATUSES = (RequirementStatus.SUPERSEDED, RequirementStatus.RETIRED)


def _percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def newest_evaluations() -> QuerySet[Evaluation]:
    """The evaluations of the outer query's requirement, newest first (for a subquery's first row)."""
    return Evaluation.objects.filter(requirement=OuterRef("pk")).order_by("-evaluated_on", "-pk")


def with_last_evaluation(queryset: QuerySet[Requirement]) -> QuerySet[Requirement]:
    """Annotate ``last_result``, ``last_evaluated_on`` and ``evaluation_due`` from the newest evaluation."""
    newest = newest_evaluations()
    return queryset.annotate(
        last_result=Subquery(newest.values("result")[:1]),
        last_evaluated_on=Subquery(newest.values("evaluated_on")[:1]),
        evaluation_due=Subquery(newest.values("next_due_date")[:1]),
    )


def requirement_list(*, user, action: str = "view") -> QuerySet[Requirement]:
    """Requirements the user may see, with owner, customer and last evaluation in the same query."""
    return with_last_evaluation(Requirement.objects.restrict(user, action).select_related("owner", "customer", "party"))


def overdue_q(today: dt.date | None = None) -> Q:
    """Review date passed, or the last evaluation's next due date passed (on annotated querysets)."""
    today = today or timezone.localdate()
    return Q(next_review_date__lt=today) | Q(evaluation_due__lt=today)


def assignees(requirement: Requirement):
    """Active users who must acknowledge ``requirement``: assigned in person or through their role."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(requirement_assignments__requirement=requirement)
            | Q(groups__requirement_assignments__requirement=requirement)
        )
        .distinct()
    )


def acknowledgement_status(requirement: Requirement) -> list[dict]:
    """Each assignee with the version they last acknowledged and whether that is the current one (one query:
    the latest acknowledgement is read with each person)."""
    latest = Acknowledgement.objects.filter(requirement=requirement, user=OuterRef("pk")).order_by("-version")
    people = assignees(requirement).annotate(
        ack_pk=Subquery(latest.values("pk")[:1]),
        ack_version=Subquery(latest.values("version")[:1]),
        ack_at=Subquery(latest.values("acknowledged_at")[:1]),
    )
    rows = []
    for person in people.order_by("username"):
        ack = None
        if person.ack_pk is not None:
            ack = Acknowledgement(
                pk=person.ack_pk,
                requirement=requirement,
                user=person,
                version=person.ack_version,
                acknowledged_at=person.ack_at,
            )
        rows.append(
            {
                "user": person,
                "acknowledgement": ack,
                "current": bool(ack and ack.version == requirement.version),
            }
        )
    return rows


def acknowledged_coverage_pct() -> Decimal | None:
    """Share, in %, of (active requirement, assignee) pairs acknowledged at the current version.

    Three queries whatever the register's size. None when no active requirement is assigned to anyone.
    """
    active = Assignment.objects.filter(requirement__status=RequirementStatus.ACTIVE)
    pairs = set(active.filter(user__isnull=False, user__is_active=True).values_list("requirement_id", "user_id")) | set(
        active.filter(group__isnull=False, group__user__is_active=True).values_list("requirement_id", "group__user")
    )
    acknowledged = set(
        Acknowledgement.objects.filter(
            requirement__status=RequirementStatus.ACTIVE, version=F("requirement__version")
        ).values_list("requirement_id", "user_id")
    )
    return _percent(len(pairs & acknowledged), len(pairs))


def requirements_met_pct(today: dt.date | None = None) -> Decimal | None:
    """Share, in %, of active applicable requirements whose last evaluation says "met".

    Applicable: active, and the last evaluation is not "not applicable". Requirements never evaluated
    count as not met. None when there is no applicable requirement.
    """
    # Spelled out: a plain exclude() on the annotation would also drop the never-evaluated (NULL) ones.
    applicable = with_last_evaluation(Requirement.objects.filter(status=RequirementStatus.ACTIVE)).filter(
        Q(last_result__isnull=True) | ~Q(last_result=EvaluationResult.NOT_APPLICABLE)
    )
    total = applicable.count()
    met = applicable.filter(last_result=EvaluationResult.MET).count()
    return _percent(met, total)


def due_for_owner(owner, *, today: dt.date | None = None) -> QuerySet[Requirement]:
    """The owner's live requirements whose review or evaluation is due within 14 days or overdue."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=DUE_SOON_DAYS)
    live = [RequirementStatus.ACTIVE, RequirementStatus.UNDER_REVIEW]
    return (
        with_last_evaluation(Requirement.objects.filter(owner=owner, status__in=live))
        .filter(Q(next_review_date__lte=horizon) | Q(evaluation_due__lte=horizon))
        .order_by("next_review_date", "reference")
    )


def unacknowledged_by_requirement(*, user) -> list[dict]:
    """Each active requirement the user may see, with its assignees and those who have not acknowledged
    the current version. Four queries whatever the number of requirements and people."""
    requirements = list(
        Requirement.objects.restrict(user, "view")
        .filter(status=RequirementStatus.ACTIVE)
        .select_related("owner")
        .order_by("reference")
    )
    ids = [requirement.pk for requirement in requirements]
    people = {}
    assigned: dict[int, set[int]] = {pk: set() for pk in ids}
    assignments = (
        Assignment.objects.filter(requirement_id__in=ids).select_related("user").prefetch_related("group__user_set")
    )
    for assignment in assignments:
        members = [assignment.user] if assignment.user_id else list(assignment.group.user_set.all())
        for person in members:
            if person.is_active:
                people[person.pk] = person
                assigned[assignment.requirement_id].add(person.pk)
    versions = {requirement.pk: requirement.version for requirement in requirements}
    acknowledged = {
        (requirement_id, user_id)
        for requirement_id, user_id, version in Acknowledgement.objects.filter(requirement_id__in=ids).values_list(
            "requirement_id", "user_id", "version"
        )
        if versions[requirement_id] == version
    }
    rows = []
    for requirement in requirements:
        pending = sorted(
            (people[pk] for pk in assigned[requirement.pk] if (requirement.pk, pk) not in acknowledged),
            key=lambda person: person.username,
        )
        rows.append({"requirement": requirement, "assignee_count": len(assigned[requirement.pk]), "pending": pending})
    return rows


def party_need_rows(*, party, user) -> list[dict]:
    """Each need of an interested party, with the requirement that captures it (same title) if any."""
    by_title = {
        requirement.title.strip().lower(): requirement
        for requirement in Requirement.objects.restrict(user, "view").filter(party=party)
    }
    return [{"need": line, "requirement": by_title.get(line.lower())} for line in party.need_lines]
