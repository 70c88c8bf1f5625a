"""The session and the signed-in user are read with one plain statement each, answering as Django's ORM
reads do: the same session data, nothing for an expired or unknown key, no user who left or never was."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qms.accounts.backends import PortalBackend
from qms.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_portal_uses_this_engine(settings):
    assert settings.SESSION_ENGINE == "qms.accounts.sessions"


def test_a_session_reads_as_djangos_in_one_statement():
    stored = SessionStore()
    stored["colour"], stored["count"] = "blue", 3
    stored.save()
    with CaptureQueriesContext(connection) as queries:
        loaded = SessionStore(stored.session_key).load()
    assert loaded == DjangoSessionStore(stored.session_key).load() == {"colour": "blue", "count": 3}
    assert len(queries) == 1 and "django_session" in queries[0]["sql"]


def test_an_expired_or_unknown_session_is_empty_and_its_key_forgotten():
    stored = SessionStore()
    stored["colour"] = "blue"
    stored.save()
    Session.objects.filter(session_key=stored.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    expired = SessionStore(stored.session_key)
    assert expired.load() == {} and expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None
    assert SessionStore().load() == {}  # no key at all: nothing read


def test_a_session_still_valid_by_a_second_reads_as_stored():
    stored = SessionStore()
    stored["colour"] = "blue"
    stored.save()
    Session.objects.filter(session_key=stored.session_key).update(expire_date=timezone.now() + dt.timedelta(seconds=1))
    assert SessionStore(stored.session_key).load() == {"colour": "blue"}


def test_the_backend_reads_the_user_as_django_does(quality):
    with CaptureQueriesContext(connection) as queries:
        read = PortalBackend().get_user(quality.pk)
    reference = ModelBackend().get_user(quality.pk)
    assert len(queries) == 1
    fields = [field.attname for field in get_user_model()._meta.concrete_fields]
    assert [getattr(read, name) for name in fields] == [getattr(reference, name) for name in fields]
    assert read._state.db == "default" and not read._state.adding
    assert PortalBackend().get_user(str(quality.pk)) == quality  # as the session keeps it


def test_no_user_who_left_never_was_or_is_not_an_id(quality):
    backend = PortalBackend()
    assert backend.get_user(quality.pk + 1000) is None
    assert backend.get_user("not a number") is None
    assert backend.get_user(None) is None
    get_user_model().objects.filter(pk=quality.pk).update(is_active=False)
    assert backend.get_user(quality.pk) is None


def test_a_signed_in_page_reads_session_and_user_once_each(client, quality):
    client.force_login(quality)
    client.get("/")  # warm up
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:password_change")).status_code == 200
    sessions = [query for query in queries if 'FROM "django_session"' in query["sql"]]
    users = [query for query in queries if 'FROM "accounts_user" WHERE "id"' in query["sql"]]
    assert len(sessions) == 1 and len(users) == 1
