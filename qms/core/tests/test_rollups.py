"""Roll-ups: figures over whole registers, stored by a job, read by pages with their age shown."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from feedback.rollups import OPEN_COMPLAINTS, PARETO
from feedback.tests.factories import CategoryFactory, FeedbackItemFactory
from qms.core import rollups
from qms.core.models import Rollup
from qms.core.tasks import refresh_rollups
from qms.kpis.queues import WORK_QUEUES, counted_work_queues

pytestmark = pytest.mark.django_db


def test_every_register_roll_up_is_registered_and_scheduled():
    assert {PARETO, OPEN_COMPLAINTS, WORK_QUEUES} <= set(rollups.ROLLUPS)
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-rollups-every-5-minutes"]
    assert entry["task"] == "qms.core.tasks.refresh_rollups"
    assert entry["schedule"] == settings.ROLLUP_REFRESH_SECONDS < settings.ROLLUP_MAX_AGE


def test_a_page_counts_the_figures_itself_when_none_are_stored():
    FeedbackItemFactory(category=CategoryFactory(name="Delivery"))
    figures = rollups.read(PARETO)
    assert figures.data == [{"category": "Delivery", "count": 1, "cumulative_pct": 100.0}]
    assert Rollup.objects.get(key=PARETO).data == figures.data


def test_stored_figures_are_served_until_the_maximum_age_then_recounted(settings):
    delivery = CategoryFactory(name="Delivery")
    FeedbackItemFactory(category=delivery)
    first = rollups.read(PARETO)
    FeedbackItemFactory(category=delivery)
    again = rollups.read(PARETO)
    assert again.data[0]["count"] == 1 and again.computed_at == first.computed_at  # as stored, with its age
    Rollup.objects.filter(key=PARETO).update(
        computed_at=timezone.now() - dt.timedelta(seconds=settings.ROLLUP_MAX_AGE + 1)
    )
    recounted = rollups.read(PARETO)
    assert recounted.data[0]["count"] == 2 and recounted.computed_at > first.computed_at


def test_the_job_stores_every_roll_up_and_one_that_fails_does_not_stop_the_others(monkeypatch):
    def broken():
        raise RuntimeError("the figure's query failed")

    monkeypatch.setitem(rollups.ROLLUPS, "test.broken", broken)
    FeedbackItemFactory(kind="complaint", status="received")
    done = refresh_rollups()
    assert "test.broken" not in done
    assert {PARETO, OPEN_COMPLAINTS, WORK_QUEUES} <= set(done)
    assert Rollup.objects.get(key=OPEN_COMPLAINTS).data == {"open": 1, "overdue": 0}
    assert not Rollup.objects.filter(key="test.broken").exists()


def test_unknown_keys_are_a_programming_error():
    with pytest.raises(KeyError):
        rollups.read("no.such.rollup")


def test_work_queues_come_back_with_their_dates_and_items(quality):
    past = timezone.now() - dt.timedelta(days=3)
    FeedbackItemFactory(kind="complaint", status="received", acknowledge_due_at=past, summary="Crushed crate")
    rollups.refresh(WORK_QUEUES)
    queues, counted = counted_work_queues()
    overdue = next(queue for queue in queues if queue.key == "complaints_past_target")
    assert overdue.count == 1
    assert "Crushed crate" in overdue.items[0].label
    assert isinstance(overdue.items[0].due, dt.datetime)
    assert counted.computed_at <= timezone.now()


def test_the_feedback_list_shows_when_its_chart_was_counted(client, quality, staff):
    FeedbackItemFactory(category=CategoryFactory(name="Delivery"), logged_by=staff)
    client.force_login(quality)
    html = client.get(reverse("feedback:item_list")).content.decode()
    assert "data-counted-at=" in html and "recounted every 5 minutes" in html
    # Staff see only their own complaints: their chart is counted live, with no age.
    client.force_login(staff)
    html = client.get(reverse("feedback:item_list")).content.decode()
    assert "Delivery" in html and "data-counted-at=" not in html


def test_home_reads_everyone_s_open_complaints_from_the_roll_up_and_the_user_s_own_live(client, quality):
    FeedbackItemFactory(kind="complaint", status="received")
    rollups.refresh(OPEN_COMPLAINTS)
    FeedbackItemFactory(kind="complaint", status="received", assignee=quality)  # after the job ran
    client.force_login(quality)
    response = client.get(reverse("home"))
    figures = {figure["label"]: figure["value"] for figure in response.context["sections"]["figures"]}
    assert figures["Open complaints"] == 1  # as counted by the job
    assert figures["Complaints assigned to you, open"] == 1  # live
    assert "Counted" in response.content.decode()


def test_the_quality_dashboard_shows_when_its_queues_were_counted(client, quality):
    client.force_login(quality)
    html = client.get(reverse("kpis:quality_dashboard")).content.decode()
    assert "Work queues" in html and "data-counted-at=" in html


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_stores_the_roll_ups(run_in_worker):
    FeedbackItemFactory(kind="complaint", status="received")
    (done,) = run_in_worker(refresh_rollups.s())
    assert {PARETO, OPEN_COMPLAINTS, WORK_QUEUES} <= set(done)
    assert Rollup.objects.get(key=OPEN_COMPLAINTS).data["open"] == 1
