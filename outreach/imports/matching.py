"""Matching a row to a company of the branch: by NIB, NPWP or NPP, otherwise by name and
address (`_BranchIndex`: an exact match is taken, a likely one is left for a person to
confirm); identifiers that belong to another branch; and the values entered by hand, which an
import does not replace unless the person chooses to (`hand_entered`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import func, select

from outreach.companies.models import KEPT_SOURCES, Company
from outreach.companies.service import name_key, npwp_variants
from outreach.core.access import scoped
from outreach.core.db import among
from outreach.extensions import db
from outreach.imports.mapping import COMPANY_FIELDS, IDENTIFIERS
from outreach.imports.models import CompanySourceValue
from outreach.org.models import User

ADDRESS_WORDS = {"jalan": "jl", "jln": "jl", "nomor": "no", "nomer": "no", "gang": "gg",
                 "kelurahan": "kel", "kecamatan": "kec", "kabupaten": "kab", "desa": "ds"}

#: a name this similar (0–100) makes a company a candidate for a person to confirm
NAME_SIMILARITY = 85
#: ... and the name and address together at least this similar
LIKELY_MATCH = 75


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


@dataclass
class Candidate:
    """A company that a row may be about."""

    company_id: int
    name: str
    address: str
    score: int


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


def alike(values: dict[str, Any], other: dict[str, Any]) -> int | None:
    """How alike (0–100) two rows' names and addresses are, scored as `_BranchIndex.likely`
    scores a stored company; None when they are not alike enough to ask a person, or when an
    identifier both give differs (then they are two companies)."""
    if any(values.get(k) and other.get(k) and not _same(k, other[k], values[k])
           for k in IDENTIFIERS):
        return None
    query, name = (_sorted_words(name_key(v.get("name", ""))) for v in (values, other))
    if not query or not name:
        return None
    name_score = fuzz.ratio(query, name)
    if name_score < NAME_SIMILARITY:
        return None
    score = name_score
    addresses = [address_key(v.get("address", "")) for v in (values, other)]
    if all(addresses):
        score = 0.75 * name_score + 0.25 * fuzz.token_set_ratio(*addresses)
    return round(score) if score >= LIKELY_MATCH else None


def known_names(branch_id: int, fields: Iterable[str]) -> dict[str, dict[str, str]]:
    """The kecamatan and sector names the branch's companies already use, by field, keyed by
    their comparison form (`name_form`), so that a list's "pekalongan  utara" is the branch's
    "Pekalongan Utara" and not a second kecamatan."""
    known: dict[str, dict[str, str]] = {}
    for field_name in fields:
        column = getattr(Company, field_name)
        names = known.setdefault(field_name, {})
        for value in db.session.scalars(
                select(column).where(Company.branch_id == branch_id, column != "")
                .group_by(column).order_by(func.count().desc(), column)):
            names.setdefault(name_form(value), value)
    return known


def name_form(value: str) -> str:
    """A place or sector name as compared: spaces collapsed, case folded."""
    return " ".join(str(value).split()).casefold()


def _foreign_identifiers(branch_id: int, rows: Iterable[Any]) -> dict[str, set[str]]:
    """Identifiers of the rows that belong to companies of other branches (no names read).

    `rows` are the planned rows (`RowResult`), of which only the cleaned `values` are read.
    """
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
    """Fields of each company whose value was entered by a person, not brought by an import.

    The company form and the closing of a case keep what a person entered with the source
    "manual" (`remember_hand_entries`); an import that replaces such a value drops it.
    """
    result: dict[int, set[str]] = {}
    entered = db.session.execute(
        select(CompanySourceValue.company_id, CompanySourceValue.field)
        .where(CompanySourceValue.source.in_(KEPT_SOURCES),
               among(CompanySourceValue.company_id, sorted(set(company_ids)))))
    for company_id, field_name in entered:
        if field_name in COMPANY_FIELDS:
            result.setdefault(company_id, set()).add(field_name)
    return result
