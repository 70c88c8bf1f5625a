"""On PostgreSQL the database itself refuses UPDATE and DELETE of audit entries (migration 0002's trigger),
whatever path the statement takes; only someone who may alter the table can lift it, and the hash chain
is what then shows the change."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, models, transaction

from customers.tests.factories import CustomerFactory
from qms.audit.models import AuditEntry
from qms.audit.services import audit_chain_verify

from .test_chain import tamper

pytestmark = pytest.mark.postgres

REFUSED = "append-only"


@pytest.fixture
def entries(db):
    CustomerFactory.create_batch(3)
    return list(AuditEntry.objects.order_by("seq"))


def test_the_trigger_is_installed_and_enabled(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgrelid = 'audit_auditentry'::regclass AND tgname = %s",
            ["audit_entry_append_only"],
        )
        assert cursor.fetchall() == [("O",)]


# The ORM's own guards (AuditEntryQuerySet, AuditEntry.save/delete) are stepped around on purpose here,
# through the plain base manager and QuerySet methods: the database must refuse on its own.
@pytest.mark.parametrize(
    "attempt",
    [
        lambda entry: models.QuerySet.update(AuditEntry._base_manager.filter(pk=entry.pk), object_repr="Forged"),
        lambda entry: AuditEntry._base_manager.filter(pk=entry.pk).update(object_repr="Forged"),
        lambda entry: AuditEntry._base_manager.filter(pk=entry.pk).delete(),
        lambda entry: models.Model.save_base(entry, force_update=True),
    ],
    ids=["queryset-update", "base-manager-update", "base-manager-delete", "model-save-base"],
)
def test_orm_changes_that_step_around_the_model_guards_are_refused_by_the_database(entries, attempt):
    entry = entries[1]
    entry.object_repr = "Forged"
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
        attempt(entry)
    assert AuditEntry.objects.get(pk=entry.pk).object_repr != "Forged"
    assert AuditEntry.objects.count() == len(entries)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET object_repr = 'Forged' WHERE seq = %s",
        "UPDATE audit_auditentry SET hash = repeat('0', 64) WHERE seq = %s",
        "DELETE FROM audit_auditentry WHERE seq = %s",
    ],
)
def test_raw_sql_changes_to_one_entry_are_refused(entries, sql):
    with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entries[1].seq])
    assert [e.hash for e in AuditEntry.objects.order_by("seq")] == [e.hash for e in entries]


def test_appending_still_works_and_the_chain_holds(entries):
    CustomerFactory()
    assert AuditEntry.objects.count() == len(entries) + 1
    assert audit_chain_verify().intact


def test_truncate_still_works_for_flush(entries):
    # Django's flush (the test runner's, and `restore --force`) empties tables with TRUNCATE, which row
    # triggers do not see. Rolled back with the test's transaction.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditentry")
    assert not AuditEntry.objects.exists()


def test_a_byte_changed_behind_the_trigger_is_found_by_verification(entries):
    # tamper() disables the trigger as the test database's superuser: an attacker with the rights to
    # alter the table. Only the hash chain can show that change.
    tamper("UPDATE audit_auditentry SET actor_name = actor_name || 'x' WHERE seq = %s", [entries[1].seq])
    report = audit_chain_verify()
    assert not report.intact
    assert report.first_broken_seq == entries[1].seq


def test_a_role_that_does_not_own_the_table_cannot_lift_the_trigger(entries):
    # What the application's login should be in production: a role granted SELECT and INSERT on the
    # trail, not the owner that ran the migrations. Roles are created and dropped with the test's
    # transaction.
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE qms_audit_test_app NOLOGIN")
        cursor.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON audit_auditentry TO qms_audit_test_app")
        cursor.execute("SET LOCAL ROLE qms_audit_test_app")
        try:
            with pytest.raises(DatabaseError, match="must be owner"), transaction.atomic():
                cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
            with pytest.raises(DatabaseError, match=REFUSED), transaction.atomic():
                cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [entries[0].seq])
        finally:
            cursor.execute("RESET ROLE")
    assert AuditEntry.objects.count() == len(entries)
