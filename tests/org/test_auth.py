"""Signing in and out, CSRF, the rate limit and the redirect guard."""

from __future__ import annotations

import pytest

from outreach.org.models import Role
from tests.conftest import PASSWORD, csrf_token, login, post


@pytest.fixture
def officer(make_branch, make_user):
    return make_user(Role.OFFICER, branch=make_branch())


def test_anonymous_visitor_is_sent_to_sign_in(client):
    """Does a page that needs sign-in redirect to /auth/login with `next`?"""
    response = client.get("/companies/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_sign_in_and_out(client, officer):
    """An officer signs in, sees the company list, signs out and is anonymous again."""
    response = post(client, "/auth/login", {"email": officer.email.upper(), "password": PASSWORD},
                    follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Perusahaan" in page and officer.name in page
    response = post(client, "/auth/logout", follow_redirects=True)
    assert "Anda telah keluar" in response.get_data(as_text=True)
    assert client.get("/companies/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, officer):
    """A wrong password shows the sign-in page again with a clear message."""
    response = post(client, "/auth/login", {"email": officer.email, "password": "nope-nope"})
    assert response.status_code == 200
    assert "E-mail atau kata sandi salah" in response.get_data(as_text=True)
    assert client.get("/companies/").status_code == 302


def test_inactive_account_is_refused_with_a_message(client, make_branch, make_user):
    """A deactivated account cannot sign in; the message is the one of every failed sign-in
    (it does not tell that the password was right)."""
    user = make_user(Role.OFFICER, branch=make_branch(), active=False)
    response = post(client, "/auth/login", {"email": user.email, "password": PASSWORD})
    assert "atau akun ini tidak boleh masuk" in response.get_data(as_text=True)
    assert client.get("/companies/").status_code == 302


def test_deactivation_ends_a_running_session(client, officer):
    """Deactivating an account signs it out on its next request."""
    from outreach.extensions import db

    login(client, officer)
    assert client.get("/companies/").status_code == 200
    officer.active = False
    db.session.commit()
    assert client.get("/companies/").status_code == 302


def test_missing_fields_are_shown_at_the_field(client):
    """An empty form comes back with the message at the field."""
    response = post(client, "/auth/login", {"email": "", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("invalid-feedback") == 2


def test_login_without_csrf_token_is_refused(client, officer):
    """A sign-in form posted without its CSRF token is refused and signs no one in."""
    response = client.post("/auth/login", data={"email": officer.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "formulir" in response.get_data(as_text=True).lower()
    assert client.get("/companies/").status_code == 302


def test_logout_without_csrf_token_is_refused(client, officer):
    """Another site cannot sign a user out: logout needs the token."""
    login(client, officer)
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/companies/").status_code == 200


def test_sign_in_floods_from_one_address_are_rate_limited(client, officer, app):
    """Past the per-address flood guard (far above what an office sends), sign-in answers 429
    with a message."""
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        token = csrf_token(client)
        for _ in range(3):
            client.post("/auth/login", data={"csrf_token": token, "email": "x@example.org",
                                             "password": "wrong-password"})
        response = client.post("/auth/login", data={"csrf_token": token,
                                                    "email": officer.email,
                                                    "password": PASSWORD})
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "120 per minute"
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil.example",
    "javascript:alert(1)", "\\\\evil.example",
])
def test_next_cannot_leave_the_site(client, officer, target):
    """A `next` pointing elsewhere is ignored; the user lands on the start page."""
    response = post(client, f"/auth/login?next={target}",
                    {"email": officer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_on_the_same_site_is_followed(client, officer):
    """A local `next` brings the user back to the page they asked for."""
    response = post(client, "/auth/login?next=/companies/?q=batik",
                    {"email": officer.email, "password": PASSWORD})
    assert response.headers["Location"] == "/companies/?q=batik"


def test_session_cookie_flags(client, officer):
    """Session and remember cookies are HttpOnly and SameSite=Lax."""
    response = post(client, "/auth/login", {"email": officer.email, "password": PASSWORD,
                                            "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session=", "remember_token="):
        cookie = next(c for c in cookies if c.startswith(name))
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_password_is_stored_as_scrypt_hash(officer):
    """Passwords are kept only as scrypt hashes."""
    assert officer.password_hash.startswith("scrypt:")
    assert PASSWORD not in officer.password_hash
