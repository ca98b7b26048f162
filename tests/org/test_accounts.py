"""Accounts: strong passwords chosen by their owners, set-password links instead of passwords
chosen by admins, and two-factor sign-in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.org.models import Role, User
from tests.conftest import PASSWORD, login, post

STRONG = "Kereta malam ke Semarang"
LINK_RE = re.compile(r"/auth/set-password/[\w.-]+")


@pytest.fixture
def branch(make_branch):
    return make_branch()


@pytest.fixture
def officer(branch, make_user):
    return make_user(Role.OFFICER, branch=branch)


@pytest.fixture
def supervisor(branch, make_user):
    return make_user(Role.SUPERVISOR, branch=branch)


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def change(client, old: str, new: str, confirm: str | None = None):
    return post(client, "/auth/password", {"old_password": old, "new_password": new,
                                           "confirm": new if confirm is None else confirm})


def signed_in(client) -> bool:
    return client.get("/companies/").status_code == 200


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize("weak, why", [
    ("pendek-1", "paling sedikit 12 karakter"),
    ("password1234", "terlalu mudah ditebak"),
    ("qwertyuiop123", "terlalu mudah ditebak"),
    ("aaaaaaaaaaaaaa", "terlalu mudah ditebak"),
    ("123456789012", "terlalu mudah ditebak"),
])
def test_a_weak_new_password_is_refused_with_the_reason(client, officer, weak, why):
    """Too short, a common password, a keyboard row, a repeat, a sequence: refused, saying why in
    Indonesian, and the old password still works."""
    login(client, officer)
    response = change(client, PASSWORD, weak)
    assert response.status_code == 400
    assert why in response.get_data(as_text=True)
    db.session.refresh(officer)
    assert officer.check_password(PASSWORD)


def test_a_password_made_of_ones_own_name_is_refused(client, branch, make_user):
    """The account's own name or e-mail in the password makes it guessable."""
    user = make_user(Role.OFFICER, branch=branch, name="Sulistyowati Rahmadani",
                     email="sulistyowati@example.org")
    login(client, user)
    response = change(client, PASSWORD, "sulistyowati2026")
    assert "terlalu mudah ditebak" in response.get_data(as_text=True)


def test_a_long_passphrase_is_accepted(client, officer):
    """A passphrase longer than the strength estimator reads (72 characters) is fine."""
    login(client, officer)
    long_phrase = "Batik pesisir dari Pekalongan dijual di pasar setiap pagi " * 3
    assert change(client, PASSWORD, long_phrase).status_code == 302
    db.session.refresh(officer)
    assert officer.check_password(long_phrase)


def test_changing_the_password_needs_the_current_one(client, officer):
    """A wrong current password, or two new ones that differ, change nothing."""
    login(client, officer)
    assert "Kata sandi saat ini tidak benar" in change(client, "not-my-password", STRONG) \
        .get_data(as_text=True)
    assert "Kedua kata sandi berbeda" in change(client, PASSWORD, STRONG, "Kereta pagi") \
        .get_data(as_text=True)
    db.session.refresh(officer)
    assert officer.check_password(PASSWORD)


def test_own_password_change_is_audited_and_signs_in(client, officer):
    """After a change the new password signs in and the old one no longer does."""
    login(client, officer)
    assert change(client, PASSWORD, STRONG).status_code == 302
    assert [e.entity_id for e in events("password.changed")] == [officer.id]
    other = client.application.test_client()
    assert post(other, "/auth/login", {"email": officer.email, "password": PASSWORD}) \
        .status_code == 200
    login(other, officer, STRONG)


def test_an_admin_chosen_password_must_be_changed_first(client, app, branch):
    """An account made with `flask users create --password`: after signing in every page
    leads to the account page until the password is changed."""
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "ani@example.org", "--name", "Ani",
                                 "--role", "officer", "--branch", branch.code,
                                 "--password", "first-pass-1"])
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.email == "ani@example.org")).one()
    login(client, user, "first-pass-1")
    response = client.get("/companies/")
    assert response.status_code == 302 and response.location.startswith("/auth/account")
    page = client.get("/auth/account").get_data(as_text=True)
    assert "Kata sandi Anda dipilih oleh admin" in page
    assert change(client, "first-pass-1", STRONG).status_code == 302
    assert signed_in(client)


def test_demo_style_accounts_need_no_change(client, officer):
    """Accounts made with a password by the seeding services (demo logins, test factories) go
    straight to their pages."""
    login(client, officer)
    assert signed_in(client)


# --- set-password links ---------------------------------------------------------------------


def test_a_new_account_gets_its_link_by_mail(client, admin, branch, inbox):
    """The admin creates an account: its owner receives a mail with the link (in
    Indonesian), the admin sees it too, and the link sets the password once."""
    login(client, admin)
    page = post(client, "/admin/users/new", {
        "email": "dewi@example.org", "name": "Dewi Lestari", "role": "officer",
        "branch": branch.id}, follow_redirects=True).get_data(as_text=True)
    assert "Tautan untuk membuat kata sandi telah dikirim ke dewi@example.org" in page
    shown = LINK_RE.search(page).group(0)
    mails = inbox.text_to("dewi@example.org")
    assert len(mails) == 1 and "Pilih kata sandi Anda" in mails[0]
    mailed = LINK_RE.search(mails[0]).group(0)
    assert mailed == shown
    user = db.session.scalars(select(User).where(User.email == "dewi@example.org")).one()
    owner = client.application.test_client()
    assert "Akun: dewi@example.org" in owner.get(mailed).get_data(as_text=True)
    assert post(owner, mailed, {"new_password": "pendek", "confirm": "pendek"}) \
        .status_code == 400
    assert post(owner, mailed, {"new_password": STRONG, "confirm": STRONG}).status_code == 302
    login(owner, user, STRONG)
    assert owner.get(mailed).status_code == 400  # spent


def test_a_link_expires(client, admin, officer):
    """A set-password link older than 72 hours no longer works."""
    login(client, admin)
    page = post(client, f"/admin/users/{officer.id}/password-link",
                follow_redirects=True).get_data(as_text=True)
    path = LINK_RE.search(page).group(0)
    later = datetime.now(UTC) + timedelta(hours=73)
    with time_machine.travel(later, tick=False):
        response = post(client.application.test_client(), path,
                        {"new_password": STRONG, "confirm": STRONG})
    assert response.status_code == 400
    db.session.refresh(officer)
    assert officer.check_password(PASSWORD)


def test_a_forged_link_does_not_work(client, officer):
    """A token not signed by the app opens nothing."""
    response = client.get("/auth/set-password/eyJ1IjoxLCJmIjoiIn0.Zm9yZ2Vk.c2lnbmF0dXJl")
    assert response.status_code == 400
    assert "sudah kedaluwarsa atau sudah dipakai" in response.get_data(as_text=True)


def test_admins_no_longer_choose_passwords(client, admin, officer, branch):
    """A password field posted to the admin's form is ignored."""
    login(client, admin)
    post(client, f"/admin/users/{officer.id}", {"name": officer.name, "role": "officer",
                                                 "branch": branch.id, "active": "y",
                                                 "password": "admin-chosen-1"})
    db.session.refresh(officer)
    assert officer.check_password(PASSWORD)
    assert 'name="password"' not in client.get(f"/admin/users/{officer.id}") \
        .get_data(as_text=True)


# --- two-factor sign-in ---------------------------------------------------------------------


def enrol(client) -> tuple[str, list[str]]:
    """Set up two-factor sign-in from the setup page: the secret and the recovery codes."""
    page = client.get("/auth/two-factor/setup").get_data(as_text=True)
    assert "<svg" in page
    secret = re.search(r'<code class="user-select-all">([A-Z2-7 ]+)</code>', page).group(1)
    secret = secret.replace(" ", "")
    response = post(client, "/auth/two-factor/setup", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>",
                       response.get_data(as_text=True))
    return secret, codes


def password_step(client, user, password: str = PASSWORD):
    return post(client, "/auth/login", {"email": user.email, "password": password})


def test_enrolment_then_sign_in_asks_for_the_code(client, officer):
    """After enrolment (QR code, confirm a code) a sign-in with the right password asks for
    the code; a wrong code is refused, the right one signs in."""
    login(client, officer)
    secret, codes = enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.refresh(officer)
    assert officer.two_factor and all(c not in officer.recovery_codes for c in codes)
    post(client, "/auth/logout")
    response = password_step(client, officer)
    assert response.status_code == 302 and response.location == "/auth/two-factor"
    assert not signed_in(client)
    wrong = post(client, "/auth/two-factor", {"code": "000000"})
    assert wrong.status_code == 400 and "Kode itu tidak benar" in wrong.get_data(as_text=True)
    next_step = pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))
    assert post(client, "/auth/two-factor", {"code": next_step}).status_code == 302
    assert signed_in(client)


def test_a_code_works_once(client, officer):
    """A code that signed in once does not sign in a second browser."""
    login(client, officer)
    secret, _codes = enrol(client)
    code = pyotp.TOTP(secret).at(datetime.now(UTC) + timedelta(seconds=30))
    first, second = client.application.test_client(), client.application.test_client()
    password_step(first, officer)
    assert post(first, "/auth/two-factor", {"code": code}).status_code == 302
    password_step(second, officer)
    assert post(second, "/auth/two-factor", {"code": code}).status_code == 400
    assert not signed_in(second)


def test_a_recovery_code_signs_in_once(client, officer):
    """A recovery code stands in for the app, once."""
    login(client, officer)
    _secret, codes = enrol(client)
    post(client, "/auth/logout")
    password_step(client, officer)
    assert post(client, "/auth/two-factor", {"code": codes[3].upper()}).status_code == 302
    assert "9 kode pemulihan tersisa" in client.get("/auth/account").get_data(as_text=True)
    post(client, "/auth/logout")
    password_step(client, officer)
    assert post(client, "/auth/two-factor", {"code": codes[3]}).status_code == 400


def test_the_code_page_needs_the_password_first(client, officer):
    """Opening the code page without the password step leads back to sign-in."""
    response = client.get("/auth/two-factor")
    assert response.status_code == 302 and response.location.startswith("/auth/login")


def test_disable_needs_the_password(client, officer):
    """Switching two-factor off needs the password; then sign-in asks for no code."""
    login(client, officer)
    enrol(client)
    response = post(client, "/auth/two-factor/disable", {"password": "wrong-password"})
    assert response.status_code == 400
    db.session.refresh(officer)
    assert officer.two_factor
    assert post(client, "/auth/two-factor/disable", {"password": PASSWORD}).status_code == 302
    db.session.refresh(officer)
    assert not officer.two_factor and officer.recovery_codes == ""
    post(client, "/auth/logout")
    login(client, officer)


def test_supervisors_and_admins_must_enrol_when_required(app, client, supervisor, officer,
                                                         admin):
    """With OUTREACH_REQUIRE_2FA a supervisor or admin is sent to the setup page from every
    page until enrolled; an officer is not."""
    app.config["OUTREACH_REQUIRE_2FA"] = True
    try:
        for user in (supervisor, admin):
            browser = app.test_client()
            login(browser, user)
            response = browser.get("/dashboard/")
            assert response.status_code == 302
            assert response.location == "/auth/two-factor/setup"
            assert "Penyelia dan admin" in browser.get("/auth/two-factor/setup") \
                .get_data(as_text=True)
            enrol(browser)
            assert browser.get("/dashboard/").status_code == 200
        login(client, officer)
        assert signed_in(client)
    finally:
        app.config["OUTREACH_REQUIRE_2FA"] = False


def test_required_is_the_production_default():
    """Production requires two-factor for supervisors and admins; development and tests do
    not (so `make run`'s demo logins work without a phone)."""
    from config import DevelopmentConfig, ProductionConfig, TestingConfig

    assert ProductionConfig.OUTREACH_REQUIRE_2FA is True
    assert DevelopmentConfig.OUTREACH_REQUIRE_2FA is False
    assert TestingConfig.OUTREACH_REQUIRE_2FA is False


def test_an_admin_resets_a_users_two_factor(client, admin, officer):
    """A lost phone: the admin resets two-factor, audited; the officer signs in with the
    password alone and their old sessions end."""
    phone = client.application.test_client()
    login(phone, officer)
    enrol(phone)
    login(client, admin)
    page = client.get(f"/admin/users/{officer.id}").get_data(as_text=True)
    assert "Atur ulang verifikasi dua langkah" in page
    assert post(client, f"/admin/users/{officer.id}/reset-two-factor").status_code == 302
    [event] = events("two_factor.reset")
    assert (event.user_id, event.entity_id) == (admin.id, officer.id)
    assert not signed_in(phone)
    login(phone, officer)
    assert signed_in(phone)
