"""Services: the rules of the product as plain functions.

They take explicit arguments (the acting user, today's date), flush but never commit, and
write an audit event; views, the CLI and the scheduler call them.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A request the rules refuse; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
