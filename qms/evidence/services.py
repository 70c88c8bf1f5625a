"""Writes of the evidence app: starting an export, building its pack, tagging records with other standards."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import tempfile
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from qms.accounts.permissions import can
from qms.audit.context import audit_context, audited_service
from qms.core.task_outbox import publish_after_commit, publish_now

from .choices import ExportStatus, Standard
from .models import ClauseTag, EvidenceExport, clause_validator
from .pack import PackWriter
from .registry import CLAUSES, clause_sort_key

logger = logging.getLogger(__name__)

EXPORT_FOLDER = "evidence"
# A running export whose worker died (acks_late redelivers the task) may be taken over after this long.
STALE_AFTER = dt.timedelta(minutes=30)
# The job's own time limits: past the soft one the build stops, ends failed and removes its file.
SOFT_TIME_LIMIT = 20 * 60
# A queued export not started after this long lost its task (the broker was down): publish it again.
REPUBLISH_AFTER = dt.timedelta(minutes=2)
MAX_PERIOD_DAYS = 366 * 10


@audited_service
def export_create(*, actor, start: dt.date, end: dt.date, clauses: Sequence[str]) -> EvidenceExport:
    """Queue an evidence pack of ``clauses`` for the period [start, end]; the job starts after commit.

    Quality managers and auditors (anyone holding ``evidence.export_evidenceexport``) may export; the
    export is recorded on the audit trail with its parameters.
    """
    if not can(actor, "export", EvidenceExport):
        raise PermissionDenied("You may not export evidence packs.")
    errors: dict[str, str] = {}
    if start is None:
        errors["period_start"] = "Enter the first day of the period."
    if end is None:
        errors["period_end"] = "Enter the last day of the period."
    if start and end and end < start:
        errors["period_end"] = "The end of the period must be on or after its start."
    elif start and end and (end - start).days > MAX_PERIOD_DAYS:
        errors["period_end"] = "The period may cover at most ten years."
    chosen = sorted(set(clauses or ()), key=clause_sort_key)
    unknown = [clause for clause in chosen if clause not in CLAUSES]
    if unknown:
        errors["clauses"] = f"Unknown clause(s): {', '.join(unknown)}. Choose from {', '.join(CLAUSES)}."
    elif not chosen:
        errors["clauses"] = "Choose at least one clause."
    if errors:
        raise ValidationError(errors)
    export = EvidenceExport(created_by=actor, created_at=timezone.now(), period_start=start, period_end=end)
    export.clauses = chosen
    export.save()
    from .tasks import build_evidence_pack

    # The queued row is the outbox record: if the broker does not take the task within a second,
    # ``exports_relay_waiting`` publishes it again later.
    publish_after_commit(build_evidence_pack, export.pk)
    return export


def evidence_pack_build(*, export_id: int) -> str:
    """Build the pack of one export; returns its final status.

    Claims the work with a conditional UPDATE, so a second run (or a second worker) of a finished or
    running export does nothing. On any error the export ends ``failed`` with a message and no file.
    """
    now = timezone.now()
    claimable = Q(status=ExportStatus.QUEUED) | Q(status=ExportStatus.RUNNING, started_at__lt=now - STALE_AFTER)
    # Through the audited queryset: the move to running is on the trail (and the claim race-safe).
    with audit_context(source="job"):
        claimed = EvidenceExport.objects.filter(claimable, pk=export_id).update(
            status=ExportStatus.RUNNING, started_at=now, progress_done=0, message=""
        )
    if not claimed:
        current = EvidenceExport._base_manager.filter(pk=export_id).values_list("status", flat=True).first()
        return current or "gone"
    export = EvidenceExport._base_manager.select_related("created_by").get(pk=export_id)
    folder = Path(settings.MEDIA_ROOT) / EXPORT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    handle, temp_path = tempfile.mkstemp(prefix=".building-", suffix=".zip", dir=folder)
    os.close(handle)

    def progress(done: int, total: int) -> None:
        # Counters kept off the trail: one plain UPDATE per step.
        EvidenceExport.objects.filter(pk=export_id).update_bookkeeping(progress_done=done, progress_total=total)

    with audit_context(source="job", actor=export.created_by):
        try:
            result = PackWriter(export, temp_path, progress).build()
            relative = f"{EXPORT_FOLDER}/{secrets.token_urlsafe(24)}.zip"
            os.replace(temp_path, Path(settings.MEDIA_ROOT) / relative)
        except Exception as exc:  # noqa: BLE001 - any failure ends the export, never a half-made file
            logger.exception("Evidence pack %s failed", export_id)
            _remove_quietly(temp_path)
            export.refresh_from_db(fields=["progress_done", "progress_total"])
            export.status = ExportStatus.FAILED
            export.finished_at = timezone.now()
            export.message = (
                f"The evidence pack could not be built ({type(exc).__name__}: {str(exc)[:300]}). "
                "Start a new export; if it fails again, tell your administrator."
            )
            export.save(update_fields=["status", "finished_at", "message"])
            return export.status
        export.refresh_from_db(fields=["progress_done", "progress_total"])
        export.status = ExportStatus.DONE
        export.finished_at = timezone.now()
        export.file_path = relative
        export.file_size = result.size
        export.sha256 = result.sha256
        export.message = f"{result.files} files in the pack." + (
            f" {len(result.missing_attachments)} attachment file(s) were missing from storage; the manifest names them."
            if result.missing_attachments
            else ""
        )
        export.save(update_fields=["status", "finished_at", "file_path", "file_size", "sha256", "message"])
    return export.status


def exports_relay_waiting(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Restart exports whose job never ran and end those whose job stopped without finishing.

    - ``queued`` longer than ``REPUBLISH_AFTER``: the task was lost (broker down when the export was
      asked for); it is published again (a second copy of the task does nothing, the build claims the row).
    - ``running`` since longer than ``STALE_AFTER``: the worker was killed or hit its hard time limit; the
      export ends ``failed`` with a message, and half-built files older than that are removed.
    """
    from .tasks import build_evidence_pack

    now = now or timezone.now()
    counts = {"republished": 0, "failed": 0}
    waiting = EvidenceExport._base_manager.filter(status=ExportStatus.QUEUED, created_at__lt=now - REPUBLISH_AFTER)
    for export_id in waiting.values_list("pk", flat=True)[:100]:
        if not publish_now(build_evidence_pack, export_id):
            break  # the broker is still away; the next run tries again
        counts["republished"] += 1
    stale = EvidenceExport._base_manager.filter(status=ExportStatus.RUNNING, started_at__lt=now - STALE_AFTER)
    for export_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            export = (
                EvidenceExport._base_manager.select_for_update()
                .select_related("created_by")
                .filter(pk=export_id, status=ExportStatus.RUNNING, started_at__lt=now - STALE_AFTER)
                .first()
            )
            if export is None:  # finished, or taken over, in the meantime
                continue
            with audit_context(source="job", actor=export.created_by):
                export.status = ExportStatus.FAILED
                export.finished_at = now
                export.message = (
                    "The evidence pack was not finished: its job stopped (it ran out of time or its worker "
                    "was stopped). Start a new export; if it fails again, tell your administrator."
                )
                export.save(update_fields=["status", "finished_at", "message"])
        counts["failed"] += 1
    folder = Path(settings.MEDIA_ROOT) / EXPORT_FOLDER
    if folder.is_dir():
        cutoff = (now - STALE_AFTER).timestamp()
        for leftover in folder.glob(".building-*"):
            with contextlib.suppress(FileNotFoundError):
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
    return counts


def export_file_path(export: EvidenceExport) -> Path | None:
    """The ZIP on disk of a finished export, or ``None`` when there is nothing to serve."""
    if not export.downloadable:
        return None
    path = (Path(settings.MEDIA_ROOT) / export.file_path).resolve()
    root = (Path(settings.MEDIA_ROOT) / EXPORT_FOLDER).resolve()
    return path if path.parent == root and path.is_file() else None


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


@audited_service
def clause_tag_add(*, actor, obj: models.Model, standard: str, clause: str) -> ClauseTag:
    """Tag ``obj`` as evidence for ``clause`` of ``standard`` (ISO 14001, 45001 or 27001)."""
    if not can(actor, "add", ClauseTag):
        raise PermissionDenied("You may not tag records with clauses.")
    clause = (clause or "").strip()
    if standard not in Standard.values:
        raise ValidationError({"standard": f"Choose one of {', '.join(Standard.values)}."})
    try:
        clause_validator(clause)
    except ValidationError as exc:
        raise ValidationError({"clause": exc.messages}) from exc
    content_type = ContentType.objects.get_for_model(type(obj))
    if ClauseTag.objects.filter(
        content_type=content_type, object_id=str(obj.pk), standard=standard, clause=clause
    ).exists():
        raise ValidationError({"clause": "This record is already tagged with that clause."})
    tag = ClauseTag(
        content_type=content_type, object_id=str(obj.pk), standard=standard, clause=clause, created_by=actor
    )
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError as exc:
        raise ValidationError({"clause": "This record is already tagged with that clause."}) from exc
    return tag


@audited_service
def clause_tag_remove(*, actor, tag: ClauseTag) -> None:
    """Remove one tag (quality managers)."""
    if not can(actor, "delete", ClauseTag, tag):
        raise PermissionDenied("You may not remove clause tags.")
    tag.delete()
