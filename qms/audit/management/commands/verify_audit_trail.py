from django.core.management.base import BaseCommand, CommandError

from qms.audit.services import audit_chain_verify_and_record


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; report the first broken link or that it is intact."

    def handle(self, *args, **options):
        result = audit_chain_verify_and_record(checked_by="verify_audit_trail command")
        if not result.intact:
            raise CommandError(result.message)
        self.stdout.write(self.style.SUCCESS(result.message))
