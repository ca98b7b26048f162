"""Administration: branches and user accounts (admins only)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from outreach.core.guards import roles_required
from outreach.core.labels import choices
from outreach.core.views import log_access, submit
from outreach.org import service as org
from outreach.org.models import Role, User

bp = Blueprint("admin", __name__)
admin_only = roles_required(Role.ADMIN)


class BranchForm(FlaskForm):
    """A branch's details."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    region = SelectField(_l("Region"), coerce=int, validators=[Optional()])
    address = StringField(_l("Address"), validators=[Length(max=255)])
    city = StringField(_l("City (printed before the letter date)"), validators=[Length(max=80)])
    phone = StringField(_l("Phone"), validators=[Length(max=40)])
    email = StringField(_l("E-mail"), validators=[Length(max=120)])
    #: required: letters are signed in the head's name (the service refuses to issue without)
    head_name = StringField(_l("Head of branch (signs letters)"),
                            validators=[DataRequired(message=_l(
                                "A branch needs its head: letters are signed in that name.")),
                                Length(max=120)])
    head_title = StringField(_l("Title of the head of branch"), validators=[Length(max=120)])
    letter_unit_code = StringField(_l("Unit code in letter numbers"),
                                   validators=[Length(max=20)])


class UserForm(FlaskForm):
    """An account."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(check_deliverability=False,
                                                                     allow_empty_local=False),
                                                 Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=[])
    branch = SelectField(_l("Branch"), coerce=int)
    region_id = SelectField(_l("Region (for regional staff)"), coerce=int, default=0,
                            validate_choice=False, description=_l(
                                "Regional staff read every branch of this region; without it, "
                                "the region of their branch."))
    phone = StringField(_l("Phone (printed in letters as the contact)"),
                        validators=[Length(max=40)])
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=8, max=200)],
                             description=_l("At least 8 characters. Leave empty to keep it."))
    active = BooleanField(_l("May sign in"), default=True)


def _region_choices() -> list[tuple[int, str]]:
    return [(0, "–")] + [(r.id, r.name) for r in org.regions()]


def _branch_choices() -> list[tuple[int, str]]:
    return [(0, "–")] + [(b.id, f"{b.code} – {b.name}") for b in org.branches()]


def _branch_values(form: BranchForm) -> dict:
    return {
        "region": org.get_region(form.region.data),
        "address": form.address.data or "", "city": form.city.data or "",
        "phone": form.phone.data or "", "email": form.email.data or "",
        "head_name": form.head_name.data or "",
        "head_title": form.head_title.data or _("Head of Branch Office"),
        "letter_unit_code": form.letter_unit_code.data or "",
    }


def _branch_changes(form: BranchForm) -> dict:
    values = _branch_values(form)
    values["name"] = form.name.data.strip()
    values["region_id"] = values.pop("region").id if values["region"] else None
    return values


@bp.route("/branches")
@admin_only
def branches():
    """All branches."""
    rows = org.branches(order_by_code=True)
    return render_template("org/branches.html", branches=rows)


@bp.route("/branches/new", methods=["GET", "POST"])
@admin_only
def branch_new():
    """Create a branch."""
    form = BranchForm()
    form.region.choices = _region_choices()
    if submit(form, lambda: org.create_branch(current_user, code=form.code.data,
                                              name=form.name.data, **_branch_values(form)),
              _("Branch saved.")):
        return redirect(url_for("admin.branches"))
    return render_template("org/branch_form.html", form=form, branch=None)


@bp.route("/branches/<int:branch_id>", methods=["GET", "POST"])
@admin_only
def branch_edit(branch_id: int):
    """Edit a branch (its code stays)."""
    branch = org.get_branch(branch_id) or abort(404)
    form = BranchForm(obj=branch)
    form.region.choices = _region_choices()
    if not form.is_submitted():
        form.region.data = branch.region_id or 0
    form.code.data = branch.code
    if submit(form, lambda: org.update_branch(current_user, branch, _branch_changes(form)),
              _("Branch saved.")):
        return redirect(url_for("admin.branches"))
    return render_template("org/branch_form.html", form=form, branch=branch)


@bp.route("/jobs")
@admin_only
def job_runs():
    """Runs of the scheduled jobs: start, end, outcome, counts, error."""
    from outreach.scheduler.service import recent_runs

    return render_template("org/jobs.html", runs=recent_runs())


@bp.route("/users")
@admin_only
def users():
    """All accounts."""
    rows = org.users()
    return render_template("org/users.html", users=rows)


def _user_form(user: User | None) -> UserForm:
    form = UserForm(obj=user)
    form.role.choices = choices("role")
    form.branch.choices = _branch_choices()
    form.region_id.choices = _region_choices()
    if user is not None and not form.is_submitted():
        form.branch.data = user.branch_id or 0
        form.region_id.data = user.region_id or 0
    return form


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def user_new():
    """Create an account."""
    form = _user_form(None)
    if submit(form, lambda: org.create_user(
            current_user, email=form.email.data, name=form.name.data, role=form.role.data,
            branch=org.get_branch(form.branch.data), region=org.get_region(form.region_id.data),
            password=form.password.data, phone=form.phone.data or ""), _("Account created.")):
        return redirect(url_for("admin.users"))
    return render_template("org/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_only
def user_edit(user_id: int):
    """Edit an account, reset its password or deactivate it."""
    user = org.get_user(user_id) or abort(404)
    form = _user_form(user)
    form.email.data = user.email
    if submit(form, lambda: org.update_user(
            current_user, user, name=form.name.data, role=form.role.data,
            branch=org.get_branch(form.branch.data), active=form.active.data,
            password=form.password.data or None, phone=form.phone.data or "",
            region=org.get_region(form.region_id.data)),
            _("Account saved.")):
        if user.id == current_user.id:  # a new password ends the admin's other sessions only
            login_user(user)
        return redirect(url_for("admin.users"))
    if request.method == "GET":
        log_access("view.user", "user", user.id, user.branch_id)
    return render_template("org/user_form.html", form=form, user=user,
                           history=org.account_history(user))


@bp.route("/sign-ins")
@admin_only
def sign_ins():
    """Sign-ins, failed sign-ins (with the e-mail typed) and sign-outs of every account."""
    return render_template("org/sign_ins.html", events=org.sign_in_log())


@bp.route("/data-access")
@admin_only
def data_access():
    """Who read personal data, exported a list or downloaded a file (UU 27/2022)."""
    return render_template("org/data_access.html", events=org.access_log())
