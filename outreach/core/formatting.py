"""How dates, money and codes are shown: the Indonesian way first."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal
from flask import Flask, current_app
from flask_babel import get_locale

from outreach.core.labels import label


def _locale() -> str:
    return str(get_locale() or "id")


def long_date(value: date | datetime | None) -> str:
    """A date as "17 Januari 2022"."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.date()
    return babel_format_date(value, "d MMMM y", locale=_locale())


#: the Indonesian abbreviation of a time zone
ZONE_WORDS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
              "Asia/Jayapura": "WIT"}


def local_datetime(value: datetime | None, with_date: bool = True) -> str:
    """A moment in the app's time zone (OUTREACH_TIMEZONE), as "3 Maret 2026 09.00.05 WIB"
    (only "09.00.05 WIB" without the date). A naive value is taken as UTC, as stored."""
    if value is None:
        return "–"
    zone_name = current_app.config["OUTREACH_TIMEZONE"]
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(ZoneInfo(zone_name))
    zone = ZONE_WORDS.get(zone_name, local.tzname() or zone_name)
    clock_time = local.strftime("%H.%M.%S")
    if not with_date:
        return f"{clock_time} {zone}"
    return f"{long_date(local.date())} {clock_time} {zone}"


def month_year(value: date | None) -> str:
    """A month as "Januari 2022" (the standalone month name)."""
    if value is None:
        return "–"
    return babel_format_date(value, "LLLL y", locale=_locale())


def weekday_date(value: date | None) -> str:
    """A date with its weekday, as "Senin, 17 Januari 2022"."""
    if value is None:
        return "–"
    return babel_format_date(value, "EEEE, d MMMM y", locale=_locale())


def short_date(value: date | None) -> str:
    """A date in little room, as "Sen, 17 Jan" (a task card on a phone)."""
    if value is None:
        return "–"
    return babel_format_date(value, "EEE, d MMM", locale=_locale())


def rupiah(amount: int | float | None) -> str:
    """Rupiah without decimals, as "Rp1.234.567"."""
    if amount is None:
        return "–"
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{format_decimal(abs(round(amount)), locale=_locale())}"


def rupiah_int(value: Any) -> int:
    """A sum of Rupiah from SQL (Decimal or float) rounded to whole Rupiah."""
    return int(Decimal(value or 0).quantize(Decimal(1), ROUND_HALF_EVEN))


def number(value: int | float | None) -> str:
    """A whole number with the locale's grouping, as "1.234"."""
    if value is None:
        return "–"
    return format_decimal(value, locale=_locale())


def format_npwp(digits: str | None) -> str:
    """NPWP digits shown as 01.234.567.8-901.000 (15 digits) or grouped by four (16)."""
    if not digits:
        return ""
    if len(digits) == 15:
        d = digits
        return f"{d[0:2]}.{d[2:5]}.{d[5:8]}.{d[8]}-{d[9:12]}.{d[12:15]}"
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(long_date)
    app.add_template_filter(weekday_date)
    app.add_template_filter(short_date)
    app.add_template_filter(month_year)
    app.add_template_filter(rupiah)
    app.add_template_filter(number)
    app.add_template_filter(format_npwp, "npwp")
    app.add_template_filter(label)
    app.add_template_filter(local_datetime)
    app.add_template_global(lambda: _locale(), "current_locale")
