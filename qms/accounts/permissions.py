"""The one permission engine: pages, the API and the admin all ask ``can`` and ``restrict``.

A user may perform ``action`` on a model when they hold the model permission
``app_label.<action>_<model>`` (granted through their role group, see ``roles.py``), with two rules on
top that no permission row can override:
- an auditor may only read (``view``, ``export``);
- models marked ``append_only`` (the audit trail) can never be changed through any surface.
Row-level limits live on the model as ``restrict_rows(queryset, user, action)``.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import LazyObject, empty
from rest_framework.permissions import BasePermission

from .roles import AUDITOR, READ_ACTIONS

HTTP_METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def role_names(user) -> frozenset[str]:
    """The role groups the user belongs to, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    if getattr(user, "_qms_roles", None) is None:
        from .backends import load_permissions_and_roles

        load_permissions_and_roles(user)  # with the permissions: one query for both
    return user._qms_roles


def is_auditor(user) -> bool:
    return AUDITOR in role_names(user) and not user.is_superuser


def _unwrapped(user):
    """The user behind Django's lazy ``request.user``: every attribute read through the proxy is a call, and a
    list of rows asks ``can`` many times."""
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        return user._wrapped
    return user


def can(user, action: str, model: type[models.Model], obj: models.Model | None = None) -> bool:
    """Whether ``user`` may perform ``action`` on ``model`` (and on ``obj`` when given)."""
    user = _unwrapped(user)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if action not in READ_ACTIONS and (is_auditor(user) or getattr(model, "append_only", False)):
        return False
    opts = model._meta
    if not user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
        return False
    if obj is not None:
        rule = getattr(model, "permits", None)
        if rule is not None and not rule(obj, user, action):
            return False
    return True


class RestrictedQuerySet(models.QuerySet):
    """``Model.objects.restrict(user, action)``: only the rows the user may act on."""

    def restrict(self, user, action: str = "view"):
        if not can(user, action, self.model):
            return self.none()
        rows_rule = getattr(self.model, "restrict_rows", None)
        return rows_rule(self, user, action) if rows_rule else self


class EnginePermission(BasePermission):
    """DRF permission class backed by the engine; views may map custom actions."""

    message = "You do not have permission to perform this action."

    def _action(self, request, view) -> str:
        custom = getattr(view, "permission_actions", {}).get(getattr(view, "action", None))
        return custom or HTTP_METHOD_ACTIONS.get(request.method, "change")

    def _model(self, view):
        queryset = getattr(view, "queryset", None)
        return queryset.model if queryset is not None else getattr(view, "permission_model", None)

    def has_permission(self, request, view) -> bool:
        model = self._model(view)
        if model is None:
            # A view with neither a model nor its own permission classes is refused, never open.
            return False
        return can(request.user, self._action(request, view), model)

    def has_object_permission(self, request, view, obj) -> bool:
        return can(request.user, self._action(request, view), type(obj), obj)
