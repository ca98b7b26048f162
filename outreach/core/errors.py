"""Refusals and error pages: `ServiceError` is how a service refuses (its message shown at a
form field), and the error pages answer in the app's layout."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, g, has_request_context, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from outreach.extensions import db, login_manager


class ServiceError(Exception):
    """A request the rules refuse; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


MESSAGES = {
    400: lambda: _("The request could not be understood."),
    403: lambda: _("You do not have access to this page."),
    404: lambda: _("The page or record you asked for does not exist, or is not in your branch."),
    405: lambda: _("This page cannot be used this way."),
    413: lambda: _("The file is too large."),
    429: lambda: _("Too many requests. Please wait a moment and try again."),
    500: lambda: _("Something went wrong on our side. It has been logged."),
    503: lambda: _("The database is not reachable right now. Please try again in a minute."),
}


#: how a part of the app that is no web page answers errors: (code, message, the exception)
ErrorFormat = Callable[[int, str | None, Exception | None], object]


def answer_errors_under(app: Flask, prefix: str, answer: ErrorFormat) -> None:
    """Let the URLs under `prefix` answer their errors with `answer` instead of error pages
    (the JSON API answers problem details)."""
    app.extensions.setdefault("outreach.error_formats", []).append((prefix, answer))


def _own_format(code: int, message: str | None, error: Exception | None):
    for prefix, answer in current_app.extensions.get("outreach.error_formats", ()):
        if has_request_context() and request.path.startswith(prefix):
            return answer(code, message, error)
    return None


def render_error(code: int, message: str | None = None, error: Exception | None = None,
                 back: str | None = None):
    """The error page for an HTTP status (or the answer of the part of the app asked for);
    `back` links to the form to open again."""
    own = _own_format(code, message, error)
    if own is not None:
        return own
    text = message or MESSAGES.get(code, MESSAGES[500])()
    return render_template("core/error.html", code=code, message=text, back=back), code


def handle_http(error: HTTPException):
    """Known HTTP errors; a rate limit shows its own message."""
    message = error.description if error.code == 429 else None
    return render_error(error.code or 500, message, error)


def handle_csrf(error: CSRFError):
    """A form without a valid CSRF token. A form page (one that also answers GET) is linked
    to be opened again: the page's script kept what was typed on the device and puts it back."""
    rule = request.url_rule
    if rule is not None and "GET" in (rule.methods or ()) and not request.path.startswith("//"):
        return render_error(400, _("The form has expired or was not sent from this site. "
                                   "What you typed is kept on this device: open the form "
                                   "again, check it and send it."), back=request.full_path)
    return render_error(400, _("The form has expired or was not sent from this site. "
                               "Please go back, reload the page and try again."))


def handle_database_down(error: OperationalError):
    """The database went away: a calm page that needs nothing from it.

    The page is rendered for an anonymous visitor, so that the layout does not try to load the
    signed-in user from the database that just failed.
    """
    current_app.logger.error("database unreachable: %s", str(error).splitlines()[0])
    db.session.rollback()
    g._login_user = login_manager.anonymous_user()
    return render_error(503)


def handle_unexpected(error: Exception):
    """Anything else: log it and show a calm page."""
    db.session.rollback()
    return render_error(500, None, error)


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(OperationalError, handle_database_down)
    # Called for unhandled exceptions unless they propagate (debug and testing).
    app.register_error_handler(500, handle_unexpected)
