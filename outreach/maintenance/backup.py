"""Backups: a consistent online copy of the SQLite database, and restoring one.

SQLite's backup API copies the database page by page while the app keeps running, so the copy
is consistent even during writes. PostgreSQL has its own tools (`pg_dump`, `pg_restore`), which
are better at it than anything we could write; there the commands explain how to use them.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine, inspect


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


POSTGRES_BACKUP = (
    "outreach runs on PostgreSQL here: back it up with PostgreSQL's own tool, e.g.\n"
    "  pg_dump --format=custom --file {path} \"$PG_URL\"\n"
    "where PG_URL is DATABASE_URL without the '+psycopg' driver name. The dump is consistent "
    "while the app keeps running; it includes the stored letter PDFs and proofs.")
POSTGRES_RESTORE = (
    "outreach runs on PostgreSQL here: restore a pg_dump backup into an empty database with\n"
    "  pg_restore --no-owner --dbname \"$PG_URL\" {path}\n"
    "then run `flask --app wsgi db upgrade` in case the backup is from an older version.")


def _require_sqlite(engine: Engine, postgres_message: str, path: Path) -> None:
    if engine.dialect.name != "sqlite":
        raise BackupError(postgres_message.format(path=path))


def backup(engine: Engine, target: Path) -> int:
    """Copy the live SQLite database to `target` (which must not exist); returns its size."""
    _require_sqlite(engine, POSTGRES_BACKUP, target)
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent} is not a directory")
    partial = target.with_name(target.name + ".partial")
    raw = engine.raw_connection()
    try:
        destination = sqlite3.connect(partial)
        try:
            raw.driver_connection.backup(destination)
        finally:
            destination.close()
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"the backup failed: {error}") from error
    finally:
        raw.close()
    os.replace(partial, target)  # a backup file is either complete or absent
    return target.stat().st_size


def check_backup_file(source: Path) -> None:
    """Refuse a file that is not an intact outreach backup."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    try:
        connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            status = connection.execute("PRAGMA quick_check").fetchone()[0]
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} is not a SQLite database: {error}") from error
    if status != "ok":
        raise BackupError(f"{source} is damaged: {status}")
    if "alembic_version" not in tables or "companies" not in tables:
        raise BackupError(f"{source} is not an outreach backup")


def restore(engine: Engine, source: Path) -> None:
    """Copy a backup into the app's SQLite database, which must be empty (no tables)."""
    _require_sqlite(engine, POSTGRES_RESTORE, source)
    check_backup_file(source)
    if inspect(engine).get_table_names():
        raise BackupError("the database is not empty; restore only into a new, empty database "
                          "(point DATABASE_URL at a new file)")
    engine.dispose()  # no pooled connection may keep an older view of the file
    raw = engine.raw_connection()
    try:
        backup_connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            backup_connection.backup(raw.driver_connection)
        finally:
            backup_connection.close()
    finally:
        raw.close()
    engine.dispose()
