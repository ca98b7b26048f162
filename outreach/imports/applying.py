"""Applying a plan: the real run of an import, in one transaction (`apply_plan`). Companies are
created and changed as planned, what each source said is kept per company and field
(`CompanySourceValue`, so that importing the same file again changes nothing), and the cases
the agency's list shows compliant go on the officers' verify-and-close list.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, delete, insert, select, update

from outreach.companies.models import (
    KEPT_SOURCES,
    TRACKED_FIGURES,
    Company,
    FigureChange,
    FigureSource,
)
from outreach.companies.service import figure_rows, name_key
from outreach.core.access import Permission, require
from outreach.core.audit import record
from outreach.core.db import among, utcnow
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.imports.mapping import COMPANY_FIELDS
from outreach.imports.models import (
    CloseSuggestion,
    CompanyImport,
    CompanySourceValue,
    ImportStatus,
    SuggestionStatus,
)
from outreach.imports.planning import Plan, Target, _empty, _plain
from outreach.org.models import User

#: `outreach.cases.service.open_case`
CaseOpener = Callable[[User | None, Company, list[str], date], Any]


def _require_importer(actor: User | None, branch_id: int) -> None:
    if actor is not None:
        require(actor, Permission.WORK, branch_id)


def _as_text(value: Any) -> str:
    return str(_plain(value))[:255]


def apply_plan(actor: User | None, company_import: CompanyImport, plan: Plan, today: date, *,
               valid_rows_only: bool = False,
               open_case: CaseOpener | None = None) -> dict[str, int]:
    """Carry out the plan in the session: all of it, or nothing when a row is rejected.

    With `valid_rows_only` the rejected rows are left out and the rest is imported.
    `open_case` is `outreach.cases.service.open_case`, the one way to open a case, for the
    cases a list's category column opens (given by the caller: the case service reaches back
    into imports through the tasks).
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
            company = Company(branch_id=branch_id, source=source, officer_id=target.officer_id,
                              name_key=name_key(values["name"]), **values)
            db.session.add(company)
            created.append((target, company))
        else:
            for row in target.rows:
                for change in row.changes:
                    setattr(target.company, change["field"], change["after"])
                    if change["field"] == "name":
                        target.company.name_key = name_key(change["after"])
    _forget_hand_entries([t for t in plan.targets if t.company is not None])
    db.session.flush()
    for target, company in created:
        target.company = company
        record(actor, "import.create", "company", company.id,
               {**{k: v for k, v in target.state.items() if not _empty(v)},
                **({"officer_id": target.officer_id} if target.officer_id else {}),
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
    _record_figures(plan.targets, created, company_import, today)
    suggestions = _suggest_closing(plan.targets, company_import)
    counts["verify_close"] = suggestions
    counts["cases_opened"] = _open_cases(actor, plan.targets, today, open_case)
    company_import.status = ImportStatus.DONE
    company_import.sheet = None  # the file stays for its download; the rows are not needed
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


def _record_figures(targets: list[Target], created: list[tuple[Target, Company]],
                    company_import: CompanyImport, today: date) -> None:
    """Keep the compliance figures the import set or changed in each company's history, with
    the import as their source (`companies.service.figure_rows`, one INSERT for them all)."""
    new = {id(target) for target, _company in created}
    rows: list[dict[str, Any]] = []
    for target in targets:
        company = target.company
        if id(target) in new:
            changes = {f: [None, target.state.get(f)] for f in TRACKED_FIGURES
                       if not _empty(target.state.get(f))}
        else:
            changes = {}
            for row in target.rows:
                for change in row.changes:
                    before = changes.get(change["field"], [change["before"]])[0]
                    changes[change["field"]] = [before, change["after"]]
        rows += figure_rows(company.id, company.branch_id, changes, FigureSource.IMPORT, today,
                            user_id=company_import.user_id, import_id=company_import.id)
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(FigureChange), rows[start:start + 2000])


def _forget_hand_entries(targets: list[Target]) -> None:
    """Drop the hand entries of the fields the import changes (the person chose the list's
    value, or the field was empty): from then on the list's value is not one entered by hand."""
    changed = {(t.company.id, c["field"]) for t in targets for row in t.rows for c in row.changes}
    if not changed:
        return
    entries = db.session.execute(
        select(CompanySourceValue.id, CompanySourceValue.company_id, CompanySourceValue.field)
        .where(CompanySourceValue.source.in_(KEPT_SOURCES),
               among(CompanySourceValue.company_id, sorted({c for c, _f in changed}))))
    replaced = [row_id for row_id, company_id, key in entries if (company_id, key) in changed]
    if replaced:
        db.session.execute(delete(CompanySourceValue).where(among(CompanySourceValue.id, replaced))
                           .execution_options(synchronize_session=False))


def _open_cases(actor: User | None, targets: list[Target], today: date,
                open_case: CaseOpener | None) -> int:
    """Open the cases of the categories the list names, through the one way to open a case."""
    opened = 0
    for target in targets:
        if not target.open_categories:
            continue
        if open_case is None:
            raise ServiceError(_("This import cannot open cases."))
        open_case(actor, target.company, target.open_categories, today)
        opened += 1
    return opened


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
