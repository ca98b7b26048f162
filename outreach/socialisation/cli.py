"""`flask coverage`: a branch's socialisation coverage of a year, as the coverage page shows it."""

from __future__ import annotations

import json

import click

from outreach.core import clock
from outreach.core.cli import fail
from outreach.org import service as org
from outreach.socialisation import service


@click.command("coverage", help="A branch's socialisation coverage of a year.")
@click.option("--branch", "branch_code", required=True, help="Branch code, e.g. KC-PKL.")
@click.option("--year", type=click.IntRange(2000, 2100), default=None,
              help="The year (default: this year).")
@click.option("--area", default="", help='One city or regency, e.g. "Kota Pekalongan".')
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def coverage_command(branch_code: str, year: int | None, area: str, as_json: bool) -> None:
    """Print in_scope, reached, percent and the coverage by kecamatan."""
    branch = org.find_branch(branch_code)
    if branch is None:
        fail(f"unknown branch {branch_code!r}")
    today = clock.today()
    result = service.coverage(branch, year or today.year, today, area)
    summary = {"branch": branch.code, **result.summary()}
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    click.echo(f"{branch.code} {result.year}{' ' + area if area else ''}: "
               f"{result.reached} of {result.in_scope} companies reached ({result.percent}%), "
               f"target {result.target}"
               + (f", reached on {result.target_on.isoformat()} at this pace"
                  if result.target_on else ""))
    for group in result.by_kecamatan:
        click.echo(f"  {group.name}: {group.reached}/{group.in_scope} ({group.percent}%)")


def init_app(app) -> None:
    """Register the command."""
    app.cli.add_command(coverage_command)
