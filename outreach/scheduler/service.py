"""The record of scheduled job runs, and the working-day questions of the schedule."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, time
from typing import Any

from sqlalchemy import select

from outreach.calendar.rules import WorkingCalendar
from outreach.core.db import utcnow
from outreach.extensions import db
from outreach.scheduler.models import JobRun

logger = logging.getLogger("outreach.jobs")
MORNING_SWEEP = "morning_sweep"
SEND_NOTIFICATIONS = "send_notifications"
MONTHLY_REPORTS = "monthly_reports"
SUMMARY_CHECK = "summary_check"


def run_recorded(job_id: str, run_date: date | None,
                 body: Callable[[], dict[str, Any]]) -> JobRun:
    """Run `body` in its own transaction and record start, end, outcome, counts or error."""
    run = JobRun(job_id=job_id, run_date=run_date, started_at=utcnow())
    db.session.add(run)
    db.session.commit()
    run_id = run.id
    try:
        counts = body()
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        logger.exception("job %s failed", job_id)
        run = db.session.get(JobRun, run_id)
        run.outcome, run.error, run.finished_at = "failed", repr(error)[:2000], utcnow()
        db.session.commit()
        return run
    run = db.session.get(JobRun, run_id)
    run.outcome, run.counts, run.finished_at = "ok", counts, utcnow()
    db.session.commit()
    return run


def last_run(job_id: str, outcome: str = "ok") -> JobRun | None:
    """The latest run of a job with the given outcome."""
    return db.session.scalars(select(JobRun).where(JobRun.job_id == job_id,
                                                   JobRun.outcome == outcome)
                              .order_by(JobRun.run_date.desc().nulls_last(),
                                        JobRun.started_at.desc(), JobRun.id.desc())).first()


def missed_working_days(last: date | None, today: date) -> int:
    """Working days between the last sweep and today (both excluded)."""
    if last is None:
        return 0
    calendar = WorkingCalendar()
    return sum(1 for d in range(last.toordinal() + 1, today.toordinal())
               if calendar.is_working_day(date.fromordinal(d)))


def recent_runs(limit: int = 100) -> list[JobRun]:
    """The latest job runs, newest first."""
    return list(db.session.scalars(select(JobRun).order_by(JobRun.started_at.desc(),
                                                           JobRun.id.desc()).limit(limit)))


#: by this local time the morning sweep should have run (it runs at `OUTREACH_SWEEP_TIME`)
SWEEP_DUE_BY = time(8, 0)


def sweep_late(today: date, local_time: time) -> bool:
    """Whether today's morning sweep has not run though it is a working day past
    `SWEEP_DUE_BY` (the banner supervisors and admins see)."""
    if local_time < SWEEP_DUE_BY or not WorkingCalendar().is_working_day(today):
        return False
    return db.session.scalar(select(JobRun.id).where(
        JobRun.job_id == MORNING_SWEEP, JobRun.run_date == today,
        JobRun.outcome == "ok").limit(1)) is None
