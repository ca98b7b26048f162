"""Employers and the contribution rates used to estimate what they owe."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Date, ForeignKey, Index, Numeric, String, Text, case
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import TimestampMixin
from outreach.extensions import db

if TYPE_CHECKING:
    from outreach.cases.models import Case
    from outreach.org.models import Branch, User


class BusinessSize:
    """Business size classes of Perpres 109/2013."""

    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    ALL = (MICRO, SMALL, MEDIUM, LARGE)


class Program:
    """Social security programs."""

    JKK = "JKK"
    JKM = "JKM"
    JHT = "JHT"
    JP = "JP"
    JKP = "JKP"
    ALL = (JKK, JKM, JHT, JP, JKP)


class Source:
    """Where a company record came from."""

    BPJS = "bpjs"
    PEMKOT = "pemkot"
    DISNAKER = "disnaker"
    MANUAL = "manual"
    #: a figure an approved inspection report found (PP 86/2013 art. 13)
    INSPECTION = "inspection"
    ALL = (BPJS, PEMKOT, DISNAKER, MANUAL)


#: the sources of a value an import keeps against a list that says otherwise (reporting the
#: list's value as a conflict): one a person entered, one an approved inspection found
KEPT_SOURCES = (Source.MANUAL, Source.INSPECTION)


class Company(TimestampMixin, db.Model):
    """An employer that a branch is working to bring into full compliance."""

    __tablename__ = "companies"
    __table_args__ = (
        Index("ix_companies_branch_name", "branch_id", "name"),
        # the company list counts a branch's companies joined to their open cases in id order,
        # and offers the sectors and kecamatan of the branch as filters
        Index("ix_companies_branch_id_id", "branch_id", "id"),
        Index("ix_companies_branch_sector", "branch_id", "sector"),
        Index("ix_companies_branch_kecamatan", "branch_id", "kecamatan"),
        # the dashboard adds up the workers and contributions missing by sector and kecamatan,
        # and the overdue cases by officer, from the indexes alone (reports/dashboard.py)
        Index("ix_companies_dashboard", "branch_id", "sector", "kecamatan", "business_size",
              "risk_class", "programs", "workers_estimated", "workers_registered",
              "average_wage", "open_case_status"),
        Index("ix_companies_overdue", "branch_id", "open_case_status", "open_case_due_on",
              "officer_id"),
        Index("ix_companies_reached", "branch_id", "reached"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: lower-case name without legal-form words, for search and duplicate checks
    name_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    #: business number (Nomor Induk Berusaha), 13 digits
    nib: Mapped[str | None] = mapped_column(String(13), index=True)
    #: tax number, digits only (15, or 16 since 2024)
    npwp: Mapped[str | None] = mapped_column(String(16), index=True)
    #: employer number given by the agency once registered
    npp: Mapped[str | None] = mapped_column(String(20), index=True)
    director_name: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(255), default="")
    kelurahan: Mapped[str] = mapped_column(String(80), default="")
    kecamatan: Mapped[str] = mapped_column(String(80), default="", index=True)
    city: Mapped[str] = mapped_column(String(80), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    sector: Mapped[str] = mapped_column(String(60), default="", index=True)
    business_size: Mapped[str] = mapped_column(String(10), default=BusinessSize.SMALL)
    #: work-accident risk class 1..5 (JKK rate)
    risk_class: Mapped[int] = mapped_column(default=1)
    workers_estimated: Mapped[int] = mapped_column(default=0)
    workers_registered: Mapped[int] = mapped_column(default=0)
    #: estimated average monthly wage per worker, Rupiah
    average_wage: Mapped[int] = mapped_column(default=0)
    #: programs taken, comma-separated codes ("JKK,JKM")
    programs: Mapped[str] = mapped_column(String(40), default="")
    #: the day the company became obliged to register and pay (from a list or the officer);
    #: unknown (None) makes the ledger count from its case's opening, shown as an assumption
    obliged_on: Mapped[date | None] = mapped_column(Date)
    #: the monthly wage per worker the company reports to the agency, Rupiah (PDS-Upah: the
    #: contributions owed are on the gap up to `average_wage`, the actual wage)
    reported_wage: Mapped[int | None]
    #: the first month whose contributions the company has not paid (Menunggak)
    unpaid_since: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20), default=Source.MANUAL)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    #: the status and next due date of the company's case that is not closed ("" and None
    #: when it has none), copied from the case by `outreach.cases.service.project` (their one
    #: writer) whenever the case changes: the dashboard reads them without joining the cases
    open_case_status: Mapped[str] = mapped_column(String(10), default="", server_default="")
    open_case_due_on: Mapped[date | None] = mapped_column(Date)
    #: the rungs any of its cases reached (`Case.reached` of them all), copied likewise: the
    #: dashboard's funnel counts companies by it
    reached: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: where the company is (WGS84 degrees), where that came from ("visit": a visit's position
    #: with no warning, `outreach.fieldwork.service`) and the day it was set
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    location_source: Mapped[str] = mapped_column(String(12), default="", server_default="")
    located_on: Mapped[date | None] = mapped_column(Date)

    branch: Mapped[Branch] = relationship()
    officer: Mapped[User | None] = relationship()
    cases: Mapped[list[Case]] = relationship(back_populates="company", order_by="Case.opened_on")
    #: optimistic lock: a save based on an older version is refused (as for cases)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    @hybrid_property
    def workers_missing(self) -> int:
        """Workers not registered: those estimated beyond those registered, never below zero
        (the same in Python and, below, in SQL for the dashboard and the exports)."""
        return max(self.workers_estimated - self.workers_registered, 0)

    @workers_missing.inplace.expression
    @classmethod
    def _workers_missing_sql(cls) -> ColumnElement[int]:
        return case((cls.workers_estimated > cls.workers_registered,
                     cls.workers_estimated - cls.workers_registered), else_=0)

    @property
    def program_list(self) -> list[str]:
        """Programs taken, as a list of codes."""
        return [p for p in self.programs.split(",") if p]


class ContributionRate(db.Model):
    """A contribution rate of one program, valid from a date (rates change by regulation)."""

    __tablename__ = "contribution_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    program: Mapped[str] = mapped_column(String(5))
    #: JKK rates depend on the risk class; null for the other programs
    risk_class: Mapped[int | None]
    #: employer's share, percent of the monthly wage
    employer_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    #: worker's share, percent of the monthly wage
    worker_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3), default=Decimal(0))
    #: wage cap the rate applies up to (JP), Rupiah
    wage_cap: Mapped[int | None]
    effective_from: Mapped[date] = mapped_column(Date)
    legal_basis: Mapped[str] = mapped_column(String(120), default="")
    #: where the figure comes from (the announcement of a JP wage cap), and what of it could
    #: not be confirmed
    source: Mapped[str] = mapped_column(Text, default="", server_default="")


class FigureSource:
    """Who changed a compliance figure: an officer on the company form, an import of a list,
    an approved inspection report."""

    OFFICER = "officer"
    IMPORT = "import"
    INSPECTION = "inspection"
    ALL = (OFFICER, IMPORT, INSPECTION)


#: the figures whose history is kept: the compliance over time of a company
TRACKED_FIGURES = ("workers_estimated", "workers_registered", "average_wage", "reported_wage",
                   "programs")


class FigureChange(db.Model):
    """One change of a company's compliance figure (workers, wages, programs), with its day and
    source: the history behind "registered 10 of 25 in March, 25 of 25 in May"."""

    __tablename__ = "company_figure_changes"
    __table_args__ = (
        Index("ix_company_figure_changes_company", "company_id", "changed_on"),
        # the dashboard counts the branch's companies that improved in a month
        Index("ix_company_figure_changes_branch", "branch_id", "changed_on", "field"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    #: the company's branch when the change was made (the dashboard counts by it)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    #: the field of `TRACKED_FIGURES`
    field: Mapped[str] = mapped_column(String(30))
    #: the values before and after, as text ("" for none; programs as "JKK,JKM")
    before: Mapped[str] = mapped_column(String(60), default="")
    after: Mapped[str] = mapped_column(String(60), default="")
    changed_on: Mapped[date] = mapped_column(Date)
    #: officer, import or inspection (`FigureSource`)
    source: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the import or inspection that made the change, where there is one
    import_id: Mapped[int | None] = mapped_column(ForeignKey("company_imports.id"))
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"))
