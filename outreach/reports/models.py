"""The supervisor's review: directives left on cases, the stored monthly reports, and the
dashboard's summary rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import utcnow
from outreach.extensions import db

if TYPE_CHECKING:
    from outreach.cases.models import Case
    from outreach.org.models import Branch, User


class Directive(db.Model):
    """An instruction a supervisor leaves on a case for the officer who works it."""

    __tablename__ = "directives"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: the supervisor who gave it
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the officer assigned to the company when it was given (who is told)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: the day it was given, in the branch's calendar (the timeline's date)
    given_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])


class MonthlyReport(db.Model):
    """A branch's monthly report as a PDF, made by the scheduler or on demand (latest wins)."""

    __tablename__ = "monthly_reports"
    __table_args__ = (UniqueConstraint("branch_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    #: first day of the month the report covers
    period: Mapped[date] = mapped_column(Date)
    #: the day its figures were computed for
    as_of: Mapped[date] = mapped_column(Date)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(String(64))
    #: who asked for it; None for the scheduler
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    generated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    branch: Mapped[Branch] = relationship()
    generated_by: Mapped[User | None] = relationship()


#: the day of a summary row that has none (a key column is never NULL: NULLs would not meet
#: in the unique key an UPSERT lands on)
NO_DAY = date(1, 1, 1)


class DashboardCount(db.Model):
    """One row of a branch's dashboard summary (`outreach.reports.summary`): the companies or
    cases of the branch that share the key of one figure, and the sums the figure needs.

    Each company (with its cases) adds to exactly one row per key it has, so a change is the
    old contribution taken away and the new one added, in the transaction of the change.
    """

    __tablename__ = "dashboard_counts"
    __table_args__ = (UniqueConstraint("figure", "branch_id", "k1", "k2", "k3", "day", "day2",
                                       name="uq_dashboard_counts_key"),
                      # what the dashboard reads: one figure of the branches in scope, by
                      # date range, from the index alone on PostgreSQL (a seq scan of the
                      # whole table per figure took half the regional dashboard's SQL)
                      Index("ix_dashboard_counts_read", "figure", "branch_id", "day",
                            postgresql_include=["k1", "k2", "k3", "day2", "n", "missing",
                                                "owed"]))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: short code of the figure (`outreach.reports.summary`)
    figure: Mapped[str] = mapped_column(String(10))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    #: text keys (a stage, a sector, rungs reached, ...) and a number key (an officer)
    k1: Mapped[str] = mapped_column(String(300), default="")
    k2: Mapped[str] = mapped_column(String(120), default="")
    k3: Mapped[int] = mapped_column(default=0)
    #: date keys (a due date, the day opened, a week), NO_DAY when the figure has none
    day: Mapped[date] = mapped_column(Date, default=NO_DAY)
    day2: Mapped[date] = mapped_column(Date, default=NO_DAY)
    #: companies or cases
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    #: workers not registered
    missing: Mapped[int] = mapped_column(BigInteger, default=0)
    #: monthly contributions not paid, in 1/100,000 Rupiah (exact: rates have three decimals
    #: of a percent)
    owed: Mapped[int] = mapped_column(BigInteger, default=0)
