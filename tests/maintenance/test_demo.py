"""The demo data command: `flask demo seed`."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from outreach.companies.models import Company
from outreach.extensions import db
from outreach.org.models import User


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_seed_is_idempotent_and_prints_logins(runner):
    """`demo seed` twice gives the same data, and prints each login as `email  role  branch`."""
    first = runner.invoke(args=["demo", "seed", "--companies", "12", "--password", "pw-12345678"])
    assert first.exit_code == 0, first.output
    companies, users = count(Company), count(User)
    second = runner.invoke(args=["demo", "seed", "--companies", "12", "--password", "pw-12345678"])
    assert second.exit_code == 0
    assert (count(Company), count(User)) == (companies, users) == (24, 8)
    lines = second.stdout.splitlines()
    assert "supervisor.pkl@outreach-demo.id  supervisor  KC-PKL" in lines
    assert "regional@outreach-demo.id  regional  JATENG-DIY" in lines
    assert "admin@outreach-demo.id  admin  -" in lines
    sectors = set(db.session.scalars(select(Company.sector)))
    assert len(sectors) > 3


def test_demo_login_works(client, runner):
    """A printed demo login signs in with the printed password."""
    from tests.conftest import post

    runner.invoke(args=["demo", "seed", "--companies", "3", "--password", "pw-12345678"])
    response = post(client, "/auth/login", {"email": "officer1.pkl@outreach-demo.id",
                                            "password": "pw-12345678"}, follow_redirects=True)
    assert response.request.path == "/companies/"
    assert "Pekalongan" in response.get_data(as_text=True)
