"""A conditional ``filter(...).update(...)`` on an audited model stays a claim: it changes (and records)
only rows that still match when they are locked, so two workers never both win."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from qms.audit.mixins import AuditBypassError
from qms.audit.models import AuditEntry


def test_conditional_update_changes_only_rows_that_match(db):
    active, inactive = CustomerFactory(status="active"), CustomerFactory(status="inactive")
    assert Customer.objects.filter(pk__in=[active.pk, inactive.pk], status="active").update(status="prospect") == 1
    assert Customer.objects.filter(pk=active.pk, status="active").update(status="inactive") == 0
    assert AuditEntry.objects.for_object(inactive).count() == 1


def test_update_through_a_filter_across_a_relation_is_recorded(db):
    from customers.tests.factories import ContactFactory

    contact = ContactFactory(customer__status="active")
    assert Customer.objects.filter(contacts__pk=contact.pk).select_related().update(status="inactive") == 1
    assert AuditEntry.objects.for_object(contact.customer).latest("seq").changes == {"status": ["active", "inactive"]}


def _wait_for_a_lock_wait(timeout: float = 20.0) -> bool:
    """True once another backend waits on a row lock (bounded poll of pg_stat_activity)."""
    import time

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_claim_loses_when_another_transaction_changed_the_row_first():
    """Another transaction changes the row and holds its lock; the claim waits for it, then must find that
    the row no longer matches (PostgreSQL re-checks a locked row against the statement's conditions)."""
    customer = CustomerFactory(status="active")
    other = connections.create_connection("default")
    other.set_autocommit(False)
    with other.cursor() as cursor:
        cursor.execute("UPDATE customers_customer SET status = 'inactive' WHERE id = %s", [customer.pk])
    results = []

    def claim():
        try:
            results.append(Customer.objects.filter(pk=customer.pk, status="active").update(status="prospect"))
        finally:
            connections.close_all()

    worker = threading.Thread(target=claim)
    worker.start()
    try:
        assert _wait_for_a_lock_wait(), "the claim never waited for the other transaction's row lock"
    finally:
        other.commit()
        other.close()
        worker.join(timeout=30)
    assert results == [0]
    customer.refresh_from_db()
    assert customer.status == "inactive"
    assert not AuditEntry.objects.for_object(customer).filter(action="update").exists()


def test_bookkeeping_update_of_excluded_fields_writes_no_entry(db, quality):
    """What the evidence-pack job's progress counter needs (it now steps around the trail with
    ``_base_manager``)."""
    import datetime as dt

    from django.utils import timezone

    from qms.evidence.models import EvidenceExport

    export = EvidenceExport.objects.create(
        created_by=quality, created_at=timezone.now(), period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 6, 30)
    )
    entries = AuditEntry.objects.count()
    assert EvidenceExport.objects.filter(pk=export.pk).update_bookkeeping(progress_done=3, progress_total=9) == 1
    assert AuditEntry.objects.count() == entries
    export.refresh_from_db()
    assert (export.progress_done, export.progress_total) == (3, 9)


def test_bookkeeping_update_refuses_audited_fields(db):
    customer = CustomerFactory(status="active")
    with pytest.raises(AuditBypassError, match="status on Customer are on the audit trail"):
        Customer.objects.filter(pk=customer.pk).update_bookkeeping(status="inactive")
    customer.refresh_from_db()
    assert customer.status == "active"
