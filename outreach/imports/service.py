"""Importing company lists from the agency (bpjs), the city (pemkot) and the labour office: the
steps the web pages and the command line take.

The lists overlap and disagree, and they come as Indonesian spreadsheets. An import is read
(`reading`), its columns are mapped to company fields (`mapping`, confirmed by a person in the
web pages), every row is cleaned (`cleaning`) and matched to a company of the branch
(`matching`), the plan of what each row does is made without writing (`planning`: the dry run)
and applied in one transaction (`applying`). This module holds the workflow around them: a new
import keeps its file (`new_import`), which is read into rows once (`read_upload`: on the web
by the import's check job, as the dry run is), the person confirms the columns
(`set_mapping`), sees the dry run (`preview`) and confirms it (`confirm`) or gives up
(`discard`); a run is claimed so
that it runs once (`claim`, `release`) and reports its progress (`progress_recorder`); and the
results are read back (`history`, `sources_of`, the cases to verify and close).

Values are never blanked by an empty cell. A value a person entered by hand (kept with the
source "manual" by the company form and by the closing of a case) is not replaced unless the
person chooses to: it is reported as a conflict.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from pathlib import PurePath
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ScalarSelect, func, literal, select, update

from outreach.cases import service as cases
from outreach.cases.models import Case, CaseStatus
from outreach.companies.models import Company, Source
from outreach.core.access import Permission, require, scoped
from outreach.core.audit import record
from outreach.core.db import progress_writer
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.imports.applying import _require_importer, apply_plan
from outreach.imports.mapping import (
    FIELD_LABELS,
    IDENTIFIERS,
    SOURCES,
    auto_mapping,
    check_mapping,
    is_header_row,
)
from outreach.imports.matching import _BranchIndex, _forms
from outreach.imports.models import (
    CloseSuggestion,
    CompanyImport,
    CompanySourceValue,
    ImportStatus,
    SuggestionStatus,
)
from outreach.imports.planning import Plan, Progress, RowResult, plan_import
from outreach.imports.reading import FileProblem, Sheet, cell_text, check_file, read_sheet
from outreach.org.models import Branch, Role, User

#: a run that has not finished after this long is taken to have died
STALE_RUN = timedelta(minutes=30)


def safe_filename(filename: str) -> str:
    """The file's own name, without any folder."""
    return PurePath((filename or "").replace("\\", "/")).name[:255] or "import.csv"


def new_import(actor: User | None, branch: Branch, *, filename: str, data: bytes, source: str,
               max_bytes: int, via: str = "web", actor_name: str = "",
               sheet: Sheet | None = None) -> CompanyImport:
    """Keep the file with a new import, with its rows when they were read already (`sheet`);
    else they are read later (`read_upload`). The quick checks of the file (size, kind, a
    workbook's unzipped size) come first: nothing is written when they refuse it."""
    _require_importer(actor, branch.id)
    if source not in SOURCES:
        raise ServiceError(_("Choose where the list comes from."), "source")
    if sheet is None:
        check_file(data, max_bytes)
    company_import = CompanyImport(
        branch_id=branch.id, user_id=actor.id if actor is not None else None,
        actor_name=(actor.name if actor is not None else actor_name)[:120], via=via,
        source=source, filename=safe_filename(filename),
        sha256=hashlib.sha256(data).hexdigest(), size=len(data), data=data, mapping=[],
        status=ImportStatus.UPLOADED, counts={}, report={})
    if sheet is not None:
        _keep_sheet(company_import, sheet)
    db.session.add(company_import)
    db.session.flush()
    record(actor, "import.upload", "import", company_import.id,
           {"file": company_import.filename, "sha256": company_import.sha256,
            "source": source}, branch_id=branch.id)
    return company_import


def _keep_sheet(company_import: CompanyImport, sheet: Sheet) -> None:
    company_import.sheet = sheet.as_json()
    company_import.outline = _outline(sheet)
    company_import.mapping = auto_mapping(sheet.headers, company_import.source)
    company_import.rows_total = len(sheet.rows)


def is_read(company_import: CompanyImport) -> bool:
    """Whether the import's rows were read from its file (the mapping page needs them)."""
    return company_import.outline is not None


def read_upload(company_import: CompanyImport) -> None:
    """Read the stored file into the import's rows, its outline and the columns' fields as
    their headers suggest, once: a `FileProblem` when the file cannot be used."""
    if is_read(company_import):
        return
    data = company_import.data
    _keep_sheet(company_import, read_sheet(data, len(data) + 1, is_header_row))


def refuse_file(actor: User, company_import: CompanyImport, problem: FileProblem) -> None:
    """A file found unusable as it was read: the import is given up and the file dropped, the
    reason kept in the audit trail (the person reads it on the check's page)."""
    company_import.status = ImportStatus.DISCARDED
    company_import.data = b""
    company_import.sheet = None
    record(actor, "import.refused", "import", company_import.id,
           {"file": company_import.filename, "reason": problem.message},
           branch_id=company_import.branch_id)


def _outline(sheet: Sheet) -> dict[str, Any]:
    return {"header_row": sheet.header_row, "rows": len(sheet.rows),
            "columns": [{"header": header, "samples": sheet.samples(column)}
                        for column, header in enumerate(sheet.headers)]}


def sheet_of(company_import: CompanyImport) -> Sheet:
    """The rows of an import as read at its upload (an import from before they were kept is
    read from its file)."""
    if company_import.sheet:
        return Sheet.from_json(company_import.sheet)
    return read_sheet(company_import.data, len(company_import.data) + 1, is_header_row)


def outline_of(company_import: CompanyImport) -> dict[str, Any]:
    """The header's row, the number of rows, and each column's header and first values: what
    the mapping page shows, without loading the rows."""
    return company_import.outline or _outline(sheet_of(company_import))


#: a cell a spreadsheet would run as a formula starts with one of these
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> str:
    text = cell_text(value)
    return "'" + text if text.startswith(_FORMULA) and not _is_number(text) else text


def _is_number(text: str) -> bool:
    return text[:1] in "+-" and text[1:].replace(".", "").replace(",", "").isdigit()


def rejected_rows_csv(company_import: CompanyImport) -> bytes | None:
    """The rejected rows of an import's report as a CSV to fix and upload again: the file's
    header and those rows' cells as they were, and the reasons in a last column (`;`, UTF-8
    with a BOM, as Indonesian spreadsheet programs open it). None when no row was rejected or
    the file is no longer kept."""
    rejected = {row["row"]: row for row in (company_import.report or {}).get("rows", [])
                if row["action"] == "rejected"}
    if not rejected or company_import.status == ImportStatus.DISCARDED:
        return None
    sheet = sheet_of(company_import)
    width = max([len(sheet.headers)] + [len(cells) for n, cells in sheet.rows if n in rejected])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([*(_csv_cell(h) for h in sheet.headers), *[""] * (width - len(sheet.headers)),
                     _("Reason rejected")])
    for number, cells in sheet.rows:
        row = rejected.get(number)
        if row is None:
            continue
        reasons = "; ".join(
            f"{FIELD_LABELS[e['field']]}: {e['message']}" if e.get("field") in FIELD_LABELS
            else e["message"] for e in row["errors"])
        writer.writerow([*(_csv_cell(c) for c in cells), *[""] * (width - len(cells)),
                         _csv_cell(reasons)])
    return buffer.getvalue().encode("utf-8-sig")


def set_mapping(actor: User, company_import: CompanyImport, mapping: list[str]) -> None:
    """Keep the columns' fields as the person chose them."""
    _require_importer(actor, company_import.branch_id)
    _require_status(company_import, ImportStatus.UPLOADED, ImportStatus.PREVIEWED)
    headers = [c["header"] for c in outline_of(company_import)["columns"]]
    company_import.mapping = check_mapping(headers, mapping)
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
    return apply_plan(actor, company_import, plan, today, valid_rows_only=valid_rows_only,
                      open_case=cases.open_case)


def discard(actor: User, company_import: CompanyImport) -> None:
    """Give up an import before its real run; the stored file is dropped."""
    _require_importer(actor, company_import.branch_id)
    _require_status(company_import, ImportStatus.UPLOADED, ImportStatus.PREVIEWED)
    company_import.status = ImportStatus.DISCARDED
    company_import.data = b""
    company_import.sheet = None
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
    return progress_writer(CompanyImport, import_id, "rows_done", "rows_total")


def history(actor: User, limit: int = 50) -> list[CompanyImport]:
    """The imports of the branches the user reads, newest first."""
    stmt = (scoped(CompanyImport, actor).order_by(CompanyImport.created_at.desc(),
                                                  CompanyImport.id.desc()).limit(limit))
    return list(db.session.scalars(stmt))


def sources_of(company: Company) -> dict[str, dict[str, CompanySourceValue]]:
    """What each list said about the company: {field: {source: value}} (without the values
    entered by hand, kept with the source "manual")."""
    result: dict[str, dict[str, CompanySourceValue]] = {}
    for row in db.session.scalars(select(CompanySourceValue)
                                  .where(CompanySourceValue.company_id == company.id,
                                         CompanySourceValue.source.in_(SOURCES))
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


def open_suggestion_count(user: User) -> ScalarSelect[int]:
    """How many cases to verify and close `open_suggestions` lists, as a subquery (the task
    badge adds it to the tasks due, in one query)."""
    if user.role not in Role.BRANCH_ROLES:
        return select(literal(0)).scalar_subquery()
    return (_open_suggestions_query(user).with_only_columns(func.count(CloseSuggestion.id))
            .scalar_subquery())


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


#: the columns a batch of registrations from a membership system is read as
REGISTRATION_FIELDS = ["name", "nib", "npwp", "npp", "workers_registered", "registered_on"]


def import_registrations(branch: Branch, registrations: list[dict], today: date, *,
                         filename: str, data: bytes, actor_name: str, via: str = "api"
                         ) -> tuple[CompanyImport | None, list[RowResult | None]]:
    """Import a membership system's registrations (NPP, NIB or NPWP, workers registered, date)
    as a list from the agency: each is matched to a company of the branch by its identifiers as
    every import matches, then planned and applied like one (values changed, what the agency
    said kept, the cases it shows compliant suggested for closing).

    A registration that names no company of the branch is not imported (it carries no name to
    make a company of): its result is None. Returns the import (None when nothing matched) and
    each registration's row result, in order.
    """
    index = _BranchIndex(None, branch.id)
    rows: list[tuple[int, list]] = []
    for number, registration in enumerate(registrations, start=1):
        found = {index.by[key].get(form) for key in IDENTIFIERS if registration.get(key)
                 for form in _forms(key, registration[key])} - {None}
        if not found:
            continue
        # a row naming two companies keeps the name of one: the planning rejects it as such
        company = index.companies[min(found)]
        rows.append((number, [company.name, *(registration.get(key) for key in
                                              REGISTRATION_FIELDS[1:])]))
    if not rows:
        return None, [None] * len(registrations)
    sheet = Sheet(kind="json", header_row=0, headers=list(REGISTRATION_FIELDS), rows=rows,
                  sha256=hashlib.sha256(data).hexdigest())
    company_import = new_import(None, branch, filename=filename, data=data,
                                source=Source.BPJS, max_bytes=len(data) + 1, via=via,
                                actor_name=actor_name, sheet=sheet)
    company_import.mapping = list(REGISTRATION_FIELDS)
    plan = plan_import(None, branch.id, sheet, company_import.mapping, Source.BPJS, today)
    apply_plan(None, company_import, plan, today, valid_rows_only=True)
    by_row = {result.row: result for result in plan.rows}
    return company_import, [by_row.get(number) for number in range(1, len(registrations) + 1)]
