"""Admins manage branches and accounts in the UI."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import select

from outreach.core.audit import AuditEvent
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.org import service as org
from outreach.org.models import Branch, Role, User
from tests.conftest import PASSWORD, login, post


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN)


def test_admin_creates_an_officer_who_sets_their_own_password(client, admin, make_branch):
    """An admin creates an officer account without choosing a password; the officer follows
    the set-password link the admin sees, chooses a password and signs in with it."""
    branch = make_branch()
    login(client, admin)
    response = post(client, "/admin/users/new", {
        "email": "budi@example.org", "name": "Budi Santoso", "role": "officer",
        "branch": branch.id}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Budi Santoso" in page
    user = db.session.scalars(select(User).where(User.email == "budi@example.org")).one()
    assert user.branch_id == branch.id and user.password_hash == ""
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "user",
                                                       AuditEvent.entity_id == user.id)).first()
    path = re.search(r"/auth/set-password/[\w.-]+", page).group(0)
    other = client.application.test_client()
    response = post(other, path, {"new_password": "Pesisir batik senja 7",
                                  "confirm": "Pesisir batik senja 7"})
    assert response.status_code == 302
    login(other, user, "Pesisir batik senja 7")


def test_officer_without_branch_is_refused_at_the_field(client, admin):
    """An officer needs a branch: the form comes back with the message at that field."""
    login(client, admin)
    response = post(client, "/admin/users/new", {
        "email": "x@example.org", "name": "X", "role": "officer", "branch": 0})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "invalid-feedback" in page
    assert 'value="x@example.org"' in page
    assert db.session.scalars(select(User).where(User.email == "x@example.org")).first() is None


def test_admin_deactivates_an_account(client, admin, make_branch, make_user):
    """A deactivated account can no longer sign in."""
    branch = make_branch()
    officer = make_user(Role.OFFICER, branch=branch)
    login(client, admin)
    post(client, f"/admin/users/{officer.id}", {"name": officer.name, "role": "officer",
                                                 "branch": branch.id})
    db.session.refresh(officer)
    assert officer.active is False
    response = post(client.application.test_client(), "/auth/login",
                    {"email": officer.email, "password": PASSWORD})
    assert response.status_code == 200


def test_admin_creates_and_edits_a_branch(client, admin):
    """Branches are created and edited in the UI."""
    login(client, admin)
    post(client, "/admin/branches/new", {"code": "kc-btg", "name": "Batang", "region": 0,
                                        "head_name": "Ibu Kepala"})
    branch = db.session.scalars(select(Branch)).one()
    assert branch.code == "KC-BTG" and branch.letter_unit_code == "KC-BTG"
    post(client, f"/admin/branches/{branch.id}", {"code": "KC-BTG", "name": "Batang Kota",
                                                  "region": 0, "phone": "(0285) 1",
                                                  "head_name": "Ibu Kepala"})
    db.session.refresh(branch)
    assert (branch.name, branch.phone) == ("Batang Kota", "(0285) 1")


def test_duplicate_branch_code_is_shown_at_the_field(client, admin, make_branch):
    """A code that exists already is refused at the code field."""
    make_branch("KC-PKL")
    login(client, admin)
    response = post(client, "/admin/branches/new", {"code": "KC-PKL", "name": "Lagi",
                                                    "region": 0, "head_name": "Ibu Kepala"})
    assert "KC-PKL" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Branch)).all()) == 1


def test_a_branch_needs_its_head_to_sign_letters(client, admin):
    """The branch form refuses a branch without its head, at the head's field."""
    login(client, admin)
    response = post(client, "/admin/branches/new", {"code": "KC-BTG", "name": "Batang",
                                                    "region": 0, "head_name": " "})
    page = html.unescape(response.get_data(as_text=True))
    assert "Kantor cabang wajib memiliki kepala: surat ditandatangani atas nama tersebut." in page
    assert db.session.scalars(select(Branch)).all() == []


def test_a_draft_of_a_branch_without_head_warns_and_is_not_issued(make_branch, make_user):
    """A branch made without its head (e.g. from the command line): the draft's page warns,
    and issuing is refused with the reason, using no number."""
    from outreach.cases.models import Category
    from outreach.core.errors import ServiceError
    from outreach.letters import service as letters
    from outreach.letters.models import Letter, LetterStatus
    from tests import factories

    branch = make_branch("KC-BTG", "Batang")
    branch.head_name = ""
    db.session.commit()
    officer = make_user(Role.OFFICER, branch=branch)
    company = factories.company(branch, "PT Tanpa Kepala", categories=(Category.PWBD,))
    drafted = factories.drafted_step(company.cases[0], "notification", date(2026, 1, 6),
                                     actor=officer)
    letter = drafted.letter
    warnings = letters.letter_warnings(letter, date(2026, 1, 6))
    assert any("belum memiliki kepala kantor cabang" in w for w in warnings)
    with pytest.raises(ServiceError, match="belum memiliki kepala kantor cabang"):
        factories.issued_letter(letter, date(2026, 1, 6), actor=officer)
    db.session.rollback()
    assert db.session.get(Letter, letter.id).status == LetterStatus.DRAFT


def test_a_regional_user_is_given_a_region_directly(client, admin):
    """The account form offers the region: regional staff need no branch to get one."""
    from outreach.org import service as org

    region = org.get_or_create_region("JATENG", "Jawa Tengah dan DIY")
    db.session.commit()
    login(client, admin)
    response = post(client, "/admin/users/new", {
        "email": "rina@example.org", "name": "Rina Regional", "role": Role.REGIONAL,
        "branch": 0, "region_id": region.id, "password": "rahasia-panjang"})
    assert response.status_code == 302
    user = org.find_user("rina@example.org")
    assert (user.region_id, user.branch_id) == (region.id, None)


def test_the_branch_service_refuses_a_branch_without_its_head(app, make_branch):
    """Every way of making a branch goes through `org.service`: it refuses one without a head,
    and an edit that would take the head away."""
    with pytest.raises(ServiceError, match="surat ditandatangani atas nama tersebut"):
        org.create_branch(None, code="KC-BTG", name="Batang", head_name=" ")
    branch = make_branch("KC-PKL", "Pekalongan")
    with pytest.raises(ServiceError, match="surat ditandatangani atas nama tersebut"):
        org.update_branch(None, branch, {"head_name": ""})
    assert branch.head_name == "Kepala Pekalongan"
