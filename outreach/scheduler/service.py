"""Recording scheduled job runs, and the jobs themselves as plain functions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from outreach.calendar.rules import WorkingCalendar
from outreach.core.db import utcnow
from outreach.extensions import db
from outreach.notifications import service as notifications
from outreach.reports.monthly import branches_without_report, monthly_reports_due, previous_month
from outreach.scheduler.models import JobRun
from outreach.tasks import service as reminders

logger = logging.getLogger("outreach.jobs")
MORNING_SWEEP = "morning_sweep"
SEND_NOTIFICATIONS = "send_notifications"
WEEKLY_SUMMARY = "weekly_summary"
MONTHLY_REPORTS = "monthly_reports"


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


def morning(day: date, now: datetime | None = None) -> dict[str, Any]:
    """The morning sweep of `day` followed by the officers' digests."""
    result = reminders.sweep(day, now=now,
                             undelivered_after_days=current_app.config["UNDELIVERED_AFTER_DAYS"])
    counts = result.as_dict()
    counts["digests"] = notifications.build_digests(day)
    if day.weekday() == 0 or _first_working_day_of_week(day):
        counts["weekly"] = notifications.build_weekly(day)
    return counts


def _first_working_day_of_week(day: date) -> bool:
    calendar = WorkingCalendar()
    monday = day.toordinal() - day.weekday()
    return all(not calendar.is_working_day(date.fromordinal(d)) for d in range(monday,
                                                                                day.toordinal()))


def first_working_day_of_month(day: date, calendar: WorkingCalendar | None = None) -> bool:
    """Whether `day` is the month's first working day."""
    calendar = calendar or WorkingCalendar()
    return calendar.is_working_day(day) and not any(
        calendar.is_working_day(day.replace(day=d)) for d in range(1, day.day))


def monthly_reports(day: date) -> dict[str, Any]:
    """Last month's report of every active branch that has none yet (stored as PDF)."""
    return monthly_reports_due(day)


def monthly_reports_missing(day: date) -> bool:
    """Whether an active branch has no report of last month yet."""
    return bool(branches_without_report(previous_month(day)))


def send_mail(now: datetime | None = None) -> dict[str, Any]:
    """Mail the notifications waiting to go out."""
    sent, failed = notifications.send_pending(current_app.config.get("SMTP_URL"),
                                              current_app.config["MAIL_FROM"], now or utcnow())
    return {"sent": sent, "failed": failed}


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
