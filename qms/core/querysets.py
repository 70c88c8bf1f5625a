"""The queryset every register's models use: rows restricted by the permission engine, writes audited."""

from qms.accounts.permissions import RestrictedQuerySet
from qms.audit.mixins import AuditedQuerySet


class RegisterQuerySet(RestrictedQuerySet, AuditedQuerySet):
    pass
