"""Portal users. Roles are Django groups (see ``roles.py``)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from qms.accounts.permissions import RestrictedQuerySet, role_names
from qms.accounts.roles import ROLE_NAMES
from qms.audit.mixins import AuditedModel, AuditedQuerySet


class UserQuerySet(RestrictedQuerySet, AuditedQuerySet):
    pass


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


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
