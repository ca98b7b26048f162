"""Language selection: Indonesian by default, English per user."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, session
from flask_login import current_user

from outreach.core import form_messages
from outreach.extensions import babel


def select_locale() -> str:
    """The signed-in user's language, else the session's, else Indonesian."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI and the scheduler speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with our locale selector; WTForms' messages through our catalog."""
    babel.init_app(app, locale_selector=select_locale)
    form_messages.init_app(app)
