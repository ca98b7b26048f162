"""The company list as a spreadsheet: CSV and XLSX, every row of the filter, Indonesian headers.

Rows come from the list's own query (`companies.company_list_query`), so an export holds exactly
the companies the list shows for the same query parameters, in the same order, on every page.
Numbers stay numbers and dates stay dates (XLSX cells typed, CSV in ISO dates with `;` as the
separator, as Indonesian spreadsheets expect); text that a spreadsheet would take for a formula
is written as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from flask_babel import force_locale

from outreach.cases.models import Case as CaseModel
from outreach.companies import rules as compliance
from outreach.companies.models import Company
from outreach.companies.service import CompanyFilters, company_list_query
from outreach.core.formatting import rupiah_int
from outreach.core.labels import label
from outreach.extensions import db
from outreach.money.service import ledger
from outreach.org.models import Branch, User

MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CHUNK = 1000
#: a cell starting with one of these is a formula to a spreadsheet
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column of the export: its Indonesian header and its type."""

    header: str
    kind: str = "text"  # text, int, date
    width: int = 14


COLUMNS = [
    Column("Nama perusahaan", width=36),
    Column("Kantor cabang", width=18),
    Column("NIB", width=16),
    Column("NPWP", width=20),
    Column("NPP", width=12),
    Column("Alamat", width=30),
    Column("Kelurahan"),
    Column("Kecamatan", width=18),
    Column("Kota"),
    Column("Sektor", width=18),
    Column("Skala usaha"),
    Column("Kelas risiko", "int", 8),
    Column("Pekerja (perkiraan)", "int", 10),
    Column("Pekerja terdaftar", "int", 10),
    Column("Pekerja belum terdaftar", "int", 10),
    Column("Upah rata-rata (Rp)", "int", 14),
    Column("Program diikuti"),
    Column("Perkiraan iuran belum dibayar per bulan (Rp)", "int", 16),
    Column("Kategori", width=20),
    Column("Status kasus"),
    Column("Tahap", width=18),
    Column("Langkah berikutnya", width=18),
    Column("Jatuh tempo", "date", 12),
    Column("Kasus dibuka", "date", 12),
    Column("Lama terbuka (hari)", "int", 10),
    Column("Petugas", width=20),
    # the ledger (outreach.money.service.ledger), computed only for companies whose open case
    # has reached warning II: before it there is no fine, and the ledger of tens of thousands
    # of companies would make the export slow; the others are left blank
    Column("Saldo iuran (Rp)", "int", 16),
    Column("Denda (Rp)", "int", 14),
    Column("Saldo denda (Rp)", "int", 14),
    Column("Saldo total (Rp)", "int", 16),
]
#: companies whose ledger the export computes: an open case that reached warning II
LEDGER_FROM = "warning_2"


def export_rows(user: User, filters: CompanyFilters, today: date) -> Iterator[list[Any]]:
    """Every row of the list for these filters (all pages), as typed values, in list order."""
    listed = company_list_query(user, filters, today)
    stmt = (listed.with_only_columns(
        Company.name, Branch.name, Company.nib, Company.npwp, Company.npp, Company.address,
        Company.kelurahan, Company.kecamatan, Company.city, Company.sector,
        Company.business_size, Company.risk_class, Company.workers_estimated,
        Company.workers_registered, Company.workers_missing, Company.average_wage, Company.programs,
        CaseModel.id, CaseModel.category_list, CaseModel.status, CaseModel.stage,
        CaseModel.next_rung, CaseModel.next_due_on, CaseModel.opened_on, User.name,
        Company.id, Company.reached, maintain_column_froms=True)
        .join(Branch, Branch.id == Company.branch_id)
        .outerjoin(User, User.id == Company.officer_id))
    rates = compliance.rates_in_force(today)
    for (name, branch, nib, npwp, npp, address, kelurahan, kecamatan, city, sector, size, risk,
         estimated, registered, gap, wage, programs, case_id, categories, status, stage,
         next_rung, due, opened, officer, company_id, reached) in db.session.execute(
            stmt.execution_options(yield_per=CHUNK)):
        owed = compliance.monthly_owed(rates, size, risk, programs, wage, max(gap, 0),
                                       registered)
        yield [name, branch, nib or "", npwp or "", npp or "", address, kelurahan, kecamatan,
               city, sector, label(size, "size"), risk, estimated, registered, max(gap, 0),
               wage, programs.replace(",", ", "), rupiah_int(owed),
               categories.replace(",", ", ") if case_id else "",
               label(status, "case_status") if case_id else "",
               (label(stage, "rung") or "Belum dimulai") if case_id else "",
               label(next_rung, "rung") if case_id else "", due, opened,
               (today - opened).days if opened else None, officer or "",
               *money_columns(company_id, reached, case_id is not None, today)]


def money_columns(company_id: int, reached: str, open_case: bool, today: date) -> list:
    """The ledger's balances of a company whose open case reached warning II, else blanks."""
    if not open_case or LEDGER_FROM not in reached.split(","):
        return [None, None, None, None]
    book = ledger(db.session.get(Company, company_id), today)
    return [book.contribution_balance, book.fine.amount, book.fine_balance, book.balance]


def _safe_text(value: str) -> str:
    """Text a spreadsheet would run as a formula, kept as text."""
    return "'" + value if value.startswith(FORMULA_START) else value


def to_csv(rows: Iterator[list[Any]], columns: list[Column] = COLUMNS) -> bytes:
    """CSV for Indonesian spreadsheets: UTF-8 with a BOM, `;` separated, ISO dates."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow(["" if value is None else _safe_text(value) if isinstance(value, str)
                         else value.isoformat() if isinstance(value, date) else value
                         for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterator[list[Any]], title: str = "Perusahaan",
            columns: list[Column] = COLUMNS) -> bytes:
    """An XLSX workbook with typed cells: numbers as numbers, dates as dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "B2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for column, value in zip(columns, row, strict=True):
            cell = WriteOnlyCell(sheet, value=value)
            if column.kind == "date" and value is not None:
                cell.number_format = "DD/MM/YYYY"
            elif column.kind == "int" and value is not None:
                cell.number_format = "#,##0"
            elif isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filters_as_json(filters: CompanyFilters) -> dict[str, Any]:
    """The list's filters as a job's arguments (days as YYYY-MM-DD)."""
    return {key: value.isoformat() if isinstance(value, date) else value
            for key, value in asdict(filters).items()}


def filters_from_json(data: dict[str, Any]) -> CompanyFilters:
    """The filters a job was asked with (`filters_as_json`)."""
    days = {f.name for f in fields(CompanyFilters) if "date" in str(f.type)}
    return CompanyFilters(**{key: date.fromisoformat(value) if key in days and value else value
                             for key, value in data.items()})


def company_export(user: User, filters: CompanyFilters, today: date, fmt: str) -> bytes:
    """The filtered company list (every page) as CSV or XLSX bytes."""
    with force_locale("id"):
        rows = export_rows(user, filters, today)
        return to_csv(rows) if fmt == "csv" else to_xlsx(rows)
