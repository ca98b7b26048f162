"""Compressed responses: pages, CSS and JavaScript go out gzip- or brotli-encoded (the task
list is a tenth of its size over a phone's link).

Flask-Compress compresses a streamed response chunk by chunk without closing what it streamed
from, which leaves a static file open; static files are small, so they are read into the
response first (their file closed with the response) and compressed whole.
"""

from __future__ import annotations

from flask import Flask, Response, request

from outreach.extensions import compress


def _static_files_read_whole(response: Response) -> Response:
    if response.is_streamed and response.status_code == 200 and request.endpoint \
            and (request.endpoint == "static" or request.endpoint.endswith(".static")):
        response.make_sequence()
    return response


def init_app(app: Flask) -> None:
    """Compress responses; static files are read whole before they are compressed."""
    compress.init_app(app)
    # after-request hooks run last-registered first: this one before Flask-Compress's
    app.after_request(_static_files_read_whole)
