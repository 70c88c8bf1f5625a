"""``AuditedModel``: every create, update and delete of a subclass lands on the audit trail.

Saves and deletes (cascades included, through the post_delete signal inside Django's deletion
transaction) are recorded in the same transaction as the change. Queryset ``update()`` records one
entry per row; ``bulk_create``/``bulk_update`` are refused because they would bypass the trail.
"""

from __future__ import annotations

from django.db import models, router, transaction


class AuditBypassError(TypeError):
    """A bulk write that would skip the audit trail."""


class AuditedQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        from .recorder import record_instance_change, snapshot

        model = self.model
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            if not pks:
                return 0
            base = model._base_manager.using(self.db).filter(pk__in=pks)
            before = {obj.pk: snapshot(obj) for obj in base.select_for_update()}
            count = models.QuerySet.update(base, **kwargs)
            for obj in model._base_manager.using(self.db).filter(pk__in=pks).order_by("pk"):
                record_instance_change(obj, "update", before.get(obj.pk), snapshot(obj), self.db)
        return count

    def bulk_create(self, *args, **kwargs):
        raise AuditBypassError(f"bulk_create on {self.model.__name__} would bypass the audit trail; save each row.")

    def bulk_update(self, *args, **kwargs):
        raise AuditBypassError(
            f"bulk_update on {self.model.__name__} would bypass the audit trail; use update() or save()."
        )


class AuditedModel(models.Model):
    """Base for register records. ``audit_exclude`` skips fields; ``audit_redact`` hides values."""

    audit_exclude: tuple[str, ...] = ()
    audit_redact: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        from .recorder import record_instance_change, snapshot

        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            before = None
            if not self._state.adding and self.pk is not None:
                stored = type(self)._base_manager.using(using).filter(pk=self.pk).first()
                before = snapshot(stored) if stored is not None else None
            super().save(*args, **kwargs)
            after = snapshot(self)
            update_fields = kwargs.get("update_fields")
            if before and update_fields is not None:
                # Only the named fields reached the database; the rest keep their stored values.
                saved = {self._meta.get_field(name).attname for name in update_fields}
                after = {key: (value if key in saved else before.get(key)) for key, value in after.items()}
            record_instance_change(self, "update" if before else "create", before, after, using)
