"""CSV and XLSX export of a list, as the user filtered it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from .templatetags.portal import cell_value

FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value) -> str:
    """Neutralise spreadsheet formulas (CSV injection): a cell never starts with = + - @."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


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
    cells = ([safe_text(value) for value in row] for row in table)
    export_format = export_format if export_format in FORMATS else "csv"
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    filename = f"{basename}-{stamp}.{export_format}"
    if export_format == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(basename[:31])
        for row in cells:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in cells), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_response(queryset, columns, export_format: str, basename: str):
    """The ``columns`` of ``queryset`` as a CSV or XLSX download."""
    return table_response(rows(queryset, columns), export_format, basename)
