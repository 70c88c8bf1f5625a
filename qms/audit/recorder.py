"""Writes audit entries. Callers are already inside the transaction of the change they record."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .context import current_context
from .models import AuditChainHead, AuditEntry

REDACTED = "(redacted)"


def serialize_value(value: Any) -> Any:
    """A JSON-stable form of a field value (what the hash covers must survive a round trip)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [serialize_value(item) for item in value]
    if isinstance(value, dict):
        return {str(key): serialize_value(item) for key, item in value.items()}
    return str(value)


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The audited field values of ``instance``, by attribute name (``owner_id`` for a foreign key).

    ``auto_now`` and ``auto_now_add`` fields are left out: the entry's own timestamp says when, and a
    save that changed nothing else must not add an entry.
    """
    excluded = set(getattr(instance, "audit_exclude", ()))
    return {
        field.attname: serialize_value(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
        if field.name not in excluded
        and field.attname not in excluded
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    }


def diff(before: dict | None, after: dict | None, redact: tuple[str, ...] = ()) -> dict[str, list]:
    before = before or {}
    after = after or {}
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        # None and "" are both "empty": a blank optional field is no change worth a line.
        if old != new and not (old in (None, "") and new in (None, "")):
            if key in redact:
                old = REDACTED if old else None
                new = REDACTED if new else None
            changes[key] = [old, new]
    return changes


def lock_audit_chain(using: str = "default") -> AuditChainHead:
    """Take the audit chain's lock now, for the rest of the transaction. A transaction that locks a numbering
    counter calls this first: it will append an entry anyway, and if one transaction held the chain and then
    waited for a counter while another held the counter and waited for the chain, PostgreSQL would abort one
    of them ("deadlock detected"; a survey answer that opens a complaint while the public form files one).
    With the chain always taken first, they queue instead. Returns the locked head."""
    head, _ = AuditChainHead.objects.using(using).select_for_update().get_or_create(pk=1)
    return head


def append_entry(
    *,
    action: str,
    content_type: str,
    object_id: str,
    object_repr: str,
    changes: dict,
    using: str = "default",
) -> AuditEntry:
    """Append one entry to the chain. Locks the chain head so concurrent writers line up."""
    ctx = current_context()
    actor = ctx.resolve_actor()
    # No savepoint of its own: an entry that cannot be written fails the change it records, whole.
    with transaction.atomic(using=using, savepoint=False):
        head = lock_audit_chain(using)
        entry = AuditEntry(
            seq=head.seq + 1,
            timestamp=timezone.now().astimezone(dt.UTC),
            actor_id=actor.pk if actor is not None else None,
            actor_name=(actor.get_full_name() or actor.username) if actor is not None else "system",
            source=ctx.source,
            request_id=ctx.request_id[:64],
            address=(ctx.address or "")[:45],
            action=action,
            content_type=content_type,
            object_id=str(object_id)[:64],
            object_repr=str(object_repr)[:200],
            changes=serialize_value(changes),
            prev_hash=head.last_hash,
        )
        entry.hash = entry.compute_hash()
        entry.save(using=using, force_insert=True)
        head.seq = entry.seq
        head.last_hash = entry.hash
        head.save(using=using, update_fields=["seq", "last_hash"])
    return entry


def record_instance_change(
    instance: models.Model, action: str, before: dict | None, after: dict | None, using: str
) -> AuditEntry | None:
    changes = diff(before, after, tuple(getattr(instance, "audit_redact", ())))
    if action == "update" and not changes:
        return None
    return append_entry(
        action=action,
        content_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance),
        changes=changes,
        using=using,
    )
