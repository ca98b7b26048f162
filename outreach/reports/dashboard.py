"""The supervisor's dashboard, from the summary rows of its branches.

`dashboard(scope, today)` computes every figure of `/dashboard/` from `DashboardCount` rows
(`outreach.reports.summary`, kept exact in the transaction of every change of a company or a
case) with a dozen small queries: a few thousand rows per branch whatever the number of
companies and steps. Each figure carries
the query parameters of the company list that shows the companies behind it, so the page links
every number to `/companies/?…` and the list agrees with the number.

Scopes come from `outreach.core.access`: a user's branches (`Scope.of`), optionally narrowed to
one of them, or one branch for the scheduler's monthly report (`Scope.branch`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, func, literal, select

from outreach.cases.models import Case, CaseStatus, Category
from outreach.companies import rules as compliance
from outreach.companies.models import Company, FigureChange
from outreach.companies.service import NOT_RECORDED
from outreach.core.access import branch_condition
from outreach.core.formatting import rupiah_int
from outreach.extensions import db
from outreach.ladder import rules as policy
from outreach.legal.service import answer_figures
from outreach.money.service import payments_total
from outreach.org.models import Role, User
from outreach.reports import summary
from outreach.reports.models import DashboardCount

#: how long cases have been open, in days: (from, to) inclusive, the last open-ended
AGING_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (0, 30), (31, 90), (91, 180), (181, 365), (366, None))
#: weeks of "compliance won" shown (about six months)
WEEKS = 26
#: written out (not a parameter) so that SQLite uses the partial index of closed cases
CLOSED = Case.status == literal(CaseStatus.CLOSED, literal_execute=True)
NONE = literal("", literal_execute=True)
#: a company with a case that is not closed (from its copy of the case's status)
HAS_OPEN_CASE = Company.open_case_status != NONE


# --- scope --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """The branches figures cover: a SQL condition on a `branch_id` column."""

    condition: Callable[[Any], ColumnElement[bool]]
    #: the one branch the figures are narrowed to (added to every link), if any
    branch_id: int | None = None
    #: whose ladder orders the funnel (None: the default ladder)
    ladder_branch_id: int | None = None

    @classmethod
    def of(cls, user: User, branch_id: int | None = None) -> Scope:
        """What `user` reads (outreach.access), narrowed to one branch when given."""
        if branch_id is None:
            own = user.branch_id if user.role in Role.BRANCH_ROLES else None
            return cls(lambda column: branch_condition(user, column), None, own)
        return cls(lambda column: and_(branch_condition(user, column), column == branch_id),
                   branch_id, branch_id)

    @classmethod
    def branch(cls, branch_id: int) -> Scope:
        """One branch, for jobs that act for no user (the scheduler's monthly report)."""
        return cls(lambda column: column == branch_id, branch_id, branch_id)

    def link(self, **params: Any) -> dict[str, Any]:
        """Company-list query parameters for a figure: dates as ISO text, empty ones dropped."""
        if self.branch_id is not None:
            params["branch"] = self.branch_id
        return {key: value.isoformat() if isinstance(value, date) else value
                for key, value in params.items() if value not in (None, "", False)}


# --- figures ------------------------------------------------------------------------------

@dataclass
class Cell:
    """A number on the dashboard and the company-list filter behind it."""

    value: int
    params: dict[str, Any]


@dataclass
class Bucket:
    """Open cases by how long they have been open."""

    low: int
    high: int | None
    cell: Cell


@dataclass
class FunnelRow:
    """One rung: companies whose case reached it, and those that complied right after it."""

    code: str
    reached: Cell
    complied: Cell

    @property
    def rate(self) -> float | None:
        """Share of those who reached the rung that complied with it as their last step."""
        return self.complied.value / self.reached.value if self.reached.value else None


@dataclass
class OfficerRow:
    """Open cases whose next step is overdue, for one officer (None: nobody assigned)."""

    officer_id: int | None
    name: str
    cell: Cell


@dataclass
class GapRow:
    """Workers not enrolled and contributions not paid, for one sector or kecamatan."""

    name: str
    companies: Cell
    workers_missing: Cell
    monthly_owed: int


@dataclass
class GapRest:
    """The totals of the sectors or kecamatan a gap table does not show one by one."""

    rows: int
    companies: int
    workers_missing: int
    monthly_owed: int


class OfficerRest(NamedTuple):
    """The totals of the officers the officer table does not show one by one."""

    rows: int
    overdue: int


#: the rows of a gap or officer table shown one by one, the biggest first; the rest are one
#: line of totals (a region has hundreds of kecamatan and officers)
ROWS_SHOWN = 20


@dataclass
class Week:
    """Companies that complied in one week (Monday to Sunday)."""

    start: date
    end: date
    cell: Cell


@dataclass
class Dashboard:
    """Every figure of the dashboard."""

    today: date
    open_cases: Cell
    overdue: Cell
    #: category -> stage -> cases; stage totals; category totals
    matrix: dict[str, dict[str, Cell]]
    stage_totals: dict[str, Cell]
    category_totals: dict[str, Cell]
    stages: list[str]
    aging: list[Bucket]
    funnel: list[FunnelRow]
    #: closed as compliant before any rung was reached
    complied_before_steps: Cell
    overdue_by_officer: list[OfficerRow]
    by_sector: list[GapRow]
    by_kecamatan: list[GapRow]
    workers_missing: Cell
    monthly_owed: int
    weeks: list[Week]
    won: Cell
    extra: dict[str, Any] = field(default_factory=dict)

    def gap_table(self, key: str) -> tuple[list[GapRow], GapRest | None]:
        """The rows of the sector (`key` "sector") or kecamatan table shown one by one, and
        the totals of the rest, if any."""
        rows = self.by_sector if key == "sector" else self.by_kecamatan
        rest = rows[ROWS_SHOWN:]
        return rows[:ROWS_SHOWN], GapRest(
            len(rest), sum(r.companies.value for r in rest),
            sum(r.workers_missing.value for r in rest),
            sum(r.monthly_owed for r in rest)) if rest else None

    def officer_table(self) -> tuple[list[OfficerRow], OfficerRest | None]:
        """The officers shown one by one, the most overdue first, and the others' totals, if
        any."""
        rest = self.overdue_by_officer[ROWS_SHOWN:]
        return self.overdue_by_officer[:ROWS_SHOWN], OfficerRest(
            len(rest), sum(row.cell.value for row in rest)) if rest else None

    @property
    def empty(self) -> bool:
        """Whether there is nothing at all to show (a new branch)."""
        return (not self.open_cases.value and not self.won.value
                and not any(row.reached.value for row in self.funnel))


def count_rows(stmt) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(stmt)]


def gap_totals(group_by: list[Any], in_scope: Callable[[Any], ColumnElement[bool]],
               today: date) -> dict[tuple, list]:
    """[companies, workers not registered, monthly contributions not paid (Decimal)] of the
    companies with a case that is not closed, per value of the `group_by` columns.

    The estimate follows `compliance.assess` company by company; it is linear in the workers,
    so the database adds up capped wages times workers per group and per kind of company
    (size, risk class, programs taken), and `compliance.owed_weights` prices each kind once."""
    rates = compliance.rates_in_force(today)
    caps = sorted({rate.wage_cap for rate in rates.values() if rate.wage_cap})
    wage = cast(Company.average_wage, BigInteger)
    bases = {None: wage, **{cap: case((wage > cap, literal(cap, BigInteger)), else_=wage)
                            for cap in caps}}
    missing = Company.workers_missing
    sums = []
    for base in bases.values():
        sums += [func.sum(base * missing), func.sum(base * Company.workers_registered)]
    kind = [Company.business_size, Company.risk_class, Company.programs]
    stmt = (select(*group_by, *kind, func.count(), func.sum(missing), *sums)
            .where(in_scope(Company.branch_id), HAS_OPEN_CASE).group_by(*group_by, *kind))
    width = len(group_by)
    prices: dict[tuple, list[tuple[int, Decimal]]] = {}
    totals: dict[tuple, list] = {}
    for row in db.session.execute(stmt):
        size, risk_class, programs, n, gap = row[width:width + 5]
        price = prices.get((size, risk_class, programs))
        if price is None:  # (position of the sum in the row, its weight) for this kind
            weights = compliance.kind_weights(rates, size, risk_class, programs)
            price = prices[size, risk_class, programs] = [
                (width + 5 + 2 * i + j, weight) for i, cap in enumerate(bases)
                for j, weight in enumerate(weights.get(cap, ())) if weight]
        entry = totals.setdefault(tuple(row[:width]), [0, 0, Decimal(0)])
        entry[0] += n
        entry[1] += int(gap or 0)
        entry[2] += sum((weight * (row[i] or 0) for i, weight in price), Decimal(0))
    return totals


def week_starts(today: date, weeks: int = WEEKS) -> list[date]:
    """Mondays of the last `weeks` weeks, the current week last."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def funnel_rungs(branch_id: int | None, *, seen: set[str] = frozenset()) -> list[str]:
    """Rung codes of the funnel in ladder order (the branch's ladder, or the default one): the
    rungs in use and those switched off that cases reached before; phone calls (position 0)
    are no rung a case "reaches"."""
    return [row.code for row in policy.ladder_rows(branch_id)
            if row.position > 0 and (row.active or row.code in seen)]


def reached_by_rung(in_scope: Callable[[Any], ColumnElement[bool]]) -> tuple[dict[str, int], int]:
    """Companies with a case (open or closed) that has each rung in force, from the summary's
    rows by `Company.reached` (the rungs any of its cases reached): a few dozen sets of rungs.
    Each company counts once, as it shows once in the company list. With them, the companies
    with a case not closed past warning II (a fine runs for them)."""
    counts: dict[str, int] = {}
    fined = 0
    for codes, has_open_case, n, _missing, _owed in summary.rows(
            in_scope, summary.REACHED, DashboardCount.k1, DashboardCount.k3):
        rungs = codes.split(",")
        for code in rungs:
            counts[code] = counts.get(code, 0) + n
        if has_open_case and "warning_2" in rungs:
            fined += n
    return counts, fined


def overdue_by_officer(in_scope: Callable[[Any], ColumnElement[bool]],
                       today: date) -> list[tuple[int | None, str, int]]:
    """(officer id, name, open cases whose next step is overdue) by the company's officer
    (None and "": nobody), from the summary's rows by (officer, the due date of the company's
    open case)."""
    summary.ensure(in_scope, today)
    late = {officer or None: n for officer, n, _missing, _owed in summary.rows(
        in_scope, summary.LATE, DashboardCount.k3, where=[DashboardCount.day < today])}
    names = dict(count_rows(select(User.id, User.name).where(
        User.id.in_([i for i in late if i is not None])))) if late else {}
    return [(officer_id, names.get(officer_id, ""), n) for officer_id, n in late.items()]


#: the summary's key of each gap table's rows (`summary.GAP`: k1 the sector, k2 the kecamatan)
GAP_KEYS = {"sector": DashboardCount.k1, "kecamatan": DashboardCount.k2}


def gap_rows(in_scope: Callable[[Any], ColumnElement[bool]], today: date,
             priced: dict[int, tuple[date, str]]) -> dict[str, dict[str, list]]:
    """[companies, workers not registered, monthly contributions not paid] per sector and per
    kecamatan, added up by the database from the summary's rows when they were priced with the
    rates in force on `today` (`priced`: each branch's mark), else priced now from the
    companies."""
    current = summary.rates_signature(compliance.rates_in_force(today))
    if any(signature != current for _day, signature in priced.values()):
        pairs = gap_totals([Company.sector, Company.kecamatan], in_scope, today)
        found = {"sector": [(sector, *values) for (sector, _k), values in pairs.items()],
                 "kecamatan": [(kecamatan, *values) for (_s, kecamatan), values in pairs.items()]}
    else:
        found = {param: summary.rows(in_scope, summary.GAP, key)
                 for param, key in GAP_KEYS.items()}
    tables: dict[str, dict[str, list]] = {}
    for param, rows in found.items():
        totals = tables[param] = {}
        for name, n, missing, owed in rows:  # no value recorded: NULL or ""
            entry = totals.setdefault(name or "", [0, 0, Decimal(0)])
            entry[0] += n
            entry[1] += missing
            entry[2] += owed
    return tables


def gaps(in_scope: Callable[[Any], ColumnElement[bool]], today: date,
         link: Callable[..., dict[str, Any]], priced: dict[int, tuple[date, str]]
         ) -> tuple[list[GapRow], list[GapRow]]:
    """Workers not enrolled and contributions not paid by sector and by kecamatan, of the
    companies with an open case, the biggest gaps first."""
    result: dict[str, list[GapRow]] = {"sector": [], "kecamatan": []}
    for param, totals in gap_rows(in_scope, today, priced).items():
        for name, (n, gap, owed) in totals.items():
            params = {param: name or NOT_RECORDED, "open_case": 1}
            result[param].append(GapRow(name, Cell(n, link(**params)),
                                        Cell(gap, link(**params, sort="missing")),
                                        rupiah_int(owed)))
    for rows in result.values():
        rows.sort(key=lambda r: (-r.workers_missing.value, -r.monthly_owed, r.name))
    return result["sector"], result["kecamatan"]


def dashboard(scope: Scope, today: date) -> Dashboard:
    """Every dashboard figure for the scope on `today`, from the summary rows of its branches
    (`outreach.reports.summary`, a few thousand rows per branch) in a dozen small queries."""
    in_scope = scope.condition
    link = scope.link
    priced = summary.ensure(in_scope, today)

    # 1. cases not closed by stage and categories (a case counts once under each of its
    # categories), by the day opened (the aging buckets) and by the next step's due date
    since = [today - timedelta(days=high) for _low, high in AGING_BUCKETS if high is not None]
    stage_counts: dict[str, int] = {}
    by_category: dict[str, dict[str, int]] = {}
    open_total = 0
    for stage, codes, n, _missing, _owed in summary.rows(
            in_scope, summary.STAGE, DashboardCount.k1, DashboardCount.k2):
        stage_counts[stage] = stage_counts.get(stage, 0) + n
        open_total += n
        for category in filter(None, codes.split(",")):
            stages_of = by_category.setdefault(category, {})
            stages_of[stage] = stages_of.get(stage, 0) + n
    opened_since = summary.totals(in_scope, summary.OPENED,
                                  [DashboardCount.day >= day for day in since],
                                  where=[DashboardCount.day >= min(since)])
    overdue, = summary.totals(in_scope, summary.DUE, [DashboardCount.day < today])
    # opened within 30, 90, 180, 365 days -> the buckets 0-30, 31-90, 91-180, 181-365, 366+
    bucket_counts = [b - a for a, b in zip([0, *opened_since], [*opened_since, open_total],
                                           strict=True)]
    # 2. the category x stage table
    matrix = {category: {stage: Cell(n, link(category=category, stage=stage or NOT_RECORDED))
                         for stage, n in stages_of.items()}
              for category, stages_of in by_category.items()}
    category_counts = {category: sum(stages_of.values())
                       for category, stages_of in by_category.items()}
    stages = [""] + funnel_rungs(scope.ladder_branch_id, seen=set(stage_counts))
    stages += sorted(set(stage_counts) - set(stages))
    stages = [s for s in stages if s in stage_counts]
    categories = [c for c in Category.ALL if c in category_counts]
    categories += sorted(set(category_counts) - set(categories))

    aging = []
    for (low, high), n in zip(AGING_BUCKETS, bucket_counts, strict=True):
        opened_from = today - timedelta(days=high) if high is not None else None
        aging.append(Bucket(low, high, Cell(n, link(
            open_case=1, opened_from=opened_from, opened_to=today - timedelta(days=low)))))

    # 3. the funnel: companies whose case reached each rung, and complied right after it
    reached, fined = reached_by_rung(in_scope)
    complied = {stage: n for stage, n, _missing, _owed in summary.rows(
        in_scope, summary.COMPLIED, DashboardCount.k1)}
    ladder = funnel_rungs(scope.ladder_branch_id, seen={c for c, n in reached.items() if n}
                          | {c for c, n in complied.items() if n})
    funnel = [FunnelRow(code, Cell(reached.get(code, 0), link(reached=code)),
                        Cell(complied.get(code, 0), link(complied_after=code)))
              for code in ladder]

    # 4. open cases whose next step is overdue, by the company's officer
    officers = [OfficerRow(officer_id, name, Cell(n, link(
        overdue=1, officer=officer_id, unassigned=1 if officer_id is None else None)))
        for officer_id, name, n in overdue_by_officer(in_scope, today)]
    officers.sort(key=lambda row: (-row.cell.value, row.officer_id is None, row.name))

    # 5. workers not enrolled and contributions not paid, by sector and by kecamatan
    by_sector, by_kecamatan = gaps(in_scope, today, link, priced)

    # 6. compliance won per week over the last six months: a company counts once a week, and
    # once over the six months through the row of its first week in them
    starts = week_starts(today)
    last_day = starts[-1] + timedelta(days=6)
    in_weeks = DashboardCount.day.between(starts[0], starts[-1])
    per_week = {starts.index(week): n for week, n, _missing, _owed in summary.rows(
        in_scope, summary.WON, DashboardCount.day, where=[in_weeks])}
    won_total, = summary.totals(in_scope, summary.WON, [DashboardCount.day2 < starts[0]],
                                where=[in_weeks])
    weeks = [Week(start, start + timedelta(days=6), Cell(per_week.get(i, 0), link(
        complied_from=start, complied_to=start + timedelta(days=6))))
        for i, start in enumerate(starts)]

    # 7. money: companies whose open case reached warning II (a fine runs for them, counted
    # with the funnel), and the payments recorded; the ledger itself (a walk over months per
    # company) is computed on each company's page and in the exports, not here
    money = {"past_warning_2": Cell(fined, link(open_case=1, reached="warning_2")),
             "paid": payments_total(in_scope)}
    # 8. the employer's answer and the legal track: commitments broken and waiting, and the
    # days of the legal track (meetings, hearings, instalments) gone by undone
    answer = answer_figures(in_scope, today)

    return Dashboard(
        today=today,
        open_cases=Cell(open_total, link(open_case=1)),
        overdue=Cell(overdue, link(overdue=1)),
        matrix={c: matrix[c] for c in categories},
        stage_totals={s: Cell(stage_counts[s], link(stage=s or NOT_RECORDED)) for s in stages},
        category_totals={c: Cell(category_counts[c], link(category=c)) for c in categories},
        stages=stages,
        aging=aging,
        funnel=funnel,
        complied_before_steps=Cell(complied.get("", 0), link(complied_after=NOT_RECORDED)),
        overdue_by_officer=officers,
        by_sector=by_sector,
        by_kecamatan=by_kecamatan,
        workers_missing=Cell(sum(r.workers_missing.value for r in by_sector),
                             link(open_case=1, sort="missing")),
        monthly_owed=sum(r.monthly_owed for r in by_sector),
        weeks=weeks,
        won=Cell(won_total, link(complied_from=starts[0], complied_to=last_day)),
        extra={"money": money, "answer": answer,
               "improved": improved_this_month(in_scope, today)},
    )


def improved_this_month(in_scope: Callable[[Any], ColumnElement[bool]], today: date) -> int:
    """Companies that registered more workers this month (from the first of the month to
    `today`), by the history of their figures: a change of the registered workers to more
    than before, whatever its source (officer, import, inspection)."""
    rows = db.session.execute(select(FigureChange.company_id, FigureChange.before,
                                     FigureChange.after).where(
        in_scope(FigureChange.branch_id), FigureChange.field == "workers_registered",
        FigureChange.changed_on >= today.replace(day=1), FigureChange.changed_on <= today))
    return len({company_id for company_id, before, after in rows
                if before.isdigit() and after.isdigit() and int(after) > int(before)})
