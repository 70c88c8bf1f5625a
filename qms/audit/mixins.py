"""``AuditedModel``: every create, update and delete of a subclass lands on the audit trail.

Saves and deletes (cascades included, through the post_delete signal inside Django's deletion
transaction) are recorded in the same transaction as the change. Queryset ``update()`` records one
entry per row (locking the rows through its own conditions, so a conditional claim stays a claim);
``update_bookkeeping()`` is the one explicit way to skip it, for fields the model excludes from its trail;
``bulk_create``/``bulk_update`` are refused because they would bypass the trail.
"""

from __future__ import annotations

from django.db import models, router, transaction


class AuditBypassError(TypeError):
    """A bulk write that would skip the audit trail."""


class AuditedQuerySet(models.QuerySet):
    def update(self, **kwargs) -> int:
        from .recorder import record_instance_change, snapshot

        if self.query.is_sliced:
            raise TypeError("Cannot update a query once a slice has been taken.")
        model = self.model
        with transaction.atomic(using=self.db):
            # Lock the rows through this queryset's own conditions: PostgreSQL re-checks them on a row
            # another transaction changed meanwhile, so a conditional claim (`filter(pk=..., status=...)
            # .update(...)`, count checked) still succeeds for one worker only.
            matching = self.select_related(None).order_by("pk").select_for_update(of=("self",))
            matching.query.distinct, matching.query.distinct_fields = False, ()
            pks = list(matching.values_list("pk", flat=True))
            if not pks:
                return 0
            base = model._base_manager.using(self.db).filter(pk__in=pks)
            before = {obj.pk: snapshot(obj) for obj in base}
            count = models.QuerySet.update(base, **kwargs)
            for obj in base.order_by("pk"):
                record_instance_change(obj, "update", before.get(obj.pk), snapshot(obj), self.db)
        return count

    def update_bookkeeping(self, **kwargs) -> int:
        """Update only fields the model keeps off its trail (``audit_exclude``: progress counters, claim
        timestamps) in one plain UPDATE, with no entry and no row snapshots. Any other field is refused."""
        excluded = set(self.model.audit_exclude)
        audited = sorted(
            name for name in kwargs if name not in excluded and self.model._meta.get_field(name).attname not in excluded
        )
        if audited:
            raise AuditBypassError(
                f"{', '.join(audited)} on {self.model.__name__} are on the audit trail; use update() or save()."
            )
        return models.QuerySet.update(self, **kwargs)

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
