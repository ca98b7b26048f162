"""The record of scheduled job runs, and named lock rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Date, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from outreach.core.db import utcnow
from outreach.extensions import db

if TYPE_CHECKING:
    pass


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


class SchedulerLease(db.Model):
    """A named lock row: the scheduler's lease on SQLite (PostgreSQL uses an advisory lock),
    and on both databases the row a morning sweep writes first, so that a second sweep of the
    same day waits for the first to commit."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
