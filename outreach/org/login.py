"""Flask-Login wiring: loading users, where anonymous users are sent."""

from __future__ import annotations

import hmac

from flask import Flask
from flask_babel import lazy_gettext as _l

from outreach.extensions import db, login_manager
from outreach.org.models import User


def init_app(app: Flask) -> None:
    """Configure the login manager."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open that page.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in user for a session or remember cookie holding "<id>:<session token>".

    A cookie from before the token was last rotated (sign-out, password change, deactivation,
    "sign out everywhere") finds no user; a deactivated account is signed out on its next
    request."""
    account, _sep, token = user_id.partition(":")
    if not account.isdigit():
        return None
    user = db.session.get(User, int(account))
    if user is None or not user.active or not token or not user.session_token:
        return None
    if not hmac.compare_digest(token.encode(), user.session_token.encode()):
        return None
    return user
