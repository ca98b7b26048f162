"""Letter templates, letters, and the per-branch counters that number them."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import TimestampMixin, utcnow
from outreach.extensions import db

if TYPE_CHECKING:
    from outreach.cases.models import Case
    from outreach.org.models import Branch


class LetterStatus:
    """Life of a letter: drafts may change, issued letters never do (a draft whose template
    needs approval is issued once a supervisor approved it or its step). A supervisor may void
    an issued letter (withdraw it, with a reason); closing a case voids its drafts."""

    DRAFT = "draft"
    ISSUED = "issued"
    VOID = "void"


class LetterTemplate(db.Model):
    """One version of a letter template; editing makes a new version."""

    __tablename__ = "letter_templates"
    __table_args__ = (UniqueConstraint("branch_id", "code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: null for the agency-wide template, a branch for its own variant
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(default=1)
    name: Mapped[str] = mapped_column(String(120))
    #: classification code in the letter number, e.g. "PKP"
    classification: Mapped[str] = mapped_column(String(20), default="")
    #: "Hal" line of the letter
    subject: Mapped[str] = mapped_column(String(200), default="")
    #: "Sifat" line of the letter (Biasa, Penting, Segera)
    nature: Mapped[str] = mapped_column(String(40), default="Penting")
    #: Jinja body rendered in the sandbox with plain data
    body: Mapped[str] = mapped_column(Text)
    #: copies (Tembusan), one a line
    copies: Mapped[str] = mapped_column(Text, default="")
    needs_approval: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Letter(TimestampMixin, db.Model):
    """A letter to a company: a draft, then an issued, numbered, immutable PDF."""

    __tablename__ = "letters"
    __table_args__ = (UniqueConstraint("branch_id", "year", "seq"),)
    #: read by the branch that has the letter (`branch_id`: the one that issued it) and by the
    #: branch that holds its case, which differ once the company moved to another branch
    #: (`outreach.core.access.read_condition`)
    __scope_through__ = "case"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("letter_templates.id"))
    status: Mapped[str] = mapped_column(String(10), default=LetterStatus.DRAFT)
    #: full letter number, e.g. "045/PKP/KC-PKL/I/2022"; set when issued
    number: Mapped[str | None] = mapped_column(String(80))
    seq: Mapped[int | None]
    year: Mapped[int | None]
    issued_on: Mapped[date | None] = mapped_column(Date)
    addressee_name: Mapped[str] = mapped_column(String(200), default="")
    #: the plain data the template was rendered with
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    #: short public code for /verify/<code>
    verify_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: a voided letter keeps its number (never reused) and its PDF; a withdrawn draft has none
    voided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    branch: Mapped[Branch] = relationship()
    case: Mapped[Case | None] = relationship()
    template: Mapped[LetterTemplate] = relationship()


class LetterCounter(db.Model):
    """Last number used per branch and year; bumped in the issuing transaction."""

    __tablename__ = "letter_counters"

    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
