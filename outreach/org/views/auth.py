"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from outreach.core.guards import public, safe_next
from outreach.core.views import run_service
from outreach.extensions import db, limiter
from outreach.org import service as org

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"],
               error_message=lambda: _("Too many sign-in attempts. Please wait a minute."))
def login():
    """The sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user, problem = org.authenticate(form.email.data, form.password.data,
                                         address=request.remote_addr)
        db.session.commit()  # the audit event of the attempt, also of a failed one
        if user is None:
            form.form_errors.append(problem)
        else:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("org/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (POST with a CSRF token, so no other site can sign a user out): this session,
    its remember cookie and the account's other sessions end."""
    user = current_user._get_current_object()
    run_service(lambda: org.sign_out(user))
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account")
def account():
    """The signed-in user's own page: who they are, their recent sign-ins, and "sign out
    everywhere"."""
    return render_template("org/account.html",
                           history=org.account_history(current_user, limit=20))


@bp.route("/sign-out-everywhere", methods=["POST"])
def sign_out_everywhere():
    """End every session and remember cookie of the account, on every device, this one too."""
    user = current_user._get_current_object()
    run_service(lambda: org.sign_out(user, everywhere=True))
    logout_user()
    flash(_("You have signed out on every device. Sign in again here."), "info")
    return redirect(url_for("auth.login"))
