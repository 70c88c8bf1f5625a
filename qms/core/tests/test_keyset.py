"""Keyset pagination: walking every page by cursors gives each row once, in order, ties and empty values included."""

from __future__ import annotations

import datetime as dt
import re
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.tests.factories import CustomerFactory
from feedback.models import FeedbackItem
from feedback.tests.factories import FeedbackItemFactory
from qms.audit.models import AuditChainHead, AuditEntry
from qms.core import keyset

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaints(quality):
    """Ties and empty values: resolved_at repeats and is empty for a third of the rows."""
    base = timezone.now().replace(microsecond=0)
    for number in range(23):
        resolved = None if number % 3 == 0 else base - dt.timedelta(days=number % 4)
        FeedbackItemFactory(resolved_at=resolved, logged_by=quality)
    return FeedbackItem.objects.all()


def _walk(queryset, ordering, size):
    """Every page forwards from the start, then every page backwards from the end: the rows' ids."""
    forwards, edge = [], None
    while True:
        page = (
            queryset.order_by(*keyset.order_expressions(ordering))
            if edge is None
            else keyset.seek(queryset, ordering, edge, forward=True)
        )
        rows = list(page[:size])
        if not rows:
            break
        forwards += [row.pk for row in rows]
        edge = keyset.row_key(rows[-1], ordering)
    backwards, edge = [], None
    reverse = [(name, not desc) for name, desc in ordering]
    while True:
        page = (
            queryset.order_by(*keyset.order_expressions(reverse))
            if edge is None
            else keyset.seek(queryset, ordering, edge, forward=False)
        )
        rows = list(page[:size])
        if not rows:
            break
        backwards = [row.pk for row in reversed(rows)] + backwards
        edge = keyset.row_key(rows[-1], ordering)
    return forwards, backwards


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("size", [1, 4, 7])
def test_cursors_visit_every_row_once_in_order_with_ties_and_empty_values(complaints, descending, size):
    ordering = keyset.ordering_from([("-" if descending else "") + "resolved_at"])
    expected = list(complaints.order_by(*keyset.order_expressions(ordering)).values_list("pk", flat=True))
    assert len(expected) == 23
    forwards, backwards = _walk(complaints, ordering, size)
    assert forwards == expected
    assert backwards == expected
    # Empty values sit last going up and first going down, on every database.
    resolved = {pk: value for pk, value in complaints.values_list("pk", "resolved_at")}
    empties = [resolved[pk] is None for pk in expected]
    assert empties == sorted(empties, reverse=descending)


def test_ordering_gets_the_primary_key_as_tie_break_in_the_same_direction():
    assert keyset.ordering_from(["-received_at"]) == [("received_at", True), ("pk", True)]
    assert keyset.ordering_from(["name"]) == [("name", False), ("pk", False)]
    assert keyset.ordering_from(["-seq", "pk"]) == [("seq", True), ("pk", False)]


def test_a_cursor_round_trips_its_values_and_refuses_tampering_or_another_sort():
    when = timezone.now()
    cursor = keyset.Cursor("-received_at", (when, dt.date(2026, 1, 2), None, 7, "Acme"), True, 3)
    token = cursor.dumps()
    assert keyset.Cursor.loads(token, "-received_at") == cursor
    assert keyset.Cursor.loads(token, "received_at") is None
    assert keyset.Cursor.loads(token[:-2] + "xx", "-received_at") is None
    assert keyset.Cursor.loads("garbage", "-received_at") is None


def _links(html: str) -> dict[str, str]:
    return {
        label: unescape(href) for href, label in re.findall(r'<a class="page-link" href="([^"]+)"[^>]*>(\w+)</a>', html)
    }


def _references(html: str) -> list[str]:
    return re.findall(r">(TST-\d{4}-\d{5})</a>", html)


def test_the_register_pages_forwards_and_backwards_by_cursor(client, quality, django_assert_max_num_queries):
    for _ in range(60):
        FeedbackItemFactory(logged_by=quality)
    client.force_login(quality)
    url = reverse("feedback:item_list")
    expected = list(FeedbackItem.objects.order_by("-received_at", "-pk").values_list("reference", flat=True))

    first = client.get(url).content.decode()
    assert "page 1 of 3" in first
    seen = _references(first)
    links = _links(first)
    assert set(links) == {"Next", "Last"} and "cursor=" in links["Next"]
    with django_assert_max_num_queries(9):  # the same as the first page: no offset, no extra query
        second = client.get(url + links["Next"]).content.decode()
    assert "page 2 of 3" in second
    seen += _references(second)
    third = client.get(url + _links(second)["Next"]).content.decode()
    seen += _references(third)
    assert seen == expected
    assert "Next" not in _links(third)

    last = client.get(url + links["Last"]).content.decode()
    assert "page 3 of 3" in last and _references(last) == expected[50:]
    back = client.get(url + _links(last)["Previous"]).content.decode()
    assert "page 2 of 3" in back and _references(back) == expected[25:50]
    assert _links(back)["Previous"] == "?"  # page 1 is the plain list


def test_a_bad_or_foreign_cursor_shows_the_first_page(client, quality):
    for _ in range(30):
        FeedbackItemFactory(logged_by=quality)
    client.force_login(quality)
    url = reverse("feedback:item_list")
    first = _references(client.get(url).content.decode())
    assert _references(client.get(url, {"cursor": "not-a-cursor"}).content.decode()) == first
    other_sort = keyset.Cursor("reference", ("TST",), True, 2).dumps()
    assert _references(client.get(url, {"cursor": other_sort}).content.decode()) == first


def test_filters_and_sorting_links_drop_the_cursor(client, quality):
    for _ in range(30):
        FeedbackItemFactory(logged_by=quality)
    client.force_login(quality)
    url = reverse("feedback:item_list")
    next_link = _links(client.get(url).content.decode())["Next"]
    page = client.get(url + next_link).content.decode()
    assert "export=csv" in page
    assert not re.search(r'href="\?[^"]*cursor=[^"]*export=csv', page)
    assert not re.search(r'href="\?[^"]*cursor=[^"]*sort=', page)


def test_the_audit_log_counts_from_the_chain_head_and_pages_by_cursor(client, quality):
    CustomerFactory.create_batch(60)  # each creation is an audit entry
    client.force_login(quality)
    url = reverse("audit:entry_list")
    total = AuditEntry.objects.count()
    assert AuditChainHead.objects.get().seq == total
    html = client.get(url).content.decode()
    assert f"{total} records" in html
    last = client.get(url + _links(html)["Last"]).content.decode()
    assert ">1</td>" in last or ">1<" in last
    filtered = client.get(url, {"action": "create"}).content.decode()
    assert f"{AuditEntry.objects.filter(action='create').count()} records match" in filtered


def test_the_api_pages_by_cursor_forwards_and_backwards(client, quality, django_assert_max_num_queries):
    for _ in range(23):
        FeedbackItemFactory(logged_by=quality)
    client.force_login(quality)
    url = reverse("api:feedbackitem-list")
    expected = list(FeedbackItem.objects.order_by("-received_at", "-pk").values_list("reference", flat=True))

    body = client.get(url, {"page_size": 10}).json()
    seen, pages = [row["reference"] for row in body["results"]], [body]
    while body["next"]:
        assert "cursor=" in body["next"] and "page=" not in body["next"].replace("page_size", "")
        with django_assert_max_num_queries(7):
            body = client.get(body["next"]).json()
        seen += [row["reference"] for row in body["results"]]
        pages.append(body)
    assert seen == expected and body["count"] == 23 and len(pages) == 3
    back = client.get(body["previous"]).json()
    assert [row["reference"] for row in back["results"]] == expected[10:20]
    first = client.get(back["previous"]).json()
    assert [row["reference"] for row in first["results"]] == expected[:10] and first["previous"] is None


def test_the_api_still_takes_page_numbers_and_ignores_a_foreign_cursor(client, quality):
    for _ in range(12):
        FeedbackItemFactory(logged_by=quality)
    client.force_login(quality)
    url = reverse("api:feedbackitem-list")
    expected = list(FeedbackItem.objects.order_by("-received_at", "-pk").values_list("reference", flat=True))
    second = client.get(url, {"page_size": 5, "page": 2}).json()
    assert [row["reference"] for row in second["results"]] == expected[5:10]
    by_reference = client.get(url, {"page_size": 5, "ordering": "reference"}).json()
    cursor = parse_qs(urlsplit(by_reference["next"]).query)["cursor"][0]
    assert keyset.Cursor.loads(cursor, "reference+,pk+") is not None  # a good cursor, of that ordering
    # A cursor of another ordering (or garbage) starts again at the first page of this one.
    for token in (cursor, "garbage"):
        body = client.get(url, {"page_size": 5, "cursor": token}).json()
        assert [row["reference"] for row in body["results"]] == expected[:5]


def test_a_list_is_counted_exactly_when_filtered_and_on_sqlite_always(client, quality, settings):
    from django.db import connection

    settings.LIST_EXACT_COUNT_UP_TO = 5
    for _ in range(8):
        FeedbackItemFactory(logged_by=quality, kind="complaint")
    client.force_login(quality)
    filtered = client.get(reverse("feedback:item_list"), {"kind": "complaint"}).content.decode()
    assert "8 records match the filters." in filtered and "About" not in filtered
    if connection.vendor == "sqlite":  # no estimates there (PostgreSQL's are in the tests below)
        html = client.get(reverse("feedback:item_list")).content.decode()
        assert "8 records." in html and "About" not in html


def _rows_then_more_after_the_statistics(user, *, analyzed: int, later: int) -> None:
    """``analyzed`` feedback items counted by ANALYZE, then ``later`` more the statistics do not know."""
    from django.db import connection

    for _ in range(analyzed):
        FeedbackItemFactory(logged_by=user)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE feedback_feedbackitem")
    keyset._ESTIMATES.clear()  # each process reads the estimate once a minute: read it afresh
    for _ in range(later):
        FeedbackItemFactory(logged_by=user)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_large_whole_table_shows_the_estimate_and_every_row_stays_reachable(client, quality, settings):
    settings.LIST_EXACT_COUNT_UP_TO = 5
    _rows_then_more_after_the_statistics(quality, analyzed=30, later=12)  # the estimate is now 12 short
    client.force_login(quality)
    url = reverse("feedback:item_list")
    html = client.get(url).content.decode()
    assert "About 30 records" in html
    # Next links follow the rows, not the estimate: all 42 are reachable.
    seen = _references(html)
    while "Next" in _links(html):
        html = client.get(url + _links(html)["Next"]).content.decode()
        seen += _references(html)
    assert seen == list(FeedbackItem.objects.order_by("-received_at", "-pk").values_list("reference", flat=True))
    # A filtered list is counted exactly.
    filtered = client.get(url, {"kind": "complaint"}).content.decode()
    assert f"{FeedbackItem.objects.filter(kind='complaint').count()} records match the filters" in filtered


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_api_counts_a_large_whole_table_by_estimate_and_next_links_reach_every_row(client, quality, settings):
    settings.LIST_EXACT_COUNT_UP_TO = 5
    _rows_then_more_after_the_statistics(quality, analyzed=20, later=7)
    client.force_login(quality)
    url = reverse("api:feedbackitem-list")
    body = client.get(url, {"page_size": 10}).json()
    assert body["count"] == 20  # the statistics' figure: documented as an estimate for a whole large table
    seen = [row["reference"] for row in body["results"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        seen += [row["reference"] for row in body["results"]]
    assert seen == list(FeedbackItem.objects.order_by("-received_at", "-pk").values_list("reference", flat=True))
    assert (
        client.get(url, {"kind": "complaint"}).json()["count"] == FeedbackItem.objects.filter(kind="complaint").count()
    )


def test_a_whole_table_is_counted_exactly_up_to_list_exact_count_up_to(client, quality, settings):
    """LIST_COUNT_UP_TO caps filtered lists only: a whole register no larger than LIST_EXACT_COUNT_UP_TO
    says how many records it holds. (The limit is far above any estimate PostgreSQL may still hold for the
    table from rows earlier tests wrote and rolled back, so the figure does not depend on test order.)"""
    settings.LIST_COUNT_UP_TO, settings.LIST_EXACT_COUNT_UP_TO = 3, 10**9
    for _ in range(8):
        FeedbackItemFactory(logged_by=quality, kind="complaint")
    client.force_login(quality)
    whole = client.get(reverse("feedback:item_list")).content.decode()
    assert "8 records." in whole and "More than" not in whole
    filtered = client.get(reverse("feedback:item_list"), {"kind": "complaint"}).content.decode()
    assert "More than 3 records match the filters" in filtered


def test_counts_and_pages_are_written_with_thousands_separators():
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    page = Paginator(range(1_234_567), 25).page(2)

    def written(template: str, **flags) -> str:
        context = {"page_obj": page, "page_links": {"first": "?"}, **flags}
        return re.sub(r"\s+", " ", render_to_string(template, context))

    assert "1,234,567 records; page 2 of 49,383." in written("core/_list_results.html")
    assert "Page 2 of 49,383<" in written("core/_pagination.html")
    assert "About 1,234,567 records; page 2 of about 49,383." in written(
        "core/_list_results.html", count_is_estimate=True
    )
    assert "Page 2 of about 49,383<" in written("core/_pagination.html", count_is_estimate=True)
    partial = {"count_is_estimate": True, "count_is_partial": True}
    assert "More than 1,234,567 records; page 2 of more than 49,383." in written("core/_list_results.html", **partial)
    assert "Page 2 of more than 49,383<" in written("core/_pagination.html", **partial)


def _counts(queries) -> int:
    return sum(
        1 for query in queries if query["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "customers_customer"')
    )


def test_a_large_whole_table_keeps_its_count_until_a_record_is_added_or_deleted(client, quality, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.LIST_EXACT_COUNT_UP_TO, settings.LIST_COUNT_CACHE_SECONDS, settings.LIST_COUNT_CACHE_FROM = 10**9, 30, 5
    customers = [CustomerFactory() for _ in range(5)]
    client.force_login(quality)
    url = reverse("customers:customer_list")

    def shown() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        return re.search(r"([\d,]+) records?\.", html).group(1), _counts(queries)

    assert shown() == ("5", 1)
    assert shown() == ("5", 0)  # kept
    CustomerFactory()
    assert shown() == ("6", 1)  # a record added: counted again
    customers[0].delete()
    assert shown() == ("5", 1)
    settings.LIST_COUNT_CACHE_SECONDS = 0
    assert shown() == ("5", 1)
    assert shown() == ("5", 1)  # 0 seconds: never kept


def test_a_register_smaller_than_list_count_cache_from_is_counted_on_every_view(client, quality, settings):
    """Another process may keep a count for a few seconds after a record is added; on the registers most
    portals have (fewer than LIST_COUNT_CACHE_FROM records) every view counts, so no page is ever off."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.LIST_EXACT_COUNT_UP_TO, settings.LIST_COUNT_CACHE_SECONDS, settings.LIST_COUNT_CACHE_FROM = 10**9, 30, 6
    CustomerFactory.create_batch(5)
    client.force_login(quality)
    url = reverse("customers:customer_list")

    def counts() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return _counts(queries)

    assert [counts(), counts()] == [1, 1]  # 5 < 6: counted each time
    keyset._COUNTS.clear()
    CustomerFactory.create_batch(1)
    assert [counts(), counts()] == [1, 0]  # 6: kept


def test_a_table_of_records_off_the_audit_trail_is_counted_on_every_view(settings):
    """Rows written in bulk send no signal to forget a kept count, so only registers' records keep one."""
    from qms.core.models import Rollup

    settings.LIST_COUNT_CACHE_SECONDS, settings.LIST_COUNT_CACHE_FROM = 30, 0
    assert keyset.list_count(Rollup.objects.all()) == (0, keyset.EXACT)
    Rollup.objects.create(key="x", data={}, computed_at=timezone.now())
    assert keyset.list_count(Rollup.objects.all()) == (1, keyset.EXACT)


def test_a_kept_count_needs_no_cache(client, quality, settings):
    """Kept in the process, not in Redis: with the cache pointing nowhere, records are saved and counted
    without waiting on it."""
    from customers.models import Customer

    settings.LIST_EXACT_COUNT_UP_TO, settings.LIST_COUNT_CACHE_SECONDS, settings.LIST_COUNT_CACHE_FROM = 10**9, 30, 0
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
        }
    }
    started = time.monotonic()
    CustomerFactory.create_batch(3)
    assert keyset.list_count(Customer.objects.all()) == (3, keyset.EXACT)
    CustomerFactory()
    assert keyset.list_count(Customer.objects.all()) == (4, keyset.EXACT)
    assert time.monotonic() - started < 5
