"""The people selects: every form and filter lists the active people by name, labelled with the username,
and reads them in one plain query."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from qms.accounts.people import active_people
from qms.actions.forms import ActionForm
from risks.filters import RiskEntryFilterSet

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(quality):
    User = get_user_model()
    User.objects.create_user("zed", first_name="Anna", last_name="Zimmer")
    User.objects.create_user("abe", first_name="Zoe", last_name="Abbot")
    User.objects.create_user("gone", first_name="Barry", last_name="Left", is_active=False)
    return quality


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select named {name}"
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1))]


def test_active_people_are_ordered_by_name_without_those_who_left(people):
    assert [user.username for user in active_people()] == ["zed", "quality", "abe"]


def test_a_filter_lists_the_active_people_by_name_with_their_usernames(client, people):
    client.force_login(people)
    for url, name, empty in (
        (reverse("feedback:item_list"), "assignee", "Anyone"),
        (reverse("customers:customer_list"), "account_owner", "Any owner"),
        (reverse("requirements:requirement_list"), "owner", "Any owner"),
    ):
        html = client.get(url).content.decode()
        assert _options(html, name) == [empty, "Anna Zimmer (zed)", "Quality Tester (quality)", "Zoe Abbot (abe)"], url


def test_a_form_lists_the_same_people_in_the_same_way(people):
    assert _options(str(ActionForm()["owner"]), "owner")[1:] == [
        "Anna Zimmer (zed)",
        "Quality Tester (quality)",
        "Zoe Abbot (abe)",
    ]


def test_the_person_filter_refuses_someone_who_left(people):
    gone = get_user_model().objects.get(username="gone")
    chosen = RiskEntryFilterSet({"owner": str(gone.pk)}, queryset=None)
    assert not chosen.is_valid()
    assert "owner" in chosen.errors
    kept = RiskEntryFilterSet({"owner": str(people.pk)}, queryset=None)
    assert kept.is_valid(), kept.errors


@pytest.mark.postgres
def test_the_people_select_is_read_without_a_server_side_cursor(people):
    """Django reads a select's options through QuerySet.iterator(): on PostgreSQL a named (server-side)
    cursor, three round trips for a few rows. The people selects read them in one plain query."""
    real = connection.create_cursor
    with mock.patch.object(connection, "create_cursor", side_effect=real) as created:
        html = str(ActionForm()["owner"])
        filtered = str(RiskEntryFilterSet({}, queryset=None).form["owner"])
    assert "Anna Zimmer (zed)" in html and "Anna Zimmer (zed)" in filtered
    names = [call.kwargs.get("name") or (call.args[0] if call.args else None) for call in created.call_args_list]
    assert created.call_args_list and not any(names), names


def _people_reads(queries) -> int:
    """Queries that read the people list (not the signed-in user's own row)."""
    return sum('ORDER BY "accounts_user"."first_name"' in query["sql"] for query in queries)


def test_list_pages_keep_the_people_and_see_a_person_saved_at_once(client, people, settings):
    from django.test.utils import CaptureQueriesContext

    settings.FILTER_CHOICES_SECONDS = 60
    client.force_login(people)
    url = reverse("customers:customer_list")
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    with CaptureQueriesContext(connection) as second:
        html = client.get(url).content.decode()
    assert (_people_reads(first), _people_reads(second)) == (1, 0)
    assert "Anna Zimmer (zed)" in _options(html, "account_owner")

    get_user_model().objects.create_user("new", first_name="Nora", last_name="New")  # saved: forgotten
    renamed = get_user_model().objects.get(username="zed")
    renamed.first_name = "Annabel"
    renamed.save()
    owners = _options(client.get(url).content.decode(), "account_owner")
    assert owners == [
        "Any owner",
        "Annabel Zimmer (zed)",
        "Nora New (new)",
        "Quality Tester (quality)",
        "Zoe Abbot (abe)",
    ]


def test_kept_people_run_out_and_a_filter_still_refuses_someone_who_left(client, people, settings, monkeypatch):
    from qms.core import kept_choices as kept_module

    settings.FILTER_CHOICES_SECONDS = 60
    client.force_login(people)
    url = reverse("risks:entry_list")
    zed = get_user_model().objects.get(username="zed")
    assert "Anna Zimmer (zed)" in _options(client.get(url).content.decode(), "owner")
    get_user_model().objects.filter(pk=zed.pk).update(is_active=False)  # no signal: another process's change
    html = client.get(url, {"owner": zed.pk}).content.decode()
    assert "Anna Zimmer (zed)" in _options(html, "owner")  # still kept by this process...
    assert "This filter is not applied" in html  # ...but the filter checks the database
    now = kept_module.time.monotonic()
    monkeypatch.setattr(kept_module.time, "monotonic", lambda: now + 61)
    assert "Anna Zimmer (zed)" not in _options(client.get(url).content.decode(), "owner")


def test_with_no_keeping_every_view_reads_the_people(client, people, settings):
    from django.test.utils import CaptureQueriesContext

    settings.FILTER_CHOICES_SECONDS = 0
    client.force_login(people)
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("actions:action_list"))
        assert _people_reads(queries) == 1
