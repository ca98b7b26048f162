"""Tokens made and revoked by admins, on the admin pages and on the command line."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from outreach.api.models import ApiToken
from outreach.extensions import db
from outreach.org.models import Role
from tests.api.conftest import bearer
from tests.conftest import csrf_token, login, post


def test_the_command_line_makes_a_token_shown_once_and_revokes_it(app, client, make_branch):
    """Does `tokens create --json` print the token (stored only as a hash) that then opens
    the API, and does `tokens revoke NAME` close it?"""
    make_branch("KC-PKL", "Pekalongan")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tokens", "create", "--name", "dpmptsp-pekalongan",
                                 "--branch", "kc-pkl", "--scope", "sanctions,read",
                                 "--expires", "2099-12-31", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["scopes"] == ["read", "sanctions"] and printed["branch"] == "KC-PKL"
    token = db.session.scalars(select(ApiToken)).one()
    assert printed["token"] not in (token.secret_hash, token.prefix)
    assert printed["token"].startswith(token.prefix)
    assert client.get("/api/v1/companies", headers=bearer(printed["token"])).status_code == 200

    plain = runner.invoke(args=["tokens", "create", "--name", "kanwil", "--region", "JATENG",
                                "--scope", "read"])
    assert plain.exit_code == 0 and plain.stdout.strip().startswith("otr_")
    refused = runner.invoke(args=["tokens", "create", "--name", "x1", "--branch", "KC-PKL",
                                  "--region", "JATENG", "--scope", "read"])
    assert refused.exit_code == 2
    unknown = runner.invoke(args=["tokens", "create", "--name", "x2", "--branch", "KC-PKL",
                                  "--scope", "admin"])
    assert unknown.exit_code == 2 and "admin" in unknown.stderr

    assert runner.invoke(args=["tokens", "revoke", "dpmptsp-pekalongan"]).exit_code == 0
    assert client.get("/api/v1/companies", headers=bearer(printed["token"])).status_code == 401
    assert runner.invoke(args=["tokens", "revoke", "nobody"]).exit_code == 2


def test_an_admin_makes_lists_and_revokes_tokens_on_the_admin_pages(client, world, make_user):
    """Is a token shown once when made, listed with its last use, and revoked by a button?
    And do other roles stay out?"""
    officer = make_user(Role.OFFICER, branch=world["pkl"])
    login(client, officer)
    assert client.get("/admin/tokens").status_code == 403
    client.post("/auth/logout", data={"csrf_token": csrf_token(client)})

    login(client, make_user(Role.ADMIN))
    made = post(client, "/admin/tokens/new", {"name": "membership-jateng", "branch": "0",
                                              "region": str(world["pkl"].region_id),
                                              "scopes": ["write", "read"], "expires_on": ""})
    assert made.status_code == 200
    secret = re.search(r'value="(otr_[^"]+)"', made.get_data(as_text=True)).group(1)
    assert made.headers["Cache-Control"] == "no-store"
    client.get("/api/v1/companies", headers=bearer(secret))
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert "membership-jateng" in listing and secret not in listing
    assert secret[:10] in listing and "JATENG" in listing
    token = db.session.scalars(select(ApiToken).where(ApiToken.name == "membership-jateng")
                               ).one()
    assert token.last_used_at is not None and token.scope_list == ["read", "write"]

    both = post(client, "/admin/tokens/new", {"name": "two-ways", "branch": str(world["pkl"].id),
                                              "region": str(world["pkl"].region_id),
                                              "scopes": ["read"]})
    assert both.status_code == 400 and "satu cabang" in both.get_data(as_text=True)

    post(client, f"/admin/tokens/{token.id}/revoke")
    assert client.get("/api/v1/companies", headers=bearer(secret)).status_code == 401
    assert "Dicabut" in client.get("/admin/tokens").get_data(as_text=True)
