"""Faults: the database going away, a render that fails at issue, a mail server that is down."""

from __future__ import annotations

import pytest

from outreach import create_app

#: a SQLite file in a directory that does not exist: every connection attempt fails
UNREACHABLE = "sqlite:////nonexistent-dir/outreach/outreach.db"


@pytest.fixture
def down_client(app):
    """A client of an app whose database cannot be reached, pushed over the suite's own app."""
    broken = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": UNREACHABLE})
    with broken.app_context():
        yield broken.test_client()


def test_healthz_says_the_database_is_unreachable(down_client):
    """Monitoring sees a 503 with the reason, not a crash."""
    response = down_client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "unreachable"}


def test_signed_in_page_answers_a_friendly_503(down_client):
    """A signed-in officer whose database went away sees a calm page in Indonesian."""
    with down_client.session_transaction() as session:
        session["_user_id"] = "1"
        session["_fresh"] = True
    response = down_client.get("/companies/")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "Basis data saat ini tidak dapat dijangkau" in page
    assert "Traceback" not in page and "sqlite3" not in page


def test_sign_in_while_the_database_is_down_answers_503(down_client):
    """The sign-in form still shows; sending it explains that the database is down."""
    page = down_client.get("/auth/login")
    assert page.status_code == 200
    token = page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
    response = down_client.post("/auth/login", data={
        "email": "a@example.org", "password": "whatever-123", "csrf_token": token})
    assert response.status_code == 503
    assert "Basis data saat ini tidak dapat dijangkau" in response.get_data(as_text=True)


def test_import_killed_while_saving_leaves_nothing_behind(database_url, make_branch, tmp_path):
    """`flask companies import` killed in the middle of saving: no company, no import."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from sqlalchemy import func, select

    from outreach.companies.models import Company
    from outreach.extensions import db
    from outreach.imports.models import CompanyImport

    make_branch("KC-PKL", "Pekalongan")
    rows = ["Nama Perusahaan;NIB;Alamat"] + [
        f"PT Uji Coba {n};{1_000_000_000_000 + n};Jl. Merdeka {n}" for n in range(8000)]
    path = tmp_path / "daftar-besar.csv"
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    environment = {**os.environ, "DATABASE_URL": database_url, "OUTREACH_ENV": "development"}
    with subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            [sys.executable, "-m", "flask", "--app", "wsgi", "companies", "import", str(path),
             "--branch", "KC-PKL", "--source", "pemkot"],
            env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True) as process:
        for line in process.stderr:
            if line.startswith("saving"):
                break
        time.sleep(0.5)  # well inside the saving of 8,000 companies
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
        assert "saved" not in process.stdout.read()
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Company.id))) == 0
    assert db.session.scalar(select(func.count(CompanyImport.id))) == 0
