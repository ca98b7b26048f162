"""`flask sponsors create` and `flask beneficiaries import`: the programme from the command line."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from outreach.core import clock
from outreach.core.cli import fail
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.imports.reading import FileProblem
from outreach.org import service as org
from outreach.programme import service
from outreach.programme.models import SponsorKind

sponsors_cli = AppGroup("sponsors", help="Sponsors of informal workers (BPU).")
beneficiaries_cli = AppGroup("beneficiaries", help="Informal workers paid for by sponsors.")


def _day(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("use YYYY-MM-DD") from error


@sponsors_cli.command("create")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice(SponsorKind.ALL), required=True)
@click.option("--branch", "branch_code", required=True)
@click.option("--quota", type=int, required=True, help="Workers paid for.")
@click.option("--starts", required=True, callback=_day, help="YYYY-MM-DD")
@click.option("--ends", required=True, callback=_day, help="YYYY-MM-DD")
@click.option("--budget", type=int, default=None, help="Budget or pledged amount, Rupiah.")
@click.option("--months", type=int, default=None, help="Months each worker is covered.")
@click.option("--company-id", type=int, default=None, help="The company of a CSR pledge.")
@click.option("--regency", default="", help="The sponsor's regency code, e.g. 3375.")
@click.option("--jht", is_flag=True, help="The sponsor also pays JHT.")
def create_command(code: str, name: str, kind: str, branch_code: str, quota: int,
                   starts: date, ends: date, budget: int | None, months: int | None,
                   company_id: int | None, regency: str, jht: bool) -> None:
    """Create a sponsor for a branch."""
    from outreach.companies.models import Company

    branch = org.find_branch(branch_code)
    if branch is None:
        fail(f"unknown branch {branch_code!r}")
    company = db.session.get(Company, company_id) if company_id else None
    try:
        sponsor = service.create_sponsor(None, branch, code=code, name=name, kind=kind,
                                         quota=quota, starts_on=starts, ends_on=ends,
                                         budget=budget, months=months, company=company,
                                         regency_code=regency, pays_jht=jht)
    except ServiceError as error:
        fail(error.message)
    db.session.commit()
    click.echo(f"sponsor {sponsor.code} created (#{sponsor.id})")


@beneficiaries_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--sponsor", "sponsor_code", required=True)
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--valid-rows", is_flag=True,
              help="Enrol the valid rows even when some rows are refused.")
def import_command(path: Path, sponsor_code: str, dry_run: bool, as_json: bool,
                   valid_rows: bool) -> None:
    """Enrol a list of workers (CSV or XLSX) for a sponsor.

    Exit code 0 when no row was refused, 1 when rows were refused, 2 when the file itself (or
    the sponsor) cannot be used. With --json stdout has only the result.
    """

    def finish(counts: dict[str, int], errors: list[dict[str, Any]], code: int,
               note: str = "") -> None:
        if as_json:
            click.echo(json.dumps({**{k: counts.get(k, 0) for k in service.COUNT_KEYS},
                                   "errors": errors}, ensure_ascii=False))
        else:
            for error in errors:
                click.echo(f"row {error['row']}: {error['field']}: {error['message']}")
            click.echo(", ".join(f"{k}: {counts.get(k, 0)}" for k in service.COUNT_KEYS))
        if note:
            click.echo(note, err=True)
        sys.exit(code)

    def unusable(message: str, field: str) -> None:
        db.session.rollback()
        click.echo(f"Error: {message}", err=True)
        finish({}, [{"row": None, "field": field, "message": message}], 2)

    sponsor = service.find_sponsor(sponsor_code)
    if sponsor is None:
        unusable(f"unknown sponsor {sponsor_code!r}", "sponsor")
    try:
        data = path.read_bytes()
    except OSError as error:
        unusable(f"cannot read {path}: {error.strerror or error}", "file")
    try:
        sheet = service.read_workers(data, current_app.config["IMPORT_MAX_BYTES"])
        plan = service.plan_enrolment(sponsor, sheet, clock.today())
    except (FileProblem, ServiceError) as problem:
        unusable(problem.message, problem.field or "file")
    counts, errors = plan.counts(), plan.errors()
    code = 1 if plan.refused() else 0
    if dry_run:
        db.session.rollback()
        finish(counts, errors, code, "Dry run: nothing was written.")
    if plan.refused() and not valid_rows:
        db.session.rollback()
        finish({**counts, service.ENROLLED: 0}, errors, 1,
               f"{plan.refused()} rows are refused: nothing was imported. Correct them, or run "
               "again with --valid-rows to enrol the other rows.")
    list_id = service.keep_applied_list(sponsor, filename=path.name, data=data, plan=plan)
    counts = service.enrol(None, sponsor, plan, import_id=list_id, valid_rows_only=valid_rows)
    db.session.commit()
    finish(counts, errors, code, f"List #{list_id} saved.")


def init_app(app) -> None:
    """Register the command groups."""
    app.cli.add_command(sponsors_cli)
    app.cli.add_command(beneficiaries_cli)
