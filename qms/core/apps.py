from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qms.core"
    label = "core"
    verbose_name = "Portal core"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from . import menu

        menu.register(menu.MenuItem("Audit log", "audit:entry_list", "audit.auditentry", order=90))
        menu.register(
            menu.MenuItem("Users", "admin:index", get_user_model()._meta.label_lower, action="change", order=99)
        )
