"""The registration file for the agency's collective registration of informal workers: CSV
(`;`, UTF-8 with BOM, as Indonesian spreadsheets expect) and XLSX with typed cells. Its columns
are documented in docs/bpu-registration.md."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from outreach.org.models import User
from outreach.programme.models import Sponsor
from outreach.programme.service import REGISTRATION_COLUMNS, registration_rows

MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
#: a cell starting with one of these is a formula to a spreadsheet
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: list[list[Any]]) -> bytes:
    """CSV: `;` separated, ISO dates, identifiers as text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([header for header, _kind in REGISTRATION_COLUMNS])
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, date)
                         else _text(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[list[Any]]) -> bytes:
    """XLSX: NIK and KPJ as text (never a number that loses digits), dates as dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Pendaftaran BPU")
    bold = Font(bold=True)
    header = []
    for title, _kind in REGISTRATION_COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for (_title, kind), value in zip(REGISTRATION_COLUMNS, row, strict=True):
            cell = WriteOnlyCell(sheet, value=value)
            if kind == "date" and value is not None:
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def registration_file(actor: User, sponsor: Sponsor, fmt: str) -> bytes:
    """The sponsor's registration file as CSV or XLSX bytes (the export is audited)."""
    rows = registration_rows(actor, sponsor, fmt)
    return to_csv(rows) if fmt == "csv" else to_xlsx(rows)
