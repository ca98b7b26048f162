"""Flask-Login wiring: loading users, where anonymous users are sent."""

from __future__ import annotations

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
    """The signed-in user; a deactivated account is signed out on its next request."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active:
        return None
    return user
