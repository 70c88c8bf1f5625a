"""Fixtures shared by every app's tests: one user per role (personas), clients, CI rules."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import settings as hypothesis_settings

ON_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Property-based tests: the same examples on every CI run (a failure there can be reproduced), fresh
# random ones on a developer's machine.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if ON_CI:
    hypothesis_settings.load_profile("ci")


def pytest_configure(config):
    config.addinivalue_line("markers", "postgres: needs PostgreSQL; deselected (not skipped) on SQLite")


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests are deselected on SQLite (they run in the PostgreSQL pass of CI)."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    kept, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgres") else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_sessionfinish(session, exitstatus):
    """On CI a skipped test is a failure: nothing may silently not run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if ON_CI and skipped and session.exitstatus == 0:
        reporter.write_line(f"CI: {skipped} test(s) were skipped; on CI that is a failure.", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _portal_test_settings(settings):
    from django.core.cache import cache

    from qms.core import kept_choices, keyset
    from qms.core.clients import cache_health
    from qms.core.widgets import FixedChoicesSelect

    # Throttle counters (the token endpoint) and anything else cached must not leak between tests; nor
    # may the table estimates each process keeps for a minute (one test's rows would count in the next).
    cache.clear()
    keyset._ESTIMATES.clear()
    keyset._COUNTS.clear()
    FixedChoicesSelect._kept.clear()
    kept_choices.clear()
    cache_health.reset()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test client builds its own middleware; without this WhiteNoise indexes every static file
    # each time. Files are still found on request.
    settings.WHITENOISE_AUTOREFRESH = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def chromium_path():
    """Debian's Chromium; its absence fails the browser tests on CI and skips them elsewhere."""
    path = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if path is None:
        if ON_CI:
            pytest.fail("Debian's chromium is not installed (apt-get install chromium).")
        pytest.skip("Debian's chromium is not installed; run `make system-deps`.")
    return path


def _make_persona(username: str, role: str | None):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    from qms.accounts.roles import sync_role_groups

    if role and not Group.objects.filter(name=role).exists():
        sync_role_groups(Group, Permission)
    user = get_user_model().objects.create_user(
        username=username,
        password="pw-" + username,
        email=f"{username}@example.com",
        first_name=username.title(),
        last_name="Tester",
        is_superuser=role is None,
        is_staff=role is None,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def quality(db):
    from qms.accounts.roles import QUALITY_MANAGER

    return _make_persona("quality", QUALITY_MANAGER)


@pytest.fixture
def management(db):
    from qms.accounts.roles import TOP_MANAGEMENT

    return _make_persona("management", TOP_MANAGEMENT)


@pytest.fixture
def staff(db):
    from qms.accounts.roles import STAFF

    return _make_persona("staff", STAFF)


@pytest.fixture
def auditor(db):
    from qms.accounts.roles import AUDITOR

    return _make_persona("auditor", AUDITOR)


@pytest.fixture
def superuser(db):
    return _make_persona("admin", None)


@pytest.fixture
def personas(quality, management, staff, auditor, superuser):
    """Every role, keyed by the name used in access tables."""
    return {
        "quality": quality,
        "management": management,
        "staff": staff,
        "auditor": auditor,
        "admin": superuser,
    }


@pytest.fixture
def client_for(client):
    """``client_for(user)``: the test client signed in as ``user`` (``None`` for anonymous)."""

    def _client(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _client


@pytest.fixture
def api_client_for():
    from rest_framework.test import APIClient

    def _client(user):
        api = APIClient()
        if user is not None:
            api.force_authenticate(user)
        return api

    return _client


def _drop_broker_pools(celery_app) -> None:
    # The app keeps connection and producer pools made with the folders of the test that used them
    # first; without this a task would be published to an earlier test's folder and never consumed.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker_broker(tmp_path):
    """The configured broker for a real-worker test; the file-system one gets a private folder."""
    from qms.celery import app as celery_app

    original = dict(celery_app.conf.broker_transport_options or {})
    if celery_app.conf.broker_url.startswith("filesystem"):
        folder = tmp_path / "broker"
        (folder / "control").mkdir(parents=True)
        celery_app.conf.broker_transport_options = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        }
    _drop_broker_pools(celery_app)
    yield celery_app.conf.broker_url
    celery_app.conf.broker_transport_options = original
    _drop_broker_pools(celery_app)


@pytest.fixture
def run_in_worker(worker_broker):
    """``run_in_worker(task.s(...), task.s(...))``: publish each task in turn to a real worker on the
    configured broker and return their results, in order.

    Each task is awaited through the worker's ``task_postrun`` signal rather than by polling the result
    table: the in-memory SQLite test database answers "table is locked" when two threads touch it at once.
    """
    import queue

    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from qms.celery import app as celery_app

    def run(*signatures):
        finished: queue.Queue[str] = queue.Queue()

        def on_postrun(task_id=None, **kwargs):
            finished.put(task_id)

        task_postrun.connect(on_postrun, weak=False)
        results = []
        try:
            with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
                for signature in signatures:
                    result = signature.delay()
                    assert finished.get(timeout=60) == result.id
                    results.append(result)
        finally:
            task_postrun.disconnect(on_postrun)
        return [result.get(timeout=10) for result in results]

    return run


@pytest.fixture
def at_once():
    """``results, errors = at_once(func)``: call ``func`` from two threads released at the same moment
    (``times=`` for more), as two workers or two requests would; each thread closes its own database
    connection. Errors are collected, not raised: a thread cannot fail the test itself."""
    import threading

    from django.db import connection

    def run(func, *, times: int = 2):
        barrier = threading.Barrier(times)
        results, errors = [], []

        def target():
            try:
                barrier.wait(timeout=10)
                results.append(func())
            except Exception as exc:  # noqa: BLE001 - handed to the test to assert
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=target) for _ in range(times)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return results, errors

    return run
