"""Audit hooks that cannot live on our own models: deletes (cascades included) and role changes."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from .context import is_loading_archived_rows
from .mixins import AuditedModel
from .recorder import append_entry, record_instance_change, snapshot


def record_delete(sender, instance, using, **kwargs):
    if isinstance(instance, AuditedModel) and not is_loading_archived_rows():
        record_instance_change(instance, "delete", snapshot(instance), None, using)


def _pk_names(model, pks) -> list[str]:
    return sorted(str(obj) for obj in model._base_manager.filter(pk__in=pks))


def _through_pks(through, instance) -> set:
    """Primary keys on the other side of ``through`` currently linked to ``instance``."""
    source = target = None
    for field in through._meta.get_fields():
        if getattr(field, "many_to_one", False):
            if field.related_model is type(instance) and source is None:
                source = field
            else:
                target = field
    return set(through._base_manager.filter(**{source.name: instance}).values_list(target.attname, flat=True))


def record_m2m(sender, instance, action, reverse, model, pk_set, using, **kwargs):
    """Group membership of users, and permissions of groups or users, as 'roles' entries."""
    if action not in {"post_add", "post_remove", "pre_clear"} or is_loading_archived_rows():
        return
    if action == "pre_clear":
        pk_set = _through_pks(sender, instance)
    if not pk_set:
        return
    verb = "added" if action == "post_add" else "removed"
    append_entry(
        action="roles",
        content_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance),
        changes={f"{model._meta.verbose_name_plural} {verb}": _pk_names(model, pk_set)},
        using=using,
    )


def remember_group_name(sender, instance, raw=False, **kwargs):
    if instance.pk and not raw:
        instance._audit_old_name = Group._base_manager.filter(pk=instance.pk).values_list("name", flat=True).first()


def record_group_save(sender, instance, created, using, raw=False, **kwargs):
    old_name = None if created else getattr(instance, "_audit_old_name", None)
    if raw or is_loading_archived_rows() or (not created and old_name == instance.name):
        return
    append_entry(
        action="create" if created else "update",
        content_type="auth.group",
        object_id=str(instance.pk),
        object_repr=instance.name,
        changes={"name": [old_name, instance.name]},
        using=using,
    )


def record_group_delete(sender, instance, using, **kwargs):
    if is_loading_archived_rows():
        return
    append_entry(
        action="delete",
        content_type="auth.group",
        object_id=str(instance.pk),
        object_repr=instance.name,
        changes={"name": [instance.name, None]},
        using=using,
    )


def connect() -> None:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    post_delete.connect(record_delete, dispatch_uid="qms.audit.record_delete")
    for through in (
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(record_m2m, sender=through, dispatch_uid=f"qms.audit.m2m.{through.__name__}")
    pre_save.connect(remember_group_name, sender=Group, dispatch_uid="qms.audit.group_pre_save")
    post_save.connect(record_group_save, sender=Group, dispatch_uid="qms.audit.group_save")
    pre_delete.connect(record_group_delete, sender=Group, dispatch_uid="qms.audit.group_delete")
