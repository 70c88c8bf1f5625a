from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qms.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `backup` into this instance (migrated to the same state): checks every "
        "file against the manifest first, loads the database in one transaction, resets sequences, puts the "
        "uploaded files back and verifies the audit trail. Refuses a database that already holds data unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .tar.gz written by `manage.py backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the data this instance already holds (every row and every uploaded file).",
        )
        parser.add_argument("--database", default="default", help="The database alias to restore into.")

    def handle(self, *args, **options):
        try:
            report = backup_restore(
                archive=options["archive"],
                force=options["force"],
                using=options["database"],
                progress=self.stdout.write,
            )
        except (BackupError, OSError) as exc:
            raise CommandError(f"Restore refused or failed: {exc}") from exc
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if not report.chain_intact:
            raise CommandError(f"Restored, but {report.chain_message}")
        restored = f"Restored {report.rows} rows in {report.models} tables and {report.files} files."
        self.stdout.write(self.style.SUCCESS(f"{restored} {report.chain_message}"))
