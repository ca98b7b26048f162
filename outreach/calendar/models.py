"""A branch's changes to the national calendar (the national days come from `holidays`).

One row per branch and date, of one of three kinds: a day off of the branch's own, a collective
leave day the `holidays` package does not know yet, or a national day the branch works after
all (the government moved it).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from outreach.extensions import db


class DayKind:
    """What a branch's calendar row does to its day."""

    #: a day off of the branch's own (a local holiday, an office closure)
    OWN = "own"
    #: collective leave (*cuti bersama*) set by the government, added by hand
    COLLECTIVE = "collective"
    #: a national holiday or collective leave day the branch works
    WORKING = "working"
    ALL = (OWN, COLLECTIVE, WORKING)
    DAYS_OFF = (OWN, COLLECTIVE)


class BranchHoliday(db.Model):
    """A branch's change to the national calendar on one day."""

    __tablename__ = "branch_holidays"
    __table_args__ = (UniqueConstraint("branch_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    #: the day's name (for a working day: the national day's name it replaces)
    name: Mapped[str] = mapped_column(String(120))
    #: one of `DayKind.ALL`
    kind: Mapped[str] = mapped_column(String(12), default=DayKind.OWN,
                                      server_default=DayKind.OWN)
    #: where the change comes from ("SKB 3 Menteri 2028"); required for collective leave
    #: and working days, optional for a day off of the branch's own
    source: Mapped[str] = mapped_column(String(200), default="", server_default="")
