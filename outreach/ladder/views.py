"""The branch's ladder settings (supervisors)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach.core.guards import roles_required
from outreach.core.views import submit
from outreach.ladder import rules as policy
from outreach.ladder import service
from outreach.ladder.forms import RungForm
from outreach.org.models import Role

bp = Blueprint("settings", __name__)
supervisor_only = roles_required(Role.SUPERVISOR)


@bp.route("/ladder")
@supervisor_only
def ladder():
    """The branch's ladder with its windows and limits."""
    return render_template("ladder/ladder.html",
                           rows=policy.ladder_rows(current_user.branch_id))


@bp.route("/ladder/<code>", methods=["GET", "POST"])
@supervisor_only
def rung(code: str):
    """Adjust one rung for the branch."""
    row = next((r for r in policy.ladder_rows(current_user.branch_id) if r.code == code), None)
    if row is None:
        return redirect(url_for("settings.ladder"))
    form = RungForm(obj=row)
    if not form.is_submitted():
        form.active.data = "1" if row.active else "0"
    if submit(form, lambda: service.adjust_rung(
            current_user, code, window_days=form.window_days.data,
            max_count=form.max_count.data, active=form.active.data == "1"), _("Ladder saved.")):
        return redirect(url_for("settings.ladder"))
    return render_template("ladder/rung_form.html", row=row, form=form)
