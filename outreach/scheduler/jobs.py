"""The scheduled jobs: the entry points the scheduler, the CLI and the catch-up call.

Like views and CLI commands, a job reads the app's settings and calls the services with
them; each run is recorded by `service.run_recorded`. The scheduler process only decides
when: it hands each run to the job queue (`hand_over`), and a queue worker runs it
(`register_tasks`), so the work runs on the workers, however many there are.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask, current_app

from outreach.calendar.rules import WorkingCalendar
from outreach.core.db import utcnow
from outreach.notifications import service as notifications
from outreach.queue.worker import fresh_process, queue_of
from outreach.reports import monthly as reports
from outreach.reports import summary
from outreach.scheduler.models import JobRun
from outreach.scheduler.service import (
    MONTHLY_REPORTS,
    MORNING_SWEEP,
    SEND_NOTIFICATIONS,
    SUMMARY_CHECK,
    run_recorded,
)
from outreach.tasks import service as reminders


def morning_sweep(day: date, now: datetime | None = None) -> JobRun:
    """The morning sweep of `day`, recorded: the one way the scheduler, its catch-up and
    `flask reminders run` start it."""
    return run_recorded(MORNING_SWEEP, day, lambda: morning(day, now))


def monthly_report_run(day: date) -> JobRun:
    """Last month's reports, recorded."""
    return run_recorded(MONTHLY_REPORTS, day, lambda: monthly_reports(day))


def summary_check_run(day: date) -> JobRun:
    """The night's check of the dashboard's summary, recorded."""
    return run_recorded(SUMMARY_CHECK, day, lambda: summary_check(day))


def mail_run(day: date) -> JobRun:
    """Mailing the waiting notifications, recorded."""
    return run_recorded(SEND_NOTIFICATIONS, day, send_mail)


def morning(day: date, now: datetime | None = None) -> dict[str, Any]:
    """The morning sweep of `day` followed by the officers' digests."""
    result = reminders.sweep(day, now=now,
                             undelivered_after_days=current_app.config["UNDELIVERED_AFTER_DAYS"])
    # without PUBLIC_BASE_URL the links are relative: they work from the in-app inbox
    base_url = (current_app.config["PUBLIC_BASE_URL"] or "").rstrip("/")
    counts = result.as_dict()
    # the dashboard's summaries rebuilt where missing or priced with rates no longer in force
    # (comparing a branch's with its companies takes seconds: the night's `summary_check`)
    counts["summary_rebuilt"] = len(summary.check(None, day, compare=()))
    counts["digests"] = notifications.build_digests(day, base_url)
    if day.weekday() == 0 or _first_working_day_of_week(day):
        counts["weekly"] = notifications.build_weekly(day, base_url)
    return counts


def summary_check(day: date) -> dict[str, Any]:
    """The dashboard's summaries rebuilt where missing or priced with rates no longer in
    force, and one branch's, in turn, where it differs from its companies and cases."""
    return {"summary_rebuilt": len(summary.check(None, day, compare=summary.in_turn(day)))}


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
    return reports.monthly_reports_due(day)


def monthly_reports_missing(day: date) -> bool:
    """Whether an active branch has no report of last month yet."""
    return bool(reports.branches_without_report(reports.previous_month(day)))


def send_mail(now: datetime | None = None) -> dict[str, Any]:
    """Mail the notifications waiting to go out."""
    sent, failed = notifications.send_pending(current_app.config.get("SMTP_URL"),
                                              current_app.config["MAIL_FROM"], now or utcnow())
    return {"sent": sent, "failed": failed}




#: the scheduled runs a queue worker may be handed, by job id
SCHEDULED = {MORNING_SWEEP: morning_sweep, MONTHLY_REPORTS: monthly_report_run,
             SEND_NOTIFICATIONS: mail_run, SUMMARY_CHECK: summary_check_run}


def register_tasks(app: Flask) -> None:
    """The queue's task that runs a scheduled job for a day (recorded as a `JobRun`; a
    failure is recorded there, and the next schedule or the catch-up runs it again)."""

    @queue_of(app).task(name="scheduled_job")
    def scheduled_job(job_id: str, day: str) -> None:
        with app.app_context():
            fresh_process()
            SCHEDULED[job_id](date.fromisoformat(day))

    app.extensions["huey_scheduled_job"] = scheduled_job


def hand_over(app: Flask, job_id: str, day: date) -> None:
    """Queue a scheduled run of `day` for the workers (in immediate mode: run it now)."""
    app.extensions["huey_scheduled_job"](job_id, day.isoformat())
