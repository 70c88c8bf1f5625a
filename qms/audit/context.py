"""Who is acting, and from where: set per request, per job or per command, read by the recorder."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class AuditContext:
    source: str = "cli"
    request: object | None = None  # the HttpRequest; its user is read when an entry is written
    actor: object | None = None
    request_id: str = ""
    address: str = ""

    def resolve_actor(self):
        if self.actor is not None:
            return self.actor
        user = getattr(self.request, "user", None)
        return user if getattr(user, "is_authenticated", False) else None


_current: ContextVar[AuditContext | None] = ContextVar("qms_audit_context", default=None)
_loading_archive: ContextVar[bool] = ContextVar("qms_audit_loading_archive", default=False)


def current_context() -> AuditContext:
    return _current.get() or AuditContext()


@contextmanager
def audit_context(**fields) -> Iterator[AuditContext]:
    """Run a block as ``source``/``actor``; e.g. a job: ``with audit_context(source="job"): ...``."""
    ctx = AuditContext(**fields)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


@contextmanager
def acting_as(actor) -> Iterator[AuditContext]:
    """Keep source, request id and address, but record ``actor`` as the one who acted."""
    ctx = replace(current_context(), actor=actor)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


@contextmanager
def loading_archived_rows() -> Iterator[None]:
    """Load rows from a backup: they bring their own audit entries, so the signal hooks stay silent.

    Only ``loaddata`` during a restore may use this: ``loaddata`` bypasses ``AuditedModel.save`` but still
    sends ``m2m_changed`` (a user's groups), which would otherwise append entries the archive already has.
    """
    token = _loading_archive.set(True)
    try:
        yield
    finally:
        _loading_archive.reset(token)


def is_loading_archived_rows() -> bool:
    return _loading_archive.get()


def audited_service(func: Callable) -> Callable:
    """Run a service (``actor=`` keyword) in one transaction, its entries naming that actor."""
    from django.db import transaction

    @functools.wraps(func)
    def wrapper(*args, actor, **kwargs):
        with transaction.atomic(), acting_as(actor):
            return func(*args, actor=actor, **kwargs)

    return wrapper
