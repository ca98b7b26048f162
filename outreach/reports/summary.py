"""The dashboard's summary rows per branch (`DashboardCount`), kept current in the transaction
of every change.

Each figure is additive per company: a company, with its cases, adds 1 (and its workers not
registered and its estimated contributions not paid) to one row per key it has:

- `stage`: each case not closed, by (stage, categories);
- `opened`: each case not closed, by the day it was opened (the aging buckets sum day ranges);
- `due`: each open case with a next step, by its due date (overdue: the days before today);
- `reached`: each company that reached a rung, by (its rungs reached, whether it has a case
  not closed) (the funnel's "reached" and the companies past warning II);
- `late`: each company with an open case, by (its officer, the case's due date);
- `gap`: each company with a case not closed, by (sector, kecamatan), with its workers not
  registered and its monthly contributions not paid priced by `compliance.monthly_owed`;
- `complied`: each company once per stage at which one of its cases closed as compliant;
- `won`: each company once per week in which one of its cases closed as compliant, keyed by
  (that week, the previous such week): a range of weeks counts a company once through the
  row of its first week in the range (the one whose previous week falls before it).

Dates stay in the keys, so nothing needs refreshing at midnight: the dashboard sums ranges.
A `priced` row per branch records the day whose rates priced the `gap` rows and their
signature; its absence means the branch's summary was never built.

`before_flush` reads the old contributions of the companies a flush touches (locking their
rows on PostgreSQL, in id order), `after_flush` reads the new ones from the same database
state and applies the difference as UPSERTs `n = n + delta` in key order: two transactions
adding to one row both count, and concurrent ones lock in the same order. Writes that bypass
the unit of work call `rebuild` (the bench generator's COPY; `flask reports rebuild-summary`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, case, delete, event, func, insert, select, update
from sqlalchemy.orm import Session, attributes

from outreach.cases.models import Case, CaseStatus
from outreach.companies import rules as compliance
from outreach.companies.models import Company, ContributionRate
from outreach.companies.service import COMPLIANT
from outreach.core.db import among, upsert
from outreach.extensions import db
from outreach.org.models import Branch
from outreach.reports.models import NO_DAY, DashboardCount

log = logging.getLogger(__name__)

STAGE, OPENED, DUE, REACHED, LATE, GAP = "stage", "opened", "due", "reached", "late", "gap"
COMPLIED, WON, PRICED = "complied", "won", "priced"
#: `DashboardCount.owed` is in 1/SCALE Rupiah
SCALE = 100_000
#: companies read per query when a whole branch is summed
CHUNK = 20_000

#: (figure, branch id, k1, k2, k3, day, day2)
Key = tuple[str, int, str, str, int, date, date]
KEY_COLUMNS = ("figure", "branch_id", "k1", "k2", "k3", "day", "day2")
Sums = dict[Key, list[int]]


# --- contributions ------------------------------------------------------------------------

def _add(out: Sums, key: Key, n: int = 1, missing: int = 0, owed: int = 0) -> None:
    entry = out.setdefault(key, [0, 0, 0])
    entry[0] += n
    entry[1] += missing
    entry[2] += owed


def rates_signature(rates: dict) -> str:
    """A short digest of the rates in force (`compliance.rates_in_force`): the `gap` rows
    priced with other rates are out of date."""
    text = ";".join(f"{key}:{rate.id}:{rate.employer_percent}:{rate.worker_percent}:"
                    f"{rate.wage_cap}:{rate.effective_from}"
                    for key, rate in sorted(rates.items(), key=lambda item: str(item[0])))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def contributions(companies: ColumnElement[bool], cases: ColumnElement[bool],
                  rates: Callable[[int], dict]) -> Sums:
    """What the companies matching `companies` and the cases matching `cases` add to the
    summary (`rates(branch_id)`: the rates in force that price the branch's `gap` rows)."""
    out: Sums = {}
    kinds: dict[tuple, dict] = {}  # the weights of each kind of company, per rates
    for row in db.session.execute(select(
            Company.branch_id, Company.reached, Company.open_case_status,
            Company.open_case_due_on, Company.officer_id, Company.sector, Company.kecamatan,
            Company.business_size, Company.risk_class, Company.programs, Company.average_wage,
            Company.workers_missing, Company.workers_registered).where(companies)):
        branch = row.branch_id
        if row.reached:
            _add(out, (REACHED, branch, row.reached, "", int(bool(row.open_case_status)),
                       NO_DAY, NO_DAY))
        if row.open_case_status == CaseStatus.OPEN and row.open_case_due_on is not None:
            _add(out, (LATE, branch, "", "", row.officer_id or 0, row.open_case_due_on, NO_DAY))
        if row.open_case_status:
            in_force = rates(branch)
            kind = (id(in_force), row.business_size, row.risk_class, row.programs)
            weights = kinds.get(kind)
            if weights is None:
                weights = kinds[kind] = compliance.kind_weights(
                    in_force, row.business_size, row.risk_class, row.programs)
            owed = compliance.priced(weights, int(row.average_wage), row.workers_missing,
                                     row.workers_registered)
            _add(out, (GAP, branch, row.sector or "", row.kecamatan or "", 0, NO_DAY, NO_DAY),
                 1, int(row.workers_missing), int((owed * SCALE).to_integral_value()))
    for row in db.session.execute(select(
            Case.branch_id, Case.stage, Case.category_list, Case.opened_on, Case.status,
            Case.next_due_on).where(cases, Case.status != CaseStatus.CLOSED)):
        _add(out, (STAGE, row.branch_id, row.stage, row.category_list, 0, NO_DAY, NO_DAY))
        _add(out, (OPENED, row.branch_id, "", "", 0, row.opened_on, NO_DAY))
        if row.status == CaseStatus.OPEN and row.next_due_on is not None:
            _add(out, (DUE, row.branch_id, "", "", 0, row.next_due_on, NO_DAY))
    won: dict[tuple[int, int], tuple[set[str], set[date]]] = {}
    for row in db.session.execute(select(
            Case.branch_id, Case.company_id, Case.stage, Case.closed_on).where(
            cases, Case.status == CaseStatus.CLOSED, Case.outcome == COMPLIANT)):
        stages, weeks = won.setdefault((row.branch_id, row.company_id), (set(), set()))
        stages.add(row.stage)
        if row.closed_on is not None:
            weeks.add(row.closed_on - timedelta(days=row.closed_on.weekday()))
    for (branch, _company), (stages, weeks) in won.items():
        for stage in stages:
            _add(out, (COMPLIED, branch, stage, "", 0, NO_DAY, NO_DAY))
        previous = NO_DAY
        for week in sorted(weeks):
            _add(out, (WON, branch, "", "", 0, week, previous))
            previous = week
    return out


def _company_contributions(company_ids: Iterable[int], rates: Callable[[int], dict]) -> Sums:
    ids = sorted(set(company_ids))
    if not ids:
        return {}
    return contributions(among(Company.id, ids), among(Case.company_id, ids), rates)


# --- the priced marks -----------------------------------------------------------------------

def marks(branch_ids: Iterable[int] | None = None) -> dict[int, tuple[date, str]]:
    """(day priced, rates signature) of each branch whose summary is built."""
    stmt = select(DashboardCount.branch_id, DashboardCount.day, DashboardCount.k1).where(
        DashboardCount.figure == PRICED)
    if branch_ids is not None:
        stmt = stmt.where(among(DashboardCount.branch_id, branch_ids))
    return {branch: (day, signature) for branch, day, signature in db.session.execute(stmt)}


class Pricing:
    """The rates in force per day, read once (`compliance.all_rates`)."""

    def __init__(self) -> None:
        self.rows = compliance.all_rates()
        self.by_day: dict[date, dict] = {}

    def on(self, day: date) -> dict:
        if day not in self.by_day:
            self.by_day[day] = compliance.rates_in_force(day, self.rows)
        return self.by_day[day]


# --- writing --------------------------------------------------------------------------------

def _apply(delta: Sums) -> None:
    """Add `delta` to the summary rows, one UPSERT per row in key order."""
    table = DashboardCount.__table__
    for key in sorted(k for k, v in delta.items() if any(v)):
        n, missing, owed = delta[key]
        values = dict(zip(KEY_COLUMNS, key, strict=True), n=n, missing=missing, owed=owed)
        stmt = upsert(table).values(**values)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=list(KEY_COLUMNS),
            set_={"n": table.c.n + stmt.excluded.n,
                  "missing": table.c.missing + stmt.excluded.missing,
                  "owed": table.c.owed + stmt.excluded.owed}))


def _difference(new: Sums, old: Sums) -> Sums:
    delta: Sums = {key: list(values) for key, values in new.items()}
    for key, values in old.items():
        entry = delta.setdefault(key, [0, 0, 0])
        for i, value in enumerate(values):
            entry[i] -= value
    return delta


def _sums(branch_ids: list[int], rates: Callable[[int], dict]) -> dict[int, Sums]:
    """Every contribution to the branches, by branch: one pass over the companies in chunks of
    ids, with the cases of those companies that the branches hold (a case's figures are its
    branch's, a company's its own branch's, even in the middle of a transfer)."""
    out: dict[int, Sums] = {branch: {} for branch in branch_ids}
    last = 0
    while True:
        end = db.session.scalar(select(Company.id).where(Company.id > last)
                                .order_by(Company.id).offset(CHUNK - 1).limit(1))
        companies = Company.id > last if end is None else Company.id.between(last + 1, end)
        cases = Case.company_id > last if end is None else Case.company_id.between(last + 1, end)
        part = contributions(companies & among(Company.branch_id, branch_ids),
                             cases & among(Case.branch_id, branch_ids), rates)
        for key, values in part.items():
            _add(out[key[1]], key, *values)
        if end is None:
            break
        last = end
    return {branch: {key: values for key, values in sums.items() if any(values)}
            for branch, sums in out.items()}


def _stored(branch_id: int) -> Sums:
    columns = [getattr(DashboardCount, c) for c in KEY_COLUMNS]
    return {tuple(row[:7]): [row.n, row.missing, row.owed] for row in db.session.execute(
        select(*columns, DashboardCount.n, DashboardCount.missing, DashboardCount.owed).where(
            DashboardCount.branch_id == branch_id, DashboardCount.figure != PRICED))
        if row.n or row.missing or row.owed}


def rebuild(branch_ids: Iterable[int] | None, today: date) -> int:
    """Write the summary of the branches (None: every branch) again from scratch, priced with
    the rates in force on `today`, in the session's transaction. Returns the rows written."""
    if branch_ids is None:
        branch_ids = db.session.scalars(select(Branch.id))
    branch_ids = sorted(set(branch_ids))
    rates = Pricing().on(today)
    written = 0
    by_branch = _sums(branch_ids, lambda _branch: rates)
    for branch_id in branch_ids:
        sums = by_branch[branch_id]
        db.session.execute(delete(DashboardCount).where(DashboardCount.branch_id == branch_id))
        rows = [dict(zip(KEY_COLUMNS, key, strict=True), n=n, missing=missing, owed=owed)
                for key, (n, missing, owed) in sorted(sums.items())]
        rows.append(dict(zip(KEY_COLUMNS, (PRICED, branch_id, rates_signature(rates), "", 0,
                                           today, NO_DAY), strict=True), n=0, missing=0, owed=0))
        for start in range(0, len(rows), 2000):
            db.session.execute(insert(DashboardCount), rows[start:start + 2000])
        written += len(rows)
    return written


def check(branch_ids: Iterable[int] | None, today: date, *,
          compare: Iterable[int] | None = None, repair: bool = True) -> list[int]:
    """Find the branches (None: every branch) whose summary is missing or was priced with
    rates no longer in force on `today`, and those of `compare` (None: all of them) whose
    rows differ from their companies and cases; rebuild them (when `repair`) and log them.
    Returns the branches found."""
    if branch_ids is None:
        branch_ids = db.session.scalars(select(Branch.id))
    branch_ids = sorted(set(branch_ids))
    pricing = Pricing()
    current = rates_signature(pricing.on(today))
    built = marks(branch_ids)
    compared = [b for b in (branch_ids if compare is None else sorted(set(compare)))
                if b in built and built[b][1] == current]
    live = _sums(compared, lambda branch: pricing.on(built[branch][0])) if compared else {}
    differed = []
    for branch_id in branch_ids:
        mark = built.get(branch_id)
        if mark is None:
            reason = "missing"
        elif mark[1] != current:
            reason = "priced with other rates"
        elif branch_id in live and _stored(branch_id) != live[branch_id]:
            reason = "differs from the companies and cases"
        else:
            continue
        differed.append(branch_id)
        log.warning("dashboard summary of branch %s %s%s", branch_id, reason,
                    ": rebuilt" if repair else "")
    if repair and differed:
        rebuild(differed, today)
    return differed


def in_turn(day: date) -> list[int]:
    """The branch whose summary the morning sweep of `day` compares with its companies and
    cases, in turn (a branch of 30,000 companies takes seconds; every branch is compared
    once in as many days as there are branches)."""
    branch_ids = sorted(db.session.scalars(select(Branch.id)))
    return [branch_ids[day.toordinal() % len(branch_ids)]] if branch_ids else []


def ensure(branch_condition: Callable[[Any], ColumnElement[bool]], today: date) -> dict:
    """The marks of the branches matching `branch_condition`, building first (in the
    session's transaction: kept if the caller commits, else built again until the morning
    sweep's check commits it) the summary of those that have none (a new branch, or after the
    migration that created the table)."""
    branch_ids = list(db.session.scalars(select(Branch.id).where(branch_condition(Branch.id))))
    built = marks(branch_ids)
    missing = [b for b in branch_ids if b not in built]
    if missing:
        rebuild(missing, today)
        built = marks(branch_ids)
    return built


# --- the maintainer ----------------------------------------------------------------------

def _touched(session: Session) -> set[int]:
    """Ids of the companies whose contribution a flush may change."""
    ids: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Company):
            if obj.id is not None:
                ids.add(obj.id)
        elif isinstance(obj, Case):
            history = attributes.get_history(obj, "company_id")
            ids.update(i for i in (*history.deleted, *history.unchanged, *history.added)
                       if i is not None)
            company = obj.__dict__.get("company")
            if company is not None and company.id is not None:
                ids.add(company.id)
    return ids


def _before_flush(session: Session, _context, _instances) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, ContributionRate) for obj in changed):
        session.info["summary_rates"] = True
    if not any(isinstance(obj, (Company, Case)) for obj in changed):
        return
    ids = _touched(session)
    if ids and db.engine.dialect.name == "postgresql":
        # the old contribution stays the old one until this transaction ends
        session.execute(select(Company.id).where(among(Company.id, ids))
                        .order_by(Company.id).with_for_update())
    pricing, built = Pricing(), marks()
    session.info["summary_before"] = (ids, pricing, built,
                                      _priced_contributions(ids, pricing, built))


def _priced_contributions(ids: set[int], pricing: Pricing,
                          built: dict[int, tuple[date, str]]) -> Sums:
    """The contributions of the companies to the branches whose summary is built, priced with
    the rates of the day each was built."""
    return {key: values for key, values in _company_contributions(
        ids, lambda branch: pricing.on(built.get(branch, (NO_DAY, ""))[0])).items()
        if key[1] in built}


def _after_flush(session: Session, _context) -> None:
    if session.info.pop("summary_rates", False):
        # rates edited: every branch's `gap` rows are out of date; the dashboard prices them
        # live until the morning sweep's check rebuilds them
        session.execute(update(DashboardCount).where(DashboardCount.figure == PRICED)
                        .values(k1="").execution_options(synchronize_session=False))
    before = session.info.pop("summary_before", None)
    if before is None:
        return
    ids, pricing, built, old = before
    for obj in session.new:
        if isinstance(obj, Company) and obj.id is not None:
            ids.add(obj.id)
        elif isinstance(obj, Case) and obj.company_id is not None:
            ids.add(obj.company_id)
    _apply(_difference(_priced_contributions(ids, pricing, built), old))


def install() -> None:
    """Keep the summary in every session's flushes (once per process)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)


# --- reading ---------------------------------------------------------------------------------

def rows(in_scope: Callable[[Any], ColumnElement[bool]], figure: str, *columns: Any,
         where: Iterable[ColumnElement[bool]] = ()) -> list[tuple]:
    """Sums of the `figure` rows in scope (n, workers missing, owed Decimal) by `columns`."""
    stmt = (select(*columns, func.sum(DashboardCount.n), func.sum(DashboardCount.missing),
                   func.sum(DashboardCount.owed))
            .where(DashboardCount.figure == figure, in_scope(DashboardCount.branch_id), *where)
            .group_by(*columns))
    return [(*row[:-3], int(row[-3] or 0), int(row[-2] or 0), Decimal(int(row[-1] or 0)) / SCALE)
            for row in db.session.execute(stmt) if row[-3]]



def totals(in_scope: Callable[[Any], ColumnElement[bool]], figure: str,
           conditions: list[ColumnElement[bool]],
           where: Iterable[ColumnElement[bool]] = ()) -> list[int]:
    """The companies or cases of the `figure` rows in scope that meet each condition, in one
    query (a sum per condition); `where` leaves out rows that meet none (a range of days the
    index reads instead of every day)."""
    row = db.session.execute(
        select(*[func.sum(case((condition, DashboardCount.n), else_=0))
                 for condition in conditions])
        .where(DashboardCount.figure == figure, in_scope(DashboardCount.branch_id),
               *where)).one()
    return [int(value or 0) for value in row]
