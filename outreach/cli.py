"""The `flask …` commands: branches, users, demo data, the sweep, the scheduler, backups."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.maintenance import backup
from outreach.org import service as org
from outreach.org.models import Role

branches_cli = AppGroup("branches", help="Manage branch offices.")
users_cli = AppGroup("users", help="Manage user accounts.")
demo_cli = AppGroup("demo", help="Demo data for trying outreach out.")
reminders_cli = AppGroup("reminders", help="The morning sweep.")


def fail(message: str, code: int = 2) -> None:
    """Print one error line on stderr, roll back, and exit with `code`."""
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@branches_cli.command("create")
@click.option("--code", required=True, help="Branch code, e.g. KC-PKL.")
@click.option("--name", required=True, help="Branch name, e.g. Pekalongan.")
@click.option("--region", "region_code", default=None, help="Region code; created if new.")
@click.option("--address", default="")
@click.option("--phone", default="")
@click.option("--head", "head_name", default="", help="Head of branch who signs letters.")
def create_branch(code: str, name: str, region_code: str | None, address: str, phone: str,
                  head_name: str) -> None:
    """Create a branch office."""
    region = org.get_or_create_region(region_code) if region_code else None
    try:
        branch = org.create_branch(None, code=code, name=name, region=region, address=address,
                                   phone=phone, head_name=head_name)
    except ServiceError as error:
        fail(error.message)
    db.session.commit()
    click.echo(f"created branch {branch.code} ({branch.name})")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="officer, supervisor, regional or admin.")
@click.option("--branch", "branch_code", default=None, help="Branch code (officers, "
              "supervisors; for regional staff, a branch of their region).")
@click.option("--password", default=None, help="Asked for when not given.")
def create_user(email: str, name: str, role: str, branch_code: str | None,
                password: str | None) -> None:
    """Create a user account."""
    if role not in Role.ALL:
        fail(f"unknown role {role!r}; use one of {', '.join(Role.ALL)}")
    branch = None
    if branch_code:
        branch = org.find_branch(branch_code)
        if branch is None:
            fail(f"unknown branch {branch_code!r}")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = org.create_user(None, email=email, name=name, role=role, branch=branch,
                               password=password)
    except ServiceError as error:
        fail(error.message)
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")


@demo_cli.command("seed")
@click.option("--companies", default=300, show_default=True, help="Companies per branch.")
@click.option("--password", default="demo12345", show_default=True,
              help="Password of every demo account.")
def seed_demo(companies: int, password: str) -> None:
    """Create demo branches, accounts and companies (idempotent) and print the logins."""
    from outreach.maintenance import demo

    if companies < 0:
        fail("--companies must be zero or more")
    logins = demo.seed(companies_per_branch=companies, password=password)
    db.session.commit()
    click.echo(f"Demo logins (password: {password}):")
    for user in logins:
        branch = user.branch.code if user.branch else (user.region.code if user.region else "-")
        click.echo(f"{user.email}  {user.role}  {branch}")


@reminders_cli.command("run")
@click.option("--date", "day", default=None, help="The day to sweep, YYYY-MM-DD (default today).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
def run_sweep(day: str | None, as_json: bool) -> None:
    """Run the morning sweep by hand (backfills, tests); records a job run like the scheduler."""
    from outreach.core import clock
    from outreach.scheduler import service as jobs

    try:
        sweep_day = date.fromisoformat(day) if day else clock.today()
    except ValueError:
        fail(f"--date must be a date as YYYY-MM-DD, not {day!r}")
    run = jobs.run_recorded(jobs.MORNING_SWEEP, sweep_day, lambda: jobs.morning(sweep_day))
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


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Copy the SQLite database to PATH while the app keeps running (PostgreSQL: pg_dump)."""
    try:
        size = backup.backup(db.engine, path)
    except backup.BackupError as error:
        fail(str(error), 1)
    click.echo(f"backed up to {path} ({size:,} bytes)")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(path: Path) -> None:
    """Restore a backup made by `flask backup` into an empty database."""
    try:
        backup.restore(db.engine, path)
    except backup.BackupError as error:
        fail(str(error), 1)
    click.echo(f"restored {path}")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    from outreach.imports.cli import companies_cli

    app.cli.add_command(companies_cli)
    for group in (branches_cli, users_cli, demo_cli, reminders_cli):
        app.cli.add_command(group)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
