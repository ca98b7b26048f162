"""The fine's deadline in the morning sweep: 30 days after warning II ends (PP 86/2013 art. 7)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from outreach.cases.models import Category
from outreach.extensions import db
from outreach.letters.models import Letter
from outreach.org.models import Role
from outreach.scheduler import jobs
from outreach.tasks import service
from outreach.tasks.models import Reminder
from tests import factories
from tests.conftest import login


@pytest.fixture
def world(make_branch, make_user, make_company):
    branch = make_branch("KC-PKL", "Pekalongan")
    officer = make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati")
    supervisor = make_user(Role.SUPERVISOR, branch=branch, name="Dwi Pratama")
    company = make_company(branch, "PT Batik Pesisir", categories=(Category.PWBD,),
                           officer_id=officer.id)
    case = company.cases[0]
    factories.delivered_step(case, "notification", date(2026, 1, 5), delivered_on=date(2026, 1, 6))
    factories.step(case, "visit", date(2026, 1, 8))
    for kind, sent, delivered in [("warning_1", date(2026, 3, 16), date(2026, 3, 16)),
                                  ("warning_2", date(2026, 4, 8), date(2026, 4, 9))]:
        # approved by the supervisor and issued on `sent`, delivered on `delivered`
        factories.delivered_step(case, kind, sent, delivered_on=delivered, approver=supervisor)
    return {"officer": officer, "case": case, "company": company}


def fine_drafts(case_id: int) -> list[Letter]:
    return [letter for letter in db.session.scalars(select(Letter).where(
        Letter.case_id == case_id, Letter.status == "draft"))
        if letter.data.get("rung") == "fine"]


def test_sweep_asks_for_the_fine_when_warning_2_ends_and_marks_the_deadline(app, client, world):
    """Warning II delivered Thursday 9 April 2026 ends 23 April: the sweep of 23 April asks for
    nothing; that of Friday 24 April makes the fine's task, due by Saturday 23 May, and drafts
    the fine letter; the officer sees the task at once; the case is not overdue on 22 May, and
    the sweep of Monday 25 May marks it overdue."""
    case = world["case"]
    assert (case.next_rung, case.next_due_on) == ("fine", date(2026, 5, 23))

    jobs.morning_sweep(date(2026, 4, 23))
    db.session.expire_all()
    assert [r.rung_code for r in db.session.scalars(select(Reminder))] == []
    assert fine_drafts(case.id) == []

    jobs.morning_sweep(date(2026, 4, 24))
    db.session.expire_all()
    reminder = db.session.scalars(select(Reminder).where(Reminder.rung_code == "fine")).one()
    assert reminder.due_on == date(2026, 5, 23)
    assert reminder.officer_id == world["officer"].id
    assert len(fine_drafts(case.id)) == 1
    tasks = service.tasks(world["officer"], date(2026, 4, 24))
    assert [t.rung_code for t in tasks["today"]] == ["fine"] and tasks["overdue"] == []
    login(client, world["officer"])
    assert "PT Batik Pesisir" in client.get("/tasks/").get_data(as_text=True)

    jobs.morning_sweep(date(2026, 5, 22))
    db.session.expire_all()
    assert db.session.get(type(case), case.id).overdue_since is None
    assert len(fine_drafts(case.id)) == 1  # one draft, one task, however many sweeps
    assert len(db.session.scalars(select(Reminder)).all()) == 1

    jobs.morning_sweep(date(2026, 5, 25))
    db.session.expire_all()
    assert db.session.get(type(case), case.id).overdue_since == date(2026, 5, 25)
    tasks = service.tasks(world["officer"], date(2026, 5, 25))
    assert [t.rung_code for t in tasks["overdue"]] == ["fine"]


def test_logging_the_fine_settles_its_task(app, world):
    """The fine logged on 27 April settles the task, and nothing more is due by the ladder."""
    case = world["case"]
    jobs.morning_sweep(date(2026, 4, 24))
    db.session.commit()
    factories.step(case, "fine", date(2026, 4, 27), actor=world["officer"])
    reminder = db.session.scalars(select(Reminder).where(Reminder.rung_code == "fine")).one()
    assert reminder.status == "done"
    assert service.tasks(world["officer"], date(2026, 4, 27)) == {"overdue": [], "today": []}
