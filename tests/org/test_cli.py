"""The flask commands of accounts: branches and users."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.org.models import Branch, User


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_branches_create(runner):
    """`branches create` makes a branch with its region and its head."""
    result = runner.invoke(args=["branches", "create", "--code", "kc-pkl", "--name", "Pekalongan",
                                 "--region", "JATENG", "--head", "Dwi Ananda Pratama"])
    assert result.exit_code == 0, result.output
    branch = db.session.scalars(select(Branch)).one()
    assert (branch.code, branch.name, branch.region.code, branch.head_name) == (
        "KC-PKL", "Pekalongan", "JATENG", "Dwi Ananda Pratama")


def test_branches_create_without_a_head_is_refused(runner):
    """Without --head (the signer of its letters) no branch is made: one error line, exit 2."""
    result = runner.invoke(args=["branches", "create", "--code", "KC-PKL", "--name", "Pekalongan",
                                 "--head", "  "])
    assert result.exit_code == 2
    assert "Kantor cabang wajib memiliki kepala: surat ditandatangani atas nama tersebut." \
        in result.output
    assert count(Branch) == 0


def test_branches_create_twice_is_refused(runner, make_branch):
    """A duplicate branch code is one error line and exit code 2."""
    make_branch("KC-PKL")
    result = runner.invoke(args=["branches", "create", "--code", "KC-PKL", "--name", "X"])
    assert result.exit_code == 2
    assert count(Branch) == 1


def test_users_create(runner, make_branch):
    """`users create` makes an officer of a branch who can sign in."""
    make_branch("KC-PKL")
    result = runner.invoke(args=["users", "create", "--email", "Ani@Example.org", "--name", "Ani",
                                 "--role", "officer", "--branch", "KC-PKL",
                                 "--password", "s3cret-pass"])
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User)).one()
    assert user.email == "ani@example.org" and user.branch.code == "KC-PKL"
    assert user.check_password("s3cret-pass")
    assert user.must_change_password  # a password someone else chose is changed at once


@pytest.mark.parametrize("args, message", [
    (["--role", "boss", "--branch", "KC-PKL"],
     "unknown role 'boss'; use one of officer, supervisor, regional, admin"),
    (["--role", "officer", "--branch", "KC-XXX"], "unknown branch 'KC-XXX'"),
    (["--role", "officer"], "Petugas dan penyelia harus memiliki kantor cabang."),
])
def test_users_create_bad_input(runner, make_branch, args, message):
    """Unknown role or branch: one error line, exit code 2, nothing written."""
    make_branch("KC-PKL")
    result = runner.invoke(args=["users", "create", "--email", "a@example.org", "--name", "A",
                                 "--password", "s3cret-pass", *args])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"Error: {message}"]
    assert count(User) == 0
