"""Past one machine: two web processes (gunicorn) and two queue workers (`flask worker`), all
on one PostgreSQL database and one Redis queue (db 7, flushed before and after). The morning
sweep asked for on both web processes at once, and run by both workers at once, makes one set
of reminders; two bulk issues of the same drafts run by both workers at once give each draft
one number, with no gap."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import func, select

from outreach.cases import service as case_service
from outreach.cases.models import Category
from outreach.extensions import db
from outreach.letters.models import Letter, LetterStatus
from outreach.org.models import Role
from outreach.queue import service as queue
from outreach.queue import worker
from outreach.queue.models import BackgroundJob, JobState
from outreach.scheduler.models import JobRun
from outreach.tasks.models import Reminder
from tests import factories
from tests.letters.test_workers_stay_up import ROOT, Browser, free_port

pytestmark = pytest.mark.postgres_only
REDIS_URL = "redis://127.0.0.1:6379/7"
#: a Monday: the day the bulk issues are for (the jobs carry it to the workers)
ISSUE_DAY = "2026-03-02"


@pytest.fixture
def cluster(app, database_url) -> Iterator[list[Browser]]:
    """Two gunicorn web processes and two workers (two jobs at once each) on one PostgreSQL
    and one Redis; the test's own app hands jobs to the same Redis."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("several machines share PostgreSQL")
    store = redis.Redis.from_url(REDIS_URL)
    try:
        store.flushdb()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    kept = {key: app.extensions[key] for key in ("huey", "huey_run_job", "huey_scheduled_job")}
    app.config["QUEUE_URL"] = REDIS_URL
    worker.init_app(app)
    from outreach.scheduler import jobs

    jobs.register_tasks(app)
    env = {**os.environ, "OUTREACH_ENV": "production", "SECRET_KEY": "x" * 40,
           "DATABASE_URL": database_url, "OUTREACH_REQUIRE_2FA": "0",
           "PUBLIC_BASE_URL": factories.PUBLIC_BASE_URL, "OUTREACH_QUEUE_URL": REDIS_URL,
           "RATELIMIT_STORAGE_URI": "memory://", "OUTREACH_QUEUE_RETRY_DELAY": "1"}
    ports = [free_port(), free_port()]
    processes = [subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for port in ports]
    processes += [subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--workers", "2"], cwd=ROOT,
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
    browsers = [Browser(port) for port in ports]
    try:
        for browser in browsers:
            for _ in range(300):
                try:
                    if browser.request("GET", "/healthz", timeout=5)[0] in (200, 503):
                        break
                except OSError:
                    time.sleep(0.2)
            else:
                raise AssertionError("gunicorn did not start")
        yield browsers
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stderr.close()
        app.extensions.update(kept)
        app.config["QUEUE_URL"] = "immediate"
        store.flushdb()


def sign_in(browser: Browser, email: str) -> None:
    token = browser.csrf("/auth/login")
    status, _page, _t = browser.request("POST", "/auth/login", {
        "csrf_token": token, "email": email, "password": factories.PASSWORD})
    assert status == 302


def until(condition, what: str, seconds: int = 120):
    for _ in range(seconds * 5):
        db.session.rollback()  # a fresh snapshot of what the other processes committed
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what} did not happen")


def test_two_web_processes_and_two_workers_make_one_set_of_reminders_and_gapless_numbers(
        cluster, make_branch, make_user, make_company):
    branch = make_branch("KC-PKL", "Pekalongan")
    branch.head_name = "Dwi Ananda Pratama"
    officer = make_user(Role.OFFICER, branch=branch)
    supervisor = make_user(Role.SUPERVISOR, branch=branch)
    admin = make_user(Role.ADMIN)
    companies = [make_company(branch, f"PT Batik Pesisir {n}", categories=(Category.PWBD,),
                              director_name="Budi Santoso", address="Jl. Hayam Wuruk 10")
                 for n in range(1, 13)]
    db.session.commit()
    case_ids = [company.cases[0].id for company in companies]

    # the morning sweep: asked for on both web processes, run by the two workers at once
    for browser in cluster:
        sign_in(browser, admin.email)
    for browser in cluster:
        token = browser.csrf("/admin/jobs")
        assert browser.request("POST", "/admin/jobs/sweep", {"csrf_token": token})[0] == 302
    runs = until(lambda: (lambda rows: rows if len(rows) == 2 and all(
        r.outcome != "running" for r in rows) else None)(db.session.scalars(select(JobRun).where(
            JobRun.job_id == "morning_sweep")).all()), "two sweeps")
    assert [run.outcome for run in runs] == ["ok", "ok"], [run.error for run in runs]
    reminders = db.session.scalars(select(Reminder).where(Reminder.case_id.in_(case_ids))).all()
    assert sorted(r.case_id for r in reminders) == sorted(case_ids)  # one each, not two
    assert sorted(run.counts["reminders_created"] for run in runs) == [0, len(case_ids)]

    # two bulk issues of the same twelve drafts, taken by the two workers at once
    for company in companies:
        case_service.log_step(officer, company.cases[0], kind="notification",
                              occurred_on=factories.OPENED_ON, today=factories.OPENED_ON)
        db.session.commit()
    asked = [queue.ask(supervisor, queue.ISSUE_DRAFTS, branch.id,
                       {"today": ISSUE_DAY, "public_base_url": factories.PUBLIC_BASE_URL},
                       factories.OPENED_ON) for _ in range(2)]
    db.session.commit()
    for job in asked:
        worker.dispatch(job)
    ids = [job.id for job in asked]
    until(lambda: db.session.scalar(select(func.count()).select_from(BackgroundJob).where(
        BackgroundJob.id.in_(ids), BackgroundJob.state.in_(JobState.OPEN))) == 0,
        "both bulk issues")
    states = db.session.execute(select(BackgroundJob.state, BackgroundJob.error)
                                .where(BackgroundJob.id.in_(ids))).all()
    assert [state for state, _error in states] == ["done", "done"], states
    letters = db.session.scalars(select(Letter).where(Letter.branch_id == branch.id)).all()
    assert {letter.status for letter in letters} == {LetterStatus.ISSUED}
    assert sorted(letter.seq for letter in letters) == list(range(1, 13))
    assert all(re.fullmatch(r"\d{3}/PKP/KC-PKL/III/2026", letter.number) for letter in letters)
    # the job's page, on either web process, shows it done
    for browser, job_id in zip(cluster, ids, strict=True):
        status, page, _t = browser.request("GET", f"/jobs/{job_id}")
        assert status == 200 and "Selesai" in page
