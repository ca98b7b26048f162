"""`flask tokens create` and `flask tokens revoke`: API tokens from the command line."""

from __future__ import annotations

import json
from datetime import date

import click
from flask import Flask
from flask.cli import AppGroup

from outreach.api import service as api
from outreach.core import clock
from outreach.core.cli import fail
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.org import service as org

tokens_cli = AppGroup("tokens", help="Manage the API tokens of partner systems.")


@tokens_cli.command("create")
@click.option("--name", required=True, help="A name for the partner system's token.")
@click.option("--branch", "branch_code", default=None, help="Branch code the token reads.")
@click.option("--region", "region_code", default=None, help="Region code the token reads.")
@click.option("--scope", "scopes", required=True,
              help="read, write, sanctions, or several comma-separated.")
@click.option("--expires", default=None, help="Last day the token works, YYYY-MM-DD.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with `token`.")
def create_token(name: str, branch_code: str | None, region_code: str | None, scopes: str,
                 expires: str | None, as_json: bool) -> None:
    """Make a token; it is printed once and stored only as a hash."""
    if bool(branch_code) == bool(region_code):
        fail("give --branch CODE or --region CODE (one of them)")
    branch = org.find_branch(branch_code) if branch_code else None
    region = org.find_region(region_code) if region_code else None
    if branch_code and branch is None:
        fail(f"unknown branch {branch_code!r}")
    if region_code and region is None:
        fail(f"unknown region {region_code!r}")
    try:
        expires_on = date.fromisoformat(expires) if expires else None
    except ValueError:
        fail(f"--expires must be YYYY-MM-DD, not {expires!r}")
    try:
        token, secret = api.create_token(None, name=name, branch=branch, region=region,
                                         scopes=api.parse_scopes(scopes),
                                         expires_on=expires_on, today=clock.today())
    except ServiceError as error:
        fail(error.message)
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"name": token.name, "token": secret,
                               "branch": branch.code if branch else None,
                               "region": region.code if region else None,
                               "scopes": token.scope_list,
                               "expires_on": expires_on.isoformat() if expires_on else None}))
        return
    click.echo(f"created token {token.name} ({', '.join(token.scope_list)}); "
               "it is shown only now:", err=True)
    click.echo(secret)


@tokens_cli.command("revoke")
@click.argument("name")
def revoke_token(name: str) -> None:
    """Revoke the token with this name."""
    token = api.find_token(name)
    if token is None:
        fail(f"unknown token {name!r}")
    try:
        api.revoke_token(None, token, clock.now())
    except ServiceError as error:
        fail(error.message)
    db.session.commit()
    click.echo(f"revoked token {token.name}")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(tokens_cli)
