"""`flask reports rebuild-summary`: write the dashboard's summary rows again from scratch."""

from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import text

from outreach.core import clock
from outreach.extensions import db
from outreach.reports import summary

reports_cli = AppGroup("reports", help="Maintain the dashboard's figures.")


@reports_cli.command("rebuild-summary")
@click.option("--branch", "branches", type=int, multiple=True,
              help="A branch id (repeatable); every branch when omitted.")
def rebuild_summary(branches: tuple[int, ...]) -> None:
    """Rebuild the dashboard's summary rows of the branches (after writing companies or cases
    outside the app, e.g. a bulk load or a restore)."""
    started = time.perf_counter()
    rows = summary.rebuild(branches or None, clock.today())
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # the planner's statistics of the new rows
        db.session.execute(text("ANALYZE dashboard_counts"))
        db.session.commit()
    click.echo(f"rebuilt the dashboard summary: {rows} rows in "
               f"{time.perf_counter() - started:.1f} s")


def init_app(app: Flask) -> None:
    """Register the `reports` commands."""
    app.cli.add_command(reports_cli)
