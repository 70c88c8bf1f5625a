"""The scheduled summaries: periods, content, the e-mail with its PDF, once per period (twice in a row,
two at once, a real worker), and the stored copy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.utils import timezone

from feedback.tests.factories import FeedbackItemFactory
from qms.core.models import OutboxEmail
from qms.core.outbox import outbox_deliver
from qms.kpis.tests.factories import KpiFactory, KpiValueFactory
from qms.reviews.choices import SummaryKind
from qms.reviews.models import Summary
from qms.reviews.summaries import previous_period, summary_send
from qms.reviews.tasks import send_monthly_summary, send_weekly_digest

TODAY = dt.date(2026, 12, 2)  # a Wednesday
WEEK = (dt.date(2026, 11, 23), dt.date(2026, 11, 29))


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


@pytest.mark.parametrize(
    ("kind", "today", "expected"),
    [
        ("monthly", dt.date(2026, 12, 2), (dt.date(2026, 11, 1), dt.date(2026, 11, 30))),
        ("monthly", dt.date(2026, 1, 1), (dt.date(2025, 12, 1), dt.date(2025, 12, 31))),
        ("monthly", dt.date(2026, 3, 31), (dt.date(2026, 2, 1), dt.date(2026, 2, 28))),
        ("weekly", dt.date(2026, 12, 2), WEEK),
        ("weekly", dt.date(2026, 11, 30), WEEK),  # on the Monday itself: the week just ended
        ("weekly", dt.date(2026, 12, 6), WEEK),  # on the Sunday: that week is not over yet
    ],
)
def test_each_summary_covers_the_last_complete_period(kind, today, expected):
    assert previous_period(kind, today) == expected


@pytest.mark.django_db
def test_the_monthly_summary_is_stored_and_emailed_once_with_its_pdf(quality, management, staff, auditor):
    summary = summary_send(kind=SummaryKind.MONTHLY, today=TODAY)

    assert (summary.period_start, summary.period_end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert summary.title == "Management summary, November 2026"
    # Top management and quality managers; not staff, not auditors.
    assert summary.recipients == ["management@example.com", "quality@example.com"]
    headings = [group["heading"] for group in summary.content["groups"]]
    assert headings[0].startswith("9.3.2 a") and any(heading.startswith("9.3.2 c") for heading in headings)
    assert bytes(summary.pdf).startswith(b"%PDF-")
    assert "Management summary, November 2026" in summary.html

    assert outbox_deliver() == {"sent": 1, "failed": 0}
    (message,) = mail.outbox
    assert message.subject == "Management summary, November 2026"
    assert sorted(message.to) == ["management@example.com", "quality@example.com"]
    assert message.alternatives[0][0] == summary.html
    assert "Customer satisfaction and feedback trends" in message.body
    (attachment,) = message.attachments
    assert attachment[0] == "monthly-summary-2026-11-01.pdf"
    assert attachment[1] == bytes(summary.pdf) and attachment[2] == "application/pdf"

    # The job runs again (a retry, a second beat): nothing new is made or sent.
    assert summary_send(kind=SummaryKind.MONTHLY, today=TODAY) is None
    assert summary_send(kind=SummaryKind.MONTHLY, today=dt.date(2026, 12, 20)) is None
    assert outbox_deliver() == {"sent": 0, "failed": 0}
    assert Summary.objects.count() == 1 and len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_weekly_digest_lists_new_complaints_overdue_items_and_kpi_changes(management, quality):
    new = FeedbackItemFactory(received_at=_at(dt.date(2026, 11, 25)), summary="Damaged pallet")
    FeedbackItemFactory(received_at=_at(dt.date(2026, 11, 18)))  # the week before: counted, not listed
    FeedbackItemFactory(received_at=_at(dt.date(2026, 11, 30)))  # after the week: neither
    FeedbackItemFactory(kind="compliment", received_at=_at(dt.date(2026, 11, 24)))
    steady = KpiFactory(name="Answer rate", owner=quality)
    KpiValueFactory(kpi=steady, period_start=dt.date(2026, 9, 1), value=Decimal("97"))
    KpiValueFactory(kpi=steady, period_start=dt.date(2026, 10, 1), value=Decimal("98"))
    slipping = KpiFactory(name="On-time delivery", owner=quality)
    KpiValueFactory(kpi=slipping, period_start=dt.date(2026, 9, 1), value=Decimal("96"))
    KpiValueFactory(kpi=slipping, period_start=dt.date(2026, 10, 1), value=Decimal("85"))

    summary = summary_send(kind=SummaryKind.WEEKLY, today=TODAY)

    assert (summary.period_start, summary.period_end) == WEEK
    assert summary.title.startswith("Top-management digest, week 48 of 2026")
    assert summary.recipients == ["management@example.com"]
    this_week, overdue, kpis = summary.content["groups"]
    complaints = this_week["sections"][0]
    assert complaints["title"] == "New complaints"
    assert complaints["figures"] == [
        {"label": "Complaints received this week", "value": 1, "unit": ""},
        {"label": "The week before", "value": 1, "unit": ""},
    ]
    (listed,) = complaints["lists"][0]["rows"]
    assert (listed["reference"], listed["label"]) == (new.reference, "Damaged pallet")
    assert listed["url"] == "http://127.0.0.1:8000" + new.get_absolute_url()
    assert overdue["heading"] == "Overdue and due now"
    assert any(
        item["title"].startswith("Complaints past their time target") for item in overdue["sections"][0]["lists"]
    )
    figures = {item["label"]: item["value"] for item in kpis["sections"][0]["figures"]}
    assert figures == {"KPIs with a value": 2, "KPIs whose status changed": 1}
    first, second = kpis["sections"][0]["lists"][0]["rows"]
    assert first["label"] == "On-time delivery" and "85" in first["detail"] and "RED, was GREEN" in first["detail"]
    assert second["label"] == "Answer rate" and "was" not in second["detail"]


@pytest.mark.django_db
def test_a_summary_with_nobody_to_send_to_is_still_stored(quality):
    summary = summary_send(kind=SummaryKind.WEEKLY, today=TODAY)
    assert summary.recipients == [] and summary.delivery is None
    assert not OutboxEmail.objects.exists()


@pytest.mark.django_db
def test_the_jobs_send_the_last_period_and_report_a_second_run(management):
    assert send_monthly_summary.apply(args=[TODAY.isoformat()]).get() == {
        "sent": True,
        "summary": Summary.objects.get(kind="monthly").pk,
        "recipients": 1,
    }
    assert send_monthly_summary.apply(args=[TODAY.isoformat()]).get() == {
        "sent": False,
        "reason": "already made for this period",
    }
    assert send_weekly_digest.apply(args=[TODAY.isoformat()]).get()["sent"] is True
    assert sorted(Summary.objects.values_list("kind", flat=True)) == ["monthly", "weekly"]


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_store_and_send_one_summary(management, at_once):
    results, errors = at_once(lambda: summary_send(kind=SummaryKind.WEEKLY, today=TODAY))
    if connection.vendor == "sqlite":
        # SQLite's in-memory test database refuses the second writer ("table is locked") instead of
        # making it wait; that run fails and its retry finds the summary made.
        assert all(isinstance(error, OperationalError) for error in errors)
        assert summary_send(kind=SummaryKind.WEEKLY, today=TODAY) is None
    else:
        assert errors == []
        assert sorted(result is None for result in results) == [False, True]
    assert Summary.objects.count() == 1
    assert OutboxEmail.objects.filter(key__startswith="summary:").count() == 1
    outbox_deliver()
    outbox_deliver()
    assert len(mail.outbox) == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_running_the_job_twice_sends_one_summary(management, run_in_worker):
    first, second = run_in_worker(send_weekly_digest.s(TODAY.isoformat()), send_weekly_digest.s(TODAY.isoformat()))
    assert first["sent"] is True and second == {"sent": False, "reason": "already made for this period"}
    assert Summary.objects.count() == 1
    assert outbox_deliver()["sent"] == 1
    (message,) = mail.outbox
    assert message.attachments[0][0] == "weekly-summary-2026-11-23.pdf"
