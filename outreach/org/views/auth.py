"""Signing in (password, then the authenticator code when two-factor is on) and out, the
user's own account page (password, two-factor sign-in, sessions) and set-password links."""

from __future__ import annotations

import secrets
import time

import segno
from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from outreach.core import clock
from outreach.core.guards import public, safe_next
from outreach.core.views import run_service, status_of, submit
from outreach.extensions import db, limiter
from outreach.notifications import service as notifications
from outreach.org import rules
from outreach.org import service as org
from outreach.org.models import User
from outreach.org.throttle import Throttle

bp = Blueprint("auth", __name__)

#: the password step of a two-factor sign-in is good for this long
PENDING_SECONDS = 5 * 60


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class CodeForm(FlaskForm):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text",
                                  "autofocus": True})


class NewPasswordForm(FlaskForm):
    """A new password, typed twice."""

    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least 12 characters and not easy to guess: a phrase of three or "
                       "four unrelated words works well."))
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(NewPasswordForm):
    """The current password, then the new one twice."""

    old_password = PasswordField(_l("Current password"), validators=[DataRequired(),
                                                                     Length(max=200)],
                                 render_kw={"autocomplete": "current-password"})


class PasswordConfirmForm(FlaskForm):
    """The password, to confirm a change to the account's security."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _throttle() -> Throttle:
    return Throttle(limiter.storage, current_app.config.get("RATELIMIT_KEY_PREFIX", ""))


def _too_many(wait: int):
    """The answer while the account or the address is locked: 429 and when to try again."""
    minutes = max(1, (wait + 59) // 60)
    message = ngettext("Too many failed sign-ins. Please try again in %(num)d minute.",
                       "Too many failed sign-ins. Please try again in %(num)d minutes.",
                       minutes)
    form = LoginForm()
    form.form_errors.append(message)
    response = current_app.make_response((render_template("org/login.html", form=form), 429))
    response.headers["Retry-After"] = str(wait)
    return response


def _count_failure(email: str, address: str | None) -> None:
    """Count a failed attempt; a lockout it starts is audited and its owner told by mail.

    The mail is queued for the mail job rather than sent here, so that a slow mail server
    never holds up the sign-in page and the answer takes no longer for a real account."""
    for lockout in _throttle().failed(email, address):
        user = org.record_lockout(email, address, lockout.scope, lockout.seconds)
        if user is not None:
            notifications.notify(
                user, "lockout", f"lockout:{user.id}:{secrets.token_hex(8)}", "org/mail/lockout",
                address=address, minutes=max(1, lockout.seconds // 60),
                base_url=current_app.config["PUBLIC_BASE_URL"])
    db.session.commit()


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
        email, address = form.email.data, request.remote_addr
        wait = _throttle().locked_for(email, address)
        if wait:
            return _too_many(wait)
        user, problem = org.authenticate(email, form.password.data, address=address)
        db.session.commit()  # the audit event of the attempt, also of a failed one
        if user is None:
            _count_failure(email, address)
            form.form_errors.append(problem)
        elif user.two_factor:
            session["pending_sign_in"] = {
                "user": user.id, "token": user.session_token, "at": int(time.time()),
                "remember": bool(form.remember.data), "next": request.args.get("next")}
            return redirect(url_for("auth.second_factor"))
        else:
            _throttle().succeeded(email)
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("main.index"))
    return render_template("org/login.html", form=form)


def _pending_user() -> tuple[User | None, dict]:
    """The account whose password was right a moment ago in this browser, if still valid."""
    pending = session.get("pending_sign_in") or {}
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, {}
    user = org.get_user(pending.get("user"))
    if user is None or not user.active or user.session_token != pending.get("token"):
        return None, {}
    return user, pending


@bp.route("/two-factor", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"],
               error_message=lambda: _("Too many sign-in attempts. Please wait a minute."))
def second_factor():
    """The second step of signing in: the code from the authenticator app (or a recovery
    code)."""
    user, pending = _pending_user()
    if user is None:
        session.pop("pending_sign_in", None)
        flash(_("Please sign in again."), "warning")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        address = request.remote_addr
        wait = _throttle().locked_for(user.email, address)
        if wait:
            return _too_many(wait)
        right = org.check_second_factor(user, form.code.data, clock.now(), address=address)
        db.session.commit()
        if right:
            session.pop("pending_sign_in", None)
            _throttle().succeeded(user.email)
            login_user(user, remember=pending.get("remember", False))
            return redirect(safe_next(pending.get("next")) or url_for("main.index"))
        _count_failure(user.email, address)
        form.code.errors = [_("That code is not right.")]
    return render_template("org/second_factor.html", form=form), status_of(form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (POST with a CSRF token, so no other site can sign a user out): this session,
    its remember cookie and the account's other sessions end."""
    user = current_user._get_current_object()
    run_service(lambda: org.sign_out(user))
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


def _account_page(password_form: ChangePasswordForm | None = None,
                  disable_form: PasswordConfirmForm | None = None):
    page = render_template("org/account.html", password_form=password_form or
                           ChangePasswordForm(formdata=None),
                           disable_form=disable_form or PasswordConfirmForm(formdata=None),
                           recovery_left=len([h for h in current_user.recovery_codes.split()
                                              if h]),
                           history=org.account_history(current_user, limit=20))
    forms = [f for f in (password_form, disable_form) if f is not None]
    return page, max([status_of(f) for f in forms] or [200])


@bp.route("/account")
def account():
    """The signed-in user's own page: who they are, their password, two-factor sign-in,
    their recent sign-ins, and "sign out everywhere"."""
    if current_user.must_change_password:
        flash(_("Your password was chosen by an admin: please choose your own before you "
                "continue."), "warning")
    return _account_page()


@bp.route("/password", methods=["POST"])
def change_password():
    """Change one's own password (the current one first): every other session ends."""
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if submit(form, lambda: org.change_password(user, form.old_password.data,
                                                form.new_password.data)):
        login_user(user)  # this session goes on with the new token; all others have ended
        flash(_("Your password has been changed. You were signed out on every other "
                "device."), "success")
        return redirect(url_for("auth.account"))
    return _account_page(password_form=form)


@bp.route("/sign-out-everywhere", methods=["POST"])
def sign_out_everywhere():
    """End every session and remember cookie of the account, on every device, this one too."""
    user = current_user._get_current_object()
    run_service(lambda: org.sign_out(user, everywhere=True))
    logout_user()
    flash(_("You have signed out on every device. Sign in again here."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/two-factor/setup", methods=["GET", "POST"])
def two_factor_setup():
    """Enrol an authenticator app: scan the QR code, confirm with a code, keep the recovery
    codes shown once."""
    user = current_user._get_current_object()
    if user.two_factor:
        return redirect(url_for("auth.account"))
    secret = session.get("totp_setup") or rules.new_totp_secret()
    session["totp_setup"] = secret
    form = CodeForm()
    outcome = submit(form, lambda: org.enable_two_factor(user, secret, form.code.data,
                                                         clock.now()),
                     _("Two-factor sign-in is on."))
    if outcome:
        session.pop("totp_setup", None)
        return render_template("org/recovery_codes.html", codes=outcome.value)
    qr = segno.make(rules.totp_uri(secret, user.email), error="m")
    required = org.needs_two_factor(user, current_app.config["OUTREACH_REQUIRE_2FA"])
    return render_template(
        "org/two_factor_setup.html", form=form, required=required,
        qr_svg=Markup(qr.svg_inline(scale=5, title=_("QR code for the authenticator app"))),  # noqa: S704 - segno's own SVG
        secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4))), status_of(form)


@bp.route("/two-factor/disable", methods=["POST"])
def two_factor_disable():
    """Switch two-factor sign-in off, with the password."""
    user = current_user._get_current_object()
    form = PasswordConfirmForm()
    if submit(form, lambda: org.disable_two_factor(user, form.password.data),
              _("Two-factor sign-in is off.")):
        return redirect(url_for("auth.account"))
    return _account_page(disable_form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def set_password(token: str):
    """The page a set-password link opens: choose the account's password, once."""
    secret_key = current_app.config["SECRET_KEY"]
    user = org.user_for_link(token, secret_key)
    if user is None:
        return render_template("org/set_password.html", form=None), 400
    form = NewPasswordForm()
    if submit(form, lambda: org.set_password_by_link(token, form.new_password.data, secret_key),
              _("Your password is set. Sign in with it now.")):
        if current_user.is_authenticated:
            logout_user()
        return redirect(url_for("auth.login"))
    return render_template("org/set_password.html", form=form, user=user), status_of(form)
