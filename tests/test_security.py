"""Hostile input: security headers, a Content Security Policy without inline script, session lifetimes,
password rules, unguessable public tokens and ``check --deploy`` in the production profile."""

from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from tests.test_settings import PRODUCTION_FIVE, run_manage

ROOT = Path(__file__).resolve().parents[1]
START = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def _directives(header: str) -> dict[str, list[str]]:
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


# Content Security Policy ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "signed_in"),
    [
        ("/accounts/login/", False),
        ("/public/feedback/", False),
        ("/", True),
        ("/customers/", True),
        ("/feedback/", True),
        ("/kpis/dashboard/", True),
        ("/no-such-page/", True),
        ("/api/v1/customers/", True),
    ],
)
def test_every_response_carries_a_policy_allowing_only_own_scripts(client_for, quality, path, signed_in):
    response = client_for(quality if signed_in else None).get(path)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_only_redoc_relaxes_the_policy_and_swagger_starts_from_a_script_file(client_for, quality):
    client = client_for(quality)
    swagger = _directives(client.get("/api/docs/")["Content-Security-Policy"])
    redoc = _directives(client.get("/api/redoc/")["Content-Security-Policy"])
    assert swagger["script-src"] == ["'self'"]  # the split view serves its start-up code as a file
    assert redoc["script-src"] == ["'self'"]
    assert redoc["worker-src"] == ["'self'", "blob:"]
    assert swagger["object-src"] == redoc["object-src"] == ["'none'"]


def _our_templates() -> list[Path]:
    skip = {".venv", "node_modules", "staticfiles", "var", "test-artifacts"}
    return [
        path
        for path in ROOT.rglob("*.html")
        if not skip & set(path.relative_to(ROOT).parts) and "templates" in path.relative_to(ROOT).parts
    ]


_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_EVENT_ATTRIBUTE = re.compile(r"<[a-z][^>]*\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)


def test_no_template_carries_inline_script_or_event_handlers():
    templates = _our_templates()
    assert len(templates) > 50  # the scan found the project's templates
    offenders = []
    for path in templates:
        text = path.read_text()
        for match in _SCRIPT_TAG.finditer(text):
            attributes = match.group(1)
            if "src=" not in attributes and "application/json" not in attributes:
                offenders.append(f"{path.relative_to(ROOT)}: <script{attributes}>")
        offenders += [f"{path.relative_to(ROOT)}: {m.group(1)}=" for m in _EVENT_ATTRIBUTE.finditer(text)]
        if "javascript:" in text:
            offenders.append(f"{path.relative_to(ROOT)}: javascript: URL")
    assert offenders == []


# Sessions -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_signing_in_rotates_the_session_key(client, quality):
    client.get("/accounts/login/")
    client.session.save()  # an anonymous session, as a fixation attacker would plant
    before = client.session.session_key
    assert before
    response = client.post("/accounts/login/", {"username": "quality", "password": "pw-quality"})
    assert response.status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before
    from django.contrib.sessions.backends.db import SessionStore

    assert not SessionStore().exists(before)


@pytest.mark.django_db
def test_session_cookie_is_http_only_and_lives_for_the_idle_timeout(client, quality, settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_ABSOLUTE_SECONDS == 24 * 60 * 60
    client.post("/accounts/login/", {"username": "quality", "password": "pw-quality"})
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE


@pytest.mark.django_db
def test_an_idle_session_expires(client, quality):
    with time_machine.travel(START, tick=False) as traveller:
        client.post("/accounts/login/", {"username": "quality", "password": "pw-quality"})
        assert client.get("/customers/").status_code == 200
        traveller.shift(dt.timedelta(hours=8, minutes=1))
        response = client.get("/customers/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_an_active_session_outlives_the_idle_timeout(client, quality):
    with time_machine.travel(START, tick=False) as traveller:
        client.post("/accounts/login/", {"username": "quality", "password": "pw-quality"})
        for _ in range(5):  # 5 x 3 h of use: 15 h, longer than the 8 h idle timeout
            traveller.shift(dt.timedelta(hours=3))
            assert client.get("/customers/").status_code == 200


@pytest.mark.django_db
def test_a_session_ends_at_the_absolute_timeout_however_active(client, quality):
    with time_machine.travel(START, tick=False) as traveller:
        client.post("/accounts/login/", {"username": "quality", "password": "pw-quality"})
        for _ in range(7):  # 7 x 3 h = 21 h of steady use: still signed in
            traveller.shift(dt.timedelta(hours=3))
            assert client.get("/customers/").status_code == 200
        traveller.shift(dt.timedelta(hours=3))  # 24 h after signing in
        response = client.get("/customers/", follow=True)
    assert response.redirect_chain[0][0] == "/accounts/login/?next=/customers/"
    assert "_auth_user_id" not in client.session
    assert "Your session has ended; please sign in again." in response.content.decode()


@pytest.mark.django_db
def test_the_idle_renewal_writes_the_session_at_most_once_a_minute(client, quality):
    from django.contrib.sessions.models import Session

    with time_machine.travel(START, tick=False) as traveller:
        client.post("/accounts/login/", {"username": "quality", "password": "pw-quality"})
        key = client.cookies["sessionid"].value
        first = Session.objects.get(session_key=key).expire_date
        traveller.shift(dt.timedelta(seconds=30))
        client.get("/customers/")
        assert Session.objects.get(session_key=key).expire_date == first
        traveller.shift(dt.timedelta(seconds=31))
        client.get("/customers/")
        assert Session.objects.get(session_key=key).expire_date == first + dt.timedelta(seconds=61)


# Passwords ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Tq7#pLm2$vX", "at least 12 characters"),
        ("password1234", "too common"),
        ("948372615094", "entirely numeric"),
    ],
)
def test_new_passwords_need_twelve_characters_and_must_not_be_common_or_numeric(password, message):
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(password)
    assert any(message in text for text in refused.value.messages)


def test_a_twelve_character_uncommon_password_is_accepted():
    password_validation.validate_password("Tq7#pLm2$vXz")


@pytest.mark.django_db
def test_the_password_change_form_refuses_a_short_new_password(client_for, quality):
    response = client_for(quality).post(
        "/accounts/password/change/",
        {"old_password": "pw-quality", "new_password1": "Short-2026", "new_password2": "Short-2026"},
    )
    assert response.status_code == 200
    assert "at least 12 characters" in str(response.context["form"].errors["new_password2"])


@pytest.mark.django_db
def test_the_demo_users_still_sign_in_with_the_demo_password(client):
    from qms.accounts.demo import seed_users
    from qms.core.demo import DEMO_PASSWORD

    seed_users()
    response = client.post("/accounts/login/", {"username": "quality", "password": DEMO_PASSWORD})
    assert response.status_code == 302


# Public tokens --------------------------------------------------------------------------------------


def _random_bits(token: str) -> int:
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    return len(raw) * 8


@pytest.mark.django_db
def test_survey_invitation_and_complaint_status_tokens_carry_at_least_128_random_bits():
    from feedback.tests.factories import FeedbackItemFactory
    from feedback.tests.survey_factories import InvitationFactory

    invitations = [InvitationFactory().token for _ in range(3)]
    complaints = [FeedbackItemFactory().public_token for _ in range(3)]
    for tokens in (invitations, complaints):
        assert len(set(tokens)) == 3
        assert all(_random_bits(token) >= 128 for token in tokens)


# check --deploy ---------------------------------------------------------------------------------------


def test_production_profile_passes_check_deploy_at_warning_level_with_secure_cookies(tmp_path):
    env = {"QMS_ENV": "production", **PRODUCTION_FIVE}
    check = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env, tmp_path=tmp_path)
    assert check.returncode == 0, check.stderr + check.stdout
    script = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS > 0, 'qms.core.security.ContentSecurityPolicyMiddleware' in s.MIDDLEWARE)"
    )
    values = run_manage("shell", "-c", script, env=env, tmp_path=tmp_path)
    assert values.returncode == 0, values.stderr
    assert values.stdout.split()[-6:] == ["True"] * 6


@pytest.mark.django_db
def test_the_redoc_page_links_nothing_on_another_server(client_for, quality):
    # drf-spectacular's own head links Google Fonts; ours (templates/drf_spectacular/redoc.html) does not.
    # (Redoc's bundle still names its logo on cdn.redoc.ly; the policy's img-src keeps the browser from it.)
    page = client_for(quality).get("/api/redoc/").content.decode()
    assert "googleapis" not in page and "gstatic" not in page
    assert "<redoc spec-url=" in page and "<title>QMS customer-focus portal API</title>" in page
