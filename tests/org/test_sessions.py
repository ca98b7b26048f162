"""Sessions that can be ended, sign-in without tells, and the audit of signing in and out."""

from __future__ import annotations

import re
import statistics
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from outreach.core.audit import AuditEvent
from outreach.extensions import db, limiter
from outreach.org.models import Role
from tests.conftest import PASSWORD, login, post

SIGNED_IN_PAGE = "/companies/"


@pytest.fixture
def branch(make_branch):
    return make_branch()


@pytest.fixture
def officer(branch, make_user):
    return make_user(Role.OFFICER, branch=branch)


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def remembered_login(client: FlaskClient, user) -> None:
    """Sign in with "keep me signed in" ticked."""
    response = post(client, "/auth/login", {"email": user.email, "password": PASSWORD,
                                            "remember": "y"})
    assert response.status_code == 302, response.data[:500]


def cookie(client: FlaskClient, name: str) -> str:
    found = client.get_cookie(name)
    assert found is not None, f"no {name} cookie"
    return found.value


def client_with(client: FlaskClient, **cookies: str) -> FlaskClient:
    """A fresh browser that holds only these cookies (copied from another one)."""
    other = client.application.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def signed_in(client: FlaskClient) -> bool:
    return client.get(SIGNED_IN_PAGE).status_code == 200


def officer_form(officer, branch, **values) -> dict:
    return {"name": officer.name, "role": "officer", "branch": branch.id, "active": "y",
            **values}


# --- sessions can be ended ------------------------------------------------------------------


def test_sign_out_ends_the_copied_session_cookie_and_the_remember_cookie(client, officer):
    """After signing out, does a copy of the old session cookie or of the remember cookie still
    open a page? It must not."""
    remembered_login(client, officer)
    old_session, old_remember = cookie(client, "session"), cookie(client, "remember_token")
    assert signed_in(client_with(client, session=old_session))
    assert signed_in(client_with(client, remember_token=old_remember))
    post(client, "/auth/logout")
    assert not signed_in(client_with(client, session=old_session))
    assert not signed_in(client_with(client, remember_token=old_remember))


def test_a_new_sign_in_gets_a_new_remember_cookie(client, officer):
    """Is the remember cookie of a sign-in after a sign-out different from the one before?"""
    remembered_login(client, officer)
    first = cookie(client, "remember_token")
    post(client, "/auth/logout")
    remembered_login(client, officer)
    assert cookie(client, "remember_token") != first
    assert signed_in(client)


def test_password_set_through_an_admins_link_ends_the_users_sessions(client, officer, admin):
    """An admin sends a set-password link: once the officer has used it, their browser and
    remember cookie are signed out, the new password signs in, and the link is spent."""
    remembered_login(client, officer)
    old_remember = cookie(client, "remember_token")
    desk = client.application.test_client()
    login(desk, admin)
    page = post(desk, f"/admin/users/{officer.id}/password-link",
                follow_redirects=True).get_data(as_text=True)
    path = re.search(r"/auth/set-password/[\w.-]+", page).group(0)
    assert signed_in(client)  # sending a link changes nothing yet
    phone = client.application.test_client()
    form = {"new_password": "Gudang garam senja 42", "confirm": "Gudang garam senja 42"}
    assert post(phone, path, form).status_code == 302
    assert not signed_in(client)
    assert not signed_in(client_with(client, remember_token=old_remember))
    login(client, officer, password="Gudang garam senja 42")
    assert signed_in(client)
    again = post(phone, path, {"new_password": "Another long phrase 9",
                               "confirm": "Another long phrase 9"})
    assert again.status_code == 400
    assert "sudah kedaluwarsa atau sudah dipakai" in again.get_data(as_text=True)


def test_changing_ones_own_password_keeps_this_session_only(client, officer):
    """A user changes their password on their account page: this browser stays signed in, the
    other sessions end."""
    elsewhere = client.application.test_client()
    login(elsewhere, officer)
    login(client, officer)
    response = post(client, "/auth/password", {
        "old_password": PASSWORD, "new_password": "Kereta malam ke Semarang",
        "confirm": "Kereta malam ke Semarang"})
    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(elsewhere)


def test_deactivation_ends_sessions_for_good(client, officer, admin, branch):
    """An account deactivated and later reactivated: its old remember cookie stays dead."""
    remembered_login(client, officer)
    old_remember = cookie(client, "remember_token")
    desk = client.application.test_client()
    login(desk, admin)
    form = officer_form(officer, branch)
    del form["active"]
    post(desk, f"/admin/users/{officer.id}", form)
    assert not signed_in(client)
    post(desk, f"/admin/users/{officer.id}", officer_form(officer, branch))
    assert not signed_in(client_with(client, remember_token=old_remember))
    login(client, officer)
    assert signed_in(client)


def test_sign_out_everywhere_from_the_users_own_page(client, officer):
    """The user's own page has "sign out everywhere"; pressing it ends this browser, another
    one and a remember cookie."""
    phone = client.application.test_client()
    remembered_login(phone, officer)
    phone_remember = cookie(phone, "remember_token")
    login(client, officer)
    page = client.get("/auth/account").get_data(as_text=True)
    assert "Keluar di semua perangkat" in page and officer.email in page
    response = post(client, "/auth/sign-out-everywhere", follow_redirects=True)
    assert "Anda telah keluar di semua perangkat" in response.get_data(as_text=True)
    assert not signed_in(client)
    assert not signed_in(phone)
    assert not signed_in(client_with(client, remember_token=phone_remember))


def test_sign_out_everywhere_needs_the_csrf_token(client, officer):
    """Another site cannot sign a user out everywhere: the button needs the form token."""
    login(client, officer)
    assert client.post("/auth/sign-out-everywhere").status_code == 400
    assert signed_in(client)


def test_remember_cookie_lasts_two_weeks(client, officer):
    """"Keep me signed in" lasts 14 days, not a year."""
    response = post(client, "/auth/login", {"email": officer.email, "password": PASSWORD,
                                            "remember": "y"})
    header = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token="))
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", header).group(1))
    lifetime = expires - datetime.now(UTC)
    assert timedelta(days=13, hours=23) < lifetime <= timedelta(days=14)


# --- sign-in without tells ------------------------------------------------------------------


def refusal(client: FlaskClient, email: str, password: str) -> str:
    """The message of a refused sign-in, as shown above the form."""
    response = post(client, "/auth/login", {"email": email, "password": password})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    match = re.search(r'<div class="alert alert-danger[^"]*"[^>]*>(.*?)</div>', page, re.S)
    assert match, "no message on the page"
    return " ".join(match.group(1).split())


def test_every_failed_sign_in_gives_the_same_message(client, branch, make_user):
    """Unknown e-mail, wrong password, deactivated account (with its right password): does the
    page say the same thing each time?"""
    known = make_user(Role.OFFICER, branch=branch)
    gone = make_user(Role.OFFICER, branch=branch, active=False)
    messages = {
        refusal(client, "nobody@example.org", PASSWORD),
        refusal(client, known.email, "wrong-password"),
        refusal(client, gone.email, PASSWORD),
    }
    assert len(messages) == 1
    (message,) = messages
    assert "E-mail atau kata sandi salah" in message
    assert "dinonaktifkan" not in message
    assert not signed_in(client)


def test_an_unknown_email_takes_as_long_as_a_wrong_password(client, officer):
    """Is the unknown-e-mail path not much faster than a wrong password (both check a hash)?
    Medians of five tries each; the unknown path must take at least a third of the time."""

    def median_time(email: str) -> float:
        times = []
        for _ in range(5):
            limiter.reset()
            start = time.perf_counter()
            refusal(client, email, "wrong-password")
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    refusal(client, "warm-up@example.org", "wrong-password")
    known = median_time(officer.email)
    unknown = median_time("nobody@example.org")
    assert unknown >= known / 3, (unknown, known)


# --- audit ----------------------------------------------------------------------------------


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def test_sign_ins_failures_and_sign_outs_are_audited_for_admins(client, officer, admin):
    """Sign-in, a failed sign-in (with the e-mail typed, never the password) and sign-out are
    in the audit log, and an admin sees them on the sign-in log and on the account's page."""
    post(client, "/auth/login", {"email": "Typo@Example.org", "password": "secret-guess-1"})
    post(client, "/auth/login", {"email": officer.email, "password": "secret-guess-2"})
    login(client, officer)
    post(client, "/auth/logout")

    failed = events("sign_in.failed")
    assert [(e.user_id, e.entity_id, e.changes["email"], e.changes["reason"]) for e in failed] \
        == [(None, None, "typo@example.org", "unknown"),
            (None, officer.id, officer.email, "password")]
    assert [(e.user_id, e.entity_id) for e in events("sign_in")] == [(officer.id, officer.id)]
    assert [(e.user_id, e.entity_id) for e in events("sign_out")] == [(officer.id, officer.id)]
    stored = " ".join(str(e.changes) for e in db.session.scalars(select(AuditEvent)))
    assert "secret-guess" not in stored

    desk = client.application.test_client()
    login(desk, admin)
    log = desk.get("/admin/sign-ins").get_data(as_text=True)
    assert "typo@example.org" in log and "tidak ada akun dengan e-mail ini" in log
    assert "Gagal masuk" in log and "Keluar" in log and officer.name in log
    assert "secret-guess" not in log
    account = desk.get(f"/admin/users/{officer.id}").get_data(as_text=True)
    assert "Riwayat masuk dan perubahan" in account
    assert "kata sandi salah" in account and "Gagal masuk" in account


def test_the_sign_in_log_is_for_admins_only(client, officer):
    """An officer asking for the sign-in log gets a 403."""
    login(client, officer)
    assert client.get("/admin/sign-ins").status_code == 403
