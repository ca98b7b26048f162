"""How dates, money and codes are shown: the Indonesian way first."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_format_date
from babel.numbers import format_decimal as _babel_format_decimal
from flask import Flask, current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from outreach.core import clock
from outreach.core.labels import (
    HIDDEN_CHANGES,
    ID_CHANGES,
    LIST_CHANGES,
    MONEY_CHANGES,
    change_group,
    field_label,
    label,
)


def _locale() -> str:
    return str(get_locale() or "id")


# Babel reads its locale data and pattern anew on every call; a page shows the same days and
# small numbers many times over (a timeline of a hundred steps), so each is formatted once per
# locale and pattern: the text depends on nothing else.
@lru_cache(maxsize=4096, typed=True)
def babel_format_date(value: date, pattern: str, locale: str) -> str:
    return _babel_format_date(value, pattern, locale=locale)


@lru_cache(maxsize=4096, typed=True)
def _format_int(value: int, locale: str) -> str:
    return _babel_format_decimal(value, locale=locale)


def format_decimal(value: Any, locale: str) -> str:
    """A number with the locale's grouping (whole numbers from the cache)."""
    if type(value) is int:
        return _format_int(value, locale)
    return _babel_format_decimal(value, locale=locale)


def long_date(value: date | datetime | None) -> str:
    """A date as "17 Januari 2022"; a moment (a record's time) by its day in the app's time
    zone, so a step logged at 01.40 WIB and the audit entry written with it show one day."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = _local(value).date()
    return babel_format_date(value, "d MMMM y", locale=_locale())


#: the Indonesian abbreviation of a time zone
ZONE_WORDS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
              "Asia/Jayapura": "WIT"}


def _local(value: datetime) -> datetime:
    """A moment in the app's time zone; a naive value is taken as UTC, as stored."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(current_app.config["OUTREACH_TIMEZONE"]))


def local_datetime(value: datetime | None, with_date: bool = True) -> str:
    """A moment in the app's time zone (OUTREACH_TIMEZONE), as "3 Maret 2026 09.00.05 WIB"
    (only "09.00.05 WIB" without the date). A naive value is taken as UTC, as stored."""
    if value is None:
        return "–"
    zone_name = current_app.config["OUTREACH_TIMEZONE"]
    local = _local(value)
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
    """A date in little room, as "Sen, 17 Jan" (a task card on a phone); a day of another
    year than today's keeps its year ("Sen, 15 Des 2025"), so an old task never reads as
    a coming one."""
    if value is None:
        return "–"
    pattern = "EEE, d MMM" if value.year == clock.today().year else "EEE, d MMM y"
    return babel_format_date(value, pattern, locale=_locale())


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


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def change_value(value: Any, key: str, action: str = "") -> str:
    """One value of an audit event's changes as a user reads it: "–" for nothing, a day as a
    long date, a code by its label, an amount in Rupiah, an id as "#12", a list joined."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, list | tuple):
        return ", ".join(change_value(item, key, action) for item in value) or "–"
    if isinstance(value, dict):
        return ", ".join(f"{field_label(k)} {change_value(v, k, action)}"
                         for k, v in value.items())
    if isinstance(value, str):
        if _ISO_DAY.fullmatch(value):
            return long_date(date.fromisoformat(value))
        if _ISO_MOMENT.match(value):
            try:
                return local_datetime(datetime.fromisoformat(value))
            except ValueError:
                return value
        group = change_group(key, action)
        return label(value, group) if group else value
    if isinstance(value, int | float):
        if key in ID_CHANGES:
            return f"#{value}"
        if key in MONEY_CHANGES:
            return rupiah(value)
        return number(value)
    return str(value)


def audit_changes(event: Any) -> list[tuple[str, str]]:
    """An audit event's changes as (what, shown) pairs: a change `core.audit.diff` wrote,
    [before, after], as "before → after"; a plain list (kept under a key of
    `labels.LIST_CHANGES`) joined by commas."""
    shown = []
    for key, value in (event.changes or {}).items():
        if key in HIDDEN_CHANGES:
            continue
        if isinstance(value, list) and len(value) == 2 and key not in LIST_CHANGES:
            text = " → ".join(change_value(v, key, event.action) for v in value)
        else:
            text = change_value(value, key, event.action)
        shown.append((field_label(key), text))
    return shown


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
    app.add_template_filter(audit_changes)
    app.add_template_global(lambda: _locale(), "current_locale")
