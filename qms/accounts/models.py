"""Portal users. Roles are Django groups (see ``roles.py``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from qms.accounts.permissions import RestrictedQuerySet, role_names
from qms.accounts.roles import ROLE_NAMES
from qms.audit.mixins import AuditedModel, AuditedQuerySet


class UserQuerySet(RestrictedQuerySet, AuditedQuerySet):
    pass


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


PORTAL_BACKEND = "qms.accounts.backends.PortalBackend"


class User(AuditedModel, AbstractUser):
    """A person who signs in. Changes to users and their roles are on the audit trail."""

    audit_exclude = ("last_login", "access_version")
    audit_redact = ("password",)

    # Raised by every change to what the user may do (``session_access``): their session's copy of their
    # permissions is used only while it carries the current number.
    access_version = models.PositiveIntegerField(default=0, editable=False)

    objects = PortalUserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        ordering = ("username",)

    def has_perm(self, perm, obj=None):
        """Django's answer, read straight from the permission cache when the portal's one backend (whose
        answer is membership of that cache) is the only one: no walk through the backends on every check."""
        if (
            obj is None
            and self.is_active
            and not self.is_superuser
            and settings.AUTHENTICATION_BACKENDS == [PORTAL_BACKEND]
        ):
            cache = self.__dict__.get("_perm_cache")
            if cache is not None:
                return perm in cache
        return super().has_perm(perm, obj)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role(self) -> str:
        """The user's role as shown in the portal."""
        if self.is_superuser:
            return "Administrator"
        names = role_names(self)
        return next((name for name in ROLE_NAMES if name in names), "No role")
