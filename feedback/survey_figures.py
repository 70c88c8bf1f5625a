"""Customer satisfaction survey figures (9.1.2, 9.1.3, 9.3.2): NPS, CSAT and response rate.

The definitions are those of the domain brief, kept exact:

- **NPS**: of the responses with an NPS score (0–10), % promoters (9–10) − % detractors (0–6), from
  −100 to +100; passives are 7–8.
- **CSAT %**: of the responses with a CSAT score (1–5), the share that are 4 or 5.
- **Response rate**: responses ÷ delivered invitations, where *delivered* means sent (``sent_at`` set)
  and not failed; only responses to delivered invitations are counted, so the rate never passes 100.

Every figure is None (never 0) when there is nothing to compute it from. Figures are rounded to one
decimal **half away from zero** (6.25 → 6.3, −6.25 → −6.3), computed exactly in integers, so the
answer does not depend on binary floating point or on Python's round-half-to-even.

Common keyword arguments: ``user`` (only the rows that user may see, through the permission engine's
``restrict``), ``start``/``end`` (local calendar dates, both inclusive: on ``submitted_at`` for responses,
on ``sent_at`` for invitations), ``campaign``, ``customer`` and ``segment`` (the customer's segment:
for responses, the segment kept on the response when it was submitted; for invitations, the
customer's current segment). Counting is done in SQL, one query per figure.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, DateField, Q, QuerySet

from customers.choices import Segment

from .choices import InvitationStatus, QuestionType
from .figures import _TRUNC, NO_CUSTOMER, Period, _between, _period_starts
from .models import Answer, Campaign, Invitation, Question, SurveyResponse

NO_SEGMENT = "Not recorded"
SCORED_TYPES = frozenset({QuestionType.NPS, QuestionType.CSAT, QuestionType.RATING})
CHOICE_TYPES = frozenset({QuestionType.SINGLE, QuestionType.MULTIPLE})

_PROMOTER = Q(nps_score__gte=9, nps_score__lte=10)
_PASSIVE = Q(nps_score__gte=7, nps_score__lte=8)
_DETRACTOR = Q(nps_score__gte=0, nps_score__lte=6)
_HAS_NPS = Q(nps_score__isnull=False)
_HAS_CSAT = Q(csat_score__isnull=False)
_SATISFIED = Q(csat_score__gte=4, csat_score__lte=5)
_DELIVERED = Q(sent_at__isnull=False) & ~Q(status=InvitationStatus.FAILED)


def round_tenth(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator`` to one decimal, half away from zero; None when dividing by zero."""
    if not denominator:
        return None
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    tenths, remainder = divmod(abs(numerator) * 10, abs(denominator))
    if 2 * remainder >= abs(denominator):
        tenths += 1
    return sign * tenths / 10


def _pct(part: int, whole: int) -> float | None:
    return round_tenth(100 * part, whole)


def _nps_value(promoters: int, detractors: int, total: int) -> float | None:
    return round_tenth(100 * (promoters - detractors), total)


# The aggregates behind each figure, so that the same counts serve the totals, periods and groups.
_NPS_COUNTS = {
    "promoters": Count("pk", filter=_PROMOTER),
    "passives": Count("pk", filter=_PASSIVE),
    "detractors": Count("pk", filter=_DETRACTOR),
    "nps_total": Count("pk", filter=_HAS_NPS),
}
_CSAT_COUNTS = {"satisfied": Count("pk", filter=_SATISFIED), "csat_total": Count("pk", filter=_HAS_CSAT)}
_RATE_COUNTS = {
    "responses": Count("pk", filter=_DELIVERED & Q(response__isnull=False)),
    "delivered": Count("pk", filter=_DELIVERED),
}


def _nps_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "promoters": row["promoters"],
        "passives": row["passives"],
        "detractors": row["detractors"],
        "total": row["nps_total"],
        "nps": _nps_value(row["promoters"], row["detractors"], row["nps_total"]),
    }


def _csat_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "satisfied": row["satisfied"],
        "total": row["csat_total"],
        "csat_pct": _pct(row["satisfied"], row["csat_total"]),
    }


def _rate_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "responses": row["responses"],
        "delivered": row["delivered"],
        "rate_pct": _pct(row["responses"], row["delivered"]),
    }


def nps_summary(responses: QuerySet[SurveyResponse]) -> dict[str, Any]:
    """``{"promoters", "passives", "detractors", "total", "nps"}`` of the responses with an NPS score.

    ``total`` counts responses with a score; ``nps`` is None when there are none. One query.
    """
    return _nps_row(responses.order_by().aggregate(**_NPS_COUNTS))


def csat_summary(responses: QuerySet[SurveyResponse]) -> dict[str, Any]:
    """``{"satisfied", "total", "csat_pct"}``: responses with a CSAT score, those scoring 4 or 5. One query."""
    return _csat_row(responses.order_by().aggregate(**_CSAT_COUNTS))


def response_rate_summary(invitations: QuerySet[Invitation]) -> dict[str, Any]:
    """``{"responses", "delivered", "rate_pct"}`` of the invitations; failed and unsent ones are not
    delivered (see the module). ``rate_pct`` is None when none was delivered. One query."""
    return _rate_row(invitations.order_by().aggregate(**_RATE_COUNTS))


def survey_responses(
    *,
    user=None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    campaign: Campaign | None = None,
    segment: str | None = None,
    customer=None,
) -> QuerySet[SurveyResponse]:
    """The responses submitted from ``start`` to ``end`` (inclusive local dates), those ``user`` may see."""
    responses = SurveyResponse.objects.restrict(user, "view") if user is not None else SurveyResponse.objects.all()
    responses = responses.filter(_between("submitted_at", start, end))
    if campaign is not None:
        responses = responses.filter(campaign=campaign)
    if segment:
        responses = responses.filter(segment=segment)
    if customer is not None:
        responses = responses.filter(customer=customer)
    return responses


def survey_invitations(
    *,
    user=None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    campaign: Campaign | None = None,
    segment: str | None = None,
    customer=None,
) -> QuerySet[Invitation]:
    """The invitations sent from ``start`` to ``end`` (inclusive local dates on ``sent_at``) ``user`` may see."""
    invitations = Invitation.objects.restrict(user, "view") if user is not None else Invitation.objects.all()
    invitations = invitations.filter(_between("sent_at", start, end))
    if campaign is not None:
        invitations = invitations.filter(campaign=campaign)
    if segment:
        invitations = invitations.filter(customer__segment=segment)
    if customer is not None:
        invitations = invitations.filter(customer=customer)
    return invitations.order_by()


def nps(
    *,
    start: dt.date | None,
    end: dt.date | None,
    segment: str | None = None,
    campaign: Campaign | None = None,
    customer=None,
    user=None,
) -> dict[str, Any]:
    """NPS of the responses submitted in the period, as ``nps_summary``."""
    return nps_summary(
        survey_responses(user=user, start=start, end=end, campaign=campaign, segment=segment, customer=customer)
    )


def csat(
    *,
    start: dt.date | None,
    end: dt.date | None,
    segment: str | None = None,
    campaign: Campaign | None = None,
    customer=None,
    user=None,
) -> dict[str, Any]:
    """CSAT of the responses submitted in the period, as ``csat_summary``."""
    return csat_summary(
        survey_responses(user=user, start=start, end=end, campaign=campaign, segment=segment, customer=customer)
    )


def survey_response_rate(
    *,
    start: dt.date | None,
    end: dt.date | None,
    segment: str | None = None,
    campaign: Campaign | None = None,
    customer=None,
    user=None,
) -> dict[str, Any]:
    """Response rate of the invitations sent in the period (by ``sent_at``), as ``response_rate_summary``."""
    return response_rate_summary(
        survey_invitations(user=user, start=start, end=end, campaign=campaign, segment=segment, customer=customer)
    )


def _by_period(
    rows: QuerySet, field: str, counts: dict, start: dt.date, end: dt.date, period: Period
) -> tuple[list[dt.date], dict[dt.date, dict[str, Any]]]:
    if period not in _TRUNC:
        raise ValueError(f"period must be one of {', '.join(_TRUNC)}, not {period!r}")
    grouped = rows.annotate(period=_TRUNC[period](field, output_field=DateField())).values("period").annotate(**counts)
    return _period_starts(start, end, period), {row["period"]: row for row in grouped}


def nps_by_period(
    *,
    start: dt.date,
    end: dt.date,
    period: Period = "month",
    segment: str | None = None,
    campaign: Campaign | None = None,
    customer=None,
    user=None,
) -> list[dict[str, Any]]:
    """NPS per period from ``start`` to ``end``, every period listed (counts 0 and ``nps`` None when none).

    ``[{"period": date(2026, 1, 1), "nps": 30.0, "promoters": 5, "passives": 3, "detractors": 2,
    "total": 10}, ...]``; ``period`` is the first day of the month or quarter, or the Monday of the ISO
    week, in the portal's time zone; oldest first. One query.
    """
    if end < start:
        return []
    responses = survey_responses(
        user=user, start=start, end=end, campaign=campaign, segment=segment, customer=customer
    ).order_by()
    starts, rows = _by_period(responses, "submitted_at", _NPS_COUNTS, start, end, period)
    empty = dict.fromkeys(_NPS_COUNTS, 0)
    return [{"period": day, **_nps_row(rows.get(day, empty))} for day in starts]


def csat_by_period(
    *,
    start: dt.date,
    end: dt.date,
    period: Period = "month",
    segment: str | None = None,
    campaign: Campaign | None = None,
    customer=None,
    user=None,
) -> list[dict[str, Any]]:
    """CSAT per period, zero-filled as ``nps_by_period``: ``[{"period", "csat_pct", "satisfied", "total"}]``."""
    if end < start:
        return []
    responses = survey_responses(
        user=user, start=start, end=end, campaign=campaign, segment=segment, customer=customer
    ).order_by()
    starts, rows = _by_period(responses, "submitted_at", _CSAT_COUNTS, start, end, period)
    empty = dict.fromkeys(_CSAT_COUNTS, 0)
    return [{"period": day, **_csat_row(rows.get(day, empty))} for day in starts]


def response_rate_by_period(
    *,
    start: dt.date,
    end: dt.date,
    period: Period = "month",
    segment: str | None = None,
    campaign: Campaign | None = None,
    customer=None,
    user=None,
) -> list[dict[str, Any]]:
    """Response rate per period of sending (``sent_at``), zero-filled as ``nps_by_period``:
    ``[{"period", "rate_pct", "responses", "delivered"}]``; a response counts in the period its
    invitation was sent."""
    if end < start:
        return []
    invitations = survey_invitations(
        user=user, start=start, end=end, campaign=campaign, segment=segment, customer=customer
    )
    starts, rows = _by_period(invitations, "sent_at", _RATE_COUNTS, start, end, period)
    empty = dict.fromkeys(_RATE_COUNTS, 0)
    return [{"period": day, **_rate_row(rows.get(day, empty))} for day in starts]


def nps_by_segment(*, start: dt.date | None, end: dt.date | None, user=None) -> list[dict[str, Any]]:
    """NPS and CSAT per customer segment (the segment kept on each response) over the period.

    ``[{"segment": "sme", "segment_label": "Small and medium business", "nps": 30.0, "promoters": 5,
    "passives": 3, "detractors": 2, "total": 10, "csat_pct": 80.0}, ...]``: every segment in the order
    of the segment list, zero-filled (``nps`` and ``csat_pct`` None without scores), then responses with
    no segment recorded (``segment`` "", label "Not recorded") when there are any. One query.
    """
    rows = {
        row["segment"]: row
        for row in survey_responses(user=user, start=start, end=end)
        .order_by()
        .values("segment")
        .annotate(**_NPS_COUNTS, **_CSAT_COUNTS)
    }
    labels = dict(Segment.choices)
    keys = list(labels) + sorted(key for key in rows if key not in labels and key)
    if "" in rows:
        keys.append("")
    empty = dict.fromkeys((*_NPS_COUNTS, *_CSAT_COUNTS), 0)
    result = []
    for key in keys:
        row = rows.get(key, empty)
        result.append(
            {
                "segment": key,
                "segment_label": labels.get(key, key or NO_SEGMENT),
                **_nps_row(row),
                "csat_pct": _csat_row(row)["csat_pct"],
            }
        )
    return result


def results_by_customer(*, start: dt.date | None, end: dt.date | None, user=None) -> list[dict[str, Any]]:
    """NPS, CSAT % and number of responses per customer over the period, most responses first.

    ``[{"customer_id": 4, "customer": "Acme", "nps": 50.0, "csat_pct": 100.0, "responses": 2}, ...]``;
    responses from no known customer are one row with ``customer_id`` None; ties in name order. One query.
    """
    rows = (
        survey_responses(user=user, start=start, end=end)
        .order_by()
        .values("customer_id", "customer__name")
        .annotate(responses=Count("pk"), **_NPS_COUNTS, **_CSAT_COUNTS)
    )
    result = [
        {
            "customer_id": row["customer_id"],
            "customer": row["customer__name"] or NO_CUSTOMER,
            "nps": _nps_row(row)["nps"],
            "csat_pct": _csat_row(row)["csat_pct"],
            "responses": row["responses"],
        }
        for row in rows
    ]
    return sorted(result, key=lambda row: (-row["responses"], row["customer"]))


def _answers(question: Question, responses: QuerySet[SurveyResponse]) -> QuerySet[Answer]:
    return Answer.objects.filter(question=question, response__in=responses.order_by().values("pk")).order_by()


def question_distribution(question: Question, responses: QuerySet[SurveyResponse]) -> list[dict[str, Any]]:
    """How the ``responses`` answered ``question``: ``[{"label": "9", "count": 4, "pct": 40.0}, ...]``.

    Scored questions (NPS, CSAT, rating): every value of the scale in order, zeros included; ``pct`` of
    those who gave a number. Choice questions: every option in the template's order, zeros included
    (then any option no longer offered); ``pct`` of those who chose anything, so for multiple choice it
    is the share of respondents and the column may add up to more than 100. Text questions: ``[]``.
    ``pct`` is None when nobody answered. One query.
    """
    if question.type in SCORED_TYPES:
        counts = {
            row["number"]: row["count"]
            for row in _answers(question, responses)
            .filter(number__isnull=False)
            .values("number")
            .annotate(count=Count("pk"))
        }
        total = sum(counts.values())
        values = list(question.scale or ()) + sorted(set(counts) - set(question.scale or ()))
        return [
            {"label": str(value), "count": counts.get(value, 0), "pct": _pct(counts.get(value, 0), total)}
            for value in values
        ]
    if question.type in CHOICE_TYPES:
        # Grouped in SQL by the whole chosen set (one row per distinct combination), split here.
        combinations = _answers(question, responses).values("choices").annotate(count=Count("pk"))
        counts: dict[str, int] = {}
        respondents = 0
        for row in combinations:
            chosen = [option for option in dict.fromkeys(row["choices"] or []) if option]
            if not chosen:
                continue
            respondents += row["count"]
            for option in chosen:
                counts[option] = counts.get(option, 0) + row["count"]
        options = question.choice_list + sorted(set(counts) - set(question.choice_list))
        return [
            {"label": option, "count": counts.get(option, 0), "pct": _pct(counts.get(option, 0), respondents)}
            for option in options
        ]
    return []


def free_text_answers(question: Question, responses: QuerySet[SurveyResponse]) -> list[str]:
    """The non-blank text answers of the ``responses`` to ``question``, newest response first. One query."""
    texts = (
        _answers(question, responses)
        .exclude(text="")
        .order_by("-response__submitted_at", "-response_id")
        .values_list("text", flat=True)
    )
    return [text for text in texts if text.strip()]


def _question_kind(question: Question) -> str:
    if question.type in SCORED_TYPES:
        return "scored"
    if question.type in CHOICE_TYPES:
        return "choice"
    return "text"


def campaign_results(campaign: Campaign) -> dict[str, Any]:
    """Everything the campaign page shows: ``{"response_rate", "nps", "csat", "questions"}``.

    ``response_rate``, ``nps`` and ``csat`` as ``response_rate_summary``, ``nps_summary`` and
    ``csat_summary`` over the campaign's invitations and responses; ``questions`` lists the template's
    questions in order as ``{"question": Question, "kind": "scored" | "choice" | "text",
    "distribution": [...], "answers": [...]}`` (``distribution`` for scored and choice questions,
    ``answers``, the free text newest first, for text questions). Four queries plus one per question.
    """
    responses = SurveyResponse.objects.filter(campaign=campaign)
    questions = []
    for question in Question.objects.filter(template_id=campaign.template_id).order_by("order", "pk"):
        kind = _question_kind(question)
        questions.append(
            {
                "question": question,
                "kind": kind,
                "distribution": question_distribution(question, responses) if kind != "text" else [],
                "answers": free_text_answers(question, responses) if kind == "text" else [],
            }
        )
    return {
        "response_rate": response_rate_summary(Invitation.objects.filter(campaign=campaign)),
        "nps": nps_summary(responses),
        "csat": csat_summary(responses),
        "questions": questions,
    }
