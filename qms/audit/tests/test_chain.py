"""The trail is append-only and tamper-evident: verification finds the first broken link."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from customers.tests.factories import CustomerFactory
from qms.audit.models import AppendOnlyError, AuditEntry, AuditVerification
from qms.audit.services import audit_chain_verify


def tamper(sql: str, params=()):
    """Change the table behind the application's back.

    On PostgreSQL the append-only trigger is lifted first, as the test database's superuser: this plays an
    attacker with the rights to alter the table, the case the hash chain exists for.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


@pytest.fixture
def three_entries(db):
    CustomerFactory.create_batch(3)
    return list(AuditEntry.objects.order_by("seq"))


def test_each_entry_links_to_the_previous_hash(three_entries):
    for previous, entry in zip(three_entries, three_entries[1:], strict=False):
        assert entry.prev_hash == previous.hash
        assert entry.seq == previous.seq + 1
        assert entry.compute_hash() == entry.hash


def test_intact_chain_is_reported_intact(three_entries):
    report = audit_chain_verify()
    assert report.intact
    assert report.entries_checked == AuditEntry.objects.count()
    assert report.first_broken_seq is None


def test_altered_entry_is_reported_as_first_broken(three_entries):
    target = three_entries[-2]
    tamper("UPDATE audit_auditentry SET object_repr = %s WHERE seq = %s", ["Forged", target.seq])
    report = audit_chain_verify()
    assert not report.intact
    assert report.first_broken_seq == target.seq
    assert f"entry #{target.seq} was altered" in report.message


def test_removed_entry_is_reported_as_missing(three_entries):
    target = three_entries[-2]
    tamper("DELETE FROM audit_auditentry WHERE seq = %s", [target.seq])
    report = audit_chain_verify()
    assert not report.intact
    assert report.first_broken_seq == target.seq
    assert f"entry #{target.seq} is missing" in report.message


def test_rewritten_entry_with_recomputed_hash_breaks_the_next_link(three_entries):
    target = three_entries[-2]
    target.object_repr = "Forged"
    forged_hash = target.compute_hash()
    tamper(
        "UPDATE audit_auditentry SET object_repr = %s, hash = %s WHERE seq = %s",
        ["Forged", forged_hash, target.seq],
    )
    report = audit_chain_verify()
    assert report.first_broken_seq == target.seq + 1
    assert "does not link" in report.message


@pytest.mark.parametrize(
    "attempt",
    [
        lambda entry: entry.save(),
        lambda entry: entry.delete(),
        lambda entry: AuditEntry.objects.filter(pk=entry.pk).update(object_repr="x"),
        lambda entry: AuditEntry.objects.filter(pk=entry.pk).delete(),
    ],
    ids=["save", "delete", "queryset-update", "queryset-delete"],
)
def test_entries_cannot_be_changed_through_the_orm(three_entries, attempt):
    entry = three_entries[0]
    with pytest.raises(AppendOnlyError):
        attempt(entry)
    assert AuditEntry.objects.get(pk=entry.pk).hash == entry.hash


@pytest.mark.postgres
@pytest.mark.parametrize("sql", ["UPDATE audit_auditentry SET object_repr = 'x'", "DELETE FROM audit_auditentry"])
def test_postgresql_refuses_raw_changes_to_entries(three_entries, sql):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEntry.objects.count() == len(three_entries)


def test_command_says_the_chain_is_intact(three_entries, capsys):
    call_command("verify_audit_trail")
    assert f"intact: {len(three_entries)} entries verified" in capsys.readouterr().out
    assert AuditVerification.objects.get().intact


def test_command_fails_naming_the_first_broken_entry(three_entries):
    tamper("UPDATE audit_auditentry SET actor_name = 'Mallory' WHERE seq = %s", [three_entries[0].seq])
    with pytest.raises(CommandError, match=f"entry #{three_entries[0].seq} was altered"):
        call_command("verify_audit_trail")
    assert AuditVerification.objects.get().first_broken_seq == three_entries[0].seq


def test_admin_cannot_add_change_or_delete_entries(client_for, superuser, three_entries):
    client = client_for(superuser)
    entry = three_entries[0]
    assert client.get("/admin/audit/auditentry/").status_code == 200
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"object_repr": "x"})
    assert response.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == entry.object_repr
