"""What a phone downloads: responses compressed, static files versioned and cached.

Pages, CSS and JavaScript go out gzip- or brotli-encoded (the task list is a twentieth of its
size). Flask-Compress compresses a streamed response chunk by chunk without closing what it
streamed from, which leaves a static file open; static files are small, so they are read into
the response first (their file closed with the response) and compressed whole.

Static URLs carry a version made from the file (`?v=…`), so that a browser may keep them a year
without asking again (a round trip saved per file on every page: over 3G, half a second) and a
changed file has a new URL.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from flask import Flask, Response, current_app, request

from outreach.extensions import compress

STATIC_ENDPOINTS = ("static", "bootstrap.static")
YEAR = 365 * 24 * 3600
_versions: dict[str, str] = {}


def _static_folder(endpoint: str) -> str | None:
    if endpoint == "static":
        return current_app.static_folder
    blueprint = current_app.blueprints.get(endpoint.rsplit(".", 1)[0])
    return blueprint.static_folder if blueprint is not None else None


def _add_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint not in STATIC_ENDPOINTS or "filename" not in values or "v" in values:
        return
    folder = _static_folder(endpoint)
    if folder is None:
        return
    path = os.path.join(folder, values["filename"])
    if path not in _versions:
        try:
            stat = os.stat(path)
        except OSError:
            return
        stamp = f"{stat.st_mtime_ns}:{stat.st_size}".encode()
        _versions[path] = hashlib.sha256(stamp).hexdigest()[:10]
    values["v"] = _versions[path]


def _static_response(response: Response) -> Response:
    if request.endpoint not in STATIC_ENDPOINTS:
        return response
    if response.status_code in (200, 304) and request.args.get("v"):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    if response.is_streamed and response.status_code == 200:
        streamed = response.response
        response.make_sequence()
        close = getattr(streamed, "close", None)
        if close is not None:  # the file is read: close it now, not when the response closes
            close()
    return response


def init_app(app: Flask) -> None:
    """Compress responses; version static URLs and let browsers keep the files."""
    compress.init_app(app)
    # after-request hooks run last-registered first: this one before Flask-Compress's
    app.after_request(_static_response)
    app.url_defaults(_add_version)
