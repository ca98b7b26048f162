"""Column helpers shared by the models."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    DateTime,
    any_,
    bindparam,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from outreach.extensions import db


def utcnow() -> datetime:
    """The current moment in UTC, timezone-aware."""
    return datetime.now(UTC)


class TimestampMixin:
    """Created and updated timestamps, kept in UTC."""

    #: when the row was created
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: when the row last changed
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


def upsert(model: Any):
    """`INSERT` of `model` that takes `.on_conflict_do_update(...)` (PostgreSQL and SQLite)."""
    return (pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert)(model)


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


def progress_writer(model: Any, row_id: int, done: str = "done", total: str = "total",
                    heartbeat: str | None = None) -> Callable[[int, int], None]:
    """What writes a long run's progress (`done` of `total`) on its row, on a connection of its
    own, so the page that shows it sees it at once; with `heartbeat`, the moment too, in that
    column (the run's sign of life). Call it only between the run's own transactions (or while
    the run only reads): on SQLite it would wait for the run's lock."""
    table = model.__table__

    def write(done_count: int, total_count: int) -> None:
        values: dict[str, Any] = {done: done_count, total: total_count}
        if heartbeat is not None:
            values[heartbeat] = utcnow()
        with db.engine.begin() as connection:
            connection.execute(update(table).where(table.c.id == row_id).values(values))

    return write
