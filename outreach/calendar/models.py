"""A branch's own days off (the national ones come from the `holidays` package)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from outreach.extensions import db


class BranchHoliday(db.Model):
    """A day off a branch adds to the national calendar (a local holiday, an office closure)."""

    __tablename__ = "branch_holidays"
    __table_args__ = (UniqueConstraint("branch_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(120))
