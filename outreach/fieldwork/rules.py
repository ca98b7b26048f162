"""Pure answers for work in the field: whether a visit's position may be the company's location,
phone numbers as +62 numbers, and the links that open the phone's dialler, WhatsApp or maps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import phonenumbers
from flask_babel import gettext as _

#: the rungs whose position is where the company is: the officer stood at its premises
VISIT_KINDS = ("visit", "joint_visit")
#: the rung a message sent by WhatsApp is logged as: a contact at a distance, like a call
MESSAGE_RUNG = "phone_call"
#: WhatsApp, as `Step.channel` records it
WHATSAPP = "whatsapp"

#: what separates two numbers in one phone field ("0285 421234 / 0812 …", "… atau …")
_SEPARATORS = re.compile(r"\s*(?:[/,;]|\batau\b|\bor\b)\s*", re.IGNORECASE)
#: Indonesia's country code, the region phonenumbers reads national numbers in
_COUNTRY, _REGION = "62", "ID"


@dataclass(frozen=True)
class Position:
    """A position the phone reported: degrees, its accuracy radius in metres, when it was
    taken (timezone-aware)."""

    latitude: float
    longitude: float
    accuracy_m: float
    taken_at: datetime


def coordinates_problem(latitude: float | None, longitude: float | None) -> str | None:
    """Why a pair of degrees is not a place on Earth, if it is not."""
    if latitude is None or longitude is None:
        return _("The position has no latitude or longitude.")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return _("The position's latitude or longitude is out of range.")
    return None


def position_problems(position: Position, visit_day: date, timezone: str,
                      limit_m: int) -> list[str]:
    """Why the position cannot be the company's location: taken before the visit's day began
    (a position the phone kept from earlier), taken on a later day than the visit (the visit is
    logged from elsewhere), or less accurate than the branch's limit. Empty when it can."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(visit_day, time.min, zone)
    taken_on = position.taken_at.astimezone(zone).date()
    problems = []
    if position.taken_at < start:
        problems.append(_("The position is older than the visit (taken %(when)s).",
                          when=position.taken_at.astimezone(zone).strftime("%d-%m-%Y %H:%M")))
    elif taken_on > visit_day:
        problems.append(_("The position was taken on a later day than the visit."))
    if position.accuracy_m > limit_m:
        problems.append(_("The position is accurate to %(accuracy)d m only; the branch's limit "
                          "is %(limit)d m.", accuracy=round(position.accuracy_m), limit=limit_m))
    return problems


# --- phone numbers -------------------------------------------------------------------------

@dataclass(frozen=True)
class Phone:
    """One phone number: as +62 (E.164), as shown ("+62 812-3456-7890"), and whether it is a
    mobile number (WhatsApp is offered for those)."""

    e164: str
    shown: str
    mobile: bool

    @property
    def tel_url(self) -> str:
        """The `tel:` link that opens the phone's dialler."""
        return f"tel:{self.e164}"

    def whatsapp_url(self, text: str) -> str:
        """The wa.me link that opens a chat with this number and `text` typed in."""
        return f"https://wa.me/{self.e164.lstrip('+')}?{urlencode({'text': text}, quote_via=quote)}"


def _parse(part: str) -> phonenumbers.PhoneNumber | None:
    digits = re.sub(r"\D", "", part)
    candidates = [part]
    if not part.lstrip().startswith("+") and digits.startswith(_COUNTRY):
        # "62812…" written without its plus: a national number starts with 0
        candidates.insert(0, "+" + digits)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, _REGION)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
    return None


def phone_numbers(raw: str) -> list[Phone]:
    """The valid numbers of a phone field, each once, as +62 numbers: "0812…", "62812…",
    "+62 812-…" and "(0285) 42…" alike. Parts that are not a valid number are left out."""
    found: list[Phone] = []
    for part in _SEPARATORS.split(raw or ""):
        if not part.strip():
            continue
        number = _parse(part)
        if number is None:
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if any(p.e164 == e164 for p in found):
            continue
        kind = phonenumbers.number_type(number)
        found.append(Phone(
            e164, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
            kind in (phonenumbers.PhoneNumberType.MOBILE,
                     phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)))
    return found


# --- maps ----------------------------------------------------------------------------------

#: Google Maps' cross-platform URL: it opens the maps app on a phone and the site elsewhere
MAPS_SEARCH = "https://www.google.com/maps/search/?api=1&"


def maps_url(latitude: float | None, longitude: float | None, address: str) -> str | None:
    """The link that opens the company in maps: at its location, else by its address; None
    when it has neither."""
    if latitude is not None and longitude is not None:
        return MAPS_SEARCH + urlencode({"query": f"{latitude:.6f},{longitude:.6f}"})
    if address.strip():
        return MAPS_SEARCH + urlencode({"query": address.strip()})
    return None

