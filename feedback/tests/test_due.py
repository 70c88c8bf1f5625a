"""What is due on a complaint, worked out in Python for a page's rows (``due_of``), is what the database
works out to sort and export by (``with_due``), in every state."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback import selectors
from feedback.choices import FeedbackKind, FeedbackStatus
from feedback.models import FeedbackItem

from .factories import CategoryFactory, CustomerFactory, FeedbackItemFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_python_and_the_database_agree_on_what_is_due_in_every_state():
    now = timezone.now()
    past, future = now - dt.timedelta(hours=3), now + dt.timedelta(hours=3)
    shared = {"customer": CustomerFactory(), "category": CategoryFactory(), "logged_by": UserFactory()}
    states = list(
        itertools.product(
            (FeedbackKind.COMPLAINT, FeedbackKind.COMPLIMENT),
            FeedbackStatus.values,
            (None, past),  # paused since
            (None, past, future),  # acknowledgement due
            (None, past, future),  # resolution due
        )
    )
    for kind, status, paused, acknowledge, resolve in states:
        FeedbackItemFactory(
            kind=kind,
            status=status,
            paused_since=paused,
            acknowledge_due_at=acknowledge,
            resolve_due_at=resolve,
            **shared,
        )
    in_sql = list(selectors.with_due(FeedbackItem.objects.all(), now=now).order_by("pk"))
    assert len(in_sql) == len(states) == 288
    labels = set()
    for item in in_sql:
        assert selectors.due_of(item, now) == (item.next_due_at, item.due_label), (
            item.kind,
            item.status,
            item.paused_since,
            item.acknowledge_due_at,
            item.resolve_due_at,
        )
        labels.add(item.due_label)
    assert labels == {"", selectors.OVERDUE, selectors.PAUSED}


def test_a_page_of_the_list_shows_what_is_due_without_the_database_working_it_out(client, quality):
    now = timezone.now()
    late = FeedbackItemFactory(logged_by=quality, acknowledge_due_at=now - dt.timedelta(days=1))
    waiting = FeedbackItemFactory(
        logged_by=quality, status="investigating", paused_since=now, resolve_due_at=now - dt.timedelta(days=1)
    )
    client.force_login(quality)
    for query, in_sql in (({}, False), ({"sort": "next_due_at"}, True)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/feedback/", query)
        page = [q["sql"] for q in queries if 'FROM "feedback_feedbackitem"' in q["sql"] and "LIMIT" in q["sql"]]
        assert page and all(("CASE WHEN" in sql) == in_sql for sql in page), page
        rows = {item.pk: item for item in response.context["object_list"]}
        assert (rows[late.pk].due_label, rows[waiting.pk].due_label) == (selectors.OVERDUE, selectors.PAUSED)
        html = response.content.decode()
        assert "Overdue</span>" in html and "Paused: waiting on the customer" in html
