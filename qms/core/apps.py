from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qms.core"
    label = "core"
    verbose_name = "Portal core"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from . import keyset, menu

        post_save.connect(keyset.forget_count, dispatch_uid="qms.core.keyset.forget_count.save")
        post_delete.connect(keyset.forget_count, dispatch_uid="qms.core.keyset.forget_count.delete")

        menu.register(menu.MenuItem("Audit log", "audit:entry_list", "audit.auditentry", order=90))
        menu.register(
            menu.MenuItem("Users", "admin:index", get_user_model()._meta.label_lower, action="change", order=99)
        )
