"""Reminders: the tasks the morning sweep gives officers."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import utcnow
from outreach.extensions import db

if TYPE_CHECKING:
    from outreach.cases.models import Case
    from outreach.org.models import User


class ReminderStatus:
    """Reminder states."""

    OPEN = "open"
    DONE = "done"
    SNOOZED = "snoozed"


class ReminderKind:
    """Why a reminder exists."""

    ACTION_DUE = "action_due"
    UNDELIVERED = "undelivered"
    #: a company attended a socialisation event and is still not compliant
    FOLLOW_UP = "follow_up"
    #: written warning I is due and waits for an inspection nobody has started: assign
    #: inspectors (the reminder's rung is warning I)
    INSPECTION = "inspection"


class Reminder(db.Model):
    """Something an officer must do on a case by a day; made by the morning sweep."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_officer_status_due", "officer_id", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the rung the reminder is about
    rung_code: Mapped[str] = mapped_column(String(30))
    #: action_due (the next step is due), undelivered (a letter not marked delivered),
    #: inspection (the next step waits for one), and the kinds of `ReminderKind`
    kind: Mapped[str] = mapped_column(String(20))
    #: the step the reminder is about (undelivered letters)
    step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id"))
    #: one reminder per case, rung and kind (and step, where a rung repeats)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=ReminderStatus.OPEN)
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[Case] = relationship()
    officer: Mapped[User | None] = relationship()
