"""Reading a company list: a CSV or XLSX file into the rows under its header row (`read_sheet`).

A CSV file may be UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1252, separated by
`;`, `,`, tabs or `|`. A file that cannot be used at all is a `FileProblem`: nothing is read
from it and nothing is written.

A list is read within limits, checked while it streams, so that no file can hold a worker's
memory or time: the unzipped size of a workbook (checked from the zip's directory before
anything is unpacked), its rows, columns, cells and the length of a cell. The rows read are
kept with the import (`Sheet.as_json`), so the mapping, dry run and real run never read the
file again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from outreach.core.errors import ServiceError

#: the most rows a list may have
MAX_ROWS = 100_000
#: the most columns: a wider row is refused (empty cells at a row's end are not counted)
MAX_COLUMNS = 200
#: the most cells of a list with a value or between two that have one
MAX_CELLS = 3_000_000
#: the longest text of one cell (an address is a few hundred characters)
MAX_CELL_CHARS = 2_000
#: the most a workbook may hold once unzipped, and the most one part of it may be compressed
MAX_UNZIPPED = 100 * 1024 * 1024
MAX_RATIO = 200
#: the most the workbook's shared texts may unzip to: they are held in memory while it is read
MAX_SHARED_STRINGS = 40 * 1024 * 1024
#: how many non-empty rows the header is looked for in
HEADER_SEARCH = 10


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

    def as_json(self) -> dict[str, Any]:
        """The sheet as JSON to keep with its import: dates as YYYY-MM-DD, numbers as numbers."""
        return {"kind": self.kind, "header_row": self.header_row, "headers": self.headers,
                "rows": [[number, [_json_cell(c) for c in cells]] for number, cells in self.rows],
                "encoding": self.encoding, "delimiter": self.delimiter, "sha256": self.sha256}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Sheet:
        return cls(kind=data["kind"], header_row=data["header_row"], headers=data["headers"],
                   rows=[(number, cells) for number, cells in data["rows"]],
                   encoding=data.get("encoding", ""), delimiter=data.get("delimiter", ""),
                   sha256=data.get("sha256", ""))

    def samples(self, column: int, count: int = 3) -> list[str]:
        """The first few values of a column, for the mapping page."""
        found = []
        for _number, cells in self.rows:
            if column < len(cells) and not is_blank(cells[column]):
                found.append(cell_text(cells[column]))
                if len(found) == count:
                    break
        return found


def _json_cell(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return cell_text(value)


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
    check_file(data, max_bytes)
    if data.startswith(b"PK\x03\x04"):
        records, kind, encoding, delimiter = _xlsx_records(data), "xlsx", "", ""
    else:
        text, encoding = _decode(data)
        delimiter = _delimiter(text)
        records, kind = _csv_records(text, delimiter), "csv"
    records = _within_limits(records)
    head: list[tuple[int, list[Any]]] = []
    for record in records:
        head.append(record)
        if is_header([cell_text(c) for c in record[1]]):
            break
        if len(head) == HEADER_SEARCH:
            raise FileProblem(no_header or _no_header())
    else:
        raise FileProblem((no_header or _no_header()) if head else _("The file is empty."))
    header_row, header_cells = head[-1]
    rows = list(records)
    if not rows:
        raise FileProblem(_("The file has no rows under its headers."))
    return Sheet(kind=kind, header_row=header_row,
                 headers=[cell_text(c) for c in header_cells], rows=rows, encoding=encoding,
                 delimiter=delimiter, sha256=hashlib.sha256(data).hexdigest())


def check_file(data: bytes, max_bytes: int) -> None:
    """The quick checks of a file before its rows are read (a FileProblem saying why it
    cannot be used): its size, that it is not empty, an old Excel file or not text at all,
    and a workbook's unzipped size from its zip's directory. Milliseconds for a file at the
    upload limit: an upload makes them before it keeps the file."""
    if len(data) > max_bytes:
        raise FileProblem(_("The file is larger than %(size)s. Split it into smaller files.",
                            size=human_size(max_bytes)))
    if not data.strip():
        raise FileProblem(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        _check_zip(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(_("This is an old Excel file (.xls). Save it as .xlsx or .csv and "
                            "import that."))
    elif _binary(data):
        raise FileProblem(_("This file is not a spreadsheet we can read (CSV or XLSX)."))


def _binary(data: bytes) -> bool:
    """Not a text file: NUL bytes near its start (UTF-16 has a BOM), or a PDF."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return False
    return b"\x00" in data[:4096] or data.startswith(b"%PDF")


def _no_header() -> str:
    return _("No column holds the company name. The first row should have headers such as "
             "\"Nama Perusahaan\", \"NIB\", \"NPWP\", \"Alamat\".")


def _within_limits(records: Iterable[tuple[int, list[Any]]],
                   ) -> Iterator[tuple[int, list[Any]]]:
    """The non-empty rows, without the empty cells at their end, refused past a limit.

    A generator: the limits are checked as the rows stream in, before the next is read.
    """
    rows = cells_seen = 0
    for number, cells in records:
        if cells.count(None) == len(cells):  # quick for the empty rows a workbook pads with
            continue
        width = len(cells)
        while width and (cells[width - 1] is None or is_blank(cells[width - 1])):
            width -= 1
        if not width:
            continue
        if width > MAX_COLUMNS:
            raise FileProblem(_("Row %(row)d has more than %(n)d columns. Remove the columns "
                                "that are not needed.", row=number, n=MAX_COLUMNS))
        for column in range(width):
            value = cells[column]
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise FileProblem(_("A cell of row %(row)d holds more than %(n)s characters. "
                                    "Shorten it.", row=number,
                                    n=f"{MAX_CELL_CHARS:,}".replace(",", ".")))
        rows += 1
        cells_seen += width
        if rows > MAX_ROWS + HEADER_SEARCH:
            raise FileProblem(_("The file has more than %(n)s rows. Split it into smaller "
                                "files.", n=f"{MAX_ROWS:,}".replace(",", ".")))
        if cells_seen > MAX_CELLS:
            raise FileProblem(_("The file has more than %(n)s filled cells. Split it into "
                                "smaller files.", n=f"{MAX_CELLS:,}".replace(",", ".")))
        yield number, list(cells[:width])


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise FileProblem(_("A cell of row %(row)d holds more than %(n)s characters. "
                                    "Shorten it.", row=number,
                                    n=f"{MAX_CELL_CHARS:,}".replace(",", "."))) from error
            raise FileProblem(_("This file is not a spreadsheet we can read (CSV or XLSX).")) \
                from error
        yield number, cells


def _check_zip(data: bytes) -> None:
    """Refuse a workbook that would unzip to more than the limits, before unpacking it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise FileProblem(_("This file is not a spreadsheet we can read (CSV or XLSX).")) \
            from error
    unzipped = sum(m.file_size for m in members)
    squeezed = any(m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1)
                   for m in members)
    texts = sum(m.file_size for m in members if m.filename.lower().endswith("sharedstrings.xml"))
    if unzipped > MAX_UNZIPPED or squeezed or texts > MAX_SHARED_STRINGS:
        raise FileProblem(_("This workbook unpacks to more than %(size)s, or is packed "
                            "unusually tightly. Save it as CSV, or split it into smaller "
                            "files.", size=human_size(MAX_UNZIPPED)))


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # a zip that is not a workbook: openpyxl has many ways to say so
        raise FileProblem(_("This file is not a spreadsheet we can read (CSV or XLSX).")) \
            from error
    try:
        sheet = workbook.active or workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write wrong dimensions; read every row
        # One column past the limit is read so that a wider row is refused, never cut. The
        # rows come from the first on, missing ones as empty rows: their count is the number.
        yield from enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), 1)
    finally:
        workbook.close()


def _decode(data: bytes) -> tuple[str, str]:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
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
