"""Companies: entering and editing them, likely duplicates, the list and its filters, and the
values entered by hand."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import aliased

from outreach.cases.models import Case, CaseCategory, CaseStatus
from outreach.companies.models import (
    TRACKED_FIGURES,
    BusinessSize,
    Company,
    FigureChange,
    FigureSource,
    Program,
    Source,
)
from outreach.core.access import Permission, branch_condition, get_visible, require, scoped
from outreach.core.audit import diff, record
from outreach.core.db import utcnow
from outreach.core.errors import ServiceError
from outreach.core.labels import label
from outreach.extensions import db
from outreach.imports.models import CompanySourceValue
from outreach.org.models import Branch, User

LEGAL_FORMS = re.compile(r"\b(pt|cv|ud|pd|tbk|persero|koperasi|yayasan|firma|fa)\b\.?")


def digits_only(value: str | None) -> str:
    """Only the digits of a number typed with any punctuation."""
    return re.sub(r"\D", "", value or "")


def name_key(name: str) -> str:
    """A company name reduced for search and duplicate checks: lower case, no legal form."""
    key = LEGAL_FORMS.sub(" ", name.lower())
    key = re.sub(r"[^a-z0-9 ]+", " ", key)
    return " ".join(key.split())


@dataclass
class CompanyFilters:
    """What the company list is filtered and sorted by."""

    q: str = ""
    category: str = ""
    stage: str = ""
    sector: str = ""
    size: str = ""
    kecamatan: str = ""
    officer: int | None = None
    #: only cases whose next step is overdue / due within this working week
    overdue: bool = False
    due_week: bool = False
    sort: str = "name"
    page: int = 1
    per_page: int = 50
    #: keyset pagination: the rows after (or before) the company of this id in the list's order
    after: int | None = None
    before: int | None = None
    # The narrower filters below are what the dashboard's figures link to.
    branch: int | None = None
    #: only companies with a case that is not closed
    open_case: bool = False
    #: only companies without an officer
    unassigned: bool = False
    #: the open case was opened on or after / on or before these days
    opened_from: date | None = None
    opened_to: date | None = None
    #: a case of the company (open or closed) has this rung in force
    reached: str = ""
    #: a case of the company closed as compliant at this stage (NOT_RECORDED: before any step)
    complied_after: str = ""
    #: a case of the company closed as compliant between these days
    complied_from: date | None = None
    complied_to: date | None = None

    def active(self) -> bool:
        """Whether any filter narrows the list."""
        return bool(self.q or self.category or self.stage or self.sector or self.size
                    or self.kecamatan or self.officer or self.overdue or self.due_week
                    or self.narrower())

    def narrower(self) -> dict[str, Any]:
        """The dashboard's filters in use, as query parameters (the list's form has no fields
        for them)."""
        values = {"branch": self.branch, "open_case": "1" if self.open_case else None,
                  "unassigned": "1" if self.unassigned else None,
                  "opened_from": self.opened_from, "opened_to": self.opened_to,
                  "reached": self.reached, "complied_after": self.complied_after,
                  "complied_from": self.complied_from, "complied_to": self.complied_to}
        return {key: value.isoformat() if isinstance(value, date) else value
                for key, value in values.items() if value}


#: filter value for "not recorded": an empty sector or kecamatan, a case before its first step
NOT_RECORDED = "-"
COMPLIANT = "compliant"


def has_reached(rung: str) -> ColumnElement[bool]:
    """One of the company's cases has a step of `rung` in force (`Company.reached`, the
    company's copy of its cases' `Case.reached`)."""
    return (literal(",") + Company.reached + literal(",")).contains(f",{rung},", autoescape=True)


def _recorded(column: Any, value: str) -> ColumnElement[bool]:
    return column == ("" if value == NOT_RECORDED else value)


#: The status is written into the SQL rather than sent as a parameter, so that the query matches
#: the condition of the partial index of open cases (ix_cases_open_company) and the planners of
#: both databases may use it whatever plan they cache.
NOT_CLOSED = Case.status != literal(CaseStatus.CLOSED, literal_execute=True)
OPEN_CASE = and_(Case.company_id == Company.id, NOT_CLOSED)


def reads_open_case(filters: CompanyFilters) -> bool:
    """Whether a filter reads the company's open case (which the list then joins)."""
    return bool(filters.category or filters.stage or filters.overdue or filters.due_week
                or filters.open_case or filters.opened_from or filters.opened_to)


def company_list_query(user: User, filters: CompanyFilters, today: date, *,
                       with_case: bool = True) -> Select:
    """Companies the user may read with their open case (or None), filtered and sorted.

    Without `with_case` (for counting them, when no filter reads the open case), the
    companies alone: as many rows, since a company has at most one case that is not closed
    (`outreach.cases.service` refuses to open a second)."""
    if not with_case and reads_open_case(filters):
        raise ValueError("these filters read the open case")
    stmt = scoped(Company, user)
    if with_case:
        stmt = stmt.add_columns(Case).outerjoin(Case, OPEN_CASE)
    if filters.q:
        digits = digits_only(filters.q)
        conditions = [Company.name_key.contains(name_key(filters.q))]
        if len(digits) >= 6:
            conditions += [Company.nib == digits, Company.npwp.in_(npwp_variants(digits)),
                           Company.npp == digits]
        stmt = stmt.where(or_(*conditions))
    if filters.category:
        stmt = stmt.where(Case.id.in_(
            select(CaseCategory.case_id).where(CaseCategory.category == filters.category)))
    if filters.stage:
        stmt = stmt.where(Case.id.is_not(None), _recorded(Case.stage, filters.stage))
    if filters.sector:
        stmt = stmt.where(_recorded(Company.sector, filters.sector))
    if filters.size:
        stmt = stmt.where(Company.business_size == filters.size)
    if filters.kecamatan:
        stmt = stmt.where(_recorded(Company.kecamatan, filters.kecamatan))
    if filters.officer:
        stmt = stmt.where(Company.officer_id == filters.officer)
    if filters.overdue:
        stmt = stmt.where(Case.status == CaseStatus.OPEN, Case.next_due_on < today)
    if filters.due_week:
        week_end = today + timedelta(days=6 - today.weekday())
        stmt = stmt.where(Case.status == CaseStatus.OPEN, Case.next_due_on >= today,
                          Case.next_due_on <= week_end)
    stmt = _narrower(stmt, filters)
    return stmt.order_by(*sort_keys(filters.sort)) if with_case else stmt


def sort_keys(sort: str) -> list[Any]:
    """The list's order for a sort: ascending keys ending with the company's id, so that every
    row has its own place (what keyset pagination compares)."""
    order = {
        "name": [Company.name],
        "due": [Case.next_due_on.is_(None), Case.next_due_on, Company.name],
        "missing": [(Company.workers_registered - Company.workers_estimated), Company.name],
        "opened": [Case.opened_on.is_(None), Case.opened_on, Company.name],
    }.get(sort, [Company.name])
    return [*order, Company.id]


def _narrower(stmt: Select, filters: CompanyFilters) -> Select:
    """The dashboard's filters: branch, assignment, age of the case, rungs reached, outcomes."""
    if filters.branch:
        stmt = stmt.where(Company.branch_id == filters.branch)
    if filters.open_case:
        stmt = stmt.where(Case.id.is_not(None))
    if filters.unassigned:
        stmt = stmt.where(Company.officer_id.is_(None))
    if filters.opened_from:
        stmt = stmt.where(Case.opened_on >= filters.opened_from)
    if filters.opened_to:
        stmt = stmt.where(Case.opened_on <= filters.opened_to)
    if filters.reached:  # by any case of the company (its copy of their rungs)
        stmt = stmt.where(has_reached(filters.reached))
    any_case = aliased(Case)  # any case of the company, not only the open one joined above
    if filters.complied_after or filters.complied_from or filters.complied_to:
        closed = select(any_case.company_id).where(any_case.status == CaseStatus.CLOSED,
                                                   any_case.outcome == COMPLIANT)
        if filters.complied_after:
            closed = closed.where(_recorded(any_case.stage, filters.complied_after))
        if filters.complied_from:
            closed = closed.where(any_case.closed_on >= filters.complied_from)
        if filters.complied_to:
            closed = closed.where(any_case.closed_on <= filters.complied_to)
        stmt = stmt.where(Company.id.in_(closed))
    return stmt


#: the company list counts its matches up to this many; past it the page says "more than"
#: (a region's list would otherwise count a million rows on every page)
COUNT_CAP = 10_000


def listed_columns(stmt: Select) -> Select:
    """The columns a row of the list shows, instead of whole companies and cases: the
    company's id, name, kecamatan, sector, workers missing and officer's name, and of its open
    case (all None without one) the id, categories, stage, next rung and due date, status and
    opening day."""
    officer = aliased(User)
    return stmt.with_only_columns(
        Company.id, Company.name, Company.kecamatan, Company.sector,
        Company.workers_missing.label("workers_missing"), officer.name.label("officer_name"),
        Case.id.label("case_id"), Case.category_list, Case.stage, Case.next_rung,
        Case.next_due_on, Case.status, Case.opened_on,
    ).outerjoin(officer, officer.id == Company.officer_id)


@dataclass
class CompanyPage:
    """One page of the company list: its rows, how many match, and where the neighbours are."""

    #: what each row shows (`listed_columns`)
    rows: list[Any]
    #: the matches, counted up to the cap
    total: int
    #: more than the cap match (`total` is then the cap)
    capped: bool
    #: the page's number (None when reached by a keyset link: its number is not counted)
    page: int | None
    #: pages of the counted matches (the numbered pages)
    pages: int
    #: the neighbours by keyset: the company ids the previous / next links start from
    before: int | None = None
    after: int | None = None


def count_capped(stmt: Select, cap: int) -> tuple[int, bool]:
    """The rows of `stmt` counted up to `cap`, and whether there are more."""
    limited = stmt.order_by(None).with_only_columns(Company.id).limit(cap + 1).subquery()
    n = db.session.scalar(select(func.count()).select_from(limited)) or 0
    return min(n, cap), n > cap


def list_companies(user: User, filters: CompanyFilters, today: date,
                   count_cap: int = COUNT_CAP) -> CompanyPage:
    """One page of the company list: numbered (an offset into the first `count_cap` matches)
    or after / before a company (keyset: the rows next to it in the list's order, whatever
    their number), with the matches counted up to `count_cap`."""
    stmt = company_list_query(user, filters, today)
    counted = stmt if reads_open_case(filters) \
        else company_list_query(user, filters, today, with_case=False)
    total, capped = count_capped(counted, count_cap)
    per_page = filters.per_page
    pages = max((total + per_page - 1) // per_page, 1)
    keys = sort_keys(filters.sort)
    cursor_id = filters.after or filters.before
    cursor = None
    if cursor_id:  # the sort keys' values of the company the link starts from
        cursor = db.session.execute(stmt.with_only_columns(*keys).order_by(None)
                                    .where(Company.id == cursor_id)).first()
    loaded = listed_columns(stmt)
    if cursor is not None:
        # NULL keys stand right after their IS NULL key (true: every row of that group has
        # NULL there), so comparing the other keys is enough
        kept = [(key, value) for key, value in zip(keys, cursor, strict=True)
                if value is not None]
        left, right = tuple_(*[k for k, _ in kept]), tuple_(*[literal(v) for _, v in kept])
        if filters.after:
            found = list(db.session.execute(loaded.where(left > right).limit(per_page + 1)))
            rows, more = found[:per_page], len(found) > per_page
            return CompanyPage(rows, total, capped, None, pages,
                               before=rows[0].id if rows else None,
                               after=rows[-1].id if rows and more else None)
        backwards = loaded.order_by(None).order_by(*[key.desc() for key in keys])
        found = list(db.session.execute(backwards.where(left < right).limit(per_page + 1)))
        rows, more = found[:per_page][::-1], len(found) > per_page
        return CompanyPage(rows, total, capped, None, pages,
                           before=rows[0].id if rows and more else None,
                           after=rows[-1].id if rows else None)
    page = min(filters.page, pages)
    rows = list(db.session.execute(loaded.limit(per_page).offset((page - 1) * per_page)))
    last_full = bool(rows) and len(rows) == per_page
    return CompanyPage(rows, total, capped, page, pages,
                       after=rows[-1].id if capped and page == pages and last_full
                       else None)


def distinct_values(user: User, *columns: Any) -> list[list[str]]:
    """The values of company columns (sector, kecamatan) among the companies the user reads,
    a list for each column, in one statement.

    A skip scan of the (branch_id, column) index: per branch, the least value after the last
    one found, so that the cost follows the number of branches and values, not of companies."""
    def least(column: Any, branch_id: Any, after: Any = None) -> Any:
        condition = Company.branch_id == branch_id
        if after is not None:
            condition = and_(condition, column > after)
        return select(func.min(column)).where(condition).scalar_subquery()

    parts = []
    for n, column in enumerate(columns):
        found = (select(Branch.id.label("branch_id"), least(column, Branch.id).label("value"))
                 .where(branch_condition(user, Branch.id)).cte(f"found_{n}", recursive=True))
        found = found.union_all(
            select(found.c.branch_id, least(column, found.c.branch_id, found.c.value))
            .where(found.c.value.is_not(None)))
        parts.append(select(literal(n).label("n"), found.c.value.label("value"))
                     .where(found.c.value.is_not(None)))
    values = union_all(*parts).subquery()
    lists: list[list[str]] = [[] for _ in columns]
    for n, value in db.session.execute(select(values.c.n, values.c.value).distinct()
                                       .order_by(values.c.n, values.c.value)):
        if value:
            lists[n].append(value)
    return lists


COMPANY_FIELDS = ("name", "nib", "npwp", "npp", "director_name", "address", "kelurahan",
                  "kecamatan", "city", "postal_code", "phone", "email", "sector",
                  "business_size", "risk_class", "workers_estimated", "workers_registered",
                  "average_wage", "programs", "obliged_on", "reported_wage", "unpaid_since",
                  "source", "officer_id", "notes")
#: the fields the imported lists fill too: a value a person enters in one of them is kept as
#: entered by hand, and an import reports a list's other value instead of replacing it
HAND_ENTERED_FIELDS = tuple(f for f in COMPANY_FIELDS if f not in ("source", "officer_id", "notes"))


def normalise_nib(value: str | None) -> str | None:
    """NIB as 13 digits, or None when empty; a ServiceError when it cannot be one."""
    digits = digits_only(value)
    if not digits:
        return None
    if len(digits) != 13:
        raise ServiceError(_("An NIB has 13 digits (%(n)d given).", n=len(digits)), "nib")
    return digits


def normalise_npwp(value: str | None) -> str | None:
    """NPWP as 15 or 16 digits whatever the punctuation, or None when empty."""
    digits = digits_only(value)
    if not digits:
        return None
    if len(digits) not in (15, 16):
        raise ServiceError(_("An NPWP has 15 or 16 digits (%(n)d given).", n=len(digits)),
                           "npwp")
    return digits


def npwp_variants(digits: str) -> list[str]:
    """The forms one company's NPWP may be stored in: since 2024 a company's 16-digit NPWP is
    its 15-digit NPWP with a leading 0, and lists carry either."""
    if len(digits) == 15:
        return [digits, "0" + digits]
    if len(digits) == 16 and digits.startswith("0"):
        return [digits, digits[1:]]
    return [digits]


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise a company's fields; raise a ServiceError at the first problem."""
    clean = {k: v for k, v in values.items() if k in COMPANY_FIELDS}
    clean["name"] = " ".join(str(clean.get("name") or "").split())
    if not clean["name"]:
        raise ServiceError(_("Please enter the company's name."), "name")
    clean["nib"] = normalise_nib(clean.get("nib"))
    clean["npwp"] = normalise_npwp(clean.get("npwp"))
    clean["npp"] = digits_only(clean.get("npp")) or None
    if clean.get("business_size", BusinessSize.SMALL) not in BusinessSize.ALL:
        raise ServiceError(_("Choose a business size."), "business_size")
    for key in ("workers_estimated", "workers_registered", "average_wage"):
        if int(clean.get(key) or 0) < 0:
            raise ServiceError(_("The number cannot be negative."), key)
    if "reported_wage" in clean and clean["reported_wage"] in ("", None):
        clean["reported_wage"] = None
    elif "reported_wage" in clean and int(clean["reported_wage"]) < 0:
        raise ServiceError(_("The number cannot be negative."), "reported_wage")
    for key in ("obliged_on", "unpaid_since"):
        if key in clean and not clean[key]:
            clean[key] = None
    if not 1 <= int(clean.get("risk_class") or 1) <= 5:
        raise ServiceError(_("The risk class is 1 to 5."), "risk_class")
    programs = [p for p in Program.ALL if p in set(clean.get("programs") or [])]
    clean["programs"] = ",".join(programs)
    clean["name_key"] = name_key(clean["name"])
    return clean


@dataclass
class Duplicate:
    """A company that looks like the one being entered."""

    reason: str
    company: Company | None  # None when it is in a branch the user cannot see


def likely_duplicates(user: User, clean: dict[str, Any],
                      exclude_id: int | None = None) -> list[Duplicate]:
    """Companies with the same NIB or NPWP (any branch) or the same name (the user's branches)."""
    found: list[Duplicate] = []
    for key, text in (("nib", "NIB"), ("npwp", "NPWP")):
        if clean.get(key):
            stmt = select(Company).where(
                Company.npwp.in_(npwp_variants(clean[key])) if key == "npwp"
                else Company.nib == clean[key])
            if exclude_id:
                stmt = stmt.where(Company.id != exclude_id)
            for other in db.session.scalars(stmt.limit(3)):
                visible = get_visible(Company, other.id, user)
                found.append(Duplicate(_("same %(what)s", what=text), visible))
    stmt = scoped(Company, user).where(Company.name_key == clean["name_key"])
    if exclude_id:
        stmt = stmt.where(Company.id != exclude_id)
    known = {d.company.id for d in found if d.company}
    for other in db.session.scalars(stmt.limit(3)):
        if other.id not in known:
            found.append(Duplicate(_("same name"), other))
    return found


def create_company(actor: User, branch_id: int, values: dict[str, Any],
                   today: date | None = None) -> Company:
    """Create a company in the actor's branch from validated values (its first figures are
    kept in its history as of `today`, the day of creation when not given)."""
    require(actor, Permission.WORK, branch_id)
    clean = clean_values(values)
    company = Company(branch_id=branch_id, **clean)
    db.session.add(company)
    db.session.flush()
    entered = {k: v for k, v in clean.items() if v not in (None, "", 0)}
    record(actor, "create", "company", company.id, entered, branch_id=branch_id)
    remember_hand_entries(company, entered)
    record_figures(company, {f: [None, clean.get(f)] for f in TRACKED_FIGURES},
                   FigureSource.OFFICER, today or utcnow().date(), actor=actor)
    return company


def check_version(company: Company, expected_version: int | None) -> None:
    """Refuse a change made from an outdated page (someone else saved the company meanwhile)."""
    if expected_version is not None and expected_version != company.version:
        raise ServiceError(_("Someone else changed this company while you were editing. "
                             "Your entry was not saved; please check the company and try "
                             "again."))


def update_company(actor: User, company: Company, values: dict[str, Any],
                   expected_version: int | None = None, today: date | None = None) -> dict:
    """Change a company's fields; returns what changed. `expected_version` is the version the
    edit page showed: a save over someone else's newer save is refused. A change of a
    compliance figure goes into the company's history as of `today` (the clock's day of the
    change when not given)."""
    require(actor, Permission.WORK, company.branch_id)
    check_version(company, expected_version)
    changes = diff(company, clean_values(values))
    changes.pop("name_key", None)
    if changes:
        record(actor, "update", "company", company.id, changes, branch_id=company.branch_id)
        remember_hand_entries(company, changes)
        record_figures(company, changes, FigureSource.OFFICER,
                       today or utcnow().date(), actor=actor)
    return changes


def remember_hand_entries(company: Company, fields: Iterable[str]) -> None:
    """Keep the company's values of these fields as entered by hand (the source "manual").

    What a person entered is a property of the value: the import reads it to keep the value
    against a list that says otherwise, and drops it when a list's value replaces it.
    """
    fields = [f for f in dict.fromkeys(fields) if f in HAND_ENTERED_FIELDS]
    if not fields:
        return
    kept = {row.field: row for row in db.session.scalars(
        select(CompanySourceValue).where(CompanySourceValue.company_id == company.id,
                                         CompanySourceValue.source == Source.MANUAL,
                                         CompanySourceValue.field.in_(fields)))}
    now = utcnow()
    for field_name in fields:
        value = getattr(company, field_name)
        text = "" if value is None else str(value)[:255]
        row = kept.get(field_name)
        if row is None:
            db.session.add(CompanySourceValue(company_id=company.id, field=field_name,
                                              value=text, source=Source.MANUAL,
                                              recorded_at=now))
        else:
            row.value, row.import_id, row.recorded_at = text, None, now
    db.session.flush()


def _figure_text(value: Any) -> str:
    return "" if value is None else str(value)[:60]


def figure_rows(company_id: int, branch_id: int, changes: dict[str, Any], source: str,
                on: date, *, user_id: int | None = None, import_id: int | None = None,
                inspection_id: int | None = None) -> list[dict[str, Any]]:
    """The history rows of the changes of a company's compliance figures (`changes`: field to
    [before, after], as `core.audit.diff` gives them), for one INSERT of many companies."""
    rows = []
    for field_name in TRACKED_FIGURES:
        if field_name not in changes:
            continue
        before, after = (_figure_text(v) for v in changes[field_name])
        if before != after:
            rows.append({"company_id": company_id, "branch_id": branch_id, "field": field_name,
                         "before": before, "after": after, "changed_on": on, "source": source,
                         "user_id": user_id, "import_id": import_id,
                         "inspection_id": inspection_id})
    return rows


def record_figures(company: Company, changes: dict[str, Any], source: str, on: date, *,
                   actor: User | None = None, import_id: int | None = None,
                   inspection_id: int | None = None) -> int:
    """Keep the changes of the company's compliance figures (workers, wages, programs) in its
    history, with the day and the source (officer, import, inspection): the one writer of
    `FigureChange`, called wherever those figures change. Returns how many were kept."""
    rows = figure_rows(company.id, company.branch_id, changes, source, on,
                       user_id=actor.id if actor is not None else None, import_id=import_id,
                       inspection_id=inspection_id)
    for row in rows:
        db.session.add(FigureChange(**row))
    if rows:
        db.session.flush()
    return len(rows)


@dataclass
class FigurePoint:
    """The company's figures as they stood after the changes of one day."""

    day: date
    workers_estimated: int
    workers_registered: int
    programs: str
    sources: list[str]


def figure_changes(company: Company) -> list[FigureChange]:
    """The changes of the company's compliance figures, oldest first."""
    return list(db.session.scalars(select(FigureChange).where(
        FigureChange.company_id == company.id).order_by(FigureChange.changed_on,
                                                        FigureChange.id)))


def figure_history(company: Company,
                   changes: list[FigureChange] | None = None) -> list[FigurePoint]:
    """The company's compliance over time: after each day with a change, its estimated and
    registered workers and programs, and where the changes came from, oldest first
    (`changes`: its `figure_changes`, when read already)."""
    if changes is None:
        changes = figure_changes(company)
    # each figure starts from what its first change replaced, or stands as it is today
    state: dict[str, Any] = {f: getattr(company, f) for f in
                             ("workers_estimated", "workers_registered", "programs")}
    for change in reversed(changes):
        if change.field in state:
            state[change.field] = (change.before if change.field == "programs"
                                   else int(change.before or 0))
    points: list[FigurePoint] = []
    for change in changes:
        if change.field in state:
            state[change.field] = (change.after if change.field == "programs"
                                   else int(change.after or 0))
        if not points or points[-1].day != change.changed_on:
            points.append(FigurePoint(change.changed_on, 0, 0, "", []))
        point = points[-1]
        point.workers_estimated = int(state["workers_estimated"])
        point.workers_registered = int(state["workers_registered"])
        point.programs = str(state["programs"])
        if change.source not in point.sources:
            point.sources.append(change.source)
    return points


def monthly_history(points: list[FigurePoint]) -> list[FigurePoint]:
    """The company's figures as they stood at the end of each month with a change (the last
    day's point of the month, with every source of that month), oldest first."""
    months: dict[tuple[int, int], FigurePoint] = {}
    for point in points:
        key = (point.day.year, point.day.month)
        sources = months[key].sources if key in months else []
        months[key] = FigurePoint(point.day, point.workers_estimated, point.workers_registered,
                                  point.programs,
                                  [*sources, *(s for s in point.sources if s not in sources)])
    return list(months.values())


@dataclass
class FigureOrigin:
    """Where a company's figure came from and when: the source's label and the day."""

    source: str
    day: date | None


#: the figures the company page says the origin of
SHOWN_ORIGINS = ("workers_estimated", "workers_registered", "average_wage", "programs")


def figure_origins(company: Company,
                   changes: list[FigureChange] | None = None) -> dict[str, FigureOrigin]:
    """Where each compliance figure of the company comes from: its last change in the history
    (officer, import, inspection, with the day), else the source that gave its present value
    (`company_source_values`: entered by hand, a list, an inspection). `changes`: its
    `figure_changes`, when read already."""
    origins: dict[str, FigureOrigin] = {}
    for change in figure_changes(company) if changes is None else changes:
        if change.field in SHOWN_ORIGINS:
            origins[change.field] = FigureOrigin(label(change.source, "figure_source"),
                                                 change.changed_on)
    for row in db.session.scalars(select(CompanySourceValue).where(
            CompanySourceValue.company_id == company.id,
            CompanySourceValue.field.in_(SHOWN_ORIGINS)).order_by(CompanySourceValue.id)):
        value = getattr(company, row.field)
        if row.field not in origins and row.value == ("" if value is None else str(value)):
            origins[row.field] = FigureOrigin(label(row.source, "source"),
                                              row.recorded_at.date() if row.recorded_at else None)
    return origins
