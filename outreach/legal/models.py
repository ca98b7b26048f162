"""The employer's answer to a case (replies, commitments) and the legal track after the
referral to the prosecutor (the special power of attorney, Kejari's acceptance, summons and
meetings, an instalment agreement, a small-claims suit and its outcome)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from outreach.core.db import utcnow
from outreach.extensions import db

if TYPE_CHECKING:
    from outreach.cases.models import Case
    from outreach.org.models import User


class Channel:
    """How a reply reached the branch."""

    LETTER = "letter"
    EMAIL = "email"
    WHATSAPP = "whatsapp"
    IN_PERSON = "in_person"
    ALL = (LETTER, EMAIL, WHATSAPP, IN_PERSON)


class Reply(db.Model):
    """A reply (tanggapan) of the employer to the branch, with its content and attachment."""

    __tablename__ = "replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(12))
    #: who wrote or spoke for the employer
    sender: Mapped[str] = mapped_column(String(120), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    filename: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(80), default="")
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    #: the attachment itself, kept in the database so that backups carry it
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the idempotency key of a reply recorded on the phone without a connection: sent again,
    #: it makes no second reply
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __scope_through__ = "case"

    case: Mapped[Case] = relationship(backref=backref("replies", order_by="Reply.id"))
    recorded_by: Mapped[User | None] = relationship()


class CommitmentStatus:
    """Where a commitment stands: waiting for its day, kept, or broken."""

    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
    ALL = (OPEN, KEPT, BROKEN)


class Commitment(db.Model):
    """A signed commitment (surat pernyataan kesanggupan): what the employer promises by when.
    While it is open the case's next step waits for the promised day plus the branch's grace
    (`outreach.ladder.rules.commitment_hold`)."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    made_on: Mapped[date] = mapped_column(Date)
    promised_on: Mapped[date] = mapped_column(Date)
    #: working days after the promised day before the ladder resumes (the branch's setting
    #: when the commitment was made)
    grace_days: Mapped[int] = mapped_column(default=0)
    #: workers the company promises to have registered in all
    workers_promised: Mapped[int | None]
    #: the average monthly wage it promises to report (Rupiah)
    wage_promised: Mapped[int | None] = mapped_column(BigInteger)
    #: whether it promises to pay its arrears (in instalments)
    arrears_promised: Mapped[bool] = mapped_column(default=False)
    signatory_name: Mapped[str] = mapped_column(String(120), default="")
    signatory_position: Mapped[str] = mapped_column(String(120), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=CommitmentStatus.OPEN, index=True)
    judged_on: Mapped[date | None] = mapped_column(Date)
    judged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    judgement_note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __scope_through__ = "case"

    case: Mapped[Case] = relationship(backref=backref("commitments", order_by="Commitment.id"))


class LegalSetting(db.Model):
    """A branch's settings of the employer's answer: the grace after a promised day."""

    __tablename__ = "legal_settings"

    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), primary_key=True)
    commitment_grace_days: Mapped[int] = mapped_column(default=5)


class LegalKind:
    """The entries of the legal track after the referral."""

    POWER_OF_ATTORNEY = "power_of_attorney"
    ACCEPTANCE = "acceptance"
    SUMMONS = "summons"
    MEETING = "meeting"
    AGREEMENT = "agreement"
    SUIT = "suit"
    HEARING = "hearing"
    OUTCOME = "outcome"
    ALL = (POWER_OF_ATTORNEY, ACCEPTANCE, SUMMONS, MEETING, AGREEMENT, SUIT, HEARING, OUTCOME)


class LegalEvent(db.Model):
    """One entry of the legal track of a referred case."""

    __tablename__ = "legal_events"
    __table_args__ = (UniqueConstraint("branch_id", "kind", "year", "seq",
                                       name="uq_legal_events_branch_kind_year_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[date] = mapped_column(Date)
    #: the day the entry is about, when it lies ahead (a meeting, a hearing): it makes a task
    due_on: Mapped[date | None] = mapped_column(Date)
    #: a power of attorney's place in the branch's series of the year (gapless, its own)
    year: Mapped[int | None]
    seq: Mapped[int | None]
    #: the power of attorney's number, the court's case number
    number: Mapped[str] = mapped_column(String(80), default="")
    #: the state lawyer, the signatory
    person: Mapped[str] = mapped_column(String(120), default="")
    court: Mapped[str] = mapped_column(String(200), default="")
    #: the power of attorney's scope
    scope: Mapped[str] = mapped_column(Text, default="")
    #: the amount claimed (power of attorney, suit) or recovered (outcome), Rupiah
    amount: Mapped[int | None] = mapped_column(BigInteger)
    outcome: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __scope_through__ = "case"

    case: Mapped[Case] = relationship(backref=backref("legal_events",
                                                      order_by="LegalEvent.id"))
    instalments: Mapped[list[Instalment]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Instalment.seq")


class Instalment(db.Model):
    """One instalment of an agreement: an amount due by a day."""

    __tablename__ = "instalments"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("legal_events.id"), index=True)
    seq: Mapped[int]
    due_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)

    event: Mapped[LegalEvent] = relationship(back_populates="instalments")
