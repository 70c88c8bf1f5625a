import csv
import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from qms.audit.models import AuditEntry
from qms.evidence.models import EvidenceExport
from qms.evidence.services import evidence_pack_build, export_create, export_file_path


def pack_path(export) -> Path:
    return export_file_path(export)


def test_pack_has_the_expected_files(records, auditor, build_pack):
    export = build_pack(auditor)
    assert export.status == "done", export.message
    names = set(zipfile.ZipFile(pack_path(export)).namelist())
    complaint, complaint_file = records["complaint"], records["complaint_file"]
    requirement_file = records["requirement_file"]
    for slug in (
        "customers-customer",
        "feedback-feedbackitem",
        "requirements-requirement",
        "risks-riskentry",
        "actions-action",
    ):
        assert {f"registers/{slug}.csv", f"registers/{slug}.xlsx", f"audit-trail/{slug}.csv"} <= names
    assert f"attachments/feedback-feedbackitem/{complaint.pk}/{complaint_file.pk}-photo.txt" in names
    assert (
        f"attachments/requirements-requirement/{records['requirement'].pk}/{requirement_file.pk}-contract.txt" in names
    )
    assert {"index.pdf", "manifest.json"} <= names


def test_pack_registers_and_audit_extract_hold_the_records(records, auditor, build_pack):
    export = build_pack(auditor)
    with zipfile.ZipFile(pack_path(export)) as pack:
        rows = list(csv.reader(io.StringIO(pack.read("registers/customers-customer.csv").decode())))
        audit = list(csv.DictReader(io.StringIO(pack.read("audit-trail/risks-riskentry.csv").decode())))
        index = pack.read("index.pdf")
        attachment = pack.read(
            f"attachments/feedback-feedbackitem/{records['complaint'].pk}/{records['complaint_file'].pk}-photo.txt"
        )
    assert rows[0][:2] == ["Code", "Name"]
    assert rows[1][:2] == ["ACME-01", "Acme"]
    assert [(row["object_id"], row["action"]) for row in audit] == [(str(records["risk"].pk), "create")]
    assert index.startswith(b"%PDF")
    assert attachment == b"broken box\n"


def test_manifest_lists_every_file_with_its_sha256_and_the_parameters(records, auditor, build_pack):
    export = build_pack(auditor, clauses=["6.1", "10.2"])
    with zipfile.ZipFile(pack_path(export)) as pack:
        manifest = json.loads(pack.read("manifest.json"))
        names = set(pack.namelist()) - {"manifest.json"}
    assert {item["path"] for item in manifest["files"]} == names
    assert all(len(item["sha256"]) == 64 for item in manifest["files"])
    assert manifest["export"]["clauses"] == ["6.1", "10.2"]
    assert manifest["export"]["created_by"]["username"] == "auditor"
    assert manifest["export"]["period_start"] == export.period_start.isoformat()
    assert "registers/customers-customer.csv" not in names  # customers evidence neither 6.1 nor 10.2


def test_pack_lists_the_records_other_standard_clauses(records, quality, build_pack):
    from qms.evidence.services import clause_tag_add

    clause_tag_add(actor=quality, obj=records["risk"], standard="ISO 27001", clause="6.1.2")
    export = build_pack(quality)
    with zipfile.ZipFile(pack_path(export)) as pack:
        rows = list(csv.reader(io.StringIO(pack.read("integrated-management/clause-tags.csv").decode())))
    assert rows[1:] == [["risks.riskentry", str(records["risk"].pk), "ISO 27001", "6.1.2"]]


def test_verify_command_says_intact_for_an_untouched_pack(records, auditor, build_pack, capsys):
    export = build_pack(auditor)
    call_command("verify_evidence_pack", str(pack_path(export)))
    assert capsys.readouterr().out.startswith("intact")


def rewrite(source: Path, target: Path, *, change=None, add=None, drop=None) -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename == drop:
                continue
            data = old.read(info.filename)
            if info.filename == change:
                data = bytes([data[0] ^ 0x01]) + data[1:]
            new.writestr(info.filename, data)
        if add:
            new.writestr(add, b"planted\n")


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ({"change": "registers/customers-customer.csv"}, "altered: registers/customers-customer.csv"),
        ({"add": "registers/extra.csv"}, "extra: registers/extra.csv"),
        ({"drop": "registers/risks-riskentry.xlsx"}, "missing: registers/risks-riskentry.xlsx"),
    ],
)
def test_verify_command_detects_a_tampered_pack(records, auditor, build_pack, tmp_path, capsys, tamper, expected):
    export = build_pack(auditor)
    tampered = tmp_path / "tampered.zip"
    rewrite(pack_path(export), tampered, **tamper)
    with pytest.raises(SystemExit) as exited:
        call_command("verify_evidence_pack", str(tampered))
    assert exited.value.code == 1
    assert expected in capsys.readouterr().err


def test_verify_command_refuses_a_file_that_is_not_a_zip(tmp_path, capsys):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(SystemExit):
        call_command("verify_evidence_pack", str(junk))
    assert "not a readable ZIP" in capsys.readouterr().err


def test_a_failing_export_ends_failed_with_no_file(records, quality, build_pack, monkeypatch, media_root):
    from qms.evidence.pack import PackWriter

    def explode(self, archive, summaries):
        raise RuntimeError("disk full")

    monkeypatch.setattr(PackWriter, "_write_index", explode)
    export = build_pack(quality)
    assert export.status == "failed"
    assert "disk full" in export.message
    assert export.file_path == "" and export_file_path(export) is None
    assert os.listdir(media_root / "evidence") == []  # the half-built temporary file is gone


def test_a_second_run_of_a_done_export_does_nothing(records, quality, build_pack):
    export = build_pack(quality)
    assert evidence_pack_build(export_id=export.pk) == "done"
    again = EvidenceExport.objects.get(pk=export.pk)
    assert (again.sha256, again.file_path) == (export.sha256, export.file_path)


def test_a_run_for_a_gone_export_returns_quietly(db):
    assert evidence_pack_build(export_id=987654) == "gone"


def test_the_export_lands_in_the_audit_trail(records, auditor, build_pack):
    export = build_pack(auditor)
    entries = list(
        AuditEntry.objects.filter(content_type="evidence.evidenceexport", object_id=str(export.pk)).order_by("seq")
    )
    assert [entry.action for entry in entries] == ["create", "update", "update"]
    assert entries[0].actor_name == "Auditor Tester"
    assert entries[0].changes["clauses"][1] == ["4.2", "5.1.2", "6.1", "6.2", "8.2", "9.1.2", "9.3", "10.2"]
    # The job's claim, then the result; the progress counters stay off the trail.
    assert (entries[1].changes["status"], entries[1].source) == (["queued", "running"], "job")
    assert "progress_done" not in entries[1].changes
    assert entries[2].changes["status"] == ["running", "done"]
    assert entries[2].changes["sha256"][1] == export.sha256


@pytest.mark.parametrize(
    ("start", "end", "clauses", "field", "message"),
    [
        ("2026-05-01", "2026-04-01", ["6.1"], "period_end", "The end of the period must be on or after its start."),
        ("2026-01-01", "2026-02-01", [], "clauses", "Choose at least one clause."),
        ("2026-01-01", "2026-02-01", ["7.5"], "clauses", "Unknown clause(s): 7.5."),
    ],
)
def test_export_create_names_the_bad_field(auditor, start, end, clauses, field, message):
    import datetime as dt

    with pytest.raises(ValidationError) as caught:
        export_create(
            actor=auditor, start=dt.date.fromisoformat(start), end=dt.date.fromisoformat(end), clauses=clauses
        )
    assert caught.value.message_dict[field][0].startswith(message)


def test_staff_may_not_export(staff, period):
    with pytest.raises(PermissionDenied):
        export_create(actor=staff, start=period[0], end=period[1], clauses=["6.1"])
