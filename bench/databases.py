"""Throw-away databases for the benchmark: a SQLite file, or a new PostgreSQL database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
#: every database the benchmark creates starts with this, so a leftover is easy to spot
PREFIX = "bench_outreach_"


@contextmanager
def sqlite_database(keep: bool = False) -> Iterator[str]:
    """A new SQLite file under bench/results/, removed afterwards unless `keep`."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{PREFIX}{uuid.uuid4().hex[:8]}.db"
    try:
        yield f"sqlite:///{path}"
    finally:
        if keep:
            print(f"kept {path}")
        else:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def postgresql_database(server_url: str, keep: bool = False,
                        name: str | None = None) -> Iterator[str]:
    """A new database on the server of `server_url`, dropped afterwards unless `keep`.

    With a `name`, a database of that name left over from an earlier run is dropped first."""
    name = name or f"{PREFIX}{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.engine.make_url(server_url).set(database=name)
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            if keep:
                print(f"kept {url.render_as_string(hide_password=True)}")
            else:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
