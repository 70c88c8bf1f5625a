"""CSV and XLSX export of a list, as the user filtered it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import models
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


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value


def _converter(field) -> Callable:
    """What ``cell_value`` shows for a value of ``field`` read by ``values_list``, decided once per column."""
    if getattr(field, "choices", None):
        labels = dict(field.flatchoices)  # built once: building it per cell is what made exports slow
        return lambda value: "" if value is None else labels.get(value, value)
    if isinstance(field, models.DateTimeField):
        zone = timezone.get_current_timezone()
        return lambda value: "" if value is None else value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return _plain


def _database_column(model, annotations, attribute: str):
    """``(values_list path, converter)`` when ``attribute`` is a field (through to-one relations) or an
    annotation of the queryset; ``None`` when it is a Python property (read from the instance)."""
    parts = attribute.split(".")
    if len(parts) == 1 and attribute in annotations:
        return attribute, _plain
    for position, part in enumerate(parts):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        last = position == len(parts) - 1
        if field.is_relation:
            if last or not (field.many_to_one or field.one_to_one) or field.auto_created and not field.concrete:
                return None
            model = field.related_model
        elif not last or not field.concrete:
            return None
    return "__".join(parts), _converter(field)


def rows(queryset, columns) -> Iterable[list]:
    """The headings, then one row per record, read in chunks so a large list never sits in memory.

    When every column is a field or an annotation, rows are read as tuples (``values_list``) and each
    column's display is decided once: no model instances, no per-cell lookups of choice labels.
    """
    yield [heading for _, heading in columns]
    plan = [_database_column(queryset.model, queryset.query.annotations, attribute) for attribute, _ in columns]
    if all(plan):
        paths = [path for path, _ in plan]
        converters = [convert for _, convert in plan]
        for values in queryset.values_list(*paths).iterator(chunk_size=2000):
            yield [convert(value) for convert, value in zip(converters, values, strict=True)]
        return
    for obj in queryset.iterator(chunk_size=1000):
        yield [cell_value(obj, attribute) for attribute, _ in columns]


class _Echo:
    def write(self, value):
        return value


CSV_LINES_PER_CHUNK = 500


def _csv_chunks(table: Iterable[Sequence]) -> Iterable[str]:
    """CSV text in chunks of a few hundred lines: one write to the client per chunk, not per row."""
    writer = csv.writer(_Echo())
    lines = []
    for row in table:
        lines.append(writer.writerow([safe_cell(value) for value in row]))
        if len(lines) >= CSV_LINES_PER_CHUNK:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


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
        response = StreamingHttpResponse(_csv_chunks(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_response(queryset, columns, export_format: str, basename: str):
    """The ``columns`` of ``queryset`` as a CSV or XLSX download."""
    return table_response(rows(queryset, columns), export_format, basename)
