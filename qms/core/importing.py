"""CSV/XLSX import with a preview: parse, validate each row with the register's form, then apply.

Nothing is saved until the user confirms; at confirmation every row is validated again against the
database as it is then, and a re-import updates records by their key instead of duplicating them.
"""

from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from . import uploads

ALLOWED_EXTENSIONS = (".csv", ".xlsx")
UNREADABLE = "The file could not be read as CSV or Excel. Is it damaged?"


@dataclass
class ImportRow:
    number: int  # the row number as the user sees it in the file (header is row 1)
    data: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    action: str = ""  # "create", "update" or "" when invalid
    cleaned: dict | None = None

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass
class ImportPlan:
    rows: list[ImportRow]
    columns: list[str]

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.valid]

    @property
    def invalid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.valid]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.valid and row.action == action)


def _normalise_header(value) -> str:
    return str(value or "").strip().lower().replace(" ", "_")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _legacy_csv(upload, expected: str) -> bool:
    """A CSV saved by an older Excel (Windows-1252, not UTF-8) is still text: no NUL byte in it."""
    if expected != "text":
        return False
    try:
        return all(b"\x00" not in chunk for chunk in upload.chunks())
    finally:
        upload.seek(0)


def read_table(upload) -> list[dict[str, str]]:
    """Rows of an uploaded CSV or XLSX file as dicts keyed by normalised header names.

    Raises ValidationError (on the ``file`` field) with a message saying what to fix.
    """
    name = (upload.name or "").lower()
    if not name.endswith(ALLOWED_EXTENSIONS):
        raise ValidationError({"file": "Choose a .csv or .xlsx file."})
    if upload.size > settings.QMS_IMPORT_MAX_BYTES:
        limit = settings.QMS_IMPORT_MAX_BYTES // (1024 * 1024)
        raise ValidationError({"file": f"The file is larger than {limit} MB; split it into smaller files."})
    # Judged by content too: an .xlsx must be a real workbook (not a ZIP that unpacks to gigabytes), a .csv text.
    detected = uploads.detect_type(upload)
    expected = "text" if name.endswith(".csv") else "xlsx"
    if upload.size and (detected is None or detected.key != expected) and not _legacy_csv(upload, expected):
        raise ValidationError({"file": UNREADABLE})
    try:
        if name.endswith(".csv"):
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1252")
            dialect = csv.excel
            with contextlib.suppress(csv.Error):
                dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
            table = [list(row) for row in csv.reader(io.StringIO(text), dialect)]
        else:
            workbook = load_workbook(upload, read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            table = [list(row) for row in sheet.iter_rows(values_only=True)]
            workbook.close()
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError({"file": UNREADABLE}) from exc
    table = [row for row in table if any(_cell(value) for value in row)]
    if not table:
        raise ValidationError({"file": "The file is empty: the first row must name the columns."})
    headers = [_normalise_header(value) for value in table[0]]
    body = table[1:]
    if not body:
        raise ValidationError({"file": "The file has column names but no rows to import."})
    if len(body) > settings.QMS_IMPORT_MAX_ROWS:
        raise ValidationError(
            {"file": f"The file has {len(body)} rows; at most {settings.QMS_IMPORT_MAX_ROWS} at a time."}
        )
    return [
        {header: _cell(row[index]) if index < len(row) else "" for index, header in enumerate(headers) if header}
        for row in body
    ]


def plan_import(
    records: list[dict[str, str]], *, columns: list[str], required: list[str], key: str, validate_row
) -> ImportPlan:
    """Validate each record. ``validate_row(data) -> (cleaned, action)`` raises ValidationError."""
    present = set(records[0]) if records else set()
    missing = [name for name in required if name not in present]
    if missing:
        raise ValidationError(
            {"file": f"Missing column(s): {', '.join(missing)}. The first row must name: {', '.join(columns)}."}
        )
    # Only the columns the file has: one it leaves out must not clear what is stored.
    columns = [name for name in columns if name in present]
    rows = []
    seen_keys: dict[str, int] = {}
    for offset, record in enumerate(records):
        data = {name: record.get(name, "") for name in columns}
        row = ImportRow(number=offset + 2, data=data)
        key_value = data.get(key, "").strip().upper()
        if key_value and key_value in seen_keys:
            row.errors[key] = [f"Repeats row {seen_keys[key_value]}; each {key} may appear once per file."]
        else:
            if key_value:
                seen_keys[key_value] = row.number
            try:
                row.cleaned, row.action = validate_row(data)
            except ValidationError as exc:
                row.errors = exc.message_dict if hasattr(exc, "error_dict") else {"row": exc.messages}
        rows.append(row)
    return ImportPlan(rows=rows, columns=columns)
