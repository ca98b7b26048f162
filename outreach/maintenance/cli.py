"""`flask demo seed`, `flask backup` and `flask restore`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from outreach.core.cli import fail
from outreach.extensions import db
from outreach.maintenance import backup

demo_cli = AppGroup("demo", help="Demo data for trying outreach out.")



@demo_cli.command("seed")
@click.option("--companies", default=300, show_default=True, help="Companies per branch.")
@click.option("--password", default="demo12345", show_default=True,
              help="Password of every demo account.")
def seed_demo(companies: int, password: str) -> None:
    """Create demo branches, accounts and companies (idempotent) and print the logins."""
    from outreach.core import clock
    from outreach.maintenance import demo
    from outreach.reports import summary
    from outreach.scheduler import jobs

    if companies < 0:
        fail("--companies must be zero or more")
    logins = demo.seed(companies_per_branch=companies, password=password,
                       public_base_url=current_app.config["PUBLIC_BASE_URL"]
                       or demo.DEMO_BASE_URL)
    db.session.commit()
    # the dashboard's summary of the new branches (made before their first company)
    summary.rebuild(None, clock.today())
    db.session.commit()
    # Tasks come from the morning sweep: without today's, "My tasks" would be empty on the
    # first morning. A recorded run like the scheduler's; a second seed's sweep adds nothing.
    run = jobs.morning_sweep(clock.today())
    if run.outcome != "ok":
        fail(f"the morning sweep failed: {run.error}", code=1)
    click.echo(f"Demo logins (password: {password}):")
    for user in logins:
        branch = user.branch.code if user.branch else (user.region.code if user.region else "-")
        click.echo(f"{user.email}  {user.role}  {branch}")


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
    """Register the commands."""
    app.cli.add_command(demo_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
