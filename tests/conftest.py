"""Fixtures: an app on a fresh database (SQLite or PostgreSQL), clients, and factories."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Iterator

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from outreach import create_app
from outreach.companies.models import Company
from outreach.extensions import db, limiter
from outreach.ladder.models import LadderRung
from outreach.org.models import Branch, Region, Role, User
from tests import factories
from tests.factories import PASSWORD

CSRF_RE = re.compile(rb'name="csrf-token" content="([^"]+)"')


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", choices=["sqlite", "postgresql"], default="sqlite",
                     help="database to run the suite on (postgresql needs TEST_DATABASE_URL)")


def pytest_report_header(config: pytest.Config) -> str:
    return f"database: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[str]:
    """A database of the suite's own: a SQLite file, or a new PostgreSQL database dropped after."""
    if request.config.getoption("--db") == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'outreach-test.db'}"
        return
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        pytest.exit("--db postgresql needs TEST_DATABASE_URL", returncode=2)
    name = f"outreach_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(server_url).set(database=name).render_as_string(
            hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    """The application, its schema built by the migrations."""
    application = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    application.test_client_class = IsolatedClient
    with application.app_context():
        flask_migrate.upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


#: tables the migrations fill with reference data, kept between tests
REFERENCE_TABLES = {"contribution_rates", "late_payment_rates", "alembic_version"}


def _empty_all_tables() -> None:
    """Delete what tests wrote; keep the reference data the migrations installed."""
    db.session.execute(sa.delete(LadderRung).where(LadderRung.branch_id.is_not(None)))
    tables = [t for t in reversed(db.metadata.sorted_tables)
              if t.name not in REFERENCE_TABLES and t.name != "ladder_rungs"]
    for table in tables:
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def ctx(app: Flask) -> Iterator[None]:
    """Each test runs in an app context and leaves every table empty behind it."""
    with app.app_context():
        limiter.reset()
        yield
        db.session.rollback()
        _empty_all_tables()


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own app context, as in production.

    Without it a request would share the test's app context, its `g` and its database session,
    and a view that forgot to commit would still look right to the test.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test sees what the request committed
        return response


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token(client: FlaskClient) -> str:
    """The CSRF token of the client's session, read from a rendered page."""
    page = client.get("/auth/login", follow_redirects=True)
    match = CSRF_RE.search(page.data)
    assert match, "no CSRF token on the page"
    return match.group(1).decode()


def post(client: FlaskClient, url: str, data: dict | None = None, **kwargs):
    """POST a form the way a browser does, with the session's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


def login(client: FlaskClient, user: User, password: str = PASSWORD):
    """Sign the client in as `user`."""
    response = post(client, "/auth/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.data[:500]
    return response


@pytest.fixture
def make_branch() -> Callable[..., Branch]:
    """Create a branch (in region JATENG unless told otherwise): `factories.branch`."""

    def factory(code: str = "KC-PKL", name: str = "Pekalongan", region: str = "JATENG") -> Branch:
        return factories.branch(code, name, region)

    return factory


@pytest.fixture
def make_user() -> Callable[..., User]:
    """Create an account with the test password: `factories.user`."""
    counter = iter(range(1, 10_000))

    def factory(role: str = Role.OFFICER, branch: Branch | None = None,
                region: Region | None = None, email: str | None = None,
                active: bool = True, name: str | None = None) -> User:
        n = next(counter)
        return factories.user(role, branch, region, email=email or f"{role}{n}@example.org",
                              name=name or f"{role.title()} {n}", active=active)

    return factory


@pytest.fixture
def make_company() -> Callable[..., Company]:
    """Create a company in a branch, with an open case when categories are given (opened on
    `factories.OPENED_ON` unless `opened_on` says otherwise): `factories.company`."""
    counter = iter(range(1, 10_000))

    def factory(branch: Branch, name: str | None = None, categories: tuple[str, ...] = (),
                **values) -> Company:
        n = next(counter)
        return factories.company(branch, name or f"PT Contoh {n}", categories=categories,
                                 **values)

    return factory
