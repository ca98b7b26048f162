"""The branch's ladder settings (supervisors)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach.core.guards import roles_required
from outreach.core.views import status_of, submit
from outreach.ladder import rules as policy
from outreach.ladder import service
from outreach.ladder.forms import NewRungForm, RungForm
from outreach.org.models import Role

bp = Blueprint("settings", __name__)
supervisor_only = roles_required(Role.SUPERVISOR)


@bp.route("/ladder")
@supervisor_only
def ladder():
    """The branch's ladder: each rung's window, counts and approval, the law's rungs marked."""
    return render_template("ladder/ladder.html",
                           rows=policy.ladder_rows(current_user.branch_id),
                           rungs={r.code: r for r in policy.ladder_for(current_user.branch_id)},
                           law=policy)


@bp.route("/ladder/<code>", methods=["GET", "POST"])
@supervisor_only
def rung(code: str):
    """Adjust one rung for the branch."""
    row = next((r for r in policy.ladder_rows(current_user.branch_id) if r.code == code), None)
    if row is None:
        return redirect(url_for("settings.ladder"))
    legal = code in policy.LEGAL_RUNGS
    own = bool(row.branch_id) and bool(row.name)
    form = RungForm(obj=row)
    shown = _fields_of(code, legal=legal, own=own)
    for name in [name for name in form._fields if name not in shown and name != "csrf_token"]:
        delattr(form, name)
    if not form.is_submitted():
        for name in ("active", "needs_approval", "is_letter", "position"):
            if name in shown:
                getattr(form, name).data = str(int(getattr(row, name)))

    def value(name, default):
        return getattr(form, name).data if name in shown else default

    def save():
        return service.adjust_rung(
            current_user, code, window_days=value("window_days", row.window_days),
            max_count=value("max_count", row.max_count) or 0,
            active=value("active", "1" if row.active else "0") == "1",
            needs_approval=value("needs_approval", "1" if row.needs_approval else "0") == "1",
            min_count=None if legal else (value("min_count", row.min_count) or 0),
            name=value("name", None), position=int(value("position", row.position)),
            is_letter=value("is_letter", "1" if row.is_letter else "0") == "1")

    if submit(form, save, _("Ladder saved.")):
        return redirect(url_for("settings.ladder"))
    return render_template("ladder/rung_form.html", row=row, form=form, legal=legal,
                           shown=shown, law=policy.law_of(code) if legal else "",
                           rung=policy.Rung.from_row(row), policy=policy), status_of(form)


def _fields_of(code: str, *, legal: bool, own: bool) -> list[str]:
    """The settings a branch may change of a rung, in the page's order: a branch rung all of
    them, another persuasion rung all but its name, position and letter, a warning its window
    and approval, the fine its approval, TMP2T and the referral none."""
    if legal:
        return [*(["window_days"] if code in policy.WARNINGS else []),
                *([] if code in policy.APPROVAL_REQUIRED else ["needs_approval"])]
    return [*(["name", "position", "is_letter"] if own else []), "window_days", "min_count",
            "max_count", "needs_approval", "active"]


@bp.route("/ladder/new", methods=["GET", "POST"])
@supervisor_only
def new_rung():
    """Add a persuasion rung of the branch's own."""
    form = NewRungForm()
    if submit(form, lambda: service.add_rung(
            current_user, code=form.code.data or "", name=form.name.data or "",
            position=int(form.position.data), is_letter=form.is_letter.data == "1",
            window_days=form.window_days.data, min_count=form.min_count.data or 0,
            max_count=form.max_count.data or 0,
            needs_approval=form.needs_approval.data == "1"), _("Step added.")):
        return redirect(url_for("settings.ladder"))
    return render_template("ladder/new_rung.html", form=form), status_of(form)
