"""Planning an import: what each row of a list would do (`plan_import`, which only reads: it is
the dry run). Rows are cleaned and matched to their companies; rows of the file about the same
company are taken together; each row's changes, and the values entered by hand that the list
contradicts (conflicts), are worked out; and the agency's list of registered employers marks
the cases it shows compliant as ones to verify and close.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from outreach.cases.models import Case, CaseStatus, Category
from outreach.companies.models import BusinessSize, Company, Source
from outreach.companies.rules import MANDATORY
from outreach.companies.service import name_key
from outreach.core.db import among
from outreach.extensions import db
from outreach.imports.assignment import officers_by_kecamatan
from outreach.imports.cleaning import clean_row, is_empty_row
from outreach.imports.mapping import CASE_FIELDS, COMPANY_FIELDS, FIELD_LABELS, IDENTIFIERS
from outreach.imports.matching import (
    _BranchIndex,
    _foreign_identifiers,
    _forms,
    _same,
    address_key,
    alike,
    hand_entered,
    known_names,
    name_form,
)
from outreach.imports.models import CompanyImport, ImportStatus
from outreach.imports.reading import Sheet, cell_text
from outreach.org.models import User

#: categories that registration figures can show settled (wages and arrears they cannot)
SETTLED_BY_MEMBERSHIP = {Category.PWBD, Category.PDS_TK, Category.PDS_PROGRAM}
#: how often a run reports progress, in rows
PROGRESS_EVERY = 250
#: fields whose names a list must write as the branch already does (whatever case and spaces)
NAMED_FIELDS = ("kecamatan", "sector")

Progress = Callable[[int, int], None]


def _empty(current: Any) -> bool:
    return current in (None, "", 0)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


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
    #: the officer a new company gets by the branch's rule for its kecamatan
    officer: str = ""
    #: the categories of the case the row opens ("PWBD,Menunggak"); `case_exists` when the
    #: company has a case that is not closed, which the list's category leaves as it is
    opens_case: str = ""
    case_exists: bool = False
    values: dict[str, Any] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The row's result for the stored report (JSON)."""
        return {"row": self.row, "action": self.action, "name": self.name,
                "company_id": self.company_id, "matched_by": self.matched_by,
                "same_as": self.same_as, "errors": self.errors, "changes": self.changes,
                "conflicts": self.conflicts, "candidates": self.candidates,
                "verify_close": self.verify_close, "officer": self.officer,
                "opens_case": self.opens_case, "case_exists": self.case_exists}


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
    #: a new company's officer by the branch's assignment rules
    officer_id: int | None = None
    #: the categories of the case to open for the company
    open_categories: list[str] = field(default_factory=list)


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
        counts["cases_opened"] = sum(1 for t in self.targets if t.open_categories
                                     and t.rows and t.rows[0].action != "rejected")
        return counts

    def errors(self) -> list[dict[str, Any]]:
        """Every reason a row was rejected, as {"row", "field", "message"}."""
        return [{"row": r.row, **e} for r in self.rows for e in r.errors]

    def report(self) -> dict[str, Any]:
        """The plan as stored with the import."""
        return {"counts": self.counts(), "rows": [r.as_dict() for r in self.rows]}


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
    _use_known_names(branch_id, results)

    index = _BranchIndex(actor, branch_id)
    valid = [r for r in results if r.action != "rejected"]
    foreign = _foreign_identifiers(branch_id, valid)
    targets: list[Target] = []
    by_company: dict[int, Target] = {}
    by_key: dict[tuple, Target] = {}
    for done, result in enumerate(valid, len(sheet.rows) + 1):
        if done % PROGRESS_EVERY == 0:
            report(done, total)
        target = _match(result, index, foreign, by_company, by_key, decisions, targets)
        if target is None:
            continue
        if target.rows:
            # a row a person said is an earlier row's company differs in name or address
            # (that is why it was asked): the earlier row's spelling stands
            contradiction = _contradiction(result, target, loose=(
                ("name", "address") if result.matched_by == "confirmed" else ()))
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
    _plan_new_work(branch_id, targets)
    previous = last_import_of(branch_id, sheet.sha256) if sheet.sha256 else None
    return Plan(source=source, rows=results, targets=targets, previous=previous)


def _use_known_names(branch_id: int, results: list[RowResult]) -> None:
    """Kecamatan and sector names written as the branch writes them; a name the branch does not
    know yet is written as the file first writes it (spaces collapsed)."""
    known = known_names(branch_id, NAMED_FIELDS)
    for result in results:
        for field_name in NAMED_FIELDS:
            value = result.values.get(field_name)
            if value:
                result.values[field_name] = known[field_name].setdefault(
                    name_form(value), " ".join(value.split()))


def _file_keys(values: dict[str, Any]) -> list[tuple]:
    keys: list[tuple] = [(key, min(_forms(key, values[key])))
                         for key in IDENTIFIERS if values.get(key)]
    keys.append(("name", name_key(values.get("name", "")),
                 address_key(values.get("address", ""))))
    return keys


def _match(result: RowResult, index: _BranchIndex, foreign: dict[str, set[str]],
           by_company: dict[int, Target], by_key: dict[tuple, Target],
           decisions: dict[int, str], targets: list[Target]) -> Target | None:
    """The target the row is about; None when the row is rejected or left for review.

    A row that looks like a stored company, or like an earlier row of the same file that
    makes a new company, is left for a person to confirm (decision: the company's id,
    "row-N" for the earlier row, or "new")."""
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
    earlier = _alike_rows(values, targets)
    if candidates or earlier:
        decision = decisions.get(result.row, "")
        chosen = next((c for c in candidates if str(c.company_id) == decision), None)
        if chosen is not None:
            result.matched_by, result.company_id = "confirmed", chosen.company_id
            return by_company.get(chosen.company_id) or Target(
                company=index.companies[chosen.company_id])
        same_row = next((t for t, _score in earlier if decision == f"row-{t.rows[0].row}"),
                        None)
        if same_row is not None:
            result.matched_by = "confirmed"
            return same_row
        if decision != "new":
            result.action = "review"
            result.candidates = [asdict(c) for c in candidates] + [
                {"company_id": None, "row": t.rows[0].row, "name": t.said.get("name", ""),
                 "address": t.said.get("address", ""), "score": score}
                for t, score in earlier]
            return None
    return Target(company=None)


#: earlier rows of the file a row is compared with, most alike first
ALIKE_ROWS = 3


def _alike_rows(values: dict[str, Any], targets: list[Target]) -> list[tuple[Target, int]]:
    """The new companies of earlier rows of the file that the row looks like."""
    found = [(t, score) for t in targets if t.company is None and t.rows
             and (score := alike(values, t.said)) is not None]
    found.sort(key=lambda pair: (-pair[1], pair[0].rows[0].row))
    return found[:ALIKE_ROWS]


def _contradiction(result: RowResult, target: Target,
                   loose: tuple[str, ...] = ()) -> dict[str, str] | None:
    """A value of the row that an earlier row of the file gives differently (fields in `loose`
    aside)."""
    for key, value in result.values.items():
        earlier = target.said.get(key)
        if earlier is None or key in loose or key in CASE_FIELDS or _same(key, earlier, value):
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


def _plan_new_work(branch_id: int, targets: list[Target]) -> None:
    """The officer each new company gets by the branch's rule for its kecamatan (none without a
    rule), and the case a list's category opens for a new company or one without a case that
    is not closed (`cases.service.open_case` opens it when the import is applied)."""
    rules = officers_by_kecamatan(branch_id)
    existing = [t.company.id for t in targets if t.company is not None]
    open_cases = _open_cases(existing) if existing else {}
    for target in targets:
        if target.company is None:
            officer = rules.get(name_form(target.state.get("kecamatan") or ""))
            if officer is not None:
                target.officer_id = officer.id
                target.rows[0].officer = officer.name
        said = {code for row in target.rows
                for code in (row.values.get("category") or "").split(",") if code}
        if not said:
            continue
        if target.company is not None and target.company.id in open_cases:
            target.rows[0].case_exists = True
            continue
        target.open_categories = [code for code in Category.ALL if code in said]
        target.rows[0].opens_case = ",".join(target.open_categories)


def last_import_of(branch_id: int, sha256: str) -> CompanyImport | None:
    """The latest completed import of the same file into the branch."""
    return db.session.scalars(
        select(CompanyImport).where(CompanyImport.branch_id == branch_id,
                                    CompanyImport.sha256 == sha256,
                                    CompanyImport.status == ImportStatus.DONE)
        .order_by(CompanyImport.id.desc())).first()
