"""The scheduler process: `flask --app wsgi scheduler`. Never started by the web app.

Jobs have explicit ids; each body opens an app context, decides whether the job is due and
hands it to the job queue (`outreach.scheduler.jobs.hand_over`): a queue worker runs it and
records the run.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from outreach.calendar.rules import WorkingCalendar
from outreach.core import clock
from outreach.scheduler import jobs, service
from outreach.scheduler.lease import Leadership

logger = logging.getLogger("outreach.scheduler")


def morning_job(app: Flask) -> None:
    """The morning sweep, on working days only."""
    with app.app_context():
        today = clock.today()
        if not WorkingCalendar().is_working_day(today):
            logger.info("%s is not a working day: no sweep", today)
            return
        jobs.hand_over(app, service.MORNING_SWEEP, today)
        logger.info("morning sweep %s handed to the queue", today)


def monthly_report_job(app: Flask) -> None:
    """Last month's reports on the month's first working day (later working days catch up
    on a branch still without one, e.g. after the scheduler was down)."""
    with app.app_context():
        today = clock.today()
        if not WorkingCalendar().is_working_day(today):
            return
        if not jobs.first_working_day_of_month(today) and not jobs.monthly_reports_missing(today):
            return
        jobs.hand_over(app, service.MONTHLY_REPORTS, today)
        logger.info("monthly reports %s handed to the queue", today)


def mail_job(app: Flask) -> None:
    """Send notifications waiting for the mail server (retried on the next run)."""
    with app.app_context():
        if app.config.get("SMTP_URL"):
            jobs.hand_over(app, service.SEND_NOTIFICATIONS, clock.today())


def summary_check_job(app: Flask) -> None:
    """The night's check of the dashboard's summary, every day (one branch compared in turn)."""
    with app.app_context():
        jobs.hand_over(app, service.SUMMARY_CHECK, clock.today())


def catch_up(app: Flask, now: datetime | None = None) -> bool:
    """At start: if today's sweep is due and has not run, run it once (however many days were
    missed). Returns whether it ran."""
    with app.app_context():
        zone = ZoneInfo(app.config["OUTREACH_TIMEZONE"])
        now = now or datetime.now(zone)
        today = now.astimezone(zone).date()
        sweep_time = time.fromisoformat(app.config["SWEEP_TIME"])
        last = service.last_run(service.MORNING_SWEEP)
        last_day = last.run_date if last is not None else None
        if last_day is not None and last_day >= today:
            return False
        if not WorkingCalendar().is_working_day(today) or now.astimezone(zone).time() < sweep_time:
            return False
        missed = service.missed_working_days(last_day, today)
        logger.warning("the scheduler was not running: catching up once for today %s "
                       "(%d earlier working day(s) missed)", today, missed)
        jobs.hand_over(app, service.MORNING_SWEEP, today)
        return True


def build(app: Flask, leadership: Leadership) -> BlockingScheduler:
    """The scheduler with its jobs, in the branch's timezone."""
    zone = ZoneInfo(app.config["OUTREACH_TIMEZONE"])
    hour, minute = (int(x) for x in app.config["SWEEP_TIME"].split(":"))
    scheduler = BlockingScheduler(timezone=zone, job_defaults={"coalesce": True,
                                                               "max_instances": 1,
                                                               "misfire_grace_time": 3600})
    scheduler.add_job(morning_job, CronTrigger(day_of_week="mon-fri", hour=hour, minute=minute,
                                               timezone=zone),
                      args=[app], id=service.MORNING_SWEEP, name="Morning sweep")
    scheduler.add_job(mail_job, IntervalTrigger(minutes=5, timezone=zone), args=[app],
                      id=service.SEND_NOTIFICATIONS, name="Send notifications")
    # half an hour after the sweep, so that the report sees the morning's overdue marks
    report_at = (hour * 60 + minute + 30) % (24 * 60)
    scheduler.add_job(monthly_report_job, CronTrigger(day_of_week="mon-fri",
                                                      hour=report_at // 60,
                                                      minute=report_at % 60, timezone=zone),
                      args=[app], id=service.MONTHLY_REPORTS, name="Monthly reports")
    check_hour, check_minute = (int(x) for x in app.config["SUMMARY_CHECK_TIME"].split(":"))
    scheduler.add_job(summary_check_job, CronTrigger(hour=check_hour, minute=check_minute,
                                                     timezone=zone),
                      args=[app], id=service.SUMMARY_CHECK, name="Dashboard summary check")

    def keep_lease() -> None:
        with app.app_context():
            if not leadership.renew():
                logger.error("lost the scheduler lease to another process: stopping")
                scheduler.shutdown(wait=False)

    scheduler.add_job(keep_lease, IntervalTrigger(seconds=10, timezone=zone),
                      id="lease_heartbeat", name="Keep the scheduler lease")
    return scheduler


def run(app: Flask) -> None:
    """Wait for leadership, catch up, then run the jobs until stopped."""
    with app.app_context():
        leadership = Leadership()
        leadership.wait()
    logger.info("scheduler started (%s, sweep at %s)", app.config["OUTREACH_TIMEZONE"],
                app.config["SWEEP_TIME"])
    catch_up(app)
    scheduler = build(app, leadership)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        with app.app_context():
            leadership.release()
