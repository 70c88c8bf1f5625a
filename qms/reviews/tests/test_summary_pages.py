"""The summaries' pages and API, and the schedule the quality manager edits (django-celery-beat rows)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from qms.audit.models import AuditEntry
from qms.reviews.choices import SummaryKind
from qms.reviews.schedules import DEFAULTS, schedule_read
from qms.reviews.summaries import summary_send

TODAY = dt.date(2026, 12, 2)


@pytest.fixture
def summaries(management, quality):
    return [summary_send(kind=kind, today=TODAY) for kind in SummaryKind.values]


def _task(kind: str) -> PeriodicTask:
    return PeriodicTask.objects.select_related("crontab").get(name=DEFAULTS[kind].name)


@pytest.mark.django_db
def test_the_migration_schedules_both_summaries_on_crontabs():
    monthly, weekly = _task("monthly"), _task("weekly")
    assert monthly.task == "qms.reviews.tasks.send_monthly_summary" and monthly.enabled
    assert (monthly.crontab.day_of_month, monthly.crontab.hour, monthly.crontab.minute) == ("1", "6", "0")
    assert weekly.task == "qms.reviews.tasks.send_weekly_digest" and weekly.enabled
    assert (weekly.crontab.day_of_week, weekly.crontab.hour) == ("1", "7")
    assert monthly.expire_seconds and weekly.expire_seconds
    # Not in the settings' schedule: beat would copy it over the quality manager's changes at each start.
    from django.conf import settings

    assert not any("summary" in entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values())


@pytest.mark.django_db
def test_list_shows_the_summaries_and_when_they_are_sent(client_for, quality, summaries):
    response = client_for(quality).get(reverse("reviews:summary_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Management summary, November 2026" in page and "Top-management digest, week 48" in page
    assert "Every month on day 1 at 06:00 (UTC)" in page and "Every Monday at 07:00 (UTC)" in page
    assert reverse("reviews:summary_schedule") in page
    assert "Queued" in page


@pytest.mark.django_db
def test_list_queries_do_not_grow_with_the_number_of_summaries(client_for, quality, summaries):
    client = client_for(quality)
    # Measured as a running process settles: the first list view reads the table estimates each process reads
    # once a minute (PostgreSQL).
    client.get(reverse("reviews:summary_list"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reviews:summary_list"))
    for day in (dt.date(2026, 10, 5), dt.date(2026, 9, 5), dt.date(2026, 8, 5)):
        for kind in SummaryKind.values:
            summary_send(kind=kind, today=day)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("reviews:summary_list"))
    assert len(many) == len(few) <= 12


@pytest.mark.django_db
def test_top_management_and_auditors_read_but_do_not_schedule(client_for, management, auditor, summaries):
    for user in (management, auditor):
        client = client_for(user)
        page = client.get(reverse("reviews:summary_list")).content.decode()
        assert "Management summary, November 2026" in page
        assert reverse("reviews:summary_schedule") not in page
        assert client.get(reverse("reviews:summary_schedule")).status_code == 403


@pytest.mark.django_db
def test_staff_cannot_read_summaries(client_for, staff, summaries):
    client = client_for(staff)
    assert client.get(reverse("reviews:summary_list")).status_code == 403
    assert client.get(reverse("reviews:summary_detail", args=[summaries[0].pk])).status_code == 403
    assert client.get(reverse("reviews:summary_pdf", args=[summaries[0].pk])).status_code == 403


@pytest.mark.django_db
def test_detail_shows_the_frozen_content_and_who_it_went_to(client_for, auditor, summaries):
    monthly = summaries[0]
    monthly.content["groups"][0]["heading"] = "9.3.2 a As it was frozen"
    monthly.save(update_fields=["content"])
    response = client_for(auditor).get(reverse("reviews:summary_detail", args=[monthly.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "9.3.2 a As it was frozen" in page
    assert "management@example.com, quality@example.com" in page
    assert reverse("reviews:summary_pdf", args=[monthly.pk]) in page


@pytest.mark.django_db
def test_the_pdf_is_downloaded_as_it_was_attached(client_for, auditor, summaries):
    monthly = summaries[0]
    response = client_for(auditor).get(reverse("reviews:summary_pdf", args=[monthly.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="monthly-summary-2026-11-01.pdf"'
    assert response.content == bytes(monthly.pdf)


@pytest.mark.django_db
def test_missing_summary_is_a_404(client_for, quality):
    assert client_for(quality).get(reverse("reviews:summary_detail", args=[999])).status_code == 404
    assert client_for(quality).get(reverse("reviews:summary_pdf", args=[999])).status_code == 404


@pytest.mark.django_db
def test_quality_manager_changes_when_the_monthly_summary_is_sent(client_for, quality):
    client = client_for(quality)
    page = client.get(reverse("reviews:summary_schedule")).content.decode()
    assert "Every month on day 1 at 06:00 (UTC)" in page
    before = PeriodicTasks.last_change()

    response = client.post(
        reverse("reviews:summary_schedule"),
        {"kind": "monthly", "monthly-enabled": "on", "monthly-day": "3", "monthly-time": "05:30"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("reviews:summary_schedule")
    assert "Every month on day 3 at 05:30 (UTC)" in response.content.decode()
    task = _task("monthly")
    assert (task.crontab.day_of_month, task.crontab.hour, task.crontab.minute) == ("3", "5", "30")
    assert (task.crontab.day_of_week, str(task.crontab.timezone)) == ("*", "UTC")
    assert PeriodicTasks.last_change() != before  # beat reloads its schedule
    entry = AuditEntry.objects.filter(content_type="django_celery_beat.periodictask").get()
    assert entry.actor_id == quality.pk
    assert entry.changes == {"schedule": ["Every month on day 1 at 06:00 (UTC)", "Every month on day 3 at 05:30 (UTC)"]}
    # The weekly one is untouched.
    assert schedule_read("weekly")["day"] == "1"


@pytest.mark.django_db
def test_quality_manager_switches_the_weekly_digest_off(client_for, quality):
    client_for(quality).post(
        reverse("reviews:summary_schedule"),
        {"kind": "weekly", "weekly-day": "5", "weekly-time": "08:15"},
    )
    task = _task("weekly")
    assert task.enabled is False
    assert (task.crontab.day_of_week, task.crontab.hour, task.crontab.minute) == ("5", "8", "15")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"kind": "monthly", "monthly-enabled": "on", "monthly-day": "31", "monthly-time": "06:00"}, "monthly-day"),
        ({"kind": "monthly", "monthly-enabled": "on", "monthly-day": "1", "monthly-time": "25:00"}, "monthly-time"),
        ({"kind": "weekly", "weekly-enabled": "on", "weekly-day": "8", "weekly-time": "06:00"}, "weekly-day"),
    ],
)
def test_a_wrong_schedule_is_refused_naming_the_field(client_for, quality, data, field_error):
    response = client_for(quality).post(reverse("reviews:summary_schedule"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_{field_error}"' in page and "is-invalid" in page
    assert (_task("monthly").crontab.day_of_month, _task("weekly").crontab.day_of_week) == ("1", "1")
    assert not AuditEntry.objects.filter(content_type="django_celery_beat.periodictask").exists()


@pytest.mark.django_db
def test_an_unknown_schedule_kind_is_refused(client_for, quality):
    response = client_for(quality).post(reverse("reviews:summary_schedule"), {"kind": "daily"})
    assert response.status_code == 400
    assert "Choose which summary" in response.content.decode()


@pytest.mark.django_db
def test_the_service_refuses_anyone_but_a_quality_manager(management):
    from django.core.exceptions import PermissionDenied

    from qms.reviews.schedules import schedule_update

    with pytest.raises(PermissionDenied):
        schedule_update(actor=management, kind="monthly", enabled=True, day="2", time=dt.time(6))
    assert _task("monthly").crontab.day_of_month == "1"


@pytest.mark.django_db
def test_a_schedule_removed_in_the_admin_comes_back_with_its_default(quality):
    PeriodicTask.objects.filter(name=DEFAULTS["weekly"].name).delete()
    assert schedule_read("weekly")["day"] == "1"
    assert _task("weekly").enabled


# --- API ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_lists_and_reads_summaries_with_their_pdf(api_client_for, auditor, summaries):
    api = api_client_for(auditor)
    listing = api.get("/api/v1/summaries/").json()
    assert listing["count"] == 2
    first = listing["results"][0]
    assert first["kind"] in ("monthly", "weekly") and first["delivery"] == "queued" and "content" not in first
    monthly = api.get(f"/api/v1/summaries/{summaries[0].pk}/").json()
    assert monthly["title"] == "Management summary, November 2026"
    assert monthly["content"]["groups"][0]["heading"].startswith("9.3.2 a")
    pdf = api.get(monthly["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert api.get("/api/v1/summaries/?kind=weekly").json()["count"] == 1


@pytest.mark.django_db
def test_api_summaries_are_read_only_and_closed_to_staff(api_client_for, quality, staff, summaries):
    assert api_client_for(quality).post("/api/v1/summaries/", {}, format="json").status_code == 405
    assert api_client_for(quality).delete(f"/api/v1/summaries/{summaries[0].pk}/").status_code == 405
    assert api_client_for(staff).get("/api/v1/summaries/").status_code == 403
    assert api_client_for(None).get("/api/v1/summaries/").status_code in (401, 403)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["reviews:review_list", "reviews:summary_list"])
def test_a_year_out_of_range_on_the_list_pages_is_named_not_a_crash(client_for, quality, url_name):
    response = client_for(quality).get(reverse(url_name), {"year": "0"})
    assert response.status_code == 200
    assert "Year: Ensure this value is greater than or equal to 1000. This filter is not applied." in (
        response.content.decode()
    )
