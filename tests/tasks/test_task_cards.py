"""The officer's task cards on a phone: grouped by due date or kecamatan, one tap to the
company and to the due step, and "Done" only with a logged step or a reason."""

from __future__ import annotations

from datetime import date

from outreach.cases import service as case_service
from outreach.extensions import db
from outreach.scheduler import jobs
from tests.conftest import login, post
from tests.tasks.test_reminders import at, reminders_of, world  # noqa: F401 - the fixture

NEEDS_REASON = "No step was logged for this task: log the step, or say why the task is done " \
               "without one."


def _task(world, make_company):  # noqa: F811
    make_company(world["branch"], "CV Tambak Utara", kecamatan="Pekalongan Utara",
                 officer_id=world["officer"].id, opened_on=date(2026, 5, 4),
                 categories=("PWBD",))
    world["company"].kecamatan = "Pekalongan Barat"
    jobs.morning(date(2026, 5, 20))
    world["officer"].locale = "en"
    db.session.commit()
    return reminders_of(world["case"].id)[0]


def test_cards_link_the_company_and_the_due_step_and_group_by_kecamatan(client, world,  # noqa: F811
                                                                        make_company):
    """Does each card link its company and open the step form with the due rung chosen, and
    does the toggle group the cards under their kecamatan?"""
    reminder = _task(world, make_company)
    with at(date(2026, 5, 21), 9):
        login(client, world["officer"])
        page = client.get("/tasks/").get_data(as_text=True)
        assert page.count('class="task-card') == 2
        assert f'href="/companies/{world["company"].id}"' in page
        assert f'href="/cases/{world["case"].id}/steps/new?kind={reminder.rung_code}"' in page
        grouped = client.get("/tasks/?group=kecamatan").get_data(as_text=True)
        barat, utara = grouped.index("Pekalongan Barat"), grouped.index("Pekalongan Utara")
        assert barat < grouped.index("PT Batik Pesisir") < utara \
            < grouped.index("CV Tambak Utara")


def test_done_without_a_step_asks_for_a_reason(client, world, make_company):  # noqa: F811
    """Is "Done" on a task with no step logged refused with the reason asked for, accepted
    with a reason, and needless once the step is logged?"""
    reminder = _task(world, make_company)
    with at(date(2026, 5, 21), 9):
        login(client, world["officer"])
        response = post(client, f"/tasks/{reminder.id}/done")
        assert NEEDS_REASON in client.get(response.headers["Location"]).get_data(as_text=True)
        db.session.refresh(reminder)
        assert reminder.status == "open"
        post(client, f"/tasks/{reminder.id}/done", {"reason": "Perusahaan sudah pindah"})
        db.session.refresh(reminder)
        assert reminder.status == "done"


def test_done_after_the_step_was_logged_needs_no_reason(client, world, make_company):  # noqa: F811
    """A task whose step was logged (and was then reopened by hand) closes without a reason."""
    reminder = _task(world, make_company)
    with at(date(2026, 5, 21), 9):
        case_service.log_step(world["officer"], world["case"], kind=reminder.rung_code,
                              occurred_on=date(2026, 5, 21), today=date(2026, 5, 21))
        reminder.status = "open"
        db.session.commit()
        login(client, world["officer"])
        post(client, f"/tasks/{reminder.id}/done")
        db.session.refresh(reminder)
        assert reminder.status == "done"


def test_the_task_page_is_sent_compressed(client, world, make_company):  # noqa: F811
    """Does a phone asking for gzip get the task page compressed, a fraction of its size,
    with the same page inside, and stored PDFs are left as they are?"""
    import gzip

    _task(world, make_company)
    with at(date(2026, 5, 21), 9):
        login(client, world["officer"])
        plain = client.get("/tasks/", headers={"Accept-Encoding": "identity"})
        packed = client.get("/tasks/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 3
    assert "PT Batik Pesisir" in gzip.decompress(packed.data).decode()
