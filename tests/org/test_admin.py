"""Admins manage branches and accounts in the UI."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from outreach.core.audit import AuditEvent
from outreach.extensions import db
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
                                                  "region": 0, "phone": "(0285) 1"})
    db.session.refresh(branch)
    assert (branch.name, branch.phone) == ("Batang Kota", "(0285) 1")


def test_duplicate_branch_code_is_shown_at_the_field(client, admin, make_branch):
    """A code that exists already is refused at the code field."""
    make_branch("KC-PKL")
    login(client, admin)
    response = post(client, "/admin/branches/new", {"code": "KC-PKL", "name": "Lagi",
                                                    "region": 0})
    assert "KC-PKL" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Branch)).all()) == 1
