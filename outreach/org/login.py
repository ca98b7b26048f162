"""Flask-Login wiring: loading users, where anonymous users are sent."""

from __future__ import annotations

import hmac

from flask import Flask, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from outreach.extensions import db, login_manager
from outreach.org import service as org
from outreach.org.models import User

#: what an account that must first change its password or enrol in two-factor sign-in may
#: still open: those pages, signing out, the language switch, the health check, static files
ACCOUNT_STEP_ENDPOINTS = frozenset({
    "auth.account", "auth.change_password", "auth.two_factor_setup", "auth.logout",
    "auth.sign_out_everywhere", "main.set_language", "main.healthz", "static", "bootstrap.static",
})


def init_app(app: Flask) -> None:
    """Configure the login manager."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open that page.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"
    app.before_request(require_account_steps)


def require_account_steps():
    """Before each request: an account whose password an admin chose changes it first, and a
    supervisor or admin without two-factor sign-in enrols first (when OUTREACH_REQUIRE_2FA)."""
    if not current_user.is_authenticated or request.endpoint in ACCOUNT_STEP_ENDPOINTS:
        return None
    if request.endpoint is None or request.endpoint.endswith(".static"):
        return None
    if current_user.must_change_password:
        return redirect(url_for("auth.account", _anchor="password"))
    if org.needs_two_factor(current_user, current_app.config["OUTREACH_REQUIRE_2FA"]):
        return redirect(url_for("auth.two_factor_setup"))
    return None


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user for a session or remember cookie holding "<id>:<session token>".

    A cookie from before the token was last rotated (sign-out, password change, deactivation,
    "sign out everywhere") finds no user; a deactivated account is signed out on its next
    request."""
    account, _sep, token = user_id.partition(":")
    if not account.isdigit():
        return None
    # with the branch, which every page's header names
    user = db.session.get(User, int(account), options=[joinedload(User.branch)])
    if user is None or not user.active or not token or not user.session_token:
        return None
    if not hmac.compare_digest(token.encode(), user.session_token.encode()):
        return None
    return user
