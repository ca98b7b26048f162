"""Administration: branches and user accounts (admins only)."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from outreach.core import clock
from outreach.core.guards import roles_required
from outreach.core.labels import choices
from outreach.core.views import log_access, run_service, submit
from outreach.notifications import service as notifications
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


def _send_password_link(user: User) -> tuple[str, bool]:
    """Make a set-password link for the account and mail it to its owner; the link and
    whether the mail went out."""
    token = org.password_link(current_user, user, current_app.config["SECRET_KEY"])
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for("auth.set_password",
                                                                       token=token)
    sent = notifications.notify_now(
        user, "password_link", f"password-link:{user.id}:{secrets.token_hex(8)}",
        "org/mail/set_password", smtp_url=current_app.config.get("SMTP_URL"),
        sender=current_app.config["MAIL_FROM"], now=clock.now(), link=link,
        hours=org.PASSWORD_LINK_HOURS)
    return link, sent


def _show_link(user: User, link: str, sent: bool) -> None:
    """Tell the admin where the link went, and show it for handing over by other means."""
    if sent:
        flash(_("A set-password link was mailed to %(email)s.", email=user.email), "success")
    elif not current_app.config.get("SMTP_URL"):
        flash(_("Mail is not set up: hand the link below to %(name)s yourself.",
                name=user.name), "warning")
    else:
        flash(_("The set-password link could not be mailed to %(email)s; it waits in the "
                "app's outbox.", email=user.email), "warning")
    flash(_("Set-password link (valid for %(hours)d hours, works once; hand it only to "
            "%(name)s): %(link)s", hours=org.PASSWORD_LINK_HOURS, name=user.name, link=link),
          "info")


@bp.route("/users/new", methods=["GET", "POST"])
@admin_only
def user_new():
    """Create an account; its owner gets a link to choose a password (no admin chooses one)."""
    form = _user_form(None)

    def create() -> tuple[User, str, bool]:
        user = org.create_user(
            current_user, email=form.email.data, name=form.name.data, role=form.role.data,
            branch=org.get_branch(form.branch.data),
            region=org.get_region(form.region_id.data), phone=form.phone.data or "")
        return (user, *_send_password_link(user))

    outcome = submit(form, create, _("Account created."))
    if outcome:
        _show_link(*outcome.value)
        return redirect(url_for("admin.user_edit", user_id=outcome.value[0].id))
    return render_template("org/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/password-link", methods=["POST"])
@admin_only
def user_password_link(user_id: int):
    """Send the account's owner a new set-password link (a forgotten password)."""
    user = org.get_user(user_id) or abort(404)
    sent: list = []
    if run_service(lambda: sent.extend(_send_password_link(user))):
        _show_link(user, *sent)
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/reset-two-factor", methods=["POST"])
@admin_only
def user_reset_two_factor(user_id: int):
    """Remove an account's authenticator (lost phone, no recovery codes left)."""
    user = org.get_user(user_id) or abort(404)
    run_service(lambda: org.reset_two_factor(current_user, user),
                _("Two-factor sign-in of %(name)s was removed; they sign in with their "
                  "password and enrol again.", name=user.name))
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_only
def user_edit(user_id: int):
    """Edit an account or deactivate it; send a set-password link or reset two-factor
    sign-in from here."""
    user = org.get_user(user_id) or abort(404)
    form = _user_form(user)
    form.email.data = user.email
    if submit(form, lambda: org.update_user(
            current_user, user, name=form.name.data, role=form.role.data,
            branch=org.get_branch(form.branch.data), active=form.active.data,
            phone=form.phone.data or "", region=org.get_region(form.region_id.data)),
            _("Account saved.")):
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
