"""A task is changed only by the officer it is assigned to, or by a supervisor of the branch."""

from __future__ import annotations

from datetime import date

from outreach.extensions import db
from outreach.scheduler import jobs
from tests.conftest import login, post
from tests.tasks.test_reminders import at, reminders_of, world  # noqa: F401 - the fixture

REFUSAL = "Only the officer this task is assigned to, or a supervisor of the branch, may " \
          "change it."


def _task(world):  # noqa: F811
    jobs.morning(date(2026, 5, 20))
    for user in (world["officer"], world["other"], world["supervisor"]):
        user.locale = "en"
    db.session.commit()
    reminder = reminders_of(world["case"].id)[0]
    assert reminder.officer_id == world["officer"].id
    return reminder


def test_a_colleague_cannot_close_snooze_or_take_someone_elses_task(client, world):  # noqa: F811
    """Is a colleague of the same branch refused, with the reason, when closing, snoozing or
    reassigning a task that is not theirs, and does the task stay as it was?"""
    reminder = _task(world)
    with at(date(2026, 5, 21), 9):
        login(client, world["other"])
        for url, data in ((f"/tasks/{reminder.id}/done", {}),
                          (f"/tasks/{reminder.id}/snooze", {"until": "2026-06-30"}),
                          (f"/tasks/{reminder.id}/reassign", {"officer": world["other"].id})):
            response = post(client, url, data)
            assert REFUSAL in client.get(response.headers["Location"]).get_data(as_text=True)
    db.session.refresh(reminder)
    assert (reminder.status, reminder.officer_id, reminder.snoozed_until) == (
        "open", world["officer"].id, None)


def test_a_supervisor_of_the_branch_may_act_on_any_task(client, world):  # noqa: F811
    """May the branch's supervisor reassign and close an officer's task?"""
    reminder = _task(world)
    with at(date(2026, 5, 21), 9):
        login(client, world["supervisor"])
        post(client, f"/tasks/{reminder.id}/reassign", {"officer": world["other"].id})
        db.session.refresh(reminder)
        assert reminder.officer_id == world["other"].id
        post(client, f"/tasks/{reminder.id}/done", {"reason": "Perusahaan sudah tutup"})
    db.session.refresh(reminder)
    assert reminder.status == "done"


def test_the_officer_may_close_their_own_task(client, world):  # noqa: F811
    """The assigned officer closes their own task."""
    reminder = _task(world)
    with at(date(2026, 5, 21), 9):
        login(client, world["officer"])
        post(client, f"/tasks/{reminder.id}/done", {"reason": "Perusahaan sudah tutup"})
    db.session.refresh(reminder)
    assert reminder.status == "done"
