"""Services: the rules of the product as plain functions.

They take explicit arguments (the acting user, today's date), flush but never commit, and
write an audit event; views, the CLI and the scheduler call them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, any_, bindparam, func, literal_column, select

from outreach.extensions import db


class ServiceError(Exception):
    """A request the rules refuse; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def among(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN (values)` for a list of any length (ids, identifiers), bound as one value (an
    array on PostgreSQL, a JSON array on SQLite) instead of a parameter per value: SQLite
    limits the parameters of a statement, and turning tens of thousands of them into SQL
    costs seconds."""
    values = list(values)
    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(select(literal_column("value"))
                      .select_from(func.json_each(json.dumps(values))))
