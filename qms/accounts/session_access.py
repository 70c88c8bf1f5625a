"""A signed-in user's permissions and roles, kept in their session from one request to the next.

``load_permissions_and_roles`` reads them in one query; kept in the session, that query leaves every page
after sign-in. The copy carries the user's ``access_version``, which every change to their roles or
permissions raises, and so does every change to a role's permissions or a role's removal (the receivers
below): a page never acts on a stale copy, the first request after a change reads them again. Superusers
keep only their roles (Django answers "every permission" for them); sessions without a user are untouched;
API calls with a token carry no session and read them once per call.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.db.models import F

SESSION_KEY = "_qms_access"


def _cached(user) -> list | None:
    """What ``load_permissions_and_roles`` left on ``user`` in this request, as the session keeps it
    (a superuser's roles only: Django answers "every permission" for them without a query)."""
    if getattr(user, "_qms_roles", None) is None:
        return None
    if user.is_superuser:
        return [user.pk, user.access_version, True, None, None, sorted(user._qms_roles)]
    if not hasattr(user, "_perm_cache"):
        return None
    return [
        user.pk,
        user.access_version,
        False,
        sorted(user._user_perm_cache),
        sorted(user._group_perm_cache),
        sorted(user._qms_roles),
    ]


def _current(stored, user) -> bool:
    return bool(stored) and stored[:3] == [user.pk, user.access_version, user.is_superuser]


def _apply(user, stored: list) -> None:
    user._qms_roles = frozenset(stored[5])
    if not user.is_superuser:
        user._user_perm_cache = set(stored[3])
        user._group_perm_cache = set(stored[4])
        user._perm_cache = user._user_perm_cache | user._group_perm_cache


def _eligible(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def remember(session, user) -> None:
    """Read the user's permissions now (if this request has not) and keep them in ``session``."""
    from .backends import load_permissions_and_roles

    if not _eligible(user):
        return
    load_permissions_and_roles(user)
    value = _cached(user)
    if value is not None and session.get(SESSION_KEY) != value:
        session[SESSION_KEY] = value


def on_logged_in(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: the session starts with the permissions (saved with the sign-in itself).

    The user object given may be older than its row (roles changed since it was read): the version is
    read first, then the permissions, so a change in between leaves an old number and a fresh read."""
    session = getattr(request, "session", None)
    if session is None or not _eligible(user):
        return
    current = type(user)._base_manager.filter(pk=user.pk).values_list("access_version", flat=True).first()
    if current is None:
        return
    if current != user.access_version:
        user.access_version = current
        for name in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_qms_roles"):
            user.__dict__.pop(name, None)
    remember(session, user)


class SessionAccessMiddleware:
    """After authentication: restore the kept permissions when still current; keep freshly read ones."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and _eligible(user):
            stored = session.get(SESSION_KEY)
            if _current(stored, user):
                _apply(user, stored)
        response = self.get_response(request)
        # The view may have signed someone in or out: keep only what this request's user read, and only in
        # a session signed in as them (an API call with a token must not start a session).
        user = getattr(request, "user", None)
        if session is not None and _eligible(user) and session.get(AUTH_SESSION_KEY) == str(user.pk):
            value = _cached(user)
            if value is not None and session.get(SESSION_KEY) != value:
                session[SESSION_KEY] = value
        return response


# Invalidation: every path that changes what a user may do raises their access_version. --------------


def bump(user_ids) -> None:
    from django.contrib.auth import get_user_model

    from qms.audit.context import is_loading_archived_rows

    if is_loading_archived_rows():
        return  # a restore: the rows bring their own numbers, as the sessions restored with them hold them
    ids = {pk for pk in user_ids if pk is not None}
    if ids:
        get_user_model().objects.filter(pk__in=ids).update_bookkeeping(access_version=F("access_version") + 1)


def _members(group_ids) -> list[int]:
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(groups__in=list(group_ids)).values_list("pk", flat=True))


def _holders(permission) -> list[int]:
    """Users holding ``permission`` themselves or through a role."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    direct = users.filter(user_permissions=permission).values_list("pk", flat=True)
    through_roles = users.filter(groups__permissions=permission).values_list("pk", flat=True)
    return [*direct, *through_roles]


_CHANGES = ("post_add", "post_remove", "pre_clear")


def _user_relation_receiver(users_of: Callable) -> Callable:
    """A receiver for a many-to-many between users and ``X``: from the user's side the user changed; from
    ``X``'s side the users named, or all of ``users_of(x)`` when ``X``'s side is cleared."""

    def receiver(sender, instance, action, reverse, pk_set, **kwargs) -> None:
        if action not in _CHANGES:
            return
        if not reverse:
            bump([instance.pk])
        elif action == "pre_clear":
            bump(users_of(instance))
        else:
            bump(pk_set or ())

    return receiver


# ``User.groups``: a user's roles, or a role's members. ``User.user_permissions``: from either side.
on_user_groups_changed = _user_relation_receiver(lambda group: _members([group.pk]))
on_user_permissions_changed = _user_relation_receiver(lambda perm: perm.user_set.values_list("pk", flat=True))


def on_group_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """``Group.permissions`` from either side: every member of the role is affected."""
    if action not in _CHANGES:
        return
    if not reverse:
        bump(_members([instance.pk]))
    elif action == "pre_clear":
        bump(_members(instance.group_set.values_list("pk", flat=True)))
    else:
        bump(_members(pk_set or ()))


def on_group_deleted(sender, instance, **kwargs) -> None:
    bump(_members([instance.pk]))


def on_permission_deleted(sender, instance, **kwargs) -> None:
    bump(_holders(instance))


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.contrib.auth.signals import user_logged_in
    from django.db.models.signals import m2m_changed, pre_delete

    user_model = get_user_model()
    uid = "qms.accounts.session_access"
    m2m_changed.connect(on_user_groups_changed, sender=user_model.groups.through, dispatch_uid=f"{uid}.groups")
    m2m_changed.connect(
        on_user_permissions_changed, sender=user_model.user_permissions.through, dispatch_uid=f"{uid}.user_perms"
    )
    m2m_changed.connect(on_group_permissions_changed, sender=Group.permissions.through, dispatch_uid=f"{uid}.roles")
    pre_delete.connect(on_group_deleted, sender=Group, dispatch_uid=f"{uid}.role_deleted")
    pre_delete.connect(on_permission_deleted, sender=Permission, dispatch_uid=f"{uid}.permission_deleted")
    user_logged_in.connect(on_logged_in, dispatch_uid=f"{uid}.logged_in")
