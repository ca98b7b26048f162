"""The morning sweep, the officer's tasks, notifications and the scheduler."""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from outreach.cases import service as case_service
from outreach.cases.models import Category, Step
from outreach.extensions import db
from outreach.letters.models import Letter
from outreach.notifications.models import Notification
from outreach.org.models import Role
from outreach.scheduler import jobs
from outreach.scheduler import runner as scheduler
from outreach.scheduler import service as job_runs
from outreach.scheduler.lease import Leadership
from outreach.scheduler.models import JobRun
from outreach.tasks import service
from outreach.tasks.models import Reminder
from tests import factories
from tests.conftest import login, post

JAKARTA = ZoneInfo("Asia/Jakarta")


def at(day: date, hour: int = 6, minute: int = 30):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, minute,
                                        tzinfo=JAKARTA), tick=False)


@pytest.fixture
def world(make_branch, make_user, make_company):
    branch = make_branch("KC-PKL", "Pekalongan")
    officer = make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati")
    other = make_user(Role.OFFICER, branch=branch, name="Joko Susilo")
    supervisor = make_user(Role.SUPERVISOR, branch=branch, name="Dwi Pratama")
    company = make_company(branch, "PT Batik Pesisir", categories=(Category.PWBD,),
                           officer_id=officer.id, opened_on=date(2026, 5, 4))
    case = company.cases[0]
    return {"branch": branch, "officer": officer, "other": other, "supervisor": supervisor,
            "company": company, "case": case}


def reminders_of(case_id: int) -> list[Reminder]:
    return db.session.scalars(select(Reminder).where(Reminder.case_id == case_id)
                              .order_by(Reminder.id)).all()


def test_three_weeks_of_sweeps_across_holidays(app, world):
    """Does each reminder appear exactly once, on the right working day, across Ascension Day,
    Idul Adha and Pancasila Day?"""
    officer, case = world["officer"], world["case"]
    with at(date(2026, 5, 4), 9):
        letter_step = case_service.log_step(officer, case, kind="notification",
                                            occurred_on=date(2026, 5, 4),
                                            today=date(2026, 5, 4))
        db.session.commit()
        factories.issued_letter(letter_step.letter, date(2026, 5, 4), actor=officer)
        case_service.record_delivery(officer, letter_step, delivered=True, on=date(2026, 5, 5),
                                     today=date(2026, 5, 5), method="hand", recipient="Bu Ani")
        db.session.commit()
    assert letter_step.due_on == date(2026, 5, 21)
    first_seen: dict[str, date] = {}
    day = date(2026, 5, 4)
    while day <= date(2026, 6, 5):
        with at(day):
            scheduler.morning_job(app)
            db.session.expire_all()
            for reminder in reminders_of(case.id):
                first_seen.setdefault(reminder.dedupe_key, day)
            if day == date(2026, 5, 25):
                with app.test_request_context():
                    case_service.log_step(officer, case, kind="visit", occurred_on=day,
                                          today=day, outcome="promised")
                db.session.commit()
        day += timedelta(days=1)
    visit_key = service.action_key(case.id, "visit", 1)
    warning_key = service.action_key(case.id, "warning_1", 1)
    assert first_seen == {visit_key: date(2026, 5, 22), warning_key: date(2026, 6, 5)}
    assert len(reminders_of(case.id)) == 2
    swept = set(db.session.scalars(select(JobRun.run_date).where(JobRun.outcome == "ok")))
    assert date(2026, 5, 14) not in swept and date(2026, 5, 15) not in swept  # Ascension
    assert date(2026, 5, 27) not in swept and date(2026, 6, 1) not in swept
    assert date(2026, 5, 16) not in swept  # Saturday
    assert date(2026, 5, 22) in swept
    visit_reminder = next(r for r in reminders_of(case.id) if r.rung_code == "visit")
    assert visit_reminder.status == "done"  # the visit settled it
    drafts = db.session.scalars(select(Letter).where(Letter.case_id == case.id,
                                                     Letter.status == "draft")).all()
    prepared = [d.data.get("rung") for d in drafts if d.data.get("prepared_on")]
    assert prepared == ["warning_1"]


def test_sweep_is_idempotent_and_prints_json(app, world):
    """A second sweep of the same day creates nothing; --json prints exactly the counts."""
    runner = app.test_cli_runner()
    first = runner.invoke(args=["reminders", "run", "--date", "2026-05-20", "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {"date": "2026-05-20", "reminders_created": 1,
                                        "letters_drafted": 1, "cases_overdue": 1}
    second = runner.invoke(args=["reminders", "run", "--date", "2026-05-20", "--json"])
    assert json.loads(second.stdout) == {"date": "2026-05-20", "reminders_created": 0,
                                         "letters_drafted": 0, "cases_overdue": 0}
    assert db.session.scalar(select(func.count(Reminder.id))) == 1
    assert db.session.scalar(select(func.count(Letter.id))) == 1


def test_bad_date_exits_2(app):
    """`--date` that is not a date: exit 2 and a message."""
    result = app.test_cli_runner().invoke(args=["reminders", "run", "--date", "20-05-2026"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


def test_two_sweeps_at_once_make_one_set(app, world, make_company):
    """Two sweeps started together produce one set of reminders."""
    for n in range(20):
        make_company(world["branch"], f"CV Ikan {n}", categories=(Category.PWBD,),
                     officer_id=world["officer"].id, opened_on=date(2026, 5, 4))
    results, barrier = [], threading.Barrier(2)

    def run():
        with app.app_context():
            barrier.wait()
            run = jobs.morning_sweep(date(2026, 5, 20))
            results.append((run.outcome, run.counts.get("reminders_created"), run.error))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(r[1] for r in results) == [0, 21], results
    assert db.session.scalar(select(func.count(Reminder.id))) == 21


def test_prepared_draft_is_used_when_the_step_is_logged(app, world):
    """The sweep's draft becomes the letter of the step; no second draft appears."""
    with app.test_request_context():
        jobs.morning(date(2026, 5, 20))
        db.session.commit()
        step = case_service.log_step(world["officer"], world["case"], kind="notification",
                                     occurred_on=date(2026, 5, 20), today=date(2026, 5, 20))
        db.session.commit()
    letters = db.session.scalars(select(Letter)).all()
    assert len(letters) == 1 and step.letter_id == letters[0].id


def test_undelivered_letter_gets_a_reminder_until_delivered(app, world):
    """A letter not marked delivered after 7 days reminds the officer; delivery settles it."""
    officer, case = world["officer"], world["case"]
    step = case_service.log_step(officer, case, kind="notification",
                                 occurred_on=date(2026, 5, 4), today=date(2026, 5, 4))
    db.session.commit()
    factories.issued_letter(step.letter, date(2026, 5, 4), actor=officer)
    jobs.morning(date(2026, 5, 8))
    assert [r.kind for r in reminders_of(case.id)] == []
    jobs.morning(date(2026, 5, 11))
    db.session.commit()
    undelivered = [r for r in reminders_of(case.id) if r.kind == "undelivered"]
    assert len(undelivered) == 1 and undelivered[0].step_id == step.id
    case_service.record_delivery(officer, step, delivered=True, on=date(2026, 5, 11),
                                 today=date(2026, 5, 11), method="courier", reference="J1")
    db.session.commit()
    db.session.refresh(undelivered[0])
    assert undelivered[0].status == "done"


def test_tasks_page_done_snooze_reassign(client, world):
    """The officer sees today's and overdue tasks, with a badge, and can act on each."""
    jobs.morning(date(2026, 5, 20))
    db.session.commit()
    world["officer"].locale = "en"
    db.session.commit()
    with at(date(2026, 5, 21), 9):
        login(client, world["officer"])
        page = client.get("/tasks/").get_data(as_text=True)
        assert "PT Batik Pesisir" in page and "Overdue" in page
        assert 'badge rounded-pill text-bg-warning' in page
        reminder = reminders_of(world["case"].id)[0]
        response = post(client, f"/tasks/{reminder.id}/snooze", {"until": "2026-05-21"})
        assert "Choose a day after today." in client.get(
            response.headers["Location"]).get_data(as_text=True)
        post(client, f"/tasks/{reminder.id}/snooze", {"until": "2026-05-25"})
        assert "PT Batik Pesisir" not in client.get("/tasks/").get_data(as_text=True)
    with at(date(2026, 5, 25), 9):
        login(client, world["officer"])
        assert "PT Batik Pesisir" in client.get("/tasks/").get_data(as_text=True)
        post(client, f"/tasks/{reminder.id}/reassign", {"officer": world["other"].id})
        db.session.refresh(reminder)
        assert reminder.officer_id == world["other"].id
        assert "PT Batik Pesisir" not in client.get("/tasks/").get_data(as_text=True)
        colleague = client.application.test_client()
        login(colleague, world["other"])
        post(colleague, f"/tasks/{reminder.id}/done", {"reason": "Sudah ditangani"})
        db.session.refresh(reminder)
        assert reminder.status == "done"


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_digest_reaches_a_real_smtp_server(app, world):
    """The morning digest is mailed in Indonesian, with text and HTML parts."""
    from email import message_from_bytes

    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{controller.port}"
    try:
        with app.test_request_context():
            jobs.morning(date(2026, 5, 20))
            db.session.commit()
            assert jobs.send_mail() == {"sent": 1, "failed": 0}
            db.session.commit()
            assert jobs.send_mail() == {"sent": 0, "failed": 0}  # nothing is sent twice
    finally:
        app.config["SMTP_URL"] = None
        controller.stop()
    assert len(inbox.messages) == 1
    envelope = inbox.messages[0]
    assert envelope.rcpt_tos == [world["officer"].email]
    message = message_from_bytes(envelope.content)
    assert "20 Mei 2026" in message["Subject"]
    parts = {part.get_content_type(): part.get_payload(decode=True).decode()
             for part in message.walk() if not part.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    assert "PT Batik Pesisir" in parts["text/plain"] and "Siti Rahmawati" in parts["text/plain"]
    assert "Surat Pemberitahuan" in parts["text/plain"]
    assert "<a href=" in parts["text/html"]


def test_smtp_down_never_blocks_the_sweep(app, world):
    """With the mail server down the sweep succeeds; the send fails, is counted, retried later."""
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{_free_port()}"
    try:
        with app.test_request_context():
            run = jobs.morning_sweep(date(2026, 5, 20))
            assert run.outcome == "ok" and run.counts["digests"] == 1
            mail = jobs.mail_run(date(2026, 5, 20))
    finally:
        app.config["SMTP_URL"] = None
    assert mail.counts == {"sent": 0, "failed": 1}
    notification = db.session.scalars(select(Notification)).one()
    assert notification.sent_at is None and notification.attempts == 1
    assert notification.last_error


def test_notifications_are_visible_in_the_app(client, world):
    """Without mail, the digest is in the inbox (its subject names the day) and opens as a
    page that lists the tasks."""
    jobs.morning(date(2026, 5, 20))
    db.session.commit()
    login(client, world["officer"])
    inbox = client.get("/tasks/notifications").get_data(as_text=True)
    assert "20 Mei 2026" in inbox
    link = re.search(r'href="(/tasks/notifications/\d+)"', inbox).group(1)
    assert "PT Batik Pesisir" in client.get(link).get_data(as_text=True)


def test_a_long_digest_lists_the_oldest_tasks_and_counts_the_rest(app, world, make_company,
                                                                  monkeypatch):
    """An officer with more tasks than a digest lists reads the oldest ones and "and N more"
    with the link to the task page; the counts in the headings are the whole lists."""
    from outreach.notifications import service as notifications

    for n in range(3):
        make_company(world["branch"], f"PT Tambahan {n}", categories=(Category.PWBD,),
                     officer_id=world["officer"].id, opened_on=date(2026, 5, 4))
    monkeypatch.setattr(notifications, "DIGEST_LIMIT", 2)
    with app.test_request_context():
        counts = jobs.morning(date(2026, 5, 20))
        db.session.commit()
    assert counts["digests"] == 1
    digest = db.session.scalars(select(Notification).where(Notification.kind == "digest")).one()
    listed = [line for line in digest.body_text.splitlines() if line.startswith("- PT ")]
    assert len(listed) == 2
    assert "(4):" in digest.body_text and "- dan 2 lainnya" in digest.body_text
    assert "dan 2 lainnya</a>" in digest.body_html
    # the task page still lists all four
    assert sum(len(g) for g in service.tasks(world["officer"], date(2026, 5, 20)).values()) == 4


def test_weekly_summary_for_supervisors_on_monday(app, world):
    """On Monday the supervisor gets the overdue cases by officer and the approvals waiting."""
    jobs.morning(date(2026, 5, 25))
    db.session.commit()
    weekly = db.session.scalars(select(Notification).where(Notification.kind == "weekly")).one()
    assert weekly.user_id == world["supervisor"].id
    assert "Siti Rahmawati: 1" in weekly.body_text


def test_catch_up_runs_once_after_downtime(app, world, caplog):
    """A scheduler down for three working days catches up once, and says so."""
    with app.app_context():
        job_runs.run_recorded(job_runs.MORNING_SWEEP, date(2026, 5, 18), lambda: {"ok": 1})
    now = datetime(2026, 5, 22, 8, 0, tzinfo=JAKARTA)
    with at(date(2026, 5, 22), 8), caplog.at_level(logging.WARNING, "outreach.scheduler"):
        assert scheduler.catch_up(app, now) is True
        assert scheduler.catch_up(app, now) is False
    assert "catching up once" in caplog.text and "(3 earlier working day(s) missed)" in caplog.text
    runs = db.session.scalars(select(JobRun.run_date).where(
        JobRun.job_id == job_runs.MORNING_SWEEP).order_by(JobRun.run_date)).all()
    assert runs == [date(2026, 5, 18), date(2026, 5, 22)]


def test_catch_up_waits_for_the_sweep_time(app, world):
    """Started before 06:30, the scheduler leaves the sweep to its normal time."""
    now = datetime(2026, 5, 22, 5, 0, tzinfo=JAKARTA)
    assert scheduler.catch_up(app, now) is False


def test_one_scheduler_at_a_time(app):
    """A second scheduler cannot take leadership until the first lets go."""
    first, second = Leadership("host:1"), Leadership("host:2")
    try:
        assert first.try_acquire() is True
        assert second.try_acquire() is False
        assert second.wait(poll_seconds=0.01, stop=iter([False, False, True]).__next__) is False
        first.release()
        assert second.try_acquire() is True
    finally:
        first.release()
        second.release()


def test_scheduler_refuses_a_bad_timezone(app):
    """A bad timezone: one clear error line and a non-zero exit."""
    app.config["OUTREACH_TIMEZONE"] = "Asia/Atlantis"
    try:
        result = app.test_cli_runner().invoke(args=["scheduler"])
    finally:
        app.config["OUTREACH_TIMEZONE"] = "Asia/Jakarta"
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: unknown timezone 'Asia/Atlantis' in OUTREACH_TIMEZONE"


def test_scheduler_refuses_an_unreachable_database():
    """An unreachable database: one clear error line and a non-zero exit."""
    from outreach import create_app

    app = create_app({"ENV_NAME": "testing",
                      "SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent-dir/x/outreach.db"})
    with app.app_context():  # on top of the suite's own app context
        result = app.test_cli_runner().invoke(args=["scheduler"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot reach the database")


def test_failed_job_is_recorded_and_shown_to_admins(client, app, make_user):
    """A failing job is recorded with its error; admins see the runs; /healthz the last sweep."""
    def boom():
        raise RuntimeError("disk full")

    job_runs.run_recorded(job_runs.MORNING_SWEEP, date(2026, 5, 19),
                          lambda: {"reminders_created": 4})
    job_runs.run_recorded(job_runs.MORNING_SWEEP, date(2026, 5, 20), boom)
    health = client.get("/healthz").get_json()
    assert health["last_sweep"]["date"] == "2026-05-19"
    login(client, make_user(Role.ADMIN))
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert "disk full" in page and "Tugas dibuat: 4" in page and "Penyisiran pagi" in page


def test_step_logged_settles_its_reminder(world):
    """Logging the step a reminder asked for marks the reminder done."""
    jobs.morning(date(2026, 5, 20))
    db.session.commit()
    case_service.log_step(world["officer"], world["case"], kind="notification",
                          occurred_on=date(2026, 5, 20), today=date(2026, 5, 20))
    db.session.commit()
    assert [r.status for r in reminders_of(world["case"].id)] == ["done"]
    assert db.session.scalar(select(func.count(Step.id))) == 1


def test_no_task_for_a_step_the_ladder_refuses_and_the_case_says_why(client, world):
    """Warning II falls due while warning I was never marked delivered: does the officer get a
    task to log warning II, which the step form refuses? No task for it (the reminder to record
    the delivery stands); the company page says why warning II is not possible yet."""
    case, officer = world["case"], world["officer"]
    factories.delivered_step(case, "notification", date(2026, 5, 4),
                             delivered_on=date(2026, 5, 5), actor=officer)
    factories.step(case, "visit", date(2026, 5, 6), actor=officer, outcome="refused")
    factories.sent_step(case, "warning_1", date(2026, 5, 26), actor=officer)
    db.session.refresh(case)
    due = case.next_due_on
    assert case.next_rung == "warning_2" and due is not None
    service.sweep(due)
    db.session.commit()
    kinds = [(r.kind, r.rung_code) for r in reminders_of(case.id)]
    assert ("action_due", "warning_2") not in kinds
    assert ("undelivered", "warning_1") in kinds
    with at(due, 9):
        login(client, officer)
        assert "kind=warning_2" not in client.get("/tasks/").get_data(as_text=True)
        page = client.get(f"/companies/{case.company_id}").get_data(as_text=True)
        assert re.search(r"Belum dapat dilakukan: Teguran Tertulis II [^<]*Teguran Tertulis I",
                         page)
