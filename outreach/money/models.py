"""The money of a company: late-payment rates (dated reference data) and the payments it made."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, LargeBinary, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import utcnow
from outreach.extensions import db

if TYPE_CHECKING:
    from outreach.companies.models import Company
    from outreach.org.models import User


class LatePaymentRate(db.Model):
    """The surcharge on contributions paid late, percent a month, per program, from a date."""

    __tablename__ = "late_payment_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    program: Mapped[str] = mapped_column(String(5))
    #: percent of the unpaid contribution for each month late
    percent_per_month: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    effective_from: Mapped[date] = mapped_column(Date)
    #: regulation and article, and what could not be confirmed
    legal_basis: Mapped[str] = mapped_column(String(255), default="")


class PaymentKind:
    """What a payment pays: contributions owed, or the fine (PP 86/2013)."""

    CONTRIBUTION = "contribution"
    FINE = "fine"
    ALL = (CONTRIBUTION, FINE)


class Payment(db.Model):
    """Money a company paid towards its contributions owed or its fine, with its proof."""

    __tablename__ = "payments"
    __table_args__ = (Index("ix_payments_company_paid", "company_id", "paid_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the branch whose officer recorded it (the company's branch at the time)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    kind: Mapped[str] = mapped_column(String(12))
    paid_on: Mapped[date] = mapped_column(Date)
    #: Rupiah, whole
    amount: Mapped[int] = mapped_column(BigInteger)
    #: the bank transfer or receipt number
    reference: Mapped[str] = mapped_column(String(80), default="")
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    #: the proof file itself, kept in the database so that backups carry it
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    #: read by the branch that recorded it and by the branch that now holds the company
    __scope_through__ = "company"

    company: Mapped[Company] = relationship()
    recorded_by: Mapped[User | None] = relationship()
