"""Importing company lists from the agency (bpjs), the city (pemkot) and the labour office.

The lists overlap and disagree, and they come as Indonesian spreadsheets. An import is read
(`read_sheet`), its columns are mapped to company fields (`auto_mapping`, confirmed by a person
in the web pages), every row is cleaned and matched to a company of the branch (`plan_import`,
which only reads: it is the dry run), and the plan is applied in one transaction
(`apply_plan`). A row matches a company by NIB, then NPWP, then NPP; otherwise by its name and
address, where an exact match is taken and a likely one is left for a person to confirm.

Values are never blanked by an empty cell. A value an officer entered by hand (the latest audit
event that touched the field was not an import) is not replaced unless the person chooses to:
it is reported as a conflict. What each source said is kept per company and field
(`CompanySourceValue`), so that importing the same file again changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from rapidfuzz import fuzz, process
from sqlalchemy import bindparam, func, insert, select, update

from outreach.cases.models import Case, CaseStatus, Category
from outreach.companies.models import BusinessSize, Company, Program, Source
from outreach.companies.rules import MANDATORY
from outreach.companies.service import (
    digits_only,
    name_key,
    normalise_nib,
    normalise_npwp,
    npwp_variants,
)
from outreach.core.access import Permission, require, scoped
from outreach.core.audit import AuditEvent, record
from outreach.core.db import among, utcnow
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.imports.models import (
    CloseSuggestion,
    CompanyImport,
    CompanySourceValue,
    ImportStatus,
    SuggestionStatus,
)
from outreach.org.models import Branch, Role, User

#: the lists an import can come from
SOURCES = (Source.BPJS, Source.PEMKOT, Source.DISNAKER)
#: identifiers, in the order a row is matched by them
IDENTIFIERS = ("nib", "npwp", "npp")
#: company fields a list can fill
COMPANY_FIELDS = ("name", "nib", "npwp", "npp", "director_name", "address", "kelurahan",
                  "kecamatan", "city", "postal_code", "phone", "email", "sector",
                  "business_size", "risk_class", "workers_estimated", "workers_registered",
                  "average_wage", "programs")
#: dates only the lists carry: kept as what the source said, shown with the company's sources
DATE_FIELDS = ("registered_on", "licensed_on")
FIELDS = COMPANY_FIELDS + DATE_FIELDS
#: what the agency's list of registered employers says about membership
MEMBERSHIP_FIELDS = ("npp", "workers_registered", "programs")
#: categories that registration figures can show settled (wages and arrears they cannot)
SETTLED_BY_MEMBERSHIP = {Category.PWBD, Category.PDS_TK, Category.PDS_PROGRAM}

FIELD_LABELS = {
    "name": _l("Company name"),
    "nib": _l("NIB"),
    "npwp": _l("NPWP"),
    "npp": _l("NPP"),
    "director_name": _l("Director"),
    "address": _l("Address"),
    "kelurahan": _l("Kelurahan"),
    "kecamatan": _l("Kecamatan"),
    "city": _l("City"),
    "postal_code": _l("Postal code"),
    "phone": _l("Phone"),
    "email": _l("E-mail"),
    "sector": _l("Sector"),
    "business_size": _l("Business size"),
    "risk_class": _l("Work-accident risk class (1–5)"),
    "workers_estimated": _l("Workers (estimated)"),
    "workers_registered": _l("Workers registered"),
    "average_wage": _l("Average monthly wage (Rp)"),
    "programs": _l("Programs taken"),
    "registered_on": _l("Registration date"),
    "licensed_on": _l("Permit date"),
}

#: column headers each field is recognised by (normalised: lower case, words only), best first
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("nama perusahaan", "nama badan usaha", "nama pemberi kerja", "nama pelaku usaha",
             "nama usaha", "nama wajib pajak", "nama wp", "company name", "employer name",
             "business name", "perusahaan", "pemberi kerja", "badan usaha", "company",
             "employer", "nama", "name"),
    "nib": ("nib", "no nib", "nomor nib", "nomor induk berusaha", "business number"),
    "npwp": ("npwp", "no npwp", "nomor npwp", "npwp perusahaan", "npwp badan", "tax number",
             "tax id"),
    "npp": ("npp", "no npp", "nomor npp", "nomor pendaftaran perusahaan", "employer number"),
    "director_name": ("nama direktur", "nama pimpinan", "direktur", "pimpinan",
                      "penanggung jawab", "nama penanggung jawab", "pemilik", "nama pemilik",
                      "director", "director name", "owner"),
    "address": ("alamat", "alamat perusahaan", "alamat usaha", "alamat kantor", "address",
                "company address"),
    "kelurahan": ("kelurahan", "desa", "kelurahan desa", "desa kelurahan", "kel", "village"),
    "kecamatan": ("kecamatan", "kec", "district", "subdistrict"),
    "city": ("kota", "kabupaten", "kota kabupaten", "kabupaten kota", "kab kota", "city",
             "regency"),
    "postal_code": ("kode pos", "kodepos", "postal code", "postcode", "zip"),
    "phone": ("telepon", "no telepon", "nomor telepon", "telp", "no telp", "hp", "no hp",
              "nomor hp", "phone", "telephone", "phone number"),
    "email": ("email", "e mail", "alamat email", "surel"),
    "sector": ("sektor", "sektor usaha", "bidang usaha", "jenis usaha", "lapangan usaha",
               "kbli", "sector", "industry", "business sector"),
    "business_size": ("skala usaha", "skala", "ukuran usaha", "kategori usaha",
                      "business size", "size"),
    "risk_class": ("kelas risiko", "tingkat risiko", "risk class"),
    "workers_estimated": ("jumlah tenaga kerja", "jumlah tk", "jml tk", "tenaga kerja",
                          "jumlah karyawan", "jumlah pekerja", "karyawan", "pekerja", "tk",
                          "workers", "employees", "number of workers",
                          "number of employees", "workers estimated"),
    "workers_registered": ("tk terdaftar", "jumlah tk terdaftar", "tenaga kerja terdaftar",
                           "pekerja terdaftar", "jumlah peserta", "peserta",
                           "jumlah tk aktif", "tk aktif", "workers registered",
                           "registered workers"),
    "average_wage": ("upah rata rata", "rata rata upah", "upah", "gaji", "average wage",
                     "average monthly wage", "wage"),
    "programs": ("program", "program diikuti", "program yang diikuti", "programs",
                 "programs taken"),
    "registered_on": ("tanggal kepesertaan", "tgl kepesertaan", "tanggal daftar", "tgl daftar",
                      "tanggal terdaftar", "tanggal registrasi", "registration date",
                      "registered on", "date registered"),
    "licensed_on": ("tanggal terbit", "tgl terbit", "tanggal terbit nib", "tgl terbit nib",
                    "tanggal izin", "tgl izin", "tanggal berdiri", "permit date",
                    "licence date", "license date", "date established"),
}
#: in the agency's list of registered employers a plain worker count is the number registered
BPJS_WORKER_HEADERS = {"jumlah tenaga kerja", "jumlah tk", "jml tk", "tenaga kerja", "tk",
                       "jumlah pekerja", "pekerja", "workers"}

MONTHS = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agu": 8, "agt": 8, "aug": 8, "ags": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}
SIZES = {"mikro": BusinessSize.MICRO, "micro": BusinessSize.MICRO,
         "kecil": BusinessSize.SMALL, "small": BusinessSize.SMALL,
         "menengah": BusinessSize.MEDIUM, "medium": BusinessSize.MEDIUM,
         "besar": BusinessSize.LARGE, "large": BusinessSize.LARGE}
TEXT_LIMITS = {"name": 200, "director_name": 120, "address": 255, "kelurahan": 80,
               "kecamatan": 80, "city": 80, "postal_code": 10, "phone": 40, "email": 120,
               "sector": 60}
#: names of the totals row at the bottom of many lists
TOTAL_ROWS = {"jumlah", "total", "jumlah total", "grand total", "total keseluruhan"}
ADDRESS_WORDS = {"jalan": "jl", "jln": "jl", "nomor": "no", "nomer": "no", "gang": "gg",
                 "kelurahan": "kel", "kecamatan": "kec", "kabupaten": "kab", "desa": "ds"}

#: a name this similar (0–100) makes a company a candidate for a person to confirm
NAME_SIMILARITY = 85
#: ... and the name and address together at least this similar
LIKELY_MATCH = 75
MAX_ROWS = 100_000
#: how often a run reports progress, in rows
PROGRESS_EVERY = 250
#: a run that has not finished after this long is taken to have died
STALE_RUN = timedelta(minutes=30)

Progress = Callable[[int, int], None]


class FileProblem(ServiceError):
    """The file itself cannot be imported: nothing is read from it and nothing is written."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "file")


class BadValue(Exception):
    """A cell that cannot be read as its field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- reading spreadsheets -----------------------------------------------------------------------


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


def read_sheet(data: bytes, max_bytes: int) -> Sheet:
    """The rows of a CSV or XLSX file, or a FileProblem saying why the file cannot be used."""
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
                      if "name" in auto_mapping([cell_text(c) for c in cells], Source.PEMKOT)),
                     None)
    if header_at is None:
        raise FileProblem(_("No column holds the company name. The first row should have "
                            "headers such as \"Nama Perusahaan\", \"NIB\", \"NPWP\", "
                            "\"Alamat\"."))
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


def header_key(header: str) -> str:
    """A column header reduced for recognition: lower case, words and digits, no "(units)"."""
    header = re.sub(r"\([^)]*\)", " ", header.casefold())
    return " ".join(re.sub(r"[^0-9a-z]+", " ", header).split())


def auto_mapping(headers: list[str], source: str) -> list[str]:
    """The field each column holds, recognised from its header ("" for columns left out)."""
    keys = [header_key(h) for h in headers]
    # the agency's list of registered employers carries their NPP; its plain worker count is
    # the number registered (its lists of employers not yet registered have no NPP column)
    membership = source == Source.BPJS and any(key in HEADERS["npp"] for key in keys)
    best: dict[str, tuple[int, int]] = {}
    for column, key in enumerate(keys):
        for field_name, synonyms in HEADERS.items():
            if key not in synonyms:
                continue
            rank, target = synonyms.index(key), field_name
            if membership and key in BPJS_WORKER_HEADERS:
                # a header that names the registered workers outright wins over a plain count
                rank, target = rank + 100, "workers_registered"
            if target not in best or rank < best[target][0]:
                best[target] = (rank, column)
            break
    mapping = [""] * len(headers)
    for field_name, (_rank, column) in best.items():
        mapping[column] = field_name
    return mapping


def check_mapping(headers: list[str], mapping: list[str]) -> list[str]:
    """The mapping as chosen by a person, or a ServiceError naming what is wrong with it."""
    if len(mapping) != len(headers) or any(m and m not in FIELDS for m in mapping):
        raise ServiceError(_("Choose a field or \"Leave out\" for every column."), "mapping")
    seen: dict[str, int] = {}
    for column, chosen in enumerate(mapping):
        if not chosen:
            continue
        if chosen in seen:
            raise ServiceError(_("The columns \"%(a)s\" and \"%(b)s\" both hold %(field)s. "
                                 "Leave one of them out.", a=headers[seen[chosen]] or "?",
                                 b=headers[column] or "?", field=FIELD_LABELS[chosen]),
                               "mapping")
        seen[chosen] = column
    if "name" not in seen:
        raise ServiceError(_("Choose the column that holds the company name."), "mapping")
    return list(mapping)


# --- cleaning values ----------------------------------------------------------------------------


def parse_number(raw: Any) -> Decimal:
    """A number written the Indonesian way ("1.234.567", "12,5", "Rp 1.500.000") or plainly."""
    if isinstance(raw, bool):
        raise BadValue(_("%(value)s is not a number.", value=raw))
    if isinstance(raw, int | float | Decimal):
        return Decimal(str(raw))
    text = re.sub(r"\s+", "", str(raw))
    text = re.sub(r"(?i)^rp\.?", "", text)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text[:1] in "-+":
        negative, text = text[0] == "-", text[1:]
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", "") if text.count(",") > 1 else text.replace(",", ".")
    elif text.count(".") > 1 or re.fullmatch(r"\d{1,3}\.\d{3}", text):
        text = text.replace(".", "")
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise BadValue(_("%(value)s is not a number.", value=cell_text(raw)))
    try:
        value = Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - the pattern above rules it out
        raise BadValue(_("%(value)s is not a number.", value=cell_text(raw))) from error
    return -value if negative else value


def parse_whole(raw: Any) -> int:
    """A count: a whole number, zero or more."""
    value = parse_number(raw)
    if value < 0:
        raise BadValue(_("The number cannot be negative."))
    if value != value.to_integral_value():
        raise BadValue(_("%(value)s is not a whole number.", value=cell_text(raw)))
    return int(value)


def parse_date(raw: Any) -> date:
    """A date as 17/01/2022, 17-01-2022, 2022-01-17, "17 Januari 2022" or a spreadsheet date."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = cell_text(raw)
    try:
        if isinstance(raw, int | float) and 1 < raw < 100_000:  # a date cell without its format
            return date(1899, 12, 30) + timedelta(days=int(raw))
        match = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?", text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)
        match = re.fullmatch(r"(\d{1,2})[ \-]([A-Za-z]+)\.?[ \-](\d{4})", text)
        if match and match.group(2).casefold() in MONTHS:
            return date(int(match.group(3)), MONTHS[match.group(2).casefold()],
                        int(match.group(1)))
    except ValueError as error:
        raise BadValue(_("%(value)s is not a valid date.", value=text)) from error
    raise BadValue(_("%(value)s is not a date (write it as 17/01/2022 or 17 Januari 2022).",
                     value=text))


def _digits_of(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return digits_only(str(raw))


def _clean_nib(raw: Any, today: date) -> str | None:
    try:
        return normalise_nib(_digits_of(raw))
    except ServiceError as error:
        raise BadValue(error.message) from error


def _clean_npwp(raw: Any, today: date) -> str | None:
    digits = _digits_of(raw)
    if isinstance(raw, int | float) and len(digits) == 14:
        digits = digits.zfill(15)  # a spreadsheet number lost the leading zero
    try:
        return normalise_npwp(digits)
    except ServiceError as error:
        raise BadValue(error.message) from error


def _clean_npp(raw: Any, today: date) -> str:
    compact = re.sub(r"[\s.\-/]", "", cell_text(raw))
    if not compact.isdigit():
        raise BadValue(_("An NPP has only digits (%(value)s given).", value=cell_text(raw)))
    if not 6 <= len(compact) <= 20:
        raise BadValue(_("An NPP has 6 to 20 digits (%(n)d given).", n=len(compact)))
    return compact


def _text_cleaner(name: str) -> Callable[[Any, date], str]:
    limit = TEXT_LIMITS[name]

    def clean(raw: Any, today: date) -> str:
        value = cell_text(raw)
        if len(value) > limit:
            raise BadValue(_("Longer than %(n)d characters.", n=limit))
        if name == "email" and value and "@" not in value:
            raise BadValue(_("%(value)s is not an e-mail address.", value=value))
        return value

    return clean


def _clean_size(raw: Any, today: date) -> str:
    key = header_key(cell_text(raw)).replace("usaha ", "").strip()
    if key not in SIZES:
        raise BadValue(_("Unknown business size %(value)s (micro, small, medium or large).",
                         value=cell_text(raw)))
    return SIZES[key]


def _clean_risk(raw: Any, today: date) -> int:
    value = parse_whole(raw)
    if not 1 <= value <= 5:
        raise BadValue(_("The risk class is 1 to 5."))
    return value


def _clean_wage(raw: Any, today: date) -> int:
    value = parse_number(raw)
    if value < 0:
        raise BadValue(_("The number cannot be negative."))
    return int(value.to_integral_value())


def _clean_programs(raw: Any, today: date) -> str:
    words = [w for w in re.split(r"[\s,;/+&\-]+", cell_text(raw).upper()) if w]
    words = [w for w in words if w not in ("DAN", "AND")]
    unknown = [w for w in words if w not in Program.ALL]
    if unknown:
        raise BadValue(_("Unknown program %(value)s (JKK, JKM, JHT, JP, JKP).",
                         value=", ".join(unknown)))
    return ",".join(p for p in Program.ALL if p in words)


def _date_cleaner(raw: Any, today: date) -> date:
    value = parse_date(raw)
    if value > today:
        raise BadValue(_("The date %(value)s is in the future.", value=value.isoformat()))
    if value.year < 1900:
        raise BadValue(_("%(value)s is not a valid date.", value=cell_text(raw)))
    return value


CLEANERS: dict[str, Callable[[Any, date], Any]] = {
    **{name: _text_cleaner(name) for name in TEXT_LIMITS},
    "nib": _clean_nib,
    "npwp": _clean_npwp,
    "npp": _clean_npp,
    "business_size": _clean_size,
    "risk_class": _clean_risk,
    "workers_estimated": lambda raw, today: parse_whole(raw),
    "workers_registered": lambda raw, today: parse_whole(raw),
    "average_wage": _clean_wage,
    "programs": _clean_programs,
    "registered_on": _date_cleaner,
    "licensed_on": _date_cleaner,
}


def clean_row(cells: list[Any], mapping: list[str],
              today: date) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The row's values by field, and its problems as (field, message)."""
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for column, field_name in enumerate(mapping):
        if not field_name or column >= len(cells) or is_blank(cells[column]):
            continue
        try:
            value = CLEANERS[field_name](cells[column], today)
        except BadValue as error:
            errors.append((field_name, error.message))
            continue
        if value not in (None, ""):
            values[field_name] = value
    if not values.get("name") and not any(f == "name" for f, _m in errors):
        errors.insert(0, ("name", _("The company name is empty.")))
    elif (name_key(values.get("name", "")) in TOTAL_ROWS
          and not any(values.get(key) for key in IDENTIFIERS)):
        errors.insert(0, ("name", _("This looks like a totals row, not a company.")))
    return values, errors


def is_empty_row(cells: list[Any], mapping: list[str]) -> bool:
    """Whether the row has nothing in the columns that are imported (a numbered blank row)."""
    return all(not field_name or column >= len(cells) or is_blank(cells[column])
               for column, field_name in enumerate(mapping))


# --- matching -----------------------------------------------------------------------------------


def address_key(address: str) -> str:
    """An address reduced for comparison: lower case, words, common abbreviations."""
    words = re.sub(r"[^0-9a-z]+", " ", (address or "").casefold()).split()
    return " ".join(ADDRESS_WORDS.get(w, w) for w in words)


def _forms(field_name: str, value: str) -> list[str]:
    """The forms an identifier may be stored in (an NPWP in 15 or 16 digits)."""
    return npwp_variants(value) if field_name == "npwp" else [value]


def _same(field_name: str, current: Any, incoming: Any) -> bool:
    if field_name == "npwp" and current:
        return incoming in npwp_variants(current)
    if field_name == "name":
        return name_key(current or "") == name_key(incoming or "")
    if field_name == "programs":
        return set(filter(None, (current or "").split(","))) == set(incoming.split(","))
    if isinstance(incoming, str):
        return " ".join(str(current or "").split()).casefold() == incoming.casefold()
    return current == incoming


def _empty(current: Any) -> bool:
    return current in (None, "", 0)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _as_text(value: Any) -> str:
    return str(_plain(value))[:255]


@dataclass
class Candidate:
    """A company that a row may be about."""

    company_id: int
    name: str
    address: str
    score: int


@dataclass
class RowResult:
    """What an import does with one row."""

    row: int
    action: str = ""  # created, updated, unchanged, rejected, review
    name: str = ""
    company_id: int | None = None
    #: what matched the row to its company: nib, npwp, npp, name, confirmed, or ""
    matched_by: str = ""
    #: the earlier row of the file about the same company
    same_as: int | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    #: values entered by hand that the list contradicts, kept unless the user chose otherwise
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    #: the row makes the company's case one to verify and close
    verify_close: bool = False
    values: dict[str, Any] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The row's result for the stored report (JSON)."""
        return {"row": self.row, "action": self.action, "name": self.name,
                "company_id": self.company_id, "matched_by": self.matched_by,
                "same_as": self.same_as, "errors": self.errors, "changes": self.changes,
                "conflicts": self.conflicts, "candidates": self.candidates,
                "verify_close": self.verify_close}


@dataclass
class Target:
    """A company that rows of the file are about: an existing one, or one to create."""

    company: Company | None
    rows: list[RowResult] = field(default_factory=list)
    #: what the file's rows said, by field
    said: dict[str, Any] = field(default_factory=dict)
    #: the company's values after the import
    state: dict[str, Any] = field(default_factory=dict)
    verify_case: Case | None = None


@dataclass
class Plan:
    """What an import would do with each row: the dry run."""

    source: str
    rows: list[RowResult]
    targets: list[Target]
    #: an earlier import of the same file
    previous: CompanyImport | None = None

    def counts(self) -> dict[str, int]:
        """Rows by what happens to them, values kept against the list, cases to close."""
        counts = dict.fromkeys(("created", "updated", "unchanged", "rejected", "review"), 0)
        for row in self.rows:
            counts[row.action] += 1
        counts["conflicts"] = sum(len(r.conflicts) for r in self.rows)
        counts["verify_close"] = sum(1 for r in self.rows if r.verify_close)
        return counts

    def errors(self) -> list[dict[str, Any]]:
        """Every reason a row was rejected, as {"row", "field", "message"}."""
        return [{"row": r.row, **e} for r in self.rows for e in r.errors]

    def report(self) -> dict[str, Any]:
        """The plan as stored with the import."""
        return {"counts": self.counts(), "rows": [r.as_dict() for r in self.rows]}


def _sorted_words(text: str) -> str:
    return " ".join(sorted(text.split()))


class _BranchIndex:
    """The branch's companies, indexed for matching."""

    def __init__(self, actor: User | None, branch_id: int) -> None:
        # The command line acts for the operator on the branch named by --branch; a signed-in
        # user reads through the scoping helper like everywhere else.
        stmt = (scoped(Company, actor) if actor is not None else select(Company))
        companies = list(db.session.scalars(stmt.where(Company.branch_id == branch_id)
                                            .order_by(Company.id)))
        self.branch_id = branch_id
        self.companies = {c.id: c for c in companies}
        self.by: dict[str, dict[str, int]] = {key: {} for key in IDENTIFIERS}
        for company in companies:
            for key in IDENTIFIERS:
                value = getattr(company, key)
                for form in _forms(key, value) if value else ():
                    self.by[key].setdefault(form, company.id)
        names: dict[int, set[str]] = {c.id: {c.name_key} for c in companies}
        addresses: dict[int, set[str]] = {c.id: {address_key(c.address)} for c in companies}
        said = db.session.execute(
            select(CompanySourceValue.company_id, CompanySourceValue.field,
                   CompanySourceValue.value)
            .join(Company, Company.id == CompanySourceValue.company_id)
            .where(Company.branch_id == branch_id,
                   CompanySourceValue.field.in_(("name", "address"))))
        for company_id, field_name, value in said:
            if field_name == "name":
                names[company_id].add(name_key(value))
            else:
                addresses[company_id].add(address_key(value))
        self.exact: dict[tuple[str, str], list[int]] = {}
        for company_id in names:
            for name in names[company_id]:
                for address in addresses[company_id]:
                    self.exact.setdefault((name, address), []).append(company_id)
        # token_sort_ratio is ratio on sorted words: sort the branch's names once, not per row
        self.fuzzy_ids = [c.id for c in companies if c.name_key]
        self.fuzzy_names = [_sorted_words(self.companies[i].name_key) for i in self.fuzzy_ids]

    def _compatible(self, company: Company, ids: dict[str, str]) -> bool:
        """Whether the company has no identifier that contradicts the row's."""
        return all(not getattr(company, key) or _same(key, getattr(company, key), value)
                   for key, value in ids.items())

    def exact_match(self, values: dict[str, Any], ids: dict[str, str]) -> Company | None:
        """The company with the row's name and address, when there is exactly one."""
        key = (name_key(values["name"]), address_key(values.get("address", "")))
        found = [self.companies[i] for i in self.exact.get(key, [])
                 if self._compatible(self.companies[i], ids)]
        return found[0] if len(found) == 1 else None

    def likely(self, values: dict[str, Any], ids: dict[str, str]) -> list[Candidate]:
        """Companies whose name (and address) look like the row's, most alike first."""
        query = _sorted_words(name_key(values["name"]))
        if not query or not self.fuzzy_names:
            return []
        found = process.extract(query, self.fuzzy_names, scorer=fuzz.ratio,
                                score_cutoff=NAME_SIMILARITY, limit=8)
        row_address = address_key(values.get("address", ""))
        candidates = []
        for _choice, name_score, position in found:
            company = self.companies[self.fuzzy_ids[position]]
            if not self._compatible(company, ids):
                continue
            score = name_score
            company_address = address_key(company.address)
            if row_address and company_address:
                address_score = fuzz.token_set_ratio(row_address, company_address)
                score = 0.75 * name_score + 0.25 * address_score
            if score >= LIKELY_MATCH:
                candidates.append(Candidate(company.id, company.name, company.address,
                                            round(score)))
        candidates.sort(key=lambda c: (-c.score, c.name))
        return candidates[:3]


def _foreign_identifiers(branch_id: int, rows: Iterable[RowResult]) -> dict[str, set[str]]:
    """Identifiers of the rows that belong to companies of other branches (no names read)."""
    wanted: dict[str, set[str]] = {key: set() for key in IDENTIFIERS}
    for row in rows:
        for key in IDENTIFIERS:
            if key in row.values:
                wanted[key].update(_forms(key, row.values[key]))
    foreign: dict[str, set[str]] = {key: set() for key in IDENTIFIERS}
    for key, values in wanted.items():
        if values:
            column = getattr(Company, key)
            foreign[key].update(db.session.scalars(
                select(column).where(among(column, sorted(values)),
                                     Company.branch_id != branch_id)))
    return foreign


def hand_entered(company_ids: Iterable[int]) -> dict[int, set[str]]:
    """Fields of each company whose latest change was made by a person, not by an import."""
    result: dict[int, set[str]] = {}
    events = db.session.execute(
        select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.changes)
        .where(AuditEvent.entity_type == "company",
               among(AuditEvent.entity_id, sorted(set(company_ids))))
        .order_by(AuditEvent.id))
    for company_id, action, changes in events:
        fields = result.setdefault(company_id, set())
        for key in changes or {}:
            if key not in COMPANY_FIELDS:
                continue
            if action.startswith("import."):
                fields.discard(key)
            else:
                fields.add(key)
    return result


def _compliant(values: dict[str, Any]) -> bool:
    """Registered, with every worker and every mandatory program (per the figures)."""
    if not values.get("npp"):
        return False
    mandatory = MANDATORY.get(values.get("business_size") or BusinessSize.SMALL,
                              MANDATORY[BusinessSize.SMALL])
    taken = set(filter(None, (values.get("programs") or "").split(",")))
    missing = (values.get("workers_estimated") or 0) - (values.get("workers_registered") or 0)
    return set(mandatory) <= taken and missing <= 0


def _open_cases(company_ids: list[int]) -> dict[int, Case]:
    return {case.company_id: case for case in db.session.scalars(select(Case).where(
        among(Case.company_id, company_ids), Case.status != CaseStatus.CLOSED))}


def plan_import(actor: User | None, branch_id: int, sheet: Sheet, mapping: list[str],
                source: str, today: date, *, decisions: dict[int, str] | None = None,
                overwrite: Iterable[str] = (), progress: Progress | None = None) -> Plan:
    """What importing the sheet would do, row by row; reads only (the dry run).

    `decisions` answer the rows left for review: "new" (a company of its own) or the id of the
    company it is; `overwrite` holds "row:field" for values entered by hand to replace anyway.
    """
    decisions = decisions or {}
    overwrite = set(overwrite)
    total = len(sheet.rows) * 2
    report = progress or (lambda done, total: None)
    report(0, total)
    results: list[RowResult] = []
    for done, (number, cells) in enumerate(sheet.rows, 1):
        if done % PROGRESS_EVERY == 0:
            report(done, total)
        if is_empty_row(cells, mapping):
            continue
        values, errors = clean_row(cells, mapping, today)
        name_column = mapping.index("name") if "name" in mapping else None
        shown = values.get("name") or (cell_text(cells[name_column]) if name_column is not None
                                       and name_column < len(cells) else "")
        result = RowResult(row=number, name=shown[:200], values=values)
        if errors:
            result.action = "rejected"
            result.errors = [{"field": f, "message": m} for f, m in errors]
        results.append(result)
    report(len(sheet.rows), total)

    index = _BranchIndex(actor, branch_id)
    valid = [r for r in results if r.action != "rejected"]
    foreign = _foreign_identifiers(branch_id, valid)
    targets: list[Target] = []
    by_company: dict[int, Target] = {}
    by_key: dict[tuple, Target] = {}
    for done, result in enumerate(valid, len(sheet.rows) + 1):
        if done % PROGRESS_EVERY == 0:
            report(done, total)
        target = _match(result, index, foreign, by_company, by_key, decisions)
        if target is None:
            continue
        if target.rows:
            contradiction = _contradiction(result, target)
            if contradiction:
                result.action = "rejected"
                result.errors.append(contradiction)
                continue
            result.same_as = target.rows[0].row
        elif target.company is None or target.company.id not in by_company:
            targets.append(target)
            if target.company is not None:
                by_company[target.company.id] = target
        target.rows.append(result)
        for key, value in result.values.items():
            target.said.setdefault(key, value)
        for key in _file_keys(target.said):
            by_key.setdefault(key, target)
    report(total, total)

    _plan_changes(targets, source, overwrite)
    previous = last_import_of(branch_id, sheet.sha256) if sheet.sha256 else None
    return Plan(source=source, rows=results, targets=targets, previous=previous)


def _file_keys(values: dict[str, Any]) -> list[tuple]:
    keys: list[tuple] = [(key, min(_forms(key, values[key])))
                         for key in IDENTIFIERS if values.get(key)]
    keys.append(("name", name_key(values.get("name", "")),
                 address_key(values.get("address", ""))))
    return keys


def _match(result: RowResult, index: _BranchIndex, foreign: dict[str, set[str]],
           by_company: dict[int, Target], by_key: dict[tuple, Target],
           decisions: dict[int, str]) -> Target | None:
    """The target the row is about; None when the row is rejected or left for review."""
    values = result.values
    ids = {key: values[key] for key in IDENTIFIERS if values.get(key)}
    found = {key: index.by[key][value] for key, value in ids.items() if value in index.by[key]}
    distinct = list(dict.fromkeys(found.values()))
    if len(distinct) > 1:
        keys = list(found)
        result.action = "rejected"
        result.errors.append({"field": keys[1], "message": _(
            "The %(a)s and the %(b)s belong to different companies (%(x)s, %(y)s).",
            a=str(FIELD_LABELS[keys[0]]), b=str(FIELD_LABELS[keys[1]]),
            x=index.companies[distinct[0]].name, y=index.companies[distinct[1]].name)})
        return None
    if distinct:
        company = index.companies[distinct[0]]
        result.matched_by = next(iter(found))
        result.company_id = company.id
        return by_company.get(company.id) or Target(company=company)
    for key, value in ids.items():
        if not foreign[key].isdisjoint(_forms(key, value)):
            result.action = "rejected"
            result.errors.append({"field": key, "message": _(
                "This %(what)s belongs to a company of another branch.",
                what=str(FIELD_LABELS[key]))})
            return None
    for key in _file_keys(values):
        target = by_key.get(key)
        if target is not None and all(not target.said.get(k) or _same(k, target.said[k], v)
                                      for k, v in ids.items()):
            if target.company is not None:
                result.company_id = target.company.id
                result.matched_by = target.rows[0].matched_by
            return target
    company = index.exact_match(values, ids)
    if company is not None:
        result.matched_by, result.company_id = "name", company.id
        return by_company.get(company.id) or Target(company=company)
    candidates = index.likely(values, ids)
    if candidates:
        decision = decisions.get(result.row, "")
        chosen = next((c for c in candidates if str(c.company_id) == decision), None)
        if chosen is not None:
            result.matched_by, result.company_id = "confirmed", chosen.company_id
            return by_company.get(chosen.company_id) or Target(
                company=index.companies[chosen.company_id])
        if decision != "new":
            result.action = "review"
            result.candidates = [asdict(c) for c in candidates]
            return None
    return Target(company=None)


def _contradiction(result: RowResult, target: Target) -> dict[str, str] | None:
    """A value of the row that an earlier row of the file gives differently."""
    for key, value in result.values.items():
        earlier = target.said.get(key)
        if earlier is None or _same(key, earlier, value):
            continue
        return {"field": key, "message": _(
            "Row %(row)d is the same company with another %(field)s (%(value)s).",
            row=target.rows[0].row, field=str(FIELD_LABELS[key]), value=_plain(earlier))}
    return None


def _plan_changes(targets: list[Target], source: str, overwrite: set[str]) -> None:
    """Each row's changes and conflicts, and the cases that become ones to verify and close."""
    existing = [t.company.id for t in targets if t.company is not None]
    by_hand = hand_entered(existing)
    cases = _open_cases(existing) if source == Source.BPJS else {}
    for target in targets:
        company = target.company
        state: dict[str, Any] = ({key: getattr(company, key) for key in COMPANY_FIELDS}
                                 if company is not None else {})
        hand = by_hand.get(company.id, set()) if company is not None else set()
        for position, row in enumerate(target.rows):
            if company is None and position == 0:
                row.action = "created"
                row.changes = [{"field": k, "before": None, "after": _plain(v)}
                               for k, v in row.values.items() if k in COMPANY_FIELDS]
                state.update({k: v for k, v in row.values.items() if k in COMPANY_FIELDS})
                continue
            for key, value in row.values.items():
                if key not in COMPANY_FIELDS:
                    continue
                current = state.get(key)
                if _same(key, current, value):
                    continue
                if (not _empty(current) and key in hand
                        and f"{row.row}:{key}" not in overwrite):
                    row.conflicts.append({"field": key, "current": current, "incoming": value})
                    continue
                row.changes.append({"field": key, "before": current, "after": value})
                state[key] = value
            row.action = "updated" if row.changes else "unchanged"
        target.state = state
        if company is not None and company.id in cases:
            case = cases[company.id]
            before = {key: getattr(company, key) for key in COMPANY_FIELDS}
            if (set(case.categories) <= SETTLED_BY_MEMBERSHIP and not _compliant(before)
                    and _compliant(state)):
                target.verify_case = case
                target.rows[-1].verify_close = True


def last_import_of(branch_id: int, sha256: str) -> CompanyImport | None:
    """The latest completed import of the same file into the branch."""
    return db.session.scalars(
        select(CompanyImport).where(CompanyImport.branch_id == branch_id,
                                    CompanyImport.sha256 == sha256,
                                    CompanyImport.status == ImportStatus.DONE)
        .order_by(CompanyImport.id.desc())).first()


# --- applying -----------------------------------------------------------------------------------


def _require_importer(actor: User | None, branch_id: int) -> None:
    if actor is not None:
        require(actor, Permission.WORK, branch_id)


def apply_plan(actor: User | None, company_import: CompanyImport, plan: Plan, today: date, *,
               valid_rows_only: bool = False) -> dict[str, int]:
    """Carry out the plan in the session: all of it, or nothing when a row is rejected.

    With `valid_rows_only` the rejected rows are left out and the rest is imported.
    """
    branch_id = company_import.branch_id
    _require_importer(actor, branch_id)
    counts = plan.counts()
    if counts["rejected"] and not valid_rows_only:
        raise ServiceError(ngettext(
            "%(num)d row is rejected, so nothing was imported. Correct it in the file and "
            "import it again, or choose to import the valid rows.",
            "%(num)d rows are rejected, so nothing was imported. Correct them in the file and "
            "import it again, or choose to import the valid rows.", counts["rejected"]),
            "valid_rows_only")
    source = company_import.source
    created: list[tuple[Target, Company]] = []
    for target in plan.targets:
        if target.company is None:
            values = {k: v for k, v in target.state.items() if k in COMPANY_FIELDS}
            company = Company(branch_id=branch_id, source=source,
                              name_key=name_key(values["name"]), **values)
            db.session.add(company)
            created.append((target, company))
        else:
            for row in target.rows:
                for change in row.changes:
                    setattr(target.company, change["field"], change["after"])
                    if change["field"] == "name":
                        target.company.name_key = name_key(change["after"])
    db.session.flush()
    for target, company in created:
        target.company = company
        record(actor, "import.create", "company", company.id,
               {**{k: v for k, v in target.state.items() if not _empty(v)},
                "source": source, "import": company_import.id}, branch_id=branch_id)
    for target in plan.targets:
        for row in target.rows:
            row.company_id = target.company.id
        changes = {c["field"]: [c["before"], c["after"]]
                   for row in target.rows if row.action == "updated" for c in row.changes}
        if changes and not any(target is t for t, _c in created):
            record(actor, "import.update", "company", target.company.id,
                   {**changes, "source": source, "import": company_import.id},
                   branch_id=branch_id)
    _record_sources(plan.targets, source, company_import)
    suggestions = _suggest_closing(plan.targets, company_import)
    counts["verify_close"] = suggestions
    company_import.status = ImportStatus.DONE
    company_import.counts = counts
    company_import.report = plan.report()
    company_import.report["counts"] = counts
    company_import.valid_rows_only = bool(valid_rows_only and counts["rejected"])
    company_import.rows_done = company_import.rows_total
    company_import.finished_at = utcnow()
    db.session.flush()
    record(actor, "import.run", "import", company_import.id,
           {**counts, "file": company_import.filename, "sha256": company_import.sha256,
            "source": source}, branch_id=branch_id)
    return counts


def _record_sources(targets: list[Target], source: str, company_import: CompanyImport) -> None:
    """Keep what the source said about each company, where it said something new."""
    ids = [t.company.id for t in targets]
    known: dict[tuple[int, str], tuple[int, str]] = {
        (company_id, key): (row_id, value) for row_id, company_id, key, value in
        db.session.execute(
            select(CompanySourceValue.id, CompanySourceValue.company_id,
                   CompanySourceValue.field, CompanySourceValue.value)
            .where(among(CompanySourceValue.company_id, ids),
                   CompanySourceValue.source == source))}
    now = utcnow()
    new, changed = [], []
    for target in targets:
        for key, value in target.said.items():
            text = _as_text(value)
            row = known.get((target.company.id, key))
            if row is None:
                new.append({"company_id": target.company.id, "field": key, "value": text,
                            "source": source, "import_id": company_import.id,
                            "recorded_at": now})
            elif row[1] != text:
                changed.append({"row_id": row[0], "value": text})
    # thousands of rows per list: plain INSERT/UPDATE statements, not one object each
    for start in range(0, len(new), 2000):
        db.session.execute(insert(CompanySourceValue), new[start:start + 2000])
    table = CompanySourceValue.__table__
    for start in range(0, len(changed), 2000):
        db.session.execute(
            update(table).where(table.c.id == bindparam("row_id"))
            .values(value=bindparam("value"), import_id=company_import.id, recorded_at=now),
            changed[start:start + 2000])


def _suggest_closing(targets: list[Target], company_import: CompanyImport) -> int:
    """Put the cases the agency's list shows compliant on the officers' verify-and-close list."""
    cases = [t for t in targets if t.verify_case is not None]
    if not cases:
        return 0
    already = set(db.session.scalars(select(CloseSuggestion.case_id).where(
        CloseSuggestion.case_id.in_([t.verify_case.id for t in cases]),
        CloseSuggestion.status == SuggestionStatus.OPEN)))
    added = 0
    for target in cases:
        if target.verify_case.id in already:
            continue
        registered_on = target.said.get("registered_on")
        db.session.add(CloseSuggestion(
            branch_id=company_import.branch_id, case_id=target.verify_case.id,
            company_import=company_import, npp=target.state.get("npp") or "",
            workers_registered=target.state.get("workers_registered") or 0,
            programs=target.state.get("programs") or "",
            registered_on=registered_on if isinstance(registered_on, date) else None))
        added += 1
    return added


# --- the web steps: upload, map, preview, confirm -----------------------------------------------


def safe_filename(filename: str) -> str:
    """The file's own name, without any folder."""
    return PurePath((filename or "").replace("\\", "/")).name[:255] or "import.csv"


def new_import(actor: User | None, branch: Branch, *, filename: str, data: bytes, source: str,
               max_bytes: int, via: str = "web", actor_name: str = "",
               sheet: Sheet | None = None) -> tuple[CompanyImport, Sheet]:
    """Check the file and keep it with a new import; nothing is written when it is unusable."""
    _require_importer(actor, branch.id)
    if source not in SOURCES:
        raise ServiceError(_("Choose where the list comes from."), "source")
    sheet = sheet or read_sheet(data, max_bytes)
    company_import = CompanyImport(
        branch_id=branch.id, user_id=actor.id if actor is not None else None,
        actor_name=(actor.name if actor is not None else actor_name)[:120], via=via,
        source=source, filename=safe_filename(filename),
        sha256=hashlib.sha256(data).hexdigest(), size=len(data), data=data,
        mapping=auto_mapping(sheet.headers, source), status=ImportStatus.UPLOADED,
        rows_total=len(sheet.rows), counts={}, report={})
    db.session.add(company_import)
    db.session.flush()
    record(actor, "import.upload", "import", company_import.id,
           {"file": company_import.filename, "sha256": company_import.sha256,
            "source": source}, branch_id=branch.id)
    return company_import, sheet


def sheet_of(company_import: CompanyImport) -> Sheet:
    """The stored file of an import, read again."""
    return read_sheet(company_import.data, len(company_import.data) + 1)


def set_mapping(actor: User, company_import: CompanyImport, mapping: list[str]) -> None:
    """Keep the columns' fields as the person chose them."""
    _require_importer(actor, company_import.branch_id)
    _require_status(company_import, ImportStatus.UPLOADED, ImportStatus.PREVIEWED)
    company_import.mapping = check_mapping(sheet_of(company_import).headers, mapping)
    company_import.status = ImportStatus.UPLOADED


def preview(actor: User, company_import: CompanyImport, today: date,
            progress: Progress | None = None) -> Plan:
    """Run the import dry and keep its report with the import."""
    _require_importer(actor, company_import.branch_id)
    _require_status(company_import, ImportStatus.UPLOADED, ImportStatus.PREVIEWED)
    plan = plan_import(actor, company_import.branch_id, sheet_of(company_import),
                       company_import.mapping, company_import.source, today, progress=progress)
    company_import.report = plan.report()
    company_import.counts = plan.counts()
    company_import.status = ImportStatus.PREVIEWED
    return plan


def confirm(actor: User, company_import: CompanyImport, today: date, *,
            decisions: dict[int, str], overwrite: Iterable[str], valid_rows_only: bool,
            progress: Progress | None = None) -> dict[str, int]:
    """The real run of a previewed import, with the person's answers to the review rows."""
    _require_importer(actor, company_import.branch_id)
    _require_status(company_import, ImportStatus.PREVIEWED, ImportStatus.RUNNING)
    plan = plan_import(actor, company_import.branch_id, sheet_of(company_import),
                       company_import.mapping, company_import.source, today,
                       decisions=decisions, overwrite=overwrite, progress=progress)
    return apply_plan(actor, company_import, plan, today, valid_rows_only=valid_rows_only)


def discard(actor: User, company_import: CompanyImport) -> None:
    """Give up an import before its real run; the stored file is dropped."""
    _require_importer(actor, company_import.branch_id)
    _require_status(company_import, ImportStatus.UPLOADED, ImportStatus.PREVIEWED)
    company_import.status = ImportStatus.DISCARDED
    company_import.data = b""
    company_import.report = {}
    record(actor, "import.discard", "import", company_import.id,
           {"file": company_import.filename}, branch_id=company_import.branch_id)


def _require_status(company_import: CompanyImport, *allowed: str) -> None:
    if company_import.status not in allowed:
        if company_import.status == ImportStatus.DONE:
            raise ServiceError(_("This file has already been imported."))
        raise ServiceError(_("This import can no longer be changed."))


def _side_channel() -> bool:
    """Whether progress can be written on a connection of its own (not in-memory SQLite)."""
    url = db.engine.url
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


def claim(company_import: CompanyImport, now: datetime) -> bool:
    """Mark the import running, committed at once, unless another request is running it.

    Written on a connection of its own so that a second click on "Import" sees it while the
    first run's transaction is still open; the run itself commits all or nothing.
    """
    table = CompanyImport.__table__
    stale = now - STALE_RUN
    stmt = (update(table).where(
        table.c.id == company_import.id,
        (table.c.status == ImportStatus.PREVIEWED)
        | ((table.c.status == ImportStatus.RUNNING) & (table.c.started_at < stale)))
        .values(status=ImportStatus.RUNNING, started_at=now, rows_done=0))
    if not _side_channel():
        claimed = db.session.execute(stmt).rowcount == 1
    else:
        with db.engine.begin() as connection:
            claimed = connection.execute(stmt).rowcount == 1
    db.session.refresh(company_import)
    return claimed


def release(import_id: int) -> None:
    """Put a run that did not finish back to previewed (on its own connection)."""
    table = CompanyImport.__table__
    stmt = (update(table).where(table.c.id == import_id,
                                table.c.status == ImportStatus.RUNNING)
            .values(status=ImportStatus.PREVIEWED, rows_done=0))
    if not _side_channel():
        db.session.execute(stmt)
        return
    with db.engine.begin() as connection:
        connection.execute(stmt)


def progress_recorder(import_id: int) -> Progress | None:
    """A callback that keeps a run's progress on the import row, on a connection of its own.

    Only called while the run is reading (before its first write), so that it never waits for
    the run's own transaction.
    """
    if not _side_channel():
        return None
    table = CompanyImport.__table__

    def write(done: int, total: int) -> None:
        with db.engine.begin() as connection:
            connection.execute(update(table).where(table.c.id == import_id)
                               .values(rows_done=done, rows_total=total))

    return write


# --- reading the results ------------------------------------------------------------------------


def history(actor: User, limit: int = 50) -> list[CompanyImport]:
    """The imports of the branches the user reads, newest first."""
    stmt = (scoped(CompanyImport, actor).order_by(CompanyImport.created_at.desc(),
                                                  CompanyImport.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))


def sources_of(company: Company) -> dict[str, dict[str, CompanySourceValue]]:
    """What each source said about the company: {field: {source: value}}."""
    result: dict[str, dict[str, CompanySourceValue]] = {}
    for row in db.session.scalars(select(CompanySourceValue)
                                  .where(CompanySourceValue.company_id == company.id)
                                  .order_by(CompanySourceValue.field)):
        result.setdefault(row.field, {})[row.source] = row
    return result


def _open_suggestions_query(user: User):
    stmt = (scoped(CloseSuggestion, user).join(Case, Case.id == CloseSuggestion.case_id)
            .join(Company, Company.id == Case.company_id)
            .where(CloseSuggestion.status == SuggestionStatus.OPEN,
                   Case.status != CaseStatus.CLOSED))
    if user.role == Role.OFFICER:
        stmt = stmt.where((Company.officer_id == user.id) | Company.officer_id.is_(None))
    return stmt


def open_suggestions(user: User) -> list[CloseSuggestion]:
    """Cases to verify and close: an officer's own and unassigned ones, a supervisor's branch."""
    if user.role not in Role.BRANCH_ROLES:
        return []
    return list(db.session.scalars(_open_suggestions_query(user)
                                   .order_by(Company.name, CloseSuggestion.id)))


def open_suggestion_count(user: User) -> int:
    """How many cases to verify and close `open_suggestions` lists (for the task badge)."""
    if user.role not in Role.BRANCH_ROLES:
        return 0
    return db.session.scalar(_open_suggestions_query(user)
                             .with_only_columns(func.count(CloseSuggestion.id))) or 0


def dismiss_suggestion(actor: User, suggestion: CloseSuggestion, now: datetime) -> None:
    """Take a case off the verify-and-close list (the check found it not yet compliant)."""
    require(actor, Permission.WORK, suggestion.branch_id)
    if suggestion.status != SuggestionStatus.OPEN:
        raise ServiceError(_("This case is no longer on the list."))
    suggestion.status = SuggestionStatus.DISMISSED
    suggestion.dismissed_by_id = actor.id
    suggestion.dismissed_at = now
    record(actor, "case.verify_dismiss", "case", suggestion.case_id,
           {"suggestion": suggestion.id}, branch_id=suggestion.branch_id)
