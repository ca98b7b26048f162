"""What every `flask …` command does the same way."""

from __future__ import annotations

import sys

import click

from outreach.extensions import db


def fail(message: str, code: int = 2) -> None:
    """Print one error line on stderr, roll back, and exit with `code`."""
    db.session.rollback()
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)
