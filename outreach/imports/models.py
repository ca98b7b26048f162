"""Company lists imported from the agency, the city and the labour office, and what each said."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import utcnow
from outreach.extensions import db

if TYPE_CHECKING:
    from outreach.cases.models import Case
    from outreach.org.models import User


class ImportStatus:
    """Where an import stands."""

    #: the file is stored; its columns are not yet confirmed
    UPLOADED = "uploaded"
    #: the dry run has been shown
    PREVIEWED = "previewed"
    #: the real run is in progress
    RUNNING = "running"
    #: the real run committed
    DONE = "done"
    #: given up before the real run; the file is no longer kept
    DISCARDED = "discarded"


class CompanyImport(db.Model):
    """One import of a company list: who, when, which file, and what it did."""

    __tablename__ = "company_imports"
    __table_args__ = (Index("ix_company_imports_branch_created", "branch_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    #: the signed-in user; empty for the command line
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: who ran it as shown in the history (a user's name, or the operator of the command line)
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    #: web or cli
    via: Mapped[str] = mapped_column(String(10), default="web")
    #: bpjs, pemkot or disnaker
    source: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    #: SHA-256 of the file, hex
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(default=0)
    #: the file itself, as uploaded (for its download)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: the rows read from it once, at the upload (`reading.Sheet.as_json`), for the mapping,
    #: the dry run and the real run; empty once the import is done or discarded
    sheet: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    #: what the mapping page shows without loading the rows: {"header_row", "rows",
    #: "columns": [{"header", "samples"}]}
    outline: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: the field of each column ("" for a column left out), as confirmed by the user
    mapping: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default=ImportStatus.UPLOADED)
    #: rows created, updated, unchanged, rejected and left for review (dry run until done)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the result of each row, of the dry run until the import is done
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, deferred=True)
    #: the user chose to import the valid rows although some were rejected
    valid_rows_only: Mapped[bool] = mapped_column(Boolean, default=False,
                                                  server_default=false())
    #: progress of a long run, for the progress bar
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    #: the job that reads the file and runs the dry run (`queue.work.IMPORT_CHECK`), whose page
    #: shows its progress
    check_job_id: Mapped[int | None] = mapped_column()

    user: Mapped[User | None] = relationship()


class CompanySourceValue(db.Model):
    """What one source last said about one field of a company, or what a person entered in it.

    A value entered by hand (on the company form, or the NPP when a case is closed as
    compliant) is kept with the source "manual" until an import replaces it: while it is kept,
    an import reports a list's other value as a conflict instead of replacing it.
    """

    __tablename__ = "company_source_values"
    __table_args__ = (UniqueConstraint("company_id", "field", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"))
    #: the company field (or a date only the lists carry: registered_on, licensed_on)
    field: Mapped[str] = mapped_column(String(30))
    #: the value as imported or entered, as text (dates as YYYY-MM-DD)
    value: Mapped[str] = mapped_column(String(255))
    #: bpjs, pemkot or disnaker; manual for a value entered by hand; inspection for one an
    #: approved inspection report found
    source: Mapped[str] = mapped_column(String(20))
    #: the import that brought the value (empty for one entered by hand)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("company_imports.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    company_import: Mapped[CompanyImport | None] = relationship()


class SuggestionStatus:
    """States of a suggestion to close a case."""

    OPEN = "open"
    DISMISSED = "dismissed"


class CloseSuggestion(db.Model):
    """A case that the agency's list of registered employers shows compliant: verify and close."""

    __tablename__ = "close_suggestions"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("company_imports.id"))
    #: the membership figures the list gave
    npp: Mapped[str] = mapped_column(String(20), default="")
    workers_registered: Mapped[int] = mapped_column(default=0)
    programs: Mapped[str] = mapped_column(String(40), default="")
    registered_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=SuggestionStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dismissed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    case: Mapped[Case] = relationship()
    company_import: Mapped[CompanyImport | None] = relationship()


class KecamatanOfficer(db.Model):
    """A branch's assignment rule: the officer a company of this kecamatan gets when an import
    creates it."""

    __tablename__ = "kecamatan_officers"
    __table_args__ = (UniqueConstraint("branch_id", "name_form"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"))
    #: the kecamatan as the branch writes it
    kecamatan: Mapped[str] = mapped_column(String(80))
    #: its comparison form (`matching.name_form`: spaces collapsed, case folded)
    name_form: Mapped[str] = mapped_column(String(80))
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))

    officer: Mapped[User] = relationship()
