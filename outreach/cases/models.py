"""Cases of non-compliance, the steps taken on them and their proof."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import TimestampMixin, utcnow
from outreach.extensions import db

if TYPE_CHECKING:
    from outreach.companies.models import Company
    from outreach.letters.models import Letter
    from outreach.org.models import User


class Category:
    """Kinds of non-compliance (a case can have several)."""

    PWBD = "PWBD"
    PDS_TK = "PDS-TK"
    PDS_UPAH = "PDS-Upah"
    PDS_PROGRAM = "PDS-Program"
    ARREARS = "Menunggak"
    ALL = (PWBD, PDS_TK, PDS_UPAH, PDS_PROGRAM, ARREARS)


class CaseStatus:
    """Where a case stands."""

    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"
    ALL = (OPEN, PAUSED, CLOSED)


class Case(TimestampMixin, db.Model):
    """One episode of non-compliance of one company, from opening to its outcome."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_branch_status_due", "branch_id", "status", "next_due_on"),
        # the company list joins each company to its case that is not closed
        Index("ix_cases_open_company", "company_id", "status",
              sqlite_where=text("status <> 'closed'"),
              postgresql_where=text("status <> 'closed'")),
        # the dashboard counts a branch's cases by stage and categories (in this order, so
        # that SQLite groups them without sorting), age and due date, rungs reached and
        # compliance won from the indexes alone (reports/dashboard.py)
        Index("ix_cases_dashboard", "branch_id", "stage", "category_list", "status",
              "opened_on", "next_due_on"),
        Index("ix_cases_won", "branch_id", "outcome", "closed_on", "stage", "company_id",
              sqlite_where=text("status = 'closed'"),
              postgresql_where=text("status = 'closed'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: (no index of its own: the indexes above start with it)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=CaseStatus.OPEN)
    # stage, reached, next_rung, next_due_on and overdue_since are copies of what the steps
    # say, kept for speed; their one writer is `outreach.cases.service.project`.
    #: code of the highest rung reached; empty before the first step
    stage: Mapped[str] = mapped_column(String(30), default="")
    #: codes of every rung with a step in force, comma-separated (the dashboard's funnel counts
    #: them without reading the steps)
    reached: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: the category codes of `category_rows`, comma-separated in canonical order, written when
    #: the case is inserted (categories never change afterwards): the dashboard counts open
    #: cases by category and stage without joining the category rows
    category_list: Mapped[str] = mapped_column(String(120), default="", server_default="")
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    #: how the case ended: compliant, company_closed, withdrawn
    outcome: Mapped[str] = mapped_column(String(20), default="")
    #: why the case is paused: dispute, company_closed, court
    pause_reason: Mapped[str] = mapped_column(String(20), default="")
    paused_on: Mapped[date | None] = mapped_column(Date)
    #: rung expected next and the day it is due (nothing while the case is paused or closed)
    next_rung: Mapped[str] = mapped_column(String(30), default="")
    next_due_on: Mapped[date | None] = mapped_column(Date)
    #: first morning the sweep found the next step overdue; cleared when the due date moves
    #: and when the case is paused or closed
    overdue_since: Mapped[date | None] = mapped_column(Date)
    #: NPP and evidence recorded when the case closes as compliant
    closing_npp: Mapped[str] = mapped_column(String(20), default="")
    closing_evidence: Mapped[str] = mapped_column(Text, default="")
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: optimistic lock: a save based on an older version is refused
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    company: Mapped[Company] = relationship(back_populates="cases")
    category_rows: Mapped[list[CaseCategory]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    steps: Mapped[list[Step]] = relationship(
        back_populates="case", order_by="Step.occurred_on", cascade="all, delete-orphan"
    )

    @property
    def categories(self) -> list[str]:
        """Category codes in their canonical order."""
        codes = {row.category for row in self.category_rows}
        return [c for c in Category.ALL if c in codes]


@event.listens_for(Case, "before_insert")
def _write_category_list(_mapper, _connection, case: Case) -> None:
    case.category_list = ",".join(case.categories)


class CaseCategory(db.Model):
    """One category of a case."""

    __tablename__ = "case_categories"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class Delivery:
    """Delivery state of a letter step: its letter is a draft (unsent), issued and on its way
    (pending), delivered, returned undelivered, or withdrawn (voided, or a draft withdrawn when
    the case closed)."""

    NOT_APPLICABLE = ""
    UNSENT = "unsent"
    PENDING = "pending"
    DELIVERED = "delivered"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"
    ALL = (NOT_APPLICABLE, UNSENT, PENDING, DELIVERED, RETURNED, WITHDRAWN)


class Approval:
    """Approval state of a step that needs a supervisor."""

    NOT_NEEDED = ""
    REQUESTED = "requested"
    APPROVED = "approved"
    RETURNED = "returned"
    #: the request lapsed: the case closed before a supervisor decided
    WITHDRAWN = "withdrawn"
    ALL = (NOT_NEEDED, REQUESTED, APPROVED, RETURNED, WITHDRAWN)


class Step(TimestampMixin, db.Model):
    """One action taken on a case: a letter, a visit, a call, a warning, a referral."""

    __tablename__ = "steps"
    __table_args__ = (Index("ix_steps_case_occurred", "case_id", "occurred_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    #: rung code of the ladder, e.g. "warning_1"
    kind: Mapped[str] = mapped_column(String(30))
    occurred_on: Mapped[date] = mapped_column(Date)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: outcome code: promised, refused, disputed, unreachable, partial, registered …
    outcome: Mapped[str] = mapped_column(String(20), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    #: the person the officer met or spoke to (a visit, a call, a summons), and their position
    met_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    met_position: Mapped[str] = mapped_column(String(80), default="", server_default="")
    #: end of the response window in working days, if the rung has one
    due_on: Mapped[date | None] = mapped_column(Date)
    delivery_status: Mapped[str] = mapped_column(String(10), default=Delivery.NOT_APPLICABLE)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    #: receipt, courier or hand
    delivery_method: Mapped[str] = mapped_column(String(10), default="")
    #: receipt number or courier tracking number
    delivery_reference: Mapped[str] = mapped_column(String(80), default="")
    #: who received a hand-delivered letter
    delivery_recipient: Mapped[str] = mapped_column(String(120), default="")
    approval_status: Mapped[str] = mapped_column(String(10), default=Approval.NOT_NEEDED)
    approval_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approval_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approval_note: Mapped[str] = mapped_column(Text, default="")
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))
    #: where the officer's phone was when they tapped "record my location" on a visit (WGS84
    #: degrees; nothing is recorded without that tap), how far off the phone said it may be
    #: (metres) and when the phone took the position
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    position_accuracy_m: Mapped[float | None]
    position_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: why the position is not the company's location (older than the visit, not accurate
    #: enough); empty for a good position (`outreach.fieldwork.rules.position_problems`)
    position_warning: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: how a contact step went when not in person, by phone or by letter: "whatsapp"
    channel: Mapped[str] = mapped_column(String(12), default="", server_default="")
    #: the idempotency key the phone gave the entry (a step logged offline is sent again until
    #: the server's answer arrives): a second send with the same key makes no second step
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    case: Mapped[Case] = relationship(back_populates="steps")
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])
    approval_by: Mapped[User | None] = relationship(foreign_keys=[approval_by_id])
    letter: Mapped[Letter | None] = relationship(foreign_keys=[letter_id])
    proofs: Mapped[list[Proof]] = relationship(
        back_populates="step", cascade="all, delete-orphan", order_by="Proof.id"
    )


class Proof(db.Model):
    """A file that proves a step happened: a photo, a scan of a receipt or a signed report."""

    __tablename__ = "proofs"

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("steps.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    #: the file itself, kept in the database so that backups carry it
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    step: Mapped[Step] = relationship(back_populates="proofs")


class ClosingStatus:
    """Where a request to close a case stands."""

    REQUESTED = "requested"
    APPROVED = "approved"
    RETURNED = "returned"
    ALL = (REQUESTED, APPROVED, RETURNED)


class ClosingRequest(TimestampMixin, db.Model):
    """A close that needs a second person: any outcome other than compliant, or a compliant
    close with workers still unregistered. The case closes when a supervisor other than the
    requester approves."""

    __tablename__ = "closing_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: the outcome asked for (`outreach.core.labels.CLOSE_OUTCOMES`)
    outcome: Mapped[str] = mapped_column(String(20))
    npp: Mapped[str] = mapped_column(String(20), default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    #: why the case should close this way (a partial close: why the rest are not registered)
    reason: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=ClosingStatus.REQUESTED)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
