"""Failed sign-ins are throttled per username and per client address, on every door that takes a password."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


def _fail(client, username="quality", address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": "wrong-guess"}, REMOTE_ADDR=address)


def _sign_in(client, username="quality", address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": f"pw-{username}"}, REMOTE_ADDR=address)


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.LOGIN_FAILURE_LIMIT_PER_USERNAME = 5
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 20
    settings.LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60


@pytest.fixture
def frozen():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_four_failures_still_let_the_right_password_in(client, quality, frozen):
    for _ in range(4):
        assert _fail(client).status_code == 200
    assert _sign_in(client).status_code == 302
    assert client.session["_auth_user_id"] == str(quality.pk)


def test_the_fifth_failure_locks_the_username_with_429_and_minutes_to_wait(client, quality, frozen):
    for _ in range(4):
        _fail(client)
    response = _fail(client)
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert "Too many failed sign-in attempts; try again in 15 minutes." in response.content.decode()


def test_a_locked_username_refuses_even_the_right_password(client, quality, frozen):
    for _ in range(5):
        _fail(client)
    frozen.shift(dt.timedelta(minutes=10))
    response = _sign_in(client, address="198.51.100.20")
    assert response.status_code == 429
    assert "try again in 5 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_with_its_window(client, quality, frozen):
    for _ in range(5):
        _fail(client)
    frozen.shift(dt.timedelta(minutes=15, seconds=1))
    assert _sign_in(client).status_code == 302


def test_usernames_are_counted_apart_and_without_regard_to_case(client, quality, management, frozen):
    for _ in range(3):
        _fail(client, username="quality")
    for _ in range(2):
        _fail(client, username="QUALITY ")
    assert _sign_in(client, username="quality", address="198.51.100.20").status_code == 429
    assert _sign_in(client, username="management", address="198.51.100.20").status_code == 302


def test_a_success_clears_the_usernames_count(client, quality, frozen):
    for _ in range(4):
        _fail(client)
    _sign_in(client)
    client.logout()
    for _ in range(4):
        assert _fail(client).status_code == 200
    assert _sign_in(client).status_code == 302


def test_one_address_guessing_many_usernames_is_locked_after_twenty(client, quality, frozen):
    for number in range(20):
        _fail(client, username=f"guess-{number}")
    locked = _sign_in(client, address="203.0.113.7")
    assert locked.status_code == 429
    # The same account from another address is not punished for the guesser.
    assert _sign_in(client, address="198.51.100.20").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(client, quality, settings, frozen):
    settings.FEEDBACK_TRUST_X_FORWARDED_FOR = True
    for number in range(20):
        client.post(
            LOGIN,
            {"username": f"guess-{number}", "password": "x"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.50",
        )
    blocked = client.post(LOGIN, {"username": "quality", "password": "pw-quality"}, HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert blocked.status_code == 429
    other = client.post(LOGIN, {"username": "quality", "password": "pw-quality"}, HTTP_X_FORWARDED_FOR="203.0.113.51")
    assert other.status_code == 302


def test_successful_and_forced_sign_ins_are_never_counted(client, quality, frozen):
    for _ in range(30):
        client.force_login(quality)
        client.logout()
        assert _sign_in(client).status_code == 302
        client.logout()
    assert _sign_in(client).status_code == 302


def test_the_api_token_endpoint_counts_failures_and_answers_429(client, quality, frozen):
    for _ in range(5):
        refused = client.post(TOKEN, {"username": "quality", "password": "nope"}, REMOTE_ADDR="203.0.113.7")
        assert refused.status_code == 400
    locked = client.post(TOKEN, {"username": "quality", "password": "pw-quality"}, REMOTE_ADDR="198.51.100.20")
    assert locked.status_code == 429
    assert locked.json()["detail"] == "Too many failed sign-in attempts; try again in 15 minutes."
    assert locked["Retry-After"] == str(15 * 60)


def test_failures_at_the_form_lock_the_api_token_endpoint_too(client, quality, frozen):
    for _ in range(5):
        _fail(client)
    response = client.post(TOKEN, {"username": "quality", "password": "pw-quality"}, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 429


def test_the_admin_sign_in_refuses_a_locked_account(client, superuser, frozen):
    for _ in range(5):
        _fail(client, username="admin")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": "pw-admin"}, REMOTE_ADDR="198.51.100.20"
    )
    assert response.status_code == 200  # the admin's own form, refusing
    assert "_auth_user_id" not in client.session


def test_refusals_during_an_address_lock_do_not_lock_the_username_too(client, superuser, frozen):
    for number in range(20):
        _fail(client, username=f"guess-{number}")
    for _ in range(6):  # the admin's own form has no 429 page: the backend refuses, uncounted
        client.post("/admin/login/", {"username": "admin", "password": "pw-admin"}, REMOTE_ADDR="203.0.113.7")
        assert "_auth_user_id" not in client.session
    assert _sign_in(client, username="admin", address="198.51.100.20").status_code == 302
