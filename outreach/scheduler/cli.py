"""`flask reminders run` (the morning sweep by hand) and `flask scheduler` (the process)."""

from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from outreach.core.cli import fail
from outreach.extensions import db

reminders_cli = AppGroup("reminders", help="The morning sweep.")



@reminders_cli.command("run")
@click.option("--date", "day", default=None, help="The day to sweep, YYYY-MM-DD (default today).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def run_sweep(day: str | None, as_json: bool) -> None:
    """Run the morning sweep by hand (backfills, tests); records a job run like the scheduler."""
    from outreach.core import clock
    from outreach.scheduler import jobs

    try:
        sweep_day = date.fromisoformat(day) if day else clock.today()
    except ValueError:
        fail(f"--date must be a date as YYYY-MM-DD, not {day!r}")
    run = jobs.morning_sweep(sweep_day)
    if run.outcome != "ok":
        fail(f"the sweep failed: {run.error}", code=1)
    counts = {key: run.counts[key] for key in ("date", "reminders_created", "letters_drafted",
                                               "cases_overdue")}
    if as_json:
        click.echo(json.dumps(counts))
    else:
        click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()), err=True)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler process (one at a time; a second one waits as a standby)."""
    from flask import current_app
    from sqlalchemy import text

    from outreach.scheduler import runner as scheduler

    app = current_app._get_current_object()
    try:
        ZoneInfo(app.config["OUTREACH_TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"unknown timezone {app.config['OUTREACH_TIMEZONE']!r} in OUTREACH_TIMEZONE", 1)
    try:
        db.session.execute(text("SELECT 1"))
        db.session.commit()
    except Exception as error:  # any driver error: report it in one line
        fail(f"cannot reach the database: {str(error).splitlines()[0]}", 1)
    scheduler.run(app)


def init_app(app: Flask) -> None:
    """Register the commands."""
    app.cli.add_command(reminders_cli)
    app.cli.add_command(scheduler_command)
