"""``manage.py verify_evidence_pack FILE.zip``: exit 0 and "intact", or exit 1 naming what is wrong."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from qms.evidence.verification import pack_verify


class Command(BaseCommand):
    help = "Check every file of an evidence pack against the SHA-256 sums in its manifest.json."

    def add_arguments(self, parser):
        parser.add_argument("pack", help="The evidence pack (.zip) to check.")

    def handle(self, *args, pack: str, **options):
        report = pack_verify(pack)
        if report.intact:
            self.stdout.write(f"intact: {report.files_checked} files match the manifest of {pack}")
            return
        self.stderr.write(f"NOT intact: {len(report.problems)} problem(s) in {pack}")
        for problem in report.problems:
            self.stderr.write(f"  {problem}")
        raise SystemExit(1)
