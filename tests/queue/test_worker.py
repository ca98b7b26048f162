"""Jobs run by a real worker: `flask --app wsgi worker` started as a process of its own (two
process workers) on a Huey storage of the test's own (a SQLite file), against the suite's
database (SQLite or PostgreSQL). The pages hand jobs over exactly as in production."""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import time_machine
from flask import Flask

from outreach.cases import service as case_service
from outreach.cases.models import Category
from outreach.extensions import db
from outreach.letters.render import pdf_text
from outreach.org.models import Role
from outreach.queue import service as queue
from outreach.queue import worker
from tests.conftest import login, post

ROOT = Path(__file__).resolve().parents[2]
#: the pages' day (the job carries it to the worker, whose clock is not frozen)
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


@pytest.fixture
def running_worker(app: Flask, database_url: str, tmp_path) -> Iterator[subprocess.Popen]:
    """The app hands jobs to a SQLite queue file that a worker process reads."""
    queue_url = f"sqlite:///{tmp_path / 'queue.db'}"
    kept = {key: app.extensions[key] for key in ("huey", "huey_run_job")}
    kept_url = app.config["QUEUE_URL"]
    app.config["QUEUE_URL"] = queue_url
    worker.init_app(app)
    env = {**os.environ, "OUTREACH_ENV": "development", "DATABASE_URL": database_url,
           "OUTREACH_QUEUE_URL": queue_url, "OUTREACH_QUEUE_RETRY_DELAY": "1",
           "OUTREACH_QUEUE_RETRIES": "2"}
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker",
                                "--workers", "2"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()
        app.extensions.update(kept)
        app.config["QUEUE_URL"] = kept_url


def settled(client, job_url: str, process: subprocess.Popen) -> str:
    """The job's page once the job is done or failed (the worker takes a few seconds to
    start)."""
    for _ in range(600):
        page = html.unescape(client.get(job_url).get_data(as_text=True))
        if 'http-equiv="refresh"' not in page:
            return page
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode()[-3000:])
        time.sleep(0.2)
    raise AssertionError("the job did not finish")


@pytest.fixture
def world(make_branch, make_user, make_company):
    today = TODAY
    branch = make_branch("KC-PKL", "Pekalongan")
    branch.head_name = "Dwi Ananda Pratama"
    officer = make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati")
    supervisor = make_user(Role.SUPERVISOR, branch=branch, name="Bambang Wijaya")
    companies = [make_company(branch, f"PT Batik Pesisir {n}", categories=(Category.PWBD,),
                              director_name="Budi Santoso", address="Jl. Hayam Wuruk 10",
                              opened_on=today)
                 for n in range(1, 5)]
    db.session.commit()
    return {"branch": branch, "officer": officer, "supervisor": supervisor,
            "companies": companies, "today": today}


def test_a_worker_process_issues_the_ready_drafts_and_retries_a_broken_job(
        client, world, running_worker):
    """Bulk issuing through the page, run by the worker: the job's page shows it done, with
    the numbers in order in one merged PDF. A job that breaks is retried by the worker and
    shown failed with its reason."""
    today = world["today"]
    for company in world["companies"]:
        case_service.log_step(world["officer"], company.cases[0], kind="notification",
                              occurred_on=today, today=today)
        db.session.commit()
    login(client, world["supervisor"])
    response = post(client, "/letters/issue-ready")
    page = settled(client, response.headers["Location"], running_worker)
    year = today.year
    numbers = re.findall(r"<li>(\d{3}/PKP/KC-PKL/[IVX]+/\d{4})</li>", page)
    assert len(numbers) == 4 and "4 surat diterbitkan." in page and "Selesai" in page
    assert [int(number[:3]) for number in numbers] == [1, 2, 3, 4]
    assert all(number.endswith(str(year)) for number in numbers)
    content = pdf_text(client.get(re.search(r'href="(/jobs/\d+/result)"', page).group(1)).data)
    assert [content.index(number) for number in numbers] == sorted(
        content.index(number) for number in numbers)

    broken = queue.ask(world["officer"], "letter_batch", world["branch"].id,
                       {"day": "2026-02-30", "today": today.isoformat()}, today)
    db.session.commit()
    worker.dispatch(broken)
    page = settled(client, f"/jobs/{broken.id}", running_worker)
    assert "Gagal" in page and "Pekerjaan gagal setelah 3 kali percobaan." in page
    assert "ValueError: day is out of range for month" in page
