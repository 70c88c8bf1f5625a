"""An export that fails, runs out of time or loses its worker ends failed with a message, never as a
half-written file served as if it were the pack."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from billiard.exceptions import SoftTimeLimitExceeded
from django.urls import reverse
from django.utils import timezone

from qms.evidence.models import EvidenceExport
from qms.evidence.pack import PackWriter
from qms.evidence.services import STALE_AFTER, evidence_pack_build, export_file_path, exports_relay_waiting
from qms.evidence.tasks import build_evidence_pack

pytestmark = pytest.mark.django_db


def assert_no_pack_served(client, export) -> None:
    response = client.get(reverse("evidence:export_download", args=[export.pk]))
    assert response.status_code == 404
    assert not getattr(response, "streaming", False) and not response.content.startswith(b"PK")


def test_a_build_failing_half_way_leaves_no_file_and_no_download(
    records, quality, build_pack, monkeypatch, media_root, client_for
):
    written = PackWriter._write_register

    def fail_after_the_first_register(self, archive, summary, records):
        written(self, archive, summary, records)  # the ZIP on disk already holds part of the pack
        raise OSError("No space left on device")

    monkeypatch.setattr(PackWriter, "_write_register", fail_after_the_first_register)
    export = build_pack(quality)
    assert export.status == "failed" and export.finished_at is not None
    assert "No space left on device" in export.message and "Start a new export" in export.message
    assert export.file_path == "" and export_file_path(export) is None
    assert os.listdir(media_root / "evidence") == []
    client = client_for(quality)
    assert_no_pack_served(client, export)
    assert "could not be built" in client.get(export.get_absolute_url()).content.decode()


def test_a_build_past_its_time_limit_ends_failed_with_a_message(records, quality, build_pack, monkeypatch, media_root):
    def out_of_time(self, archive, summary, records):
        raise SoftTimeLimitExceeded()  # what Celery raises in the task at its soft time limit

    monkeypatch.setattr(PackWriter, "_write_audit_extract", out_of_time)
    export = build_pack(quality)
    assert export.status == "failed"
    assert "SoftTimeLimitExceeded" in export.message
    assert os.listdir(media_root / "evidence") == []


def test_the_build_task_has_a_soft_time_limit_below_its_hard_one():
    # The soft limit is what lets the build end itself as failed; the hard one only kills the process.
    assert 0 < build_evidence_pack.soft_time_limit < build_evidence_pack.time_limit


def test_a_failed_export_never_serves_a_file_even_if_one_is_named(records, quality, client_for, media_root, period):
    folder = media_root / "evidence"
    folder.mkdir(parents=True)
    (folder / "partial.zip").write_bytes(b"PK\x03\x04 half a pack")
    export = EvidenceExport.objects.create(
        created_by=quality,
        created_at=timezone.now(),
        period_start=period[0],
        period_end=period[1],
        clauses=["6.1"],
        status="failed",
        message="The evidence pack could not be built.",
        file_path="evidence/partial.zip",
    )
    assert export_file_path(export) is None
    assert_no_pack_served(client_for(quality), export)


def _running_export(user, period, started, **progress) -> EvidenceExport:
    """An export a worker started at ``started`` and has not finished."""
    return EvidenceExport.objects.create(
        created_by=user,
        created_at=started,
        period_start=period[0],
        period_end=period[1],
        clauses=["6.1"],
        status="running",
        started_at=started,
        **progress,
    )


def test_an_export_whose_worker_died_ends_failed_and_its_half_built_file_is_removed(
    quality, period, media_root, client_for
):
    started = timezone.now() - STALE_AFTER - dt.timedelta(minutes=1)
    export = _running_export(quality, period, started, progress_done=10, progress_total=100)
    folder = media_root / "evidence"
    folder.mkdir(parents=True)
    leftover = folder / ".building-dead.zip"
    leftover.write_bytes(b"PK\x03\x04 half")
    os.utime(leftover, (started.timestamp(), started.timestamp()))
    fresh = folder / ".building-live.zip"  # another export being built right now: left alone
    fresh.write_bytes(b"PK\x03\x04")

    assert exports_relay_waiting() == {"republished": 0, "failed": 1}
    export.refresh_from_db()
    assert export.status == "failed" and export.finished_at is not None
    assert "was not finished" in export.message
    assert not leftover.exists() and fresh.exists()
    assert_no_pack_served(client_for(quality), export)
    # The task, redelivered late (acks_late), finds it failed and does nothing.
    assert evidence_pack_build(export_id=export.pk) == "failed"
    assert exports_relay_waiting() == {"republished": 0, "failed": 0}


def test_a_running_export_within_its_time_is_left_alone(quality, period):
    export = _running_export(quality, period, timezone.now() - dt.timedelta(minutes=5))
    assert exports_relay_waiting()["failed"] == 0
    export.refresh_from_db()
    assert export.status == "running"


def test_the_end_of_a_dead_export_is_on_the_audit_trail(quality, period):
    from qms.audit.models import AuditEntry

    started = timezone.now() - STALE_AFTER - dt.timedelta(minutes=1)
    export = _running_export(quality, period, started)
    before = AuditEntry.objects.count()
    exports_relay_waiting()
    entries = list(AuditEntry.objects.order_by("pk")[before:])
    assert [(entry.object_id, entry.source, entry.actor_id) for entry in entries] == [
        (str(export.pk), "job", quality.pk)
    ]
    assert "failed" in str(entries[0].changes)
