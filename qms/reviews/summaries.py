"""The scheduled summaries: a monthly management summary (the 9.3.2 inputs of the last month, in short)
and a weekly digest for top management (new complaints, overdue items, KPI changes).

Each is compiled once per period into a ``Summary`` row (frozen data, the e-mail's HTML and its PDF)
and queued in the outbox in the same transaction. The row is unique per kind and period, so a second
run of the job, or two at once, finds it and sends nothing; the outbox sends the e-mail once and
attaches the stored PDF (``attachments_for``).

Weekly sections owned by domain apps (new complaints) are registered like the review inputs:
``register_weekly_section`` in each app's ``review_inputs.py``, so this core app imports none of them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from qms.accounts.roles import QUALITY_MANAGER, TOP_MANAGEMENT
from qms.audit.context import audit_context
from qms.core.outbox import outbox_queue

from .choices import SummaryKind
from .inputs import CLAUSE_TITLES, compile_sections, figure, json_ready, listing, row
from .models import Summary

logger = logging.getLogger(__name__)

# A list in a summary shows this many rows and says how many more there were.
SUMMARY_ROWS = 5
OUTBOX_PREFIX = "summary:"

# Who receives each kind (role groups; active users with an e-mail address).
RECIPIENT_ROLES = {
    SummaryKind.MONTHLY: (TOP_MANAGEMENT, QUALITY_MANAGER),
    SummaryKind.WEEKLY: (TOP_MANAGEMENT,),
}


# --- periods -------------------------------------------------------------------------------------------


def previous_period(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete period before ``today``: the previous calendar month, or the previous
    Monday-to-Sunday week."""
    if kind == SummaryKind.MONTHLY:
        end = today.replace(day=1) - dt.timedelta(days=1)
        return end.replace(day=1), end
    start = today - dt.timedelta(days=today.weekday() + 7)
    return start, start + dt.timedelta(days=6)


def summary_title(kind: str, start: dt.date, end: dt.date) -> str:
    if kind == SummaryKind.MONTHLY:
        return f"Management summary, {start:%B %Y}"
    year, week, _ = start.isocalendar()
    return f"Top-management digest, week {week} of {year} ({start:%d %b} – {end:%d %b %Y})"


# --- weekly sections registered by the domain apps ------------------------------------------------------

WeeklyProvider = Callable[[dt.date, dt.date], dict]


@dataclass(frozen=True)
class WeeklySection:
    key: str
    title: str
    order: int
    provider: WeeklyProvider


_weekly: dict[str, WeeklySection] = {}


def register_weekly_section(key: str, *, title: str, order: int, provider: WeeklyProvider) -> None:
    """Add (or replace) a section of the weekly digest; ``provider(start, end)`` returns the same shape as
    a review input: ``{"figures": [...], "lists": [...], "note": ...}``."""
    _weekly[key] = WeeklySection(key=key, title=title, order=order, provider=provider)


# --- compiling ----------------------------------------------------------------------------------------


def _absolute(url: str) -> str:
    return settings.QMS_PORTAL_URL.rstrip("/") + url if url.startswith("/") else url


def _shorten(data: dict) -> dict:
    """A section's data with each list cut to ``SUMMARY_ROWS`` rows and the number left out."""
    lists = []
    for item in data.get("lists", []):
        rows = item.get("rows", [])
        lists.append({**item, "rows": rows[:SUMMARY_ROWS], "more": max(len(rows) - SUMMARY_ROWS, 0)})
    return {"figures": data.get("figures", []), "lists": lists, "note": data.get("note", "")}


def monthly_content(start: dt.date, end: dt.date) -> list[dict]:
    """The 9.3.2 inputs of the period, grouped by clause, every list shortened."""
    groups: dict[str, list[dict]] = {}
    for section in compile_sections(start, end):
        groups.setdefault(section["clause"], []).append({"title": section["title"], **_shorten(section["data"])})
    ordered = sorted(groups, key=lambda clause: (clause not in CLAUSE_TITLES, clause))
    return [
        {"heading": f"{clause} {CLAUSE_TITLES.get(clause, '')}".strip(), "sections": groups[clause]}
        for clause in ordered
    ]


def _kpi_changes(end: dt.date) -> dict:
    """Each active KPI's latest value against the one before, status changes first."""
    from qms.kpis.models import Kpi, KpiValue
    from qms.kpis.periods import period_label
    from qms.kpis.selectors import kpi_status

    kpis = list(Kpi.objects.filter(active=True).order_by("name"))
    history: dict[int, list] = {}
    values = KpiValue.objects.filter(kpi__in=kpis, value__isnull=False, period_start__lte=end)
    for value in values.order_by("kpi_id", "period_start"):
        history.setdefault(value.kpi_id, []).append(value)
    rows, changed = [], 0
    for kpi in kpis:
        recorded = history.get(kpi.pk, [])
        if not recorded:
            continue
        latest = recorded[-1]
        previous = recorded[-2] if len(recorded) > 1 else None
        status = kpi_status(kpi, latest.value)
        before = kpi_status(kpi, previous.value) if previous else ""
        moved = bool(previous) and status != before
        changed += moved
        unit = kpi.unit if kpi.unit in ("%", "") else f" {kpi.unit}"
        detail = f"{period_label(latest.period_start, kpi.frequency)}: {json_ready(latest.value)}{unit}"
        if previous is not None:
            detail += f" (before {json_ready(previous.value)}{unit})"
        detail += f" · target {json_ready(kpi.target)}{unit} · {status.upper() if status else 'no status'}"
        if moved:
            detail += f", was {before.upper() or 'no status'}"
        rows.append((not moved, kpi.name, {**row("", kpi.name, detail), "url": _absolute(kpi.get_absolute_url())}))
    rows.sort(key=lambda item: (item[0], item[1]))
    return {
        "figures": [figure("KPIs with a value", len(rows)), figure("KPIs whose status changed", changed)],
        "lists": [listing("Latest value of each KPI", [item[2] for item in rows], "No KPI has a value yet.")],
    }


def _overdue_items(today: dt.date) -> dict:
    """The dashboard's work queues: how many are overdue or due now in each, and the first few."""
    from qms.kpis.queues import work_queues

    queues = work_queues(today)
    lists = []
    for queue in queues:
        rows = [
            {
                **row("", item.label, f"due {item.due:%d %b %Y}" if item.due else item.note),
                "url": _absolute(item.url),
            }
            for item in queue.items
        ]
        lists.append({**listing(f"{queue.title} ({queue.count})", rows, queue.empty), "count": queue.count})
    return {"figures": [figure("Items waiting in all queues", sum(queue.count for queue in queues))], "lists": lists}


def weekly_content(start: dt.date, end: dt.date) -> list[dict]:
    """New complaints (and the other registered sections), overdue items and KPI changes."""
    sections = [
        {"title": section.title, **_shorten(section.provider(start, end))}
        for section in sorted(_weekly.values(), key=lambda item: (item.order, item.key))
    ]
    today = end + dt.timedelta(days=1)
    return [
        {"heading": "This week", "sections": sections},
        {"heading": "Overdue and due now", "sections": [{"title": "Work queues", **_overdue_items(today)}]},
        {"heading": "KPI changes", "sections": [{"title": "KPIs", **_kpi_changes(end)}]},
    ]


def compile_content(kind: str, start: dt.date, end: dt.date) -> dict:
    groups = monthly_content(start, end) if kind == SummaryKind.MONTHLY else weekly_content(start, end)
    return {
        "title": summary_title(kind, start, end),
        "kind": kind,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "compiled_at": timezone.now().isoformat(),
        "groups": groups,
    }


# --- rendering ----------------------------------------------------------------------------------------


def render_html(content: dict) -> str:
    """The summary as one HTML document: the e-mail's body and the source of its PDF."""
    return render_to_string(
        "reviews/summary_document.html",
        {
            "content": content,
            "compiled_at": dt.datetime.fromisoformat(content["compiled_at"]),
            "summaries_url": _absolute(reverse("reviews:summary_list")),
        },
    )


def render_text(content: dict) -> str:
    """The plain-text part of the e-mail."""
    return render_to_string(
        "reviews/summary_email.txt", {"content": content, "summaries_url": _absolute(reverse("reviews:summary_list"))}
    )


def render_summary_pdf(html: str) -> bytes:
    from qms.kpis.pdf import render_pdf  # WeasyPrint loads fonts and stylesheets: only when a PDF is made

    return render_pdf(html, base_url=settings.QMS_PORTAL_URL.rstrip("/") + "/")


def recipients_for(kind: str) -> list[str]:
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=RECIPIENT_ROLES[kind])
        .exclude(email="")
        .order_by("email")
    )
    return list(dict.fromkeys(users.values_list("email", flat=True)))


# --- the service the jobs call ------------------------------------------------------------------------


def summary_send(*, kind: str, today: dt.date | None = None) -> Summary | None:
    """Compile, store and queue the summary of ``kind`` for the last complete period before ``today``.

    Returns the new summary, or None when one was already made for that period (by this run's twin or
    an earlier run): the e-mail goes out once per period however many times the job runs.
    """
    if kind not in SummaryKind.values:
        raise ValueError(f"Unknown summary kind {kind!r}.")
    today = today or timezone.localdate()
    start, end = previous_period(kind, today)
    if Summary.objects.filter(kind=kind, period_start=start).exists():
        return None
    content = compile_content(kind, start, end)
    html = render_html(content)
    pdf = render_summary_pdf(html)
    recipients = recipients_for(kind)
    try:
        with transaction.atomic(), audit_context(source="job"):
            summary = Summary.objects.create(
                kind=kind,
                period_start=start,
                period_end=end,
                title=content["title"],
                content=content,
                html=html,
                pdf=pdf,
                recipients=recipients,
                compiled_at=timezone.now(),
            )
            delivery = outbox_queue(
                key=f"{OUTBOX_PREFIX}{summary.pk}",
                to=recipients,
                subject=content["title"],
                body=render_text(content),
                html_body=html,
            )
            if delivery is not None:
                summary.delivery = delivery
                summary.save(update_fields=["delivery"])
    except IntegrityError:
        # The twin run stored this period's summary between our check and our insert.
        return None
    if not recipients:
        logger.warning("Nobody with an e-mail address receives the %s summary; it is stored only.", kind)
    return summary


def attachments_for(key: str) -> list[tuple[str, bytes, str]]:
    """The outbox's attachments for a summary's e-mail: its stored PDF."""
    summary = Summary.objects.filter(pk=int(key.removeprefix(OUTBOX_PREFIX))).only("kind", "period_start", "pdf")
    return [(item.pdf_filename, bytes(item.pdf), "application/pdf") for item in summary]
