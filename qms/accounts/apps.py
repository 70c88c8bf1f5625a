from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, using="default", **kwargs):
    """After every migrate (and test flush): permissions exist for every app, groups match roles.py."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.management import create_contenttypes

    from .roles import sync_role_groups

    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0, using=using)
        create_permissions(app_config, verbosity=0, using=using)
    sync_role_groups(Group, Permission)


class AccountsConfig(AppConfig):
    name = "qms.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from qms.core.demo import register_seeder
        from qms.core.security import record_login_time

        from . import session_access
        from .demo import seed_users
        from .throttling import on_logged_in, on_login_failed

        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="qms.accounts.sync_roles")
        user_login_failed.connect(on_login_failed, dispatch_uid="qms.accounts.count_login_failure")
        user_logged_in.connect(on_logged_in, dispatch_uid="qms.accounts.clear_login_failures")
        user_logged_in.connect(record_login_time, dispatch_uid="qms.accounts.record_login_time")
        session_access.connect()
        register_seeder(10, "accounts", seed_users)
