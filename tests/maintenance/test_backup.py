"""Backups: `flask backup` and `flask restore` round-trip the demo data and the stored PDFs.

These tests build their own SQLite databases (backups are SQLite files whichever database the
suite runs on); on PostgreSQL the commands explain pg_dump instead, tested with the suite's app.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import flask_migrate
import pytest
from sqlalchemy import func, select

from outreach import create_app
from outreach.cases.models import Step
from outreach.companies.models import Company
from outreach.extensions import db
from outreach.letters.models import Letter, LetterStatus
from outreach.org.models import User


def sqlite_app(path: Path):
    return create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})


def snapshot() -> dict:
    """What must survive: row counts and the issued letters' bytes."""
    issued = db.session.scalars(select(Letter).where(Letter.status == LetterStatus.ISSUED)
                                .order_by(Letter.id)).all()
    return {
        "companies": db.session.scalar(select(func.count(Company.id))),
        "steps": db.session.scalar(select(func.count(Step.id))),
        "users": db.session.scalar(select(func.count(User.id))),
        "letters": [(letter.number, hashlib.sha256(letter.pdf).hexdigest(), letter.sha256)
                    for letter in issued],
    }


@pytest.fixture
def demo_database(app, tmp_path):
    """A SQLite database with the demo data (its issued letters among it), and what it
    holds."""
    source = sqlite_app(tmp_path / "live.db")
    with source.app_context(), source.test_request_context():
        flask_migrate.upgrade()
        runner = source.test_cli_runner()
        assert runner.invoke(args=["demo", "seed", "--companies", "6"]).exit_code == 0
        expected = snapshot()
        db.session.remove()
    assert expected["letters"], "the demo data should hold an issued letter"
    return source, expected


def test_backup_and_restore_round_trip_the_demo_data(demo_database, tmp_path):
    """A backup restored into an empty database holds the same records and the same PDFs."""
    source, expected = demo_database
    backup_file = tmp_path / "outreach-backup.db"
    with source.app_context():
        result = source.test_cli_runner().invoke(args=["backup", str(backup_file)])
        db.engine.dispose()
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"backed up to {backup_file}")

    target = sqlite_app(tmp_path / "restored.db")
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", str(backup_file)])
        assert result.exit_code == 0, result.output
        assert snapshot() == expected
        client = target.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        token = page.split('name="csrf-token" content="')[1].split('"')[0]
        response = client.post("/auth/login", data={
            "email": "officer1.pkl@outreach-demo.id", "password": "demo12345",
            "csrf_token": token})
        assert response.status_code == 302  # the demo logins work on the restored copy
        db.engine.dispose()


def test_backup_never_overwrites_and_restore_needs_an_empty_database(demo_database, tmp_path):
    """An existing backup file is kept; restoring over data is refused, nothing changes."""
    source, expected = demo_database
    existing = tmp_path / "old.db"
    existing.write_bytes(b"keep me")
    with source.app_context():
        runner = source.test_cli_runner()
        result = runner.invoke(args=["backup", str(existing)])
        assert result.exit_code == 1
        assert result.stderr.strip() == f"Error: {existing} already exists; choose a new file name"
        assert existing.read_bytes() == b"keep me"
        good = tmp_path / "good.db"
        assert runner.invoke(args=["backup", str(good)]).exit_code == 0
        result = runner.invoke(args=["restore", str(good)])
        assert result.exit_code == 1
        assert "the database is not empty" in result.stderr
        assert snapshot() == expected
        db.engine.dispose()


@pytest.mark.parametrize("content, message", [
    (b"", "is not an outreach backup"),
    (b"this is not a database at all, just some text" * 20, "is not a SQLite database"),
])
def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path, content, message):
    """A wrong file: one clear error line, and the empty database stays empty."""
    wrong = tmp_path / "wrong.db"
    wrong.write_bytes(content)
    target = sqlite_app(tmp_path / "restored.db")
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["restore", str(wrong)])
        assert result.exit_code == 1
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0]
        assert db.inspect(db.engine).get_table_names() == []
        db.engine.dispose()


def test_on_postgresql_backup_explains_pg_dump(app, request, tmp_path):
    """On PostgreSQL the command says how to use pg_dump and writes nothing."""
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("the suite runs on SQLite: the round trip above covers it")
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 1
    assert "pg_dump --format=custom" in result.stderr
    assert not (tmp_path / "x.dump").exists()
