"""Inspections (pemeriksaan) of a company's compliance: the assignment letter naming the
inspectors, the inspection record signed on site (Berita Acara Pemeriksaan) and the report
(Laporan Hasil Pemeriksaan) a supervisor approves. PP 86/2013 art. 13(1): administrative
sanctions are imposed on the basis of the supervision and inspection of compliance."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import TimestampMixin
from outreach.extensions import db

if TYPE_CHECKING:
    from outreach.cases.models import Case
    from outreach.companies.models import Company
    from outreach.letters.models import Letter
    from outreach.org.models import User


class InspectionStatus:
    """Where an inspection stands: assigned (the letter drafted or issued), recorded (the
    Berita Acara entered), submitted (the report waits for a supervisor), approved, or sent
    back (the author corrects the report and submits it again)."""

    ASSIGNED = "assigned"
    RECORDED = "recorded"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    ALL = (ASSIGNED, RECORDED, SUBMITTED, APPROVED, RETURNED)


class Checked:
    """What the inspectors checked on site."""

    WORKER_LISTS = "worker_lists"
    PAYROLL = "payroll"
    MEMBERSHIP = "membership"
    ALL = (WORKER_LISTS, PAYROLL, MEMBERSHIP)


class Inspection(TimestampMixin, db.Model):
    """One inspection of a company on its case, from assignment to the approved report."""

    __tablename__ = "inspections"
    __table_args__ = (
        # the ladder asks whether a case has an approved report
        Index("ix_inspections_case_status", "case_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=InspectionStatus.ASSIGNED)
    #: the inspectors (Wasrik) the assignment letter names, one a line
    inspectors: Mapped[str] = mapped_column(Text, default="")
    #: the day the inspection is planned for
    planned_on: Mapped[date] = mapped_column(Date)
    #: the assignment letter (surat tugas), a letter of the case
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))
    # --- the inspection record (Berita Acara Pemeriksaan), entered after the visit
    inspected_on: Mapped[date | None] = mapped_column(Date)
    #: what was checked, comma-separated codes of `Checked`
    checked: Mapped[str] = mapped_column(String(60), default="")
    #: the findings: workers found, their average monthly wage (Rupiah), programs taken
    workers_found: Mapped[int | None]
    wages_found: Mapped[int | None]
    programs_found: Mapped[str] = mapped_column(String(40), default="")
    #: the employer's representative who signed the record on site
    representative_name: Mapped[str] = mapped_column(String(120), default="")
    representative_position: Mapped[str] = mapped_column(String(120), default="")
    # --- the report (Laporan Hasil Pemeriksaan)
    #: the report's conclusions
    conclusions: Mapped[str] = mapped_column(Text, default="")
    #: the officer who wrote the report (the record's author): never its approver
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_on: Mapped[date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the day the report was approved: its findings count from then
    approved_on: Mapped[date | None] = mapped_column(Date)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship()
    company: Mapped[Company] = relationship()
    letter: Mapped[Letter | None] = relationship()
    reported_by: Mapped[User | None] = relationship(foreign_keys=[reported_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def inspector_list(self) -> list[str]:
        """The inspectors, one a name."""
        return [line.strip() for line in self.inspectors.splitlines() if line.strip()]

    @property
    def checked_list(self) -> list[str]:
        """What was checked, as codes."""
        return [c for c in self.checked.split(",") if c]

    @property
    def program_list(self) -> list[str]:
        """The programs found taken, as codes."""
        return [p for p in self.programs_found.split(",") if p]
