"""`flask branches create` and `flask users create`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from outreach.core.cli import fail
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.org import service as org
from outreach.org.models import Role

branches_cli = AppGroup("branches", help="Manage branch offices.")


users_cli = AppGroup("users", help="Manage user accounts.")



@branches_cli.command("create")
@click.option("--code", required=True, help="Branch code, e.g. KC-PKL.")
@click.option("--name", required=True, help="Branch name, e.g. Pekalongan.")
@click.option("--region", "region_code", default=None, help="Region code; created if new.")
@click.option("--address", default="")
@click.option("--phone", default="")
@click.option("--head", "head_name", default="",
              help="Head of branch who signs letters (needed: a branch without one is refused).")
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
@click.option("--password", default=None, help="Asked for when not given. The user must "
              "change it at the first sign-in.")
def create_user(email: str, name: str, role: str, branch_code: str | None,
                password: str | None) -> None:
    """Create a user account with a first password, which its owner changes at the first
    sign-in (from the web pages, admins send a set-password link instead)."""
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
                               password=password, must_change=True)
    except ServiceError as error:
        fail(error.message)
    db.session.commit()
    click.echo(f"created {user.role} {user.email}")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(branches_cli)
    app.cli.add_command(users_cli)
