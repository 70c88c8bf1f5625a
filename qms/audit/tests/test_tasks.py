"""The nightly verification job: eagerly, on the beat schedule, and on a real worker."""

from __future__ import annotations

import pytest
from django.conf import settings

from customers.tests.factories import CustomerFactory
from qms.audit.models import AuditEntry, AuditVerification
from qms.audit.tasks import verify_audit_trail


@pytest.mark.django_db
def test_job_records_an_intact_verification():
    CustomerFactory.create_batch(2)
    result = verify_audit_trail.apply().get()
    assert result["intact"] is True
    check = AuditVerification.objects.get()
    assert (check.intact, check.entries_checked, check.checked_by) == (
        True,
        AuditEntry.objects.count(),
        "nightly job",
    )


@pytest.mark.django_db
def test_job_logs_an_error_when_the_chain_is_broken(caplog):
    from qms.audit.tests.test_chain import tamper

    CustomerFactory.create_batch(2)
    first = AuditEntry.objects.order_by("seq").first()
    tamper("UPDATE audit_auditentry SET object_repr = 'forged' WHERE seq = %s", [first.seq])
    result = verify_audit_trail.apply().get()
    assert result["intact"] is False
    assert any("broken" in record.getMessage() for record in caplog.records if record.levelname == "ERROR")


def test_beat_runs_the_verification_daily_and_expires_stale_runs():
    entry = settings.CELERY_BEAT_SCHEDULE["verify-audit-trail-nightly"]
    assert entry["task"] == verify_audit_trail.name
    assert entry["schedule"] == 86400
    assert 0 < entry["options"]["expires"] < entry["schedule"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_the_job_from_the_broker(run_in_worker):
    CustomerFactory.create_batch(3)
    expected = AuditEntry.objects.count()
    # Awaited through the worker's signal, not by polling the result table: the in-memory SQLite test
    # database answers "table is locked" when the test and the worker read it at once.
    [outcome] = run_in_worker(verify_audit_trail.s())
    assert outcome == {
        "intact": True,
        "entries_checked": expected,
        "message": f"The audit trail is intact: {expected} entries verified.",
    }
    assert AuditVerification.objects.filter(intact=True, entries_checked=expected).count() == 1
