from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from .throttling import Lockout, request_lockout


def _lockout_message(lock: Lockout) -> str:
    minutes = lock.retry_after_minutes
    return f"Too many failed sign-in attempts; try again in {minutes} minute{'s' if minutes != 1 else ''}."


def locked_out_response(request, lock: Lockout):
    response = render(
        request,
        "accounts/locked_out.html",
        {"title": "Sign-in paused", "message": _lockout_message(lock), "lockout": lock},
        status=429,
    )
    response["Retry-After"] = str(lock.retry_after_seconds)
    return response


class LoginView(auth_views.LoginView):
    """Django's sign-in (which rotates the session key), answering 429 while the username or address is locked.

    The failures themselves are counted by the ``user_login_failed`` signal (see ``throttling``).
    """

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if lock := request_lockout(request, username):
            return locked_out_response(request, lock)
        response = super().post(request, *args, **kwargs)
        # The failure that reached the limit is told so at once, not on the next attempt.
        if not request.user.is_authenticated and (lock := request_lockout(request, username)):
            return locked_out_response(request, lock)
        return response


class TokenView(ObtainAuthToken):
    """Exchange a username and password for an API token (send it as ``Authorization: Token <key>``)."""

    # ObtainAuthToken clears the throttle classes; the scope's rate (settings: "token") is meant to apply.
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "token"

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        username = request.data.get("username", "") if hasattr(request.data, "get") else ""
        if lock := request_lockout(request, username):
            return Response(
                {"detail": _lockout_message(lock)},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(lock.retry_after_seconds)},
            )
        return super().post(request, *args, **kwargs)
