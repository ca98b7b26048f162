"""`flask cases reproject`: write the copies kept on cases and companies again from the steps."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from outreach.cases import service
from outreach.extensions import db

cases_cli = AppGroup("cases", help="Maintain cases.")


@cases_cli.command("reproject")
@click.option("--chunk", default=500, show_default=True, help="Cases per transaction.")
def reproject(chunk: int) -> None:
    """Recompute every case's stage, next step, due date and rungs reached (after an upgrade
    that changed what counts on the ladder)."""
    done = service.reproject_all(chunk, commit=db.session.commit)
    click.echo(f"reprojected {done} cases")


def init_app(app: Flask) -> None:
    """Register the `cases` commands."""
    app.cli.add_command(cases_cli)
