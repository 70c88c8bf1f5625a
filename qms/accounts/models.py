"""Portal users. Roles are Django groups (see ``roles.py``)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager

from qms.accounts.permissions import RestrictedQuerySet, role_names
from qms.accounts.roles import ROLE_NAMES
from qms.audit.mixins import AuditedModel, AuditedQuerySet


class UserQuerySet(RestrictedQuerySet, AuditedQuerySet):
    pass


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AuditedModel, AbstractUser):
    """A person who signs in. Changes to users and their roles are on the audit trail."""

    audit_exclude = ("last_login",)
    audit_redact = ("password",)

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
