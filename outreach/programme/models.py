"""Sponsors, the informal workers (BPU) they pay for, the lists they send, renewals due."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import TimestampMixin, utcnow
from outreach.extensions import db

if TYPE_CHECKING:
    from outreach.companies.models import Company
    from outreach.org.models import Branch


class SponsorKind:
    """Who pays."""

    #: the city or regency government, from its budget (APBD)
    CITY = "city"
    #: a company's corporate social responsibility fund
    CSR = "csr"
    OTHER = "other"
    ALL = (CITY, CSR, OTHER)


class Sponsor(TimestampMixin, db.Model):
    """A sponsor's programme: who pays, for how many workers, how much, for which months."""

    __tablename__ = "sponsors"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    #: short code, e.g. "PEMKOT-PKL-2026"
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: city, csr or other
    kind: Mapped[str] = mapped_column(String(10))
    #: the company whose CSR pays (csr sponsors)
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id"), index=True)
    #: the city's budget line (APBD), e.g. "1.02.01.2.03.0012"
    budget_line: Mapped[str] = mapped_column(String(120), default="")
    #: the amount budgeted or pledged, Rupiah; None: not limited by an amount
    budget: Mapped[int | None]
    #: how many workers it pays for (a CSR pledge's workers)
    quota: Mapped[int]
    #: months of coverage each worker gets (a CSR pledge's months; a city's whole period)
    months: Mapped[int]
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: whether it also pays the optional old-age savings (JHT)
    pays_jht: Mapped[bool] = mapped_column(default=False)
    #: the monthly income declared for each worker, Rupiah (the lowest is Rp1.000.000)
    declared_income: Mapped[int] = mapped_column(default=1_000_000)
    #: the sponsor's regency or city code (4 digits of the NIK, e.g. 3375 for Kota Pekalongan)
    regency_code: Mapped[str] = mapped_column(String(4), default="")

    branch: Mapped[Branch] = relationship()
    company: Mapped[Company | None] = relationship()


class Beneficiary(TimestampMixin, db.Model):
    """One informal worker funded by one sponsor for a run of months."""

    __tablename__ = "beneficiaries"
    __table_args__ = (Index("ix_beneficiaries_nik_months", "nik", "covered_from", "covered_to"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id"), index=True)
    #: the import that enrolled the worker
    import_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiary_imports.id"))
    #: the population number (16 digits): personal data (UU 27/2022)
    nik: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    #: personal data (UU 27/2022)
    birth_date: Mapped[date] = mapped_column(Date)
    #: "F" or "M", from the NIK (women have 40 added to the day)
    sex: Mapped[str] = mapped_column(String(1))
    #: the worker's trade (the report's sector), e.g. "Pembatik", "Nelayan", "Petani"
    occupation: Mapped[str] = mapped_column(String(80), default="")
    kelurahan: Mapped[str] = mapped_column(String(80), default="")
    kecamatan: Mapped[str] = mapped_column(String(80), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    #: the first and last month covered (first days of the months)
    covered_from: Mapped[date] = mapped_column(Date)
    covered_to: Mapped[date] = mapped_column(Date)
    #: programs paid, e.g. "JKK,JKM"
    programs: Mapped[str] = mapped_column(String(40))
    #: the monthly contribution, Rupiah, from the rates in force when enrolled
    monthly_contribution: Mapped[int]
    #: the membership number (KPJ) the agency gives once registered
    kpj: Mapped[str | None] = mapped_column(String(20))
    #: the NIK's regency is not the sponsor's (a warning, not a refusal)
    outside_regency: Mapped[bool] = mapped_column(default=False)

    sponsor: Mapped[Sponsor] = relationship()


class BeneficiaryImport(db.Model):
    """A list of workers uploaded for a sponsor: kept with its file, previewed, then applied."""

    __tablename__ = "beneficiary_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    filename: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    #: previewed, applied or discarded
    status: Mapped[str] = mapped_column(String(12), default="previewed")
    #: the dry run's counts and rows (what the preview page shows)
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    sponsor: Mapped[Sponsor] = relationship()


class Renewal(db.Model):
    """A task of the morning sweep: a sponsor's workers whose coverage ends next month."""

    __tablename__ = "renewals"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id"), index=True)
    #: the last month covered (its first day)
    ends_month: Mapped[date] = mapped_column(Date)
    #: how many workers' coverage ends that month
    workers: Mapped[int]
    #: one task per sponsor and month, whatever the number of sweeps
    dedupe_key: Mapped[str] = mapped_column(String(60), unique=True)
    #: open or done
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    sponsor: Mapped[Sponsor] = relationship()
