"""The evidence pack's registers (CSV and XLSX) never hand a spreadsheet a formula."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from qms.core.tests.test_exporting import STORABLE, as_written
from qms.evidence.services import export_file_path


@pytest.fixture
def dangerous_risks(db):
    from risks.tests.factories import RiskEntryFactory

    return [RiskEntryFactory(title=value) for value in STORABLE]


def test_pack_registers_neutralise_formulas(dangerous_risks, auditor, build_pack):
    export = build_pack(auditor)
    assert export.status == "done", export.message
    with zipfile.ZipFile(export_file_path(export)) as pack:
        register_csv = list(csv.reader(io.StringIO(pack.read("registers/risks-riskentry.csv").decode(), newline="")))
        workbook = load_workbook(io.BytesIO(pack.read("registers/risks-riskentry.xlsx")))
    register_xlsx = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    csv_cells = {cell for row in register_csv[1:] for cell in row}
    xlsx_cells = {cell for row in register_xlsx[1:] for cell in row}
    for value in STORABLE:
        assert as_written(value, "csv") in csv_cells
        assert as_written(value, "xlsx") in xlsx_cells
        assert value not in csv_cells | xlsx_cells
