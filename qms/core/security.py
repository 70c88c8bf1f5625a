"""Response headers and session lifetimes that settings alone cannot express.

- ``ContentSecurityPolicyMiddleware``: a Content Security Policy on every response. Scripts only from
  the portal's own static files (no inline script, no ``on*=`` attributes, no ``eval``); pages pass
  data to them with ``json_script`` or ``data-`` attributes.
- ``SessionTimeoutMiddleware``: the idle timeout (``SESSION_COOKIE_AGE``, renewed at most once a minute
  rather than a session write on every request) and the absolute one (``SESSION_ABSOLUTE_SECONDS``
  after sign-in, however active the user has been).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout

CSP_HEADER = "Content-Security-Policy"

# style-src keeps 'unsafe-inline': templates colour risk-matrix cells and size progress bars with
# style attributes computed on the server, and Bootstrap, Chart.js and htmx set element styles. Styles
# cannot run code; scripts, the real injection risk, stay 'self' only.
DEFAULT_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}

# Redoc runs its search index in a blob: worker: that page (signed-in users only, no user-supplied content)
# gets exactly this relaxation; every other page keeps the policy. (Swagger UI is served by drf-spectacular's
# split view, whose start-up code is a script file, so it needs none.)
RELAXED_POLICIES = {
    "api-redoc": {"worker-src": "'self' blob:"},
}


def build_policy(overrides: dict[str, str] | None = None) -> str:
    directives = {**DEFAULT_POLICY, **(overrides or {})}
    return "; ".join(f"{name} {value}" for name, value in directives.items())


_STRICT = build_policy()
_RELAXED = {name: build_policy(overrides) for name, overrides in RELAXED_POLICIES.items()}


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every response that has none yet (a view may set its own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if CSP_HEADER not in response:
            match = getattr(request, "resolver_match", None)
            response[CSP_HEADER] = _RELAXED.get(match.url_name if match else "", _STRICT)
        return response


LOGIN_AT_KEY = "qms_login_at"
SEEN_AT_KEY = "qms_seen_at"
# The idle timeout is renewed by writing the session at most this often, not on every request.
RENEW_EVERY_SECONDS = 60


def record_login_time(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the start of the absolute session lifetime."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT_KEY] = now
        request.session[SEEN_AT_KEY] = now


class SessionTimeoutMiddleware:
    """Signs out a session older than ``SESSION_ABSOLUTE_SECONDS``; keeps an active one from idling out.

    Placed after the authentication and message middleware. Token-authenticated API calls carry no
    session and pass through untouched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            login_at = session.get(LOGIN_AT_KEY)
            if login_at is None:
                # Signed in before this middleware existed: the lifetime starts now.
                session[LOGIN_AT_KEY] = login_at = now
            if now - login_at >= settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, "Your session has ended; please sign in again.")
            elif now - session.get(SEEN_AT_KEY, 0) >= RENEW_EVERY_SECONDS:
                # A modified session is saved with a fresh expiry: the idle clock restarts.
                session[SEEN_AT_KEY] = now
        return self.get_response(request)
