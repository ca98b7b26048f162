"""The registry of a branch's partner offices: the permit office (DPMPTSP), the labour office
(Disnaker) and the district prosecutor (Kejari) of each city or regency the branch covers.

Late-stage letters go to the partner of the company's own city or regency, which a branch
often covers several of (Kota Pekalongan and Kabupaten Pekalongan are two governments, with
two permit offices and two prosecutors). A city or regency is written with its prefix, "Kota"
or "Kabupaten", in the registry and in a company's city: a bare "Pekalongan" names neither.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from outreach.core.access import Permission, require
from outreach.core.audit import diff, record
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.org.models import PartnerKind, PartnerOffice, User

#: the ways a regency or a city is written before its name, and how the registry writes them
PREFIXES = {"kabupaten": "Kabupaten", "kab.": "Kabupaten", "kab": "Kabupaten",
            "kota": "Kota"}
_PREFIX_RE = re.compile(r"^\s*(kabupaten|kab\.|kab|kota)\s+(\S.*)$", re.IGNORECASE)


def canonical_area(text: str | None) -> str | None:
    """The city or regency as the registry writes it ("Kab. batang" → "Kabupaten Batang"),
    or None when the text does not say whether it is a Kota or a Kabupaten."""
    match = _PREFIX_RE.match(text or "")
    if match is None:
        return None
    name = " ".join(word[:1].upper() + word[1:] for word in match.group(2).split())
    return f"{PREFIXES[match.group(1).lower()]} {name}"


def offices(branch_id: int | None) -> list[PartnerOffice]:
    """The branch's partner offices, by area and kind."""
    return list(db.session.scalars(select(PartnerOffice).where(
        PartnerOffice.branch_id == branch_id).order_by(PartnerOffice.area, PartnerOffice.kind)))


def get_office(branch_id: int | None, office_id: int) -> PartnerOffice | None:
    """One of the branch's partner offices (None for another branch's)."""
    office = db.session.get(PartnerOffice, office_id)
    return office if office is not None and office.branch_id == branch_id else None


def office_for(branch_id: int, kind: str, city: str | None) -> PartnerOffice | None:
    """The branch's office of `kind` for the city or regency `city` names (None when the city
    has no prefix or the registry has no such office)."""
    area = canonical_area(city)
    if area is None:
        return None
    rows = db.session.scalars(select(PartnerOffice).where(
        PartnerOffice.branch_id == branch_id, PartnerOffice.kind == kind))
    return next((row for row in rows if row.area.lower() == area.lower()), None)


def save_office(actor: User, office: PartnerOffice | None, *, kind: str, area: str, name: str,
                head_title: str, head_name: str = "", address: str = "") -> PartnerOffice:
    """Add a partner office to the supervisor's branch, or change one."""
    require(actor, Permission.DECIDE, actor.branch_id)
    if kind not in PartnerKind.ALL:
        raise ServiceError(_("Unknown kind of office %(kind)s.", kind=kind), "kind")
    canonical = canonical_area(area)
    if canonical is None:
        raise ServiceError(_("Write the city or regency with its prefix, e.g. \"Kota "
                             "Pekalongan\" or \"Kabupaten Batang\": letters go to the "
                             "office of the company's own city or regency."), "area")
    if not name.strip():
        raise ServiceError(_("Please enter the office's name."), "name")
    if not head_title.strip():
        raise ServiceError(_("Please enter the title letters are addressed to."), "head_title")
    clash = office_for(actor.branch_id, kind, canonical)
    if clash is not None and (office is None or clash.id != office.id):
        raise ServiceError(_("The branch already has this kind of office for %(area)s.",
                             area=canonical), "area")
    values = {"kind": kind, "area": canonical, "name": name.strip(),
              "head_title": head_title.strip(), "head_name": head_name.strip(),
              "address": address.strip()}
    if office is None:
        office = PartnerOffice(branch_id=actor.branch_id, **values)
        db.session.add(office)
        db.session.flush()
        record(actor, "create", "partner_office", office.id, values,
               branch_id=actor.branch_id)
        return office
    changes = diff(office, values)
    if changes:
        record(actor, "update", "partner_office", office.id, changes,
               branch_id=actor.branch_id)
    return office
