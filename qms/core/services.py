"""Helpers every register's services share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models

from qms.accounts.permissions import can


def require_permission(actor, action: str, model: type[models.Model], obj: models.Model | None = None) -> None:
    """Refuse the write unless the permission engine allows it (whatever the page or API showed)."""
    if not can(actor, action, model, obj):
        raise PermissionDenied(f"You may not {action} {model._meta.verbose_name_plural}.")


def apply_and_save(instance: models.Model, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    """Set the ``allowed`` fields present in ``data``, validate the whole record, then save it."""
    for name, value in data.items():
        if name in allowed:
            setattr(instance, name, value)
    instance.full_clean()
    instance.save()
