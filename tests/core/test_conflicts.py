"""Conflicts are messages, not 500s: a case saved by someone else while a change was being
written, two template saves taking the same version number, days past the calendar."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event, insert, select, update

from outreach.cases.models import Case, Category
from outreach.extensions import db
from outreach.letters.models import LetterTemplate
from outreach.org.models import Role
from tests.conftest import login, post


@contextmanager
def meanwhile(before_flush):
    """Run `before_flush(session)` once, at the first flush that finds what it waits for: what
    another worker commits between this request's read and its write."""
    done = []

    def listener(session, _context, _instances):
        if not done and before_flush(session):
            done.append(True)

    event.listen(db.session, "before_flush", listener)
    try:
        yield done
    finally:
        event.remove(db.session, "before_flush", listener)


def test_a_case_saved_by_someone_else_during_the_write_is_the_someone_changed_message(
        client, make_branch, make_user, make_company):
    """A pause whose case another worker saves after the page's version was checked: is the
    answer the someone-changed-this message (found by the flush), with nothing saved?"""
    branch = make_branch("KC-PKL", "Pekalongan")
    officer = make_user(Role.OFFICER, branch=branch)
    officer.locale = "en"
    case = make_company(branch, "PT Batik Pesisir", categories=(Category.PWBD,)).cases[0]
    db.session.commit()
    case_id, version = case.id, case.version
    login(client, officer)

    def other_save(session) -> bool:
        if not any(isinstance(o, Case) and o.id == case_id for o in session.dirty):
            return False
        session.connection().execute(update(Case.__table__).where(Case.__table__.c.id == case_id)
                                     .values(version=Case.__table__.c.version + 1))
        return True

    with meanwhile(other_save) as happened:
        response = post(client, f"/cases/{case_id}/pause",
                        {"reason": "dispute", "version": str(version)}, follow_redirects=True)
    assert happened
    assert response.status_code == 200
    assert "Someone else changed this case while you were editing." in \
        response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case_id).status == "open"


def test_two_template_saves_taking_the_same_version_number_give_a_message(
        client, make_branch, make_user):
    """Another supervisor's save takes version 2 between this save's count and its write: is
    this save refused with a message (not a 500), with nothing of it saved?"""
    branch = make_branch("KC-PKL", "Pekalongan")
    supervisor = make_user(Role.SUPERVISOR, branch=branch)
    supervisor.locale = "en"
    db.session.commit()
    login(client, supervisor)
    page = client.get("/letters/templates/notification")
    assert page.status_code == 200

    def other_save(session) -> bool:
        mine = next((o for o in session.new  # the branch's new version, not the default's
                     if isinstance(o, LetterTemplate) and o.branch_id is not None), None)
        if mine is None:
            return False
        columns = {c.key: getattr(mine, c.key) for c in LetterTemplate.__table__.columns
                   if c.key != "id" and getattr(mine, c.key) is not None}
        session.connection().execute(insert(LetterTemplate.__table__).values(
            **{**columns, "subject": "Versi rekan"}))
        return True

    with meanwhile(other_save) as happened:
        response = post(client, "/letters/templates/notification", {
            "subject": "Pemberitahuan kewajiban", "nature": "Penting",
            "classification": "UM.01", "copies": "", "body": "<p>Isi baru</p>"})
    assert happened
    assert response.status_code in (200, 400)
    assert "Someone else saved the same record at the same moment." in \
        response.get_data(as_text=True)
    db.session.expire_all()
    assert [t.subject for t in db.session.scalars(
        select(LetterTemplate).where(LetterTemplate.branch_id == branch.id))] == []


def test_a_print_batch_for_a_day_past_the_calendar_is_a_400_with_the_reason(
        client, make_branch, make_user):
    """A print batch of 9999-12-31 has no next working day: a 400 that says which days
    may be asked for."""
    branch = make_branch("KC-PKL", "Pekalongan")
    officer = make_user(Role.OFFICER, branch=branch)
    officer.locale = "en"
    db.session.commit()
    login(client, officer)
    for day in ("9999-12-31", "0001-01-01"):
        response = post(client, "/letters/batch", {"day": day})
        assert response.status_code == 400, day
        assert "Choose a day between 1900-01-01 and 2999-12-31." in \
            response.get_data(as_text=True)
