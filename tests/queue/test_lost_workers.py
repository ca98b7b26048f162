"""A worker killed in the middle of a job (kill -9 of its whole process group, as when its
machine is lost): another worker, as it starts, finds the job silent past
`OUTREACH_JOB_STALE_SECONDS` and runs it again, or fails it with the reason when no attempt is
left. Bulk issuing run twice issues each draft once, numbered once and without a gap."""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select

from outreach.cases import service as case_service
from outreach.cases.models import Category
from outreach.extensions import db
from outreach.letters.models import Letter, LetterStatus
from outreach.org.models import Role
from outreach.queue import service as queue
from outreach.queue import worker
from outreach.queue.models import BackgroundJob, JobState
from tests.conftest import login, post
from tests.queue.test_worker import ROOT, TODAY

#: seconds without a sign of life after which a running job is taken as lost
STALE = 2
DRAFTS = 12


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


@pytest.fixture
def workers(app: Flask, database_url: str, tmp_path,
            monkeypatch) -> Iterator[Callable[..., subprocess.Popen]]:
    """Starts `flask worker` processes (one job at a time each), each the leader of a process
    group of its own, on a SQLite queue file the app hands its jobs to."""
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    kept = {key: app.extensions[key] for key in ("huey", "huey_run_job")}
    kept_url = app.config["QUEUE_URL"]
    app.config["QUEUE_URL"] = queue_url
    monkeypatch.setitem(app.config, "JOB_STALE_SECONDS", STALE)
    worker.init_app(app)
    started: list[subprocess.Popen] = []

    def start(retries: int) -> subprocess.Popen:
        env = {**os.environ, "OUTREACH_ENV": "development", "DATABASE_URL": database_url,
               "OUTREACH_QUEUE_URL": queue_url, "OUTREACH_QUEUE_RETRY_DELAY": "1",
               "OUTREACH_QUEUE_RETRIES": str(retries), "OUTREACH_JOB_STALE_SECONDS": str(STALE)}
        process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker",
                                    "--workers", "1"], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        app.extensions.update(kept)
        app.config["QUEUE_URL"] = kept_url


@pytest.fixture
def drafts(make_branch, make_user, make_company):
    """A branch with a supervisor and twelve notification letters drafted."""
    branch = make_branch("KC-PKL", "Pekalongan")
    branch.head_name = "Dwi Ananda Pratama"
    officer = make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati")
    supervisor = make_user(Role.SUPERVISOR, branch=branch, name="Bambang Wijaya")
    companies = [make_company(branch, f"PT Batik Pesisir {n}", categories=(Category.PWBD,),
                              director_name="Budi Santoso", address="Jl. Hayam Wuruk 10",
                              opened_on=TODAY)
                 for n in range(1, DRAFTS + 1)]
    db.session.commit()
    for company in companies:
        case_service.log_step(officer, company.cases[0], kind="notification",
                              occurred_on=TODAY, today=TODAY)
        db.session.commit()
    return {"branch": branch, "supervisor": supervisor}


def job_row(job_id: int) -> BackgroundJob:
    db.session.expire_all()
    return db.session.get(BackgroundJob, job_id)


def wait_for(check: Callable[[], bool], what: str, seconds: float = 180) -> None:
    for _ in range(int(seconds / 0.1)):
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"waited in vain for {what}")


def kill_mid_job(client, start, retries: int, supervisor) -> int:
    """Bulk issuing asked for on the page, its worker killed with its children once a few
    letters are issued; returns the job's id."""
    first = start(retries)
    job_id = int(post(client, "/letters/issue-ready").headers["Location"].rsplit("/", 1)[1])
    wait_for(lambda: job_row(job_id).done >= 3, "three letters issued")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    row = job_row(job_id)
    assert row.state == JobState.RUNNING and row.attempts == 1 and row.done < DRAFTS
    time.sleep(STALE + 0.5)  # the worker's last sign of life is now past the limit
    with time_machine.travel(row.heartbeat_at + timedelta(seconds=STALE + 1), tick=False):
        login(client, supervisor)  # at the worker's time (the pages' day is months before)
        page = html.unescape(client.get(f"/jobs/{job_id}").get_data(as_text=True))
    login(client, supervisor)  # back on the pages' day
    assert "Proses yang menjalankan pekerjaan ini tidak memberi tanda hidup sejak" in page
    assert 'http-equiv="refresh"' in page  # until a worker takes the job up
    return job_id


def numbers() -> list[int]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Letter.seq).where(
        Letter.status == LetterStatus.ISSUED)))


def test_a_job_whose_worker_was_killed_is_run_again_and_issues_each_draft_once(
        client, drafts, workers):
    login(client, drafts["supervisor"])
    job_id = kill_mid_job(client, workers, 2, drafts["supervisor"])
    issued_before = len(numbers())
    assert 3 <= issued_before < DRAFTS
    workers(2)
    wait_for(lambda: job_row(job_id).state == JobState.DONE, "the job done by the next worker")
    row = job_row(job_id)
    assert row.attempts == 2
    assert numbers() == list(range(1, DRAFTS + 1))  # each draft numbered once, no gap
    page = html.unescape(client.get(f"/jobs/{job_id}").get_data(as_text=True))
    assert f"{DRAFTS} surat diterbitkan." in page and "Selesai" in page
    assert 'http-equiv="refresh"' not in page
    assert len(re.findall(r"<li>\d{3}/PKP/KC-PKL/", page)) == DRAFTS


def test_with_no_attempt_left_the_job_fails_with_the_reason_and_frees_the_branch(
        client, drafts, workers):
    login(client, drafts["supervisor"])
    job_id = kill_mid_job(client, workers, 0, drafts["supervisor"])
    issued_before = numbers()
    workers(0)
    wait_for(lambda: job_row(job_id).state == JobState.FAILED, "the lost job failed")
    page = html.unescape(client.get(f"/jobs/{job_id}").get_data(as_text=True))
    assert 'http-equiv="refresh"' not in page and "Gagal" in page
    assert "Proses yang menjalankan pekerjaan ini berhenti" in page
    assert "Silakan coba lagi." in page
    assert queue.open_job(queue.ISSUE_DRAFTS, drafts["branch"].id) is None
    assert numbers() == issued_before == list(range(1, len(issued_before) + 1))

    again = int(post(client, "/letters/issue-ready").headers["Location"].rsplit("/", 1)[1])
    wait_for(lambda: job_row(again).state == JobState.DONE, "the second bulk issue")
    assert numbers() == list(range(1, DRAFTS + 1))
