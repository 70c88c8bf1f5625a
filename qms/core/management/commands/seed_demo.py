from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from qms.audit.context import audit_context
from qms.core.demo import DEMO_PASSWORD, seeders


class Command(BaseCommand):
    help = "Fill the portal with a small demo data set and one user per role (password: qms-demo)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run in the production profile (QMS_ENV=production).")
        with transaction.atomic(), audit_context(source="cli"):
            for _, name, seeder in seeders():
                self.stdout.write(f"{name}: {seeder()}")
        self.stdout.write(
            self.style.SUCCESS(
                "Demo ready. Sign in as quality, management, staff, auditor or admin "
                f"with the password {DEMO_PASSWORD}."
            )
        )
