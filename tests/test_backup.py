"""`backup` writes one archive; `restore` brings an emptied instance back to exactly the same state."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from qms.audit.models import AuditEntry
from qms.audit.services import audit_chain_verify
from qms.core.backup import DUMP_FORMAT, MANIFEST_NAME, NOT_BACKED_UP, row_counts
from requirements.models import Attachment, Requirement
from requirements.services import attachment_add
from requirements.tests.factories import RequirementFactory

PDF_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"

# Each test flushes the database itself (as restoring onto a fresh instance means), and the dump must be
# taken in its own REPEATABLE READ transaction: so these tests run outside the test-wide transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def attachment(media_root, request):
    """One uploaded file, kept with a requirement (uploaded by the demo's quality manager when there is one)."""
    quality = get_user_model().objects.filter(username="quality").first() or request.getfixturevalue("quality")
    requirement = Requirement.objects.order_by("pk").first() or RequirementFactory()
    return attachment_add(
        actor=quality,
        requirement=requirement,
        upload=SimpleUploadedFile("contract clause.pdf", PDF_BYTES, content_type="application/pdf"),
        kind=Attachment.Kind.CONTRACT,
    )


@pytest.fixture
def demo_data(media_root):
    """The demo data set: rows in every register, users with groups, KPIs, reviews, audit entries."""
    call_command("seed_demo", stdout=io.StringIO())


def dump_all() -> list:
    out = io.StringIO()
    # Times to the microsecond (Django's own JSON format would hide a change below a millisecond).
    call_command("dumpdata", all=True, format=DUMP_FORMAT, exclude=sorted(NOT_BACKED_UP), stdout=out)
    return json.loads(out.getvalue())


def media_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def read_members(archive: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(archive, "r:gz") as tar:
        return [(member, tar.extractfile(member).read()) for member in tar.getmembers()]


def write_members(archive: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> None:
    with tarfile.open(archive, "w:gz") as tar:
        for member, data in members:
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))


def empty_instance(media_root: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    for path in sorted(media_root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def test_restore_brings_an_emptied_instance_back_to_the_same_state(demo_data, attachment, media_root, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    rows_before, counts_before, files_before = dump_all(), row_counts(), media_files(media_root)
    assert files_before == {attachment.file.name: PDF_BYTES}

    empty_instance(media_root)
    assert not Customer.objects.exists() and not media_files(media_root)

    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)

    assert row_counts() == counts_before
    assert dump_all() == rows_before
    assert media_files(media_root) == files_before
    assert audit_chain_verify().intact
    assert "The audit trail is intact" in out.getvalue()
    restored = Attachment.objects.get(pk=attachment.pk)
    assert restored.file.read() == PDF_BYTES


def test_new_records_can_be_created_after_a_restore(attachment, media_root, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    highest = Customer.objects.order_by("-pk").values_list("pk", flat=True).first()
    empty_instance(media_root)
    call_command("restore", str(archive), stdout=io.StringIO())

    customer = CustomerFactory()  # the primary-key sequence continues after the restored rows

    assert customer.pk > highest
    assert AuditEntry.objects.for_object(customer).get().action == "create"
    assert audit_chain_verify().intact


def test_manifest_lists_every_file_with_its_hash_and_the_database_state(attachment, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    with tarfile.open(archive, "r:gz") as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile(MANIFEST_NAME))
    assert names == {MANIFEST_NAME, *manifest["files"]}
    assert manifest["files"][f"media/{attachment.file.name}"]["size"] == len(PDF_BYTES)
    assert manifest["row_counts"]["requirements.attachment"] == 1
    assert manifest["row_counts"]["audit.auditentry"] == AuditEntry.objects.count()
    assert "0001_initial" in manifest["migrations"]["audit"]
    assert manifest["app_version"] and manifest["created_at"]


def test_a_tampered_archive_is_refused_and_nothing_is_changed(attachment, media_root, tmp_path):
    archive, tampered = tmp_path / "backup.tar.gz", tmp_path / "tampered.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    members = read_members(archive)
    # One byte of the dump changed (the JSON stays valid): only the manifest's hash can tell.
    members = [
        (member, data.replace(b'"Quality"', b'"Qualitx"', 1) if member.name == "database.json" else data)
        for member, data in members
    ]
    assert b'"Qualitx"' in dict((m.name, d) for m, d in members)["database.json"]
    write_members(tampered, members)
    before = row_counts()

    with pytest.raises(CommandError, match="database.json does not match the hash in the manifest"):
        call_command("restore", str(tampered), "--force", stdout=io.StringIO())

    assert row_counts() == before


def test_a_file_the_manifest_does_not_list_is_refused(attachment, media_root, tmp_path):
    archive, tampered = tmp_path / "backup.tar.gz", tmp_path / "tampered.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    write_members(tampered, [*read_members(archive), (tarfile.TarInfo("media/planted.txt"), b"evil")])
    empty_instance(media_root)

    with pytest.raises(CommandError, match="files its manifest does not list: media/planted.txt"):
        call_command("restore", str(tampered), stdout=io.StringIO())
    assert not Customer.objects.exists() and not media_files(media_root)


def test_restore_into_a_database_holding_data_needs_force(attachment, media_root, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    rows_before = dump_all()
    CustomerFactory(name="Added after the backup")

    with pytest.raises(CommandError, match="already holds .* user account"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert Customer.objects.filter(name="Added after the backup").exists()

    call_command("restore", str(archive), "--force", stdout=io.StringIO())
    assert not Customer.objects.filter(name="Added after the backup").exists()
    assert dump_all() == rows_before


def test_an_archive_from_another_migration_state_is_refused(attachment, media_root, tmp_path):
    archive, other = tmp_path / "backup.tar.gz", tmp_path / "other.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    members = []
    for member, data in read_members(archive):
        if member.name == MANIFEST_NAME:
            manifest = json.loads(data)
            manifest["migrations"]["audit"].append("9999_from_a_later_version")
            data = json.dumps(manifest).encode()
        members.append((member, data))
    write_members(other, members)
    empty_instance(media_root)

    with pytest.raises(CommandError, match="another migration state.*audit: archive at 9999_from_a_later_version"):
        call_command("restore", str(other), stdout=io.StringIO())
