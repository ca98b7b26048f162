"""A background job as its pages read it: who asked, its state, how far it got, its result."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from outreach.core.db import utcnow
from outreach.extensions import db


class JobState:
    """Life of a job: queued (also again after a failed attempt that will be retried),
    running, then done or failed (every attempt failed)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    OPEN = (QUEUED, RUNNING)


class BackgroundJob(db.Model):
    """One piece of long work a person asked for (an import, a print batch, a bulk issue),
    run by a worker process; the page of the job reads this row."""

    __tablename__ = "background_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: what the job does (`outreach.queue.work.KINDS`)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: the language the person who asked reads: the job's messages are written in it
    locale: Mapped[str] = mapped_column(String(5), default="id")
    state: Mapped[str] = mapped_column(String(10), default=JobState.QUEUED, index=True)
    #: the arguments of the work (JSON: days as YYYY-MM-DD)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: progress: `done` of `total` items (letters, rows); total 0 while not known
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    #: attempts begun (a failed attempt is retried by the worker while retries remain)
    attempts: Mapped[int] = mapped_column(default=0)
    #: the reason of the last failed attempt, in the job's language
    error: Mapped[str] = mapped_column(Text, default="")
    #: what the job did (counts, the letters it could not issue and why)
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: the file to download when done (a merged PDF), its name and type
    result: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    result_name: Mapped[str] = mapped_column(String(120), default="")
    result_type: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the last sign of life of the worker running it (each progress write, and every few
    #: seconds besides); a running job silent past `JOB_STALE_SECONDS` lost its worker
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
