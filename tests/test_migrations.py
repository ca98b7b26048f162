"""The migrations and the models describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from outreach.extensions import db


def test_migrations_match_models():
    """After `flask db upgrade`, would autogenerate find anything left to migrate?"""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_constraints_are_named():
    """Every constraint carries a name from the naming convention (SQLite batch needs them)."""
    for table in db.metadata.sorted_tables:
        for constraint in table.constraints:
            assert constraint.name, f"unnamed constraint on {table.name}"
