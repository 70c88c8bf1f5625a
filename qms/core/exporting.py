"""CSV and XLSX export of a list, as the user filtered it."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .templatetags.portal import cell_value

FORMATS = ("csv", "xlsx")
# A spreadsheet reads a cell starting with one of these as a formula (or, after a tab, CR or NUL, may do so once
# that character is dropped): "CSV injection". Such text gets a leading apostrophe, which shows it as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")
_NUMBERS = (int, float, Decimal)


def safe_text(value) -> str:
    """``value`` as text that no spreadsheet reads as a formula: ``'`` before a leading = + - @ tab CR or NUL."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def safe_cell(value):
    """A cell for a CSV or XLSX row: a real number stays a number (-5 is minus five, not text); anything else is
    ``safe_text``."""
    if isinstance(value, _NUMBERS) and not isinstance(value, bool) and math.isfinite(value):
        return value
    return safe_text(value)


def xlsx_cell(value):
    """``safe_cell`` without the control characters an XLSX file cannot hold (openpyxl refuses the whole file)."""
    value = safe_cell(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def rows(queryset, columns) -> Iterable[list]:
    """The headings, then one row per record (read in chunks, so a large list never sits in memory)."""
    yield [heading for _, heading in columns]
    for obj in queryset.iterator(chunk_size=1000):
        yield [cell_value(obj, attribute) for attribute, _ in columns]


class _Echo:
    def write(self, value):
        return value


def table_response(table: Iterable[Sequence], export_format: str, basename: str):
    """A download of ``table`` (its first row the headings) as XLSX, or else as streamed CSV; every cell is
    formula-neutralised."""
    export_format = export_format if export_format in FORMATS else "csv"
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    filename = f"{basename}-{stamp}.{export_format}"
    if export_format == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(basename[:31])
        for row in table:
            sheet.append([xlsx_cell(value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        writer = csv.writer(_Echo())
        lines = (writer.writerow([safe_cell(value) for value in row]) for row in table)
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_response(queryset, columns, export_format: str, basename: str):
    """The ``columns`` of ``queryset`` as a CSV or XLSX download."""
    return table_response(rows(queryset, columns), export_format, basename)
