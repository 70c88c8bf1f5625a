"""Writes an evidence pack: a ZIP streamed record by record, so memory stays flat however many records.

Layout: ``registers/<type>.csv`` and ``.xlsx`` per record type, ``attachments/<type>/<record id>/…``,
``audit-trail/<type>.csv``, ``index.pdf`` (what the evidence is and where, by clause) and ``manifest.json``
(every other file with its SHA-256, and the export's parameters). Only ``qms.evidence.services`` calls this.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import CharField
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename
from openpyxl import Workbook
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from qms.accounts.permissions import can
from qms.audit.models import AuditEntry
from qms.core.exporting import safe_cell, xlsx_cell

from .registry import CLAUSES, RecordType, clause_sort_key, record_types

CHUNK = 2000
MANIFEST = "manifest.json"
INDEX = "index.pdf"
CLAUSE_TAGS = "integrated-management/clause-tags.csv"
PACK_FORMAT = "qms-evidence-pack/1"
AUDIT_COLUMNS = (
    "seq",
    "timestamp",
    "actor_name",
    "source",
    "action",
    "content_type",
    "object_id",
    "object_repr",
    "changes",
    "prev_hash",
    "hash",
)

Progress = Callable[[int, int], None]


class NoNetworkFetcher(URLFetcher):
    """The index is self-contained: WeasyPrint may fetch nothing at all."""

    def fetch(self, url, headers=None):
        raise ValueError(f"Refused to fetch {url!r}: the evidence index is rendered without any network access.")


class _Member:
    """One file being written into the ZIP, hashed as it is written; listed in the manifest when closed."""

    def __init__(self, archive: zipfile.ZipFile, path: str, listing: list[dict]):
        self.path = path
        self.listing = listing
        self.handle = archive.open(path, "w", force_zip64=True)
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.sha.update(data)
        self.size += len(data)
        self.handle.write(data)
        return len(data)

    def __enter__(self) -> _Member:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.handle.close()
        if exc_type is None:
            self.listing.append({"path": self.path, "sha256": self.sha.hexdigest(), "size": self.size})


@dataclass
class TypeSummary:
    """What one record type put into the pack (read by the index)."""

    record_type: RecordType
    records: int = 0
    csv_path: str = ""
    xlsx_path: str = ""
    attachments: int = 0
    attachments_folder: str = ""
    audit_entries: int | None = None
    audit_path: str = ""


@dataclass
class PackResult:
    sha256: str
    size: int
    files: int
    missing_attachments: list[str] = field(default_factory=list)


def column_reader(model, attribute: str) -> Callable[[object], object]:
    """A fast reader of one exported column: follows the dotted path, shows choice labels and readable dates.

    Choice labels are looked up in a dictionary made once per column; ``get_FOO_display`` rebuilds the
    choices on every call (the country list alone makes that 2 ms a row).
    """
    parts = attribute.split(".")
    labels: dict | None = None
    holder = model
    for part in parts[:-1]:
        field = holder._meta.get_field(part)
        holder = field.related_model
    last = None
    try:
        last = holder._meta.get_field(parts[-1]) if holder is not None else None
    except Exception:  # noqa: BLE001 - a property or method rather than a field
        last = None
    if last is not None and getattr(last, "choices", None) and not last.is_relation:
        labels = {key: str(label) for key, label in last.flatchoices}

    def read(obj):
        value = obj
        for part in parts:
            if value is None:
                return ""
            value = getattr(value, part, "")
        if callable(value) and not hasattr(value, "_meta"):
            value = value()
        if labels is not None:
            key = getattr(value, "code", value)
            return labels.get(key, "" if key in (None, "") else key)
        return display(value)

    return read


def display(value) -> object:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


def day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


class PackWriter:
    """Builds the pack for ``export`` into the file at ``path``; ``progress(done, total)`` is called as it goes."""

    def __init__(self, export, path: str, progress: Progress):
        self.export = export
        self.user = export.created_by
        self.path = path
        self.progress = progress
        self.listing: list[dict] = []
        self.missing: list[str] = []
        self.done = 0
        self.total = 0

    def build(self) -> PackResult:
        start, end = self.export.period_start, self.export.period_end
        types = record_types(self.export.clauses)
        self.total = sum(rt.records(user=self.user, start=start, end=end).count() for rt in types) + 1
        self.progress(0, self.total)
        summaries = []
        with zipfile.ZipFile(self.path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for rt in types:
                summary = TypeSummary(rt)
                records = rt.records(user=self.user, start=start, end=end)
                self._write_register(archive, summary, records)
                if rt.attachments:
                    self._write_attachments(archive, summary, records)
                if can(self.user, "view", AuditEntry):
                    self._write_audit_extract(archive, summary, records)
                summaries.append(summary)
            self._write_clause_tags(archive, types)
            self._write_index(archive, summaries)
            self._write_manifest(archive)
        self.done = self.total
        self.progress(self.done, self.total)
        return PackResult(
            sha256=_file_sha256(self.path),
            size=os.path.getsize(self.path),
            files=len(self.listing),
            missing_attachments=self.missing,
        )

    def member(self, archive: zipfile.ZipFile, path: str) -> _Member:
        return _Member(archive, path, self.listing)

    def _write_register(self, archive, summary: TypeSummary, records) -> None:
        rt = summary.record_type
        summary.csv_path = f"registers/{rt.slug}.csv"
        summary.xlsx_path = f"registers/{rt.slug}.xlsx"
        headings = [heading for _, heading in rt.columns]
        cells = [column_reader(rt.model, attribute) for attribute, _ in rt.columns]
        # write_only keeps rows in a temporary file, not in memory; both files are filled in one pass.
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(rt.title[:31])
        sheet.append(headings)
        with self.member(archive, summary.csv_path) as out:
            writer = csv.writer(out)
            writer.writerow(headings)
            for obj in records.iterator(chunk_size=CHUNK):
                row = [read(obj) for read in cells]
                writer.writerow([safe_cell(value) for value in row])
                sheet.append([xlsx_cell(value) for value in row])
                summary.records += 1
                self.done += 1
                if self.done % CHUNK == 0:
                    self.progress(self.done, self.total)
        with tempfile.TemporaryDirectory() as folder:
            xlsx = os.path.join(folder, "sheet.xlsx")
            workbook.save(xlsx)
            self._copy_file(archive, xlsx, summary.xlsx_path)

    def _write_attachments(self, archive, summary: TypeSummary, records) -> None:
        rt = summary.record_type
        spec = rt.attachments
        summary.attachments_folder = f"attachments/{rt.slug}/"
        files = (
            spec.model.objects.filter(**{f"{spec.record_field}__in": records.values("pk")})
            .order_by(spec.record_field, "pk")
            .iterator(chunk_size=500)
        )
        for attachment in files:
            stored = getattr(attachment, spec.file_field)
            name = getattr(attachment, spec.name_field, "") or os.path.basename(stored.name)
            record_id = getattr(attachment, f"{spec.record_field}_id")
            path = f"{summary.attachments_folder}{record_id}/{attachment.pk}-{get_valid_filename(name) or 'file'}"
            try:
                source = stored.open("rb")
            except (FileNotFoundError, OSError, ValueError):
                # A file lost from storage is named in the manifest rather than sinking the whole pack.
                self.missing.append(path)
                continue
            with source, self.member(archive, path) as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
            summary.attachments += 1

    def _write_audit_extract(self, archive, summary: TypeSummary, records) -> None:
        rt = summary.record_type
        begin, after = day_bounds(self.export.period_start, self.export.period_end)
        record_ids = records.order_by().annotate(pk_text=Cast("pk", output_field=CharField())).values("pk_text")
        entries = AuditEntry.objects.filter(
            content_type=rt.label, object_id__in=record_ids, timestamp__gte=begin, timestamp__lt=after
        ).order_by("seq")
        summary.audit_path = f"audit-trail/{rt.slug}.csv"
        summary.audit_entries = 0
        with self.member(archive, summary.audit_path) as out:
            writer = csv.writer(out)
            writer.writerow(AUDIT_COLUMNS)
            for entry in entries.iterator(chunk_size=CHUNK):
                cells = [
                    entry.seq,
                    entry.timestamp.isoformat(),
                    entry.actor_name,
                    entry.source,
                    entry.action,
                    entry.content_type,
                    entry.object_id,
                    entry.object_repr,
                    json.dumps(entry.changes, sort_keys=True, default=str),
                    entry.prev_hash,
                    entry.hash,
                ]
                writer.writerow([safe_cell(value) for value in cells])
                summary.audit_entries += 1

    def _write_clause_tags(self, archive, types: list[RecordType]) -> None:
        """The ISO 14001/45001/27001 clauses the exported records are also tagged with."""
        from django.contrib.contenttypes.models import ContentType

        from .models import ClauseTag

        start, end = self.export.period_start, self.export.period_end
        with self.member(archive, CLAUSE_TAGS) as out:
            writer = csv.writer(out)
            writer.writerow(["record_type", "object_id", "standard", "clause"])
            for rt in types:
                record_ids = (
                    rt.records(user=self.user, start=start, end=end)
                    .order_by()
                    .annotate(pk_text=Cast("pk", output_field=CharField()))
                    .values("pk_text")
                )
                tags = ClauseTag.objects.filter(
                    content_type=ContentType.objects.get_for_model(rt.model), object_id__in=record_ids
                ).order_by("object_id", "standard", "clause")
                for tag in tags.iterator(chunk_size=CHUNK):
                    writer.writerow([safe_cell(value) for value in (rt.label, tag.object_id, tag.standard, tag.clause)])

    def _write_index(self, archive, summaries: list[TypeSummary]) -> None:
        clauses = sorted(self.export.clauses, key=clause_sort_key)
        sections = [
            {
                "clause": clause,
                "title": CLAUSES.get(clause, ""),
                "types": [s for s in summaries if clause in s.record_type.clauses],
            }
            for clause in clauses
        ]
        html = render_to_string(
            "evidence/pack_index.html",
            {
                "export": self.export,
                "sections": sections,
                "generated_at": timezone.now(),
                "missing": self.missing,
                "clause_tags_path": CLAUSE_TAGS,
            },
        )
        pdf = HTML(string=html, base_url="about:blank", url_fetcher=NoNetworkFetcher()).write_pdf()
        with self.member(archive, INDEX) as out:
            out.write(pdf)

    def _write_manifest(self, archive) -> None:
        export = self.export
        user = self.user
        manifest = {
            "format": PACK_FORMAT,
            "export": {
                "id": export.pk,
                "period_start": export.period_start.isoformat(),
                "period_end": export.period_end.isoformat(),
                "clauses": sorted(export.clauses, key=clause_sort_key),
                "created_by": {"id": user.pk, "username": user.get_username(), "name": user.get_full_name()},
                "created_at": export.created_at.isoformat(),
                "generated_at": timezone.now().isoformat(),
            },
            "files": self.listing,
            "missing_attachments": self.missing,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))

    def _copy_file(self, archive, source_path: str, path: str) -> None:
        with open(source_path, "rb") as source, self.member(archive, path) as out:
            shutil.copyfileobj(source, out, 1024 * 1024)


def _file_sha256(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            sha.update(block)
    return sha.hexdigest()
