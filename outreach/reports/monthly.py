"""The monthly report of a branch: the dashboard's figures and charts, what happened in the
month and the sanctions taken in it, as a stored PDF made by the scheduler or on demand."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from babel.dates import format_date
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import defer, joinedload, undefer

from outreach.cases.models import Case, Step
from outreach.companies.models import Company
from outreach.companies.service import COMPLIANT
from outreach.core.access import scoped
from outreach.core.audit import record
from outreach.core.db import utcnow
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.ladder.rules import in_force_sql
from outreach.letters.models import Letter
from outreach.letters.render import page_pdf
from outreach.org.models import Branch, Role, User
from outreach.reports.comparison import visible_branch
from outreach.reports.dashboard import CLOSED, Scope, dashboard
from outreach.reports.figures import dashboard_charts
from outreach.reports.models import MonthlyReport

#: rungs listed in the monthly report's list of sanctions and referrals
SANCTIONS = ("fine", "tmp2t", "legal_referral")


@dataclass
class Sanction:
    """A company fined, recommended for TMP2T or referred to the prosecutor in the month."""

    company: str
    kecamatan: str
    kind: str
    occurred_on: date
    letter_number: str
    officer: str


def month_start(day: date) -> date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def previous_month(day: date) -> date:
    """The first day of the month before `day`'s."""
    return month_start(month_start(day) - timedelta(days=1))


def next_month(period: date) -> date:
    """The first day of the month after `period`."""
    return month_start(period + timedelta(days=32))


def sanctions_in(scope: Scope, period: date) -> list[Sanction]:
    """Fines, TMP2T recommendations and legal referrals in force taken in the month."""
    stmt = (select(Company.name, Company.kecamatan, Step.kind, Step.occurred_on, Letter.number,
                   User.name)
            .select_from(Step).join(Case, Case.id == Step.case_id)
            .join(Company, Company.id == Case.company_id)
            .outerjoin(Letter, Letter.id == Step.letter_id)
            .outerjoin(User, User.id == Step.officer_id)
            .where(Step.kind.in_(SANCTIONS), in_force_sql(), scope.condition(Case.branch_id),
                   Step.occurred_on >= period, Step.occurred_on < next_month(period))
            .order_by(Step.occurred_on, Company.name, Step.id))
    return [Sanction(name, kecamatan, kind, day, number or "", officer or "")
            for name, kecamatan, kind, day, number, officer in db.session.execute(stmt)]


def month_activity(scope: Scope, period: date) -> dict[str, int]:
    """What happened in the month: cases opened, compliance won, steps taken."""
    end = next_month(period)
    opened = db.session.scalar(select(func.count()).select_from(Case).where(
        scope.condition(Case.branch_id), Case.opened_on >= period, Case.opened_on < end)) or 0
    won = db.session.scalar(select(func.count(distinct(Case.company_id))).where(
        scope.condition(Case.branch_id), CLOSED,
        Case.outcome == COMPLIANT, Case.closed_on >= period, Case.closed_on < end)) or 0
    steps = db.session.scalar(select(func.count()).select_from(Step)
                              .join(Case, Case.id == Step.case_id)
                              .where(scope.condition(Case.branch_id), in_force_sql(),
                                     Step.occurred_on >= period, Step.occurred_on < end)) or 0
    return {"opened": opened, "won": won, "steps": steps}


def monthly_report_pdf(branch: Branch, period: date, as_of: date, locale: str = "id") -> bytes:
    """The branch's monthly report: the dashboard's figures and charts as of `as_of`, what
    happened in the month of `period`, and the companies fined or referred in it."""
    scope = Scope.branch(branch.id)
    with force_locale(locale):
        figures = dashboard(scope, as_of)
        return page_pdf(
            "reports/monthly.html", branch=branch, period=period, as_of=as_of, d=figures,
            month_label=month_name(period),
            activity=month_activity(scope, period), sanctions=sanctions_in(scope, period),
            charts=dashboard_charts(figures, links=False))


def refuse_report(actor: User | None, branch: Branch, period: date, today: date) -> None:
    """Refuse a report of the branch's month by someone who may not make it, or of a month
    not begun; `actor` None is the scheduler."""
    if actor is not None:
        allowed = actor.role in (Role.REGIONAL, Role.ADMIN) or (
            actor.role == Role.SUPERVISOR and actor.branch_id == branch.id)
        if not allowed or visible_branch(actor, branch.id) is None:
            raise ServiceError(_("Only supervisors and regional staff make monthly reports."))
    if month_start(period) > month_start(today):
        raise ServiceError(_("That month has not begun yet."), "period")


def store_monthly_report(actor: User | None, branch: Branch, period: date,
                         today: date) -> MonthlyReport:
    """Make the branch's report of the month of `period` and store it (replacing an older one);
    `actor` None is the scheduler, otherwise a supervisor of the branch or regional staff."""
    refuse_report(actor, branch, period, today)
    period = month_start(period)
    pdf = monthly_report_pdf(branch, period, today)
    report = db.session.scalars(select(MonthlyReport).where(
        MonthlyReport.branch_id == branch.id, MonthlyReport.period == period)).first()
    if report is None:
        report = MonthlyReport(branch_id=branch.id, period=period)
        db.session.add(report)
    report.as_of, report.pdf = today, pdf
    report.sha256 = hashlib.sha256(pdf).hexdigest()
    report.generated_by_id = actor.id if actor else None
    report.generated_at = utcnow()
    db.session.flush()
    record(actor, "report.monthly", "monthly_report", report.id,
           {"period": period, "sha256": report.sha256}, branch_id=branch.id)
    return report


def branches_without_report(period: date) -> list[Branch]:
    """Active branches with no stored report of the month of `period`."""
    done = select(MonthlyReport.branch_id).where(MonthlyReport.period == period)
    return list(db.session.scalars(select(Branch).where(Branch.active, Branch.id.not_in(done))
                                   .order_by(Branch.code)))


def monthly_reports_due(today: date) -> dict[str, Any]:
    """The scheduler's job: last month's report for every active branch that has none yet."""
    period = previous_month(today)
    made = []
    for branch in branches_without_report(period):
        store_monthly_report(None, branch, period, today)
        made.append(branch.code)
    return {"period": period.isoformat(), "reports": len(made), "branches": made}


def reports_list(user: User, limit: int = 60) -> list[MonthlyReport]:
    """Stored monthly reports of the branches the user reads, newest first."""
    stmt = (scoped(MonthlyReport, user).options(defer(MonthlyReport.pdf))
            .order_by(MonthlyReport.period.desc(), MonthlyReport.branch_id).limit(limit))
    return list(db.session.scalars(stmt))


def stored_report(user: User, report_id: int) -> MonthlyReport | None:
    """A stored monthly report of a branch the user reads, with its PDF and its branch."""
    return db.session.scalars(
        scoped(MonthlyReport, user).where(MonthlyReport.id == report_id)
        .options(undefer(MonthlyReport.pdf), joinedload(MonthlyReport.branch))).first()


def month_name(period: date) -> str:
    """A month as "Februari 2026"."""
    return format_date(period, "MMMM y", locale=str(get_locale() or "id"))
