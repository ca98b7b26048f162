"""The admins' pages of API tokens: made (the token shown once), listed with their last use,
revoked."""

from __future__ import annotations

from flask import Blueprint, abort, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach.api import service as api
from outreach.api.forms import TokenForm
from outreach.core import clock
from outreach.core.guards import roles_required
from outreach.core.views import run_service, status_of, submit
from outreach.org import service as org
from outreach.org.models import Role

bp = Blueprint("api_admin", __name__)
admin_only = roles_required(Role.ADMIN)


@bp.route("/tokens")
@admin_only
def tokens():
    """Every token with its reach, scopes, expiry and last use."""
    return render_template("api/tokens.html", tokens=api.tokens(), today=clock.today(),
                           state=api.token_state)


@bp.route("/tokens/new", methods=["GET", "POST"])
@admin_only
def token_new():
    """Make a token; its text is shown on the answer page and never again."""
    form = TokenForm()
    form.branch.choices = [(0, "–")] + [(b.id, f"{b.code} – {b.name}") for b in org.branches()]
    form.region.choices = [(0, "–")] + [(r.id, f"{r.code} – {r.name}") for r in org.regions()]
    outcome = submit(form, lambda: api.create_token(
        current_user, name=form.name.data, branch=org.get_branch(form.branch.data),
        region=org.get_region(form.region.data), scopes=form.scopes.data or [],
        expires_on=form.expires_on.data, today=clock.today()))
    if outcome:
        token, secret = outcome.value
        page = make_response(render_template("api/token_created.html", token=token,
                                             secret=secret))
        page.headers["Cache-Control"] = "no-store"  # the token is shown this once
        return page
    return render_template("api/token_form.html", form=form), status_of(form)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@admin_only
def token_revoke(token_id: int):
    """Revoke a token: its partner's calls are refused from now on."""
    token = api.get_token(token_id) or abort(404)
    run_service(lambda: api.revoke_token(current_user, token, clock.now()),
                _("Token %(name)s revoked.", name=token.name))
    return redirect(url_for("api_admin.tokens"))
