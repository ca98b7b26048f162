"""Cleaning the cells of a list: numbers, dates and identifiers written the Indonesian way, one
cleaner per field (`CLEANERS`), and a row's values and problems (`clean_row`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from outreach.cases.models import Category
from outreach.companies.models import BusinessSize, Program
from outreach.companies.service import digits_only, name_key, normalise_nib, normalise_npwp
from outreach.core.errors import ServiceError
from outreach.imports.mapping import IDENTIFIERS, header_key
from outreach.imports.reading import cell_text, is_blank

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


class BadValue(Exception):
    """A cell that cannot be read as its field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


#: what lists write around a head count: "±6", "+/- 6", "kurang lebih 6", "6 orang", "6 TK"
_ABOUT = re.compile(r"^(?:±|\+/-|\+-|~|≈|kurang lebih|kurleb|kl\.?|sekitar|kira-kira|kira2|"
                    r"approx\.?|about)\s*", re.IGNORECASE)
_PEOPLE = re.compile(r"\s*(?:orang|org\.?|jiwa|pekerja|karyawan|pegawai|tenaga kerja|tk|"
                     r"people|persons?|workers?|employees?)$", re.IGNORECASE)


def parse_count(raw: Any) -> int:
    """A head count as lists write it: "6", "±6", "kurang lebih 6", "6 orang", "± 6 org"."""
    if isinstance(raw, str):
        text = _PEOPLE.sub("", _ABOUT.sub("", raw.strip())).strip()
        return parse_whole(text or raw)
    return parse_whole(raw)


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


#: how lists write each kind of non-compliance, reduced to letters (upper case, no spaces,
#: dashes or dots): the codes themselves, their full names and the usual words
CATEGORY_WORDS = {
    "PWBD": Category.PWBD, "PERUSAHAANWAJIBBELUMDAFTAR": Category.PWBD,
    "WAJIBBELUMDAFTAR": Category.PWBD, "BELUMDAFTAR": Category.PWBD,
    "BELUMTERDAFTAR": Category.PWBD,
    "PDSTK": Category.PDS_TK, "PDSTENAGAKERJA": Category.PDS_TK,
    "DAFTARSEBAGIANTK": Category.PDS_TK, "DAFTARSEBAGIANTENAGAKERJA": Category.PDS_TK,
    "PDSUPAH": Category.PDS_UPAH, "DAFTARSEBAGIANUPAH": Category.PDS_UPAH,
    "PDSPROGRAM": Category.PDS_PROGRAM, "DAFTARSEBAGIANPROGRAM": Category.PDS_PROGRAM,
    "MENUNGGAK": Category.ARREARS, "TUNGGAKAN": Category.ARREARS,
    "MENUNGGAKIURAN": Category.ARREARS, "TUNGGAKANIURAN": Category.ARREARS,
    "NUNGGAK": Category.ARREARS, "ARREARS": Category.ARREARS,
}


def _clean_category(raw: Any, today: date) -> str:
    """The kinds of non-compliance a cell names ("PWBD", "PDS TK, Menunggak", "pds-upah dan
    tunggakan"), as the case's codes in their usual order, joined by commas."""
    parts = re.split(r"\s*(?:[,;/+&]|\bdan\b|\band\b)\s*", cell_text(raw), flags=re.IGNORECASE)
    found: set[str] = set()
    unknown: list[str] = []
    for part in filter(None, (p.strip() for p in parts)):
        code = CATEGORY_WORDS.get(re.sub(r"[^0-9A-Z]", "", part.upper()))
        if code is None:
            unknown.append(part)
        else:
            found.add(code)
    if unknown:
        raise BadValue(_("Unknown non-compliance %(value)s (PWBD, PDS-TK, PDS-Upah, PDS-Program, "
                         "Menunggak).", value=", ".join(unknown)))
    return ",".join(code for code in Category.ALL if code in found)


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
    "workers_estimated": lambda raw, today: parse_count(raw),
    "workers_registered": lambda raw, today: parse_count(raw),
    "average_wage": _clean_wage,
    "programs": _clean_programs,
    "obliged_on": _date_cleaner,
    "reported_wage": _clean_wage,
    "registered_on": _date_cleaner,
    "licensed_on": _date_cleaner,
    "category": _clean_category,
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
