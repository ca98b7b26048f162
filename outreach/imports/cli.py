"""`flask companies import`: a company list imported from the command line, as the web pages do."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from outreach.cases import service as cases
from outreach.companies.models import Source
from outreach.core import clock
from outreach.extensions import db
from outreach.imports.applying import apply_plan
from outreach.imports.mapping import SOURCES, auto_mapping, is_header_row
from outreach.imports.planning import Progress, plan_import
from outreach.imports.reading import FileProblem, read_sheet
from outreach.imports.service import new_import
from outreach.org import service as org

companies_cli = AppGroup("companies", help="Company lists.")

COUNT_KEYS = ("created", "updated", "unchanged", "rejected", "review")


def _operator() -> str:
    try:
        return f"{getpass.getuser()} (command line)"
    except (KeyError, OSError):
        return "command line"


def _describe(row: dict[str, Any]) -> str:
    """One line of the report for a row."""
    text = f"row {row['row']}: {row['action']} {row['name']}"
    if row.get("same_as"):
        text += f" (same company as row {row['same_as']})"
    if row["errors"]:
        text += " — " + "; ".join(f"{e['field']}: {e['message']}" for e in row["errors"])
    if row["action"] == "updated" and row["changes"]:
        text += " — " + "; ".join(f"{c['field']}: {c['before'] or '–'} → {c['after']}"
                                  for c in row["changes"])
    if row["candidates"]:
        text += " — looks like " + ", ".join(
            f"{c['name']} (#{c['company_id']}, {c['score']}%)" if c["company_id"]
            else f"{c['name']} (row {c['row']}, {c['score']}%)" for c in row["candidates"])
    for conflict in row["conflicts"]:
        text += (f" — kept {conflict['field']} entered by hand: {conflict['current']} "
                 f"(list: {conflict['incoming']})")
    if row.get("verify_close"):
        text += " — case to verify and close"
    if row.get("officer"):
        text += f" — officer {row['officer']} (the kecamatan's rule)"
    if row.get("opens_case"):
        text += f" — opens a case: {row['opens_case'].replace(',', ', ')}"
    elif row.get("case_exists"):
        text += " — has an open case already"
    return text


def _progress_printer() -> Progress:
    shown = {"step": -1}

    def show(done: int, total: int) -> None:
        step = int(10 * done / total) if total else 10
        if step > shown["step"]:
            shown["step"] = step
            click.echo(f"processing rows: {step * 10}%", err=True)

    return show


@companies_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--branch", "branch_code", default=None,
              help="Branch code, e.g. KC-PKL (needed when there is more than one branch).")
@click.option("--source", type=click.Choice(SOURCES), default=Source.BPJS,
              show_default=True, help="Where the list comes from.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.option("--valid-rows", is_flag=True,
              help="Import the valid rows even when some rows are rejected.")
def import_command(path: Path, branch_code: str | None, source: str, dry_run: bool,
                   as_json: bool, valid_rows: bool) -> None:
    """Import a company list (CSV or XLSX) into a branch.

    Exit code 0 when no row was rejected, 1 when rows were rejected, 2 when the file itself
    cannot be used. Progress goes to stderr; with --json stdout has only the result.
    """

    def finish(counts: dict[str, int], errors: list[dict[str, Any]], code: int,
               rows: list[dict[str, Any]] | None = None, note: str = "") -> None:
        if as_json:
            click.echo(json.dumps({**{k: counts.get(k, 0) for k in COUNT_KEYS},
                                   "errors": errors}, ensure_ascii=False))
        else:
            for row in rows or []:
                click.echo(_describe(row))
            click.echo(", ".join(f"{key}: {counts.get(key, 0)}" for key in COUNT_KEYS))
        if note:
            click.echo(note, err=True)
        db.session.rollback()
        sys.exit(code)

    def unusable(message: str, field: str | None = None) -> None:
        click.echo(f"Error: {message}", err=True)
        finish({}, [{"row": None, "field": field, "message": message}], 2)

    branch = org.find_branch(branch_code) if branch_code else None
    if branch_code and branch is None:
        unusable(f"unknown branch {branch_code!r}", "branch")
    if branch is None:
        from outreach.org.models import Branch

        branches = list(db.session.scalars(db.select(Branch).order_by(Branch.code)))
        if len(branches) != 1:
            unusable("--branch is needed: " + (", ".join(b.code for b in branches)
                                               or "there is no branch yet"), "branch")
        branch = branches[0]
    try:
        data = path.read_bytes()
    except OSError as error:
        unusable(f"cannot read {path}: {error.strerror or error}", "file")
    limit = current_app.config["IMPORT_MAX_BYTES"]
    try:
        sheet = read_sheet(data, limit, is_header_row)
    except FileProblem as problem:
        unusable(problem.message, "file")
    mapping = auto_mapping(sheet.headers, source)
    today = clock.today()
    plan = plan_import(None, branch.id, sheet, mapping, source, today,
                               progress=_progress_printer())
    counts, errors = plan.counts(), plan.errors()
    rows = plan.report()["rows"]
    code = 1 if counts["rejected"] else 0
    note = ""
    if plan.previous is not None:
        note = (f"This file was imported into {branch.code} before (import "
                f"#{plan.previous.id}); rows it already brought in are unchanged.\n")
    if dry_run:
        finish(counts, errors, code, rows, note + "Dry run: nothing was written.")
    if counts["rejected"] and not valid_rows:
        nothing = {"unchanged": len(plan.rows) - counts["rejected"],
                   "rejected": counts["rejected"]}
        finish(nothing, errors, 1, [r for r in rows if r["action"] == "rejected"],
               note + f"{counts['rejected']} rows are rejected: nothing was imported. Correct "
               "them, or run again with --valid-rows to import the other rows.")
    click.echo("saving…", err=True)
    company_import = new_import(
        None, branch, filename=path.name, data=data, source=source, max_bytes=limit,
        via="cli", actor_name=_operator(), sheet=sheet)
    company_import.mapping = mapping
    company_import.started_at = clock.now()
    counts = apply_plan(None, company_import, plan, today, valid_rows_only=valid_rows,
                        open_case=cases.open_case)
    db.session.commit()
    finish(counts, errors, code, company_import.report["rows"],
           note + f"Import #{company_import.id} saved.")


def init_app(app) -> None:
    """Register the command group."""
    app.cli.add_command(companies_cli)
