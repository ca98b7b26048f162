"""Reminders for officers and the record of scheduled job runs."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.extensions import db
from outreach.models.base import utcnow

if TYPE_CHECKING:
    from outreach.models.cases import Case
    from outreach.models.org import User


class ReminderStatus:
    """Reminder states."""

    OPEN = "open"
    DONE = "done"
    SNOOZED = "snoozed"


class ReminderKind:
    """Why a reminder exists."""

    ACTION_DUE = "action_due"
    UNDELIVERED = "undelivered"


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
    #: action_due (the next step is due) or undelivered (a letter not marked delivered)
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


class JobRun(db.Model):
    """One run of a scheduled job, for the admins' page and /healthz."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(40), index=True)
    #: the working day the run was for
    run_date: Mapped[date | None] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: running, ok, failed
    outcome: Mapped[str] = mapped_column(String(10), default="running")
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str] = mapped_column(Text, default="")


class Notification(db.Model):
    """A message to a user: always shown in the app, also mailed when SMTP is configured."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: digest (an officer's morning list) or weekly (a supervisor's summary)
    kind: Mapped[str] = mapped_column(String(20))
    #: one notification per user, kind and day
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: mail delivery: sent time, attempts so far, last error
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


class SchedulerLease(db.Model):
    """Who runs the scheduler (SQLite; PostgreSQL uses an advisory lock)."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
