"""Reading a company list: a CSV or XLSX file into the rows under its header row (`read_sheet`).

A CSV file may be UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1252, separated by
`;`, `,`, tabs or `|`. A file that cannot be used at all is a `FileProblem`: nothing is read
from it and nothing is written.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from outreach.core.errors import ServiceError

#: the most rows a list may have
MAX_ROWS = 100_000


class FileProblem(ServiceError):
    """The file itself cannot be imported: nothing is read from it and nothing is written."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "file")


@dataclass
class Sheet:
    """The rows of a spreadsheet under its header row."""

    kind: str  # "csv" or "xlsx"
    #: the row number of the header, as a spreadsheet program shows it (the first row is 1)
    header_row: int
    headers: list[str]
    #: (row number, cells) of every non-empty row under the header
    rows: list[tuple[int, list[Any]]]
    encoding: str = ""
    delimiter: str = ""
    #: SHA-256 of the file, hex
    sha256: str = ""


def human_size(size: int) -> str:
    """A byte count as "10 MB" or "500 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{max(size // 1024, 1)} KB"


def read_sheet(data: bytes, max_bytes: int, is_header: Callable[[list[str]], bool],
               no_header: str | None = None) -> Sheet:
    """The rows of a CSV or XLSX file, or a FileProblem saying why the file cannot be used.

    The header row is the first of the first ten rows that `is_header` takes for one (the
    mapping's `is_header_row`: it names the company-name column); `no_header` is the message
    when none is (a list of people names other columns than a company list).
    """
    if len(data) > max_bytes:
        raise FileProblem(_("The file is larger than %(size)s. Split it into smaller files.",
                            size=human_size(max_bytes)))
    if not data.strip():
        raise FileProblem(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        records, kind, encoding, delimiter = _xlsx_records(data), "xlsx", "", ""
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(_("This is an old Excel file (.xls). Save it as .xlsx or .csv and "
                            "import that."))
    else:
        text, encoding = _decode(data)
        delimiter = _delimiter(text)
        try:
            records = [(number, cells) for number, cells in enumerate(
                csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1)]
        except csv.Error as error:
            raise FileProblem(_("This file is not a spreadsheet we can read (CSV or XLSX).")) \
                from error
        kind = "csv"
    records = [(number, cells) for number, cells in records if any(not is_blank(c) for c in cells)]
    if not records:
        raise FileProblem(_("The file is empty."))
    header_at = next((i for i, (_number, cells) in enumerate(records[:10])
                      if is_header([cell_text(c) for c in cells])), None)
    if header_at is None:
        raise FileProblem(no_header or _(
            "No column holds the company name. The first row should have headers such as "
            "\"Nama Perusahaan\", \"NIB\", \"NPWP\", \"Alamat\"."))
    header_row, header_cells = records[header_at]
    rows = records[header_at + 1:]
    if not rows:
        raise FileProblem(_("The file has no rows under its headers."))
    if len(rows) > MAX_ROWS:
        raise FileProblem(_("The file has more than %(n)s rows. Split it into smaller files.",
                            n=f"{MAX_ROWS:,}".replace(",", ".")))
    return Sheet(kind=kind, header_row=header_row,
                 headers=[cell_text(c) for c in header_cells], rows=rows, encoding=encoding,
                 delimiter=delimiter, sha256=hashlib.sha256(data).hexdigest())


def _xlsx_records(data: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a zip that is not a workbook: openpyxl has many ways to say so
        raise FileProblem(_("This file is not a spreadsheet we can read (CSV or XLSX).")) \
            from error
    try:
        sheet = workbook.active or workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write wrong dimensions; read every row
        records = []
        for cells in sheet.iter_rows():
            number = next((c.row for c in cells if getattr(c, "row", None)), None)
            if number is None:
                continue
            records.append((number, [c.value for c in cells]))
            if len(records) > MAX_ROWS + 20:
                break
        return records
    finally:
        workbook.close()


def _decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        if b"\x00" in data[:4096] or data.startswith(b"%PDF"):
            raise FileProblem(_("This file is not a spreadsheet we can read (CSV or XLSX)."))
        candidates = ["utf-8", "cp1252", "latin-1"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text[:20000] if ord(ch) < 32 and ch not in "\t\r\n")
        if controls > max(len(text[:20000]) // 100, 2):
            break
        return text, encoding
    raise FileProblem(_("This file is not a spreadsheet we can read (CSV or XLSX)."))


def _delimiter(text: str) -> str:
    """The separator of a CSV text: the one that splits the first lines most consistently."""
    sample = text[:65536]
    best, best_score = ",", (-1.0, 0)
    for candidate in (";", ",", "\t", "|"):
        rows = [r for r in list(csv.reader(io.StringIO(sample, newline=""),
                                           delimiter=candidate))[:30] if r]
        if not rows:
            continue
        widths = [len(r) for r in rows[:-1]] or [len(rows[0])]  # the last may be cut off
        width = max(set(widths), key=widths.count)
        if width < 2:
            continue
        score = (widths.count(width) / len(widths), width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without ".0", whitespace collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())
