from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qms.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write one consistent archive of this instance: the database (every app, as dumpdata JSON taken in one "
        "snapshot), the uploaded files and a manifest with their SHA-256 hashes. Restore it with `restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="Where to write the archive (.tar.gz); default VAR_DIR/backups/qms-backup-<UTC time>.tar.gz.",
        )
        parser.add_argument("--database", default="default", help="The database alias to back up.")

    def handle(self, *args, **options):
        try:
            path = backup_create(output=options["output"], using=options["database"])
        except (BackupError, OSError) as exc:
            raise CommandError(f"Backup failed: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path} ({path.stat().st_size} bytes)."))
