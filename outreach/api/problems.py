"""Errors of the API as RFC 9457 problem details (`application/problem+json`)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response, json, request
from flask_babel import gettext as _

from outreach.core.errors import MESSAGES

PROBLEM_JSON = "application/problem+json"

#: the detail of each status when the code gives none
DETAILS = {
    401: lambda: _("Send a valid API token as `Authorization: Bearer <token>`."),
    403: lambda: _("This API token does not have the scope this call needs."),
    404: lambda: _("No such record, or it is outside the branch or region of this token."),
    422: lambda: _("The request has invalid or missing values."),
}


def problem(status: int, detail: str | None = None, *, errors: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    """A problem details response: type, title, status, detail, instance (and `errors` by
    field for invalid requests)."""
    text = detail or (DETAILS.get(status) or MESSAGES.get(status, MESSAGES[500]))()
    body: dict[str, Any] = {"type": "about:blank", "title": HTTPStatus(status).phrase,
                            "status": status, "detail": str(text), "instance": request.path}
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="outreach"'
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def answer_error(code: int, message: str | None, error: Exception | None) -> Response:
    """How `/api/v1` answers an error the app raised (`core.errors.answer_errors_under`):
    validation messages of webargs become `errors`, a rate limit keeps its own detail."""
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    if isinstance(errors, dict) and set(errors) <= {"json", "query", "path"}:
        # webargs keys its messages by location; one location is enough for a partner
        errors = {key: value for messages in errors.values() for key, value in messages.items()}
    detail = data.get("message") or message
    if code == 405:
        detail = _("This method is not allowed on this URL.")
    response = problem(code, detail, errors=errors or None, headers=data.get("headers"))
    if code == 405 and error is not None and hasattr(error, "valid_methods"):
        response.headers["Allow"] = ", ".join(error.valid_methods or ())
    return response
