"""Audit-trail services: verifying the hash chain."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import AuditEntry, AuditVerification

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    entries_checked: int
    first_broken_seq: int | None
    message: str


def audit_chain_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the chain in order; report the first entry whose hash or link does not hold."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        problem = None
        if entry.seq != expected_seq:
            problem = f"entry #{expected_seq} is missing (next entry found is #{entry.seq})"
        elif entry.prev_hash != expected_prev:
            problem = f"entry #{entry.seq} does not link to the entry before it"
        elif entry.compute_hash() != entry.hash:
            problem = f"entry #{entry.seq} was altered after it was written (its hash does not match)"
        if problem:
            return ChainReport(
                False,
                checked,
                expected_seq if "missing" in problem else entry.seq,
                f"The audit trail is broken: {problem}.",
            )
        checked += 1
        expected_prev = entry.hash
        expected_seq += 1
    return ChainReport(True, checked, None, f"The audit trail is intact: {checked} entries verified.")


@transaction.atomic
def audit_chain_verify_and_record(*, checked_by: str = "system") -> AuditVerification:
    """Verify the chain and keep the result, so the audit log page can show the last check."""
    report = audit_chain_verify()
    return AuditVerification.objects.create(
        checked_at=timezone.now(),
        entries_checked=report.entries_checked,
        intact=report.intact,
        first_broken_seq=report.first_broken_seq,
        message=report.message,
        checked_by=checked_by,
    )
