"""The regional comparison: every branch the user reads side by side, as aggregate SQL; and
the branches a user reads, to choose one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, func, select

from outreach.cases.models import Case, CaseStatus
from outreach.companies.models import Company
from outreach.companies.service import COMPLIANT, NOT_CLOSED, has_reached
from outreach.core.access import branch_condition, visible_branches
from outreach.core.formatting import rupiah_int
from outreach.extensions import db
from outreach.org.models import Branch, User
from outreach.reports.dashboard import CLOSED, WEEKS, Cell, count_rows, gap_totals, week_starts


@dataclass
class BranchRow:
    """One branch's key figures, side by side with the others of the region."""

    branch_id: int
    code: str
    name: str
    open_cases: Cell
    overdue: Cell
    older: Cell
    workers_missing: Cell
    monthly_owed: int
    won: Cell
    fined: Cell
    referred: Cell


OLDER_THAN_DAYS = 90


def branch_comparison(user: User, today: date) -> list[BranchRow]:
    """Key figures of every branch the user reads, one row each (five GROUP BY queries)."""
    def in_scope(column: Any) -> ColumnElement[bool]:
        return branch_condition(user, column)

    branches = list(db.session.scalars(select(Branch).where(in_scope(Branch.id))
                                       .order_by(Branch.name)))
    older_than = today - timedelta(days=OLDER_THAN_DAYS + 1)
    cases = {branch_id: (n, late, old) for branch_id, n, late, old in db.session.execute(
        select(Case.branch_id, func.count(),
               func.sum(case((and_(Case.status == CaseStatus.OPEN, Case.next_due_on < today),
                              1), else_=0)),
               func.sum(case((Case.opened_on <= older_than, 1), else_=0)))
        .where(NOT_CLOSED, in_scope(Case.branch_id)).group_by(Case.branch_id))}
    gaps = {branch_id: (missing, money) for (branch_id,), (_n, missing, money)
            in gap_totals([Company.branch_id], in_scope, today).items()}
    since = week_starts(today)[0]
    until = since + timedelta(weeks=WEEKS) - timedelta(days=1)
    won = dict(count_rows(
        select(Case.branch_id, func.count(distinct(Case.company_id)))
        .where(CLOSED, Case.outcome == COMPLIANT,
               Case.closed_on >= since, Case.closed_on <= until, in_scope(Case.branch_id))
        .group_by(Case.branch_id)))
    sanctions = {branch_id: (fined, referred) for branch_id, fined, referred in
                 db.session.execute(
        select(Company.branch_id,
               func.sum(case((has_reached("fine"), 1), else_=0)),
               func.sum(case((has_reached("legal_referral"), 1), else_=0)))
        .where(in_scope(Company.branch_id)).group_by(Company.branch_id))}
    rows = []
    for branch in branches:
        n, late, old = cases.get(branch.id, (0, 0, 0))
        missing, money = gaps.get(branch.id, (0, 0))
        base = {"branch": branch.id}
        rows.append(BranchRow(
            branch.id, branch.code, branch.name,
            open_cases=Cell(n, {**base, "open_case": 1}),
            overdue=Cell(int(late or 0), {**base, "overdue": 1}),
            older=Cell(int(old or 0), {**base, "open_case": 1,
                                       "opened_to": older_than.isoformat()}),
            workers_missing=Cell(int(missing or 0), {**base, "open_case": 1, "sort": "missing"}),
            monthly_owed=rupiah_int(money),
            won=Cell(won.get(branch.id, 0), {**base, "complied_from": since.isoformat(),
                                             "complied_to": until.isoformat()}),
            fined=Cell(int(sanctions.get(branch.id, (0, 0))[0] or 0),
                       {**base, "reached": "fine"}),
            referred=Cell(int(sanctions.get(branch.id, (0, 0))[1] or 0),
                          {**base, "reached": "legal_referral"}),
        ))
    return rows


def visible_branch(user: User, branch_id: int) -> Branch | None:
    """The branch if the user reads it."""
    return db.session.scalars(select(Branch).where(
        Branch.id == branch_id, branch_condition(user, Branch.id))).first()


def readable_branches(user: User) -> list[Branch]:
    """The branches the user reads, by name."""
    return list(db.session.scalars(visible_branches(user)))
