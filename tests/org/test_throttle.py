"""Sign-in throttling: per account and per address, lockouts that double, the owner told,
the proxy's forwarded address believed only when configured, counts shared through Redis."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.org.models import Role
from outreach.org.throttle import ACCOUNT_BURST
from tests.conftest import PASSWORD, csrf_token, login, post


@pytest.fixture
def branch(make_branch):
    return make_branch()


@pytest.fixture
def officer(branch, make_user):
    return make_user(Role.OFFICER, branch=branch)


@pytest.fixture
def proxied(app):
    """The app behind one trusted reverse proxy, which sends X-Forwarded-For."""
    from outreach import create_app

    behind = create_app({"ENV_NAME": "testing", "OUTREACH_TRUSTED_PROXIES": 1,
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    behind.test_client_class = app.test_client_class
    yield behind
    with behind.app_context():
        db.engine.dispose()


def attempt(client, email: str, password: str = "wrong-password", address: str | None = None):
    """One sign-in, from `address` as the proxy reports it."""
    headers = {"X-Forwarded-For": address} if address else {}
    return post(client, "/auth/login", {"email": email, "password": password},
                headers=headers)


def test_ten_bad_tries_from_one_office_lock_out_no_one_else(client, branch, make_user):
    """Ten wrong passwords from the office's one address (one account, then several) leave
    every other account of that office able to sign in."""
    guessed, colleague = make_user(Role.OFFICER, branch=branch), make_user(Role.OFFICER,
                                                                            branch=branch)
    others = [make_user(Role.OFFICER, branch=branch) for _ in range(10)]
    statuses = [attempt(client, guessed.email).status_code for _ in range(10)]
    assert 429 in statuses  # the account guessed at is locked …
    for other in others:
        attempt(client, other.email)  # … and typos at ten other accounts lock none of them
    response = attempt(client, colleague.email, PASSWORD)
    assert response.status_code == 302
    for other in others[:3]:
        assert attempt(client.application.test_client(), other.email, PASSWORD) \
            .status_code == 302


def test_guesses_at_one_account_from_three_addresses_are_refused(proxied, officer):
    """30 guesses in a minute at one account from three addresses: after the first burst
    they are refused with 429, and so is the right password until the lockout ends."""
    client = proxied.test_client()
    addresses = ["203.0.113.7", "198.51.100.20", "192.0.2.99"]
    statuses = [attempt(client, officer.email, address=addresses[i % 3]).status_code
                for i in range(30)]
    assert statuses[:ACCOUNT_BURST] == [200] * ACCOUNT_BURST
    assert statuses[ACCOUNT_BURST:] == [429] * (30 - ACCOUNT_BURST)
    locked = attempt(client, officer.email, PASSWORD, address="192.0.2.1")
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in locked.get_data(as_text=True)
    assert int(locked.headers["Retry-After"]) > 0


def test_each_lockout_lasts_twice_as_long(client, officer):
    """The first lockout ends after a minute; the next burst locks for two."""
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(ACCOUNT_BURST):
            attempt(client, officer.email)
        assert attempt(client, officer.email, PASSWORD).status_code == 429
        clock.move_to(start + timedelta(seconds=61))
        for _ in range(ACCOUNT_BURST):
            assert attempt(client, officer.email).status_code == 200
        clock.move_to(start + timedelta(seconds=61 + 90))
        assert attempt(client, officer.email, PASSWORD).status_code == 429
        clock.move_to(start + timedelta(seconds=61 + 121))
        assert attempt(client, officer.email, PASSWORD).status_code == 302


def test_the_owner_is_mailed_and_the_lockout_audited(app, client, officer, make_user, inbox):
    """A locked account's owner gets a mail from the mail job (naming the address), and the
    lockout is in the sign-in log the admins read."""
    from outreach.scheduler import jobs

    for _ in range(ACCOUNT_BURST):
        attempt(client, officer.email)
    with app.test_request_context():
        assert jobs.send_mail() == {"sent": 1, "failed": 0}
        db.session.commit()
    [mail] = inbox.text_to(officer.email)
    assert "dikunci" in mail and "127.0.0.1" in mail
    [event] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "sign_in.locked")).all()
    assert event.entity_id == officer.id and event.changes["scope"] == "account"
    desk = client.application.test_client()
    login(desk, make_user(Role.ADMIN))
    assert "Masuk dikunci" in desk.get("/admin/sign-ins").get_data(as_text=True)


def test_unknown_accounts_lock_too_without_mail(client, inbox):
    """Guessing at an e-mail with no account is throttled the same way (so the answer tells
    nothing), and no one is mailed."""
    from outreach.scheduler import jobs

    statuses = [attempt(client, "nobody@example.org").status_code
                for _ in range(ACCOUNT_BURST + 1)]
    assert statuses[-1] == 429
    assert jobs.send_mail() == {"sent": 0, "failed": 0}
    assert inbox.envelopes == []


def test_forwarded_addresses_are_ignored_without_a_trusted_proxy(client, officer):
    """With no proxy configured, X-Forwarded-For is not believed: the audit keeps the
    connection's address."""
    attempt(client, officer.email, address="203.0.113.7")
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "sign_in.failed")).one()
    assert event.changes["address"] == "127.0.0.1"


def test_a_trusted_proxy_gives_the_users_own_address(proxied, officer):
    """Behind one trusted proxy the audit records the address the proxy forwarded."""
    attempt(proxied.test_client(), officer.email, address="203.0.113.7")
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "sign_in.failed")).one()
    assert event.changes["address"] == "203.0.113.7"


def test_counts_live_in_redis_shared_by_all_workers(app, database_url, officer):
    """Two app instances (two workers) counting in one Redis: failures on both add up to a
    lockout that both refuse, and the counts are keys in Redis."""
    import redis
    from sqlalchemy.pool import NullPool

    from outreach import create_app

    prefix = f"outreach-test-{uuid.uuid4().hex}"
    settings = {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
                "RATELIMIT_KEY_PREFIX": prefix,
                "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": NullPool}}
    workers = [create_app(settings), create_app(settings)]
    store = redis.Redis.from_url("redis://127.0.0.1:6379/15")
    try:
        statuses = []
        for n in range(ACCOUNT_BURST + 2):
            worker = workers[n % 2]
            with worker.app_context():
                browser = worker.test_client()
                statuses.append(browser.post("/auth/login", data={
                    "csrf_token": csrf_token(browser), "email": officer.email,
                    "password": PASSWORD if n > ACCOUNT_BURST else "wrong-password"})
                    .status_code)
        assert statuses == [200] * ACCOUNT_BURST + [429, 429]
        assert any(b"sign-in/lock/account" in key for key in store.scan_iter(f"*{prefix}*"))
    finally:
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
        store.close()
