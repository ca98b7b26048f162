"""Long work as jobs: bulk issuing, the print batch and an import run by the queue's task.

These run with the testing queue (`QUEUE_URL = "immediate"`): the job runs when it is handed
over, through the same `worker.run_job` a worker process calls (retries included: a failed
attempt is queued again and, with no delay, run again at once). `test_worker.py` runs them in
a real worker process.
"""

from __future__ import annotations

import html
import io
import re
from datetime import date

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import select

from outreach.cases import service as case_service
from outreach.cases.models import Category
from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.letters.models import Letter
from outreach.letters.render import pdf_text
from outreach.org.models import Role
from outreach.queue import service as queue
from outreach.queue import worker
from outreach.queue.models import BackgroundJob
from tests.conftest import login, post

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


@pytest.fixture
def world(make_branch, make_user, make_company):
    branch = make_branch("KC-PKL", "Pekalongan")
    branch.head_name = "Dwi Ananda Pratama"
    officer = make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati")
    supervisor = make_user(Role.SUPERVISOR, branch=branch, name="Bambang Wijaya")
    companies = [make_company(branch, f"PT Batik Pesisir {n}", categories=(Category.PWBD,),
                              director_name="Budi Santoso", address="Jl. Hayam Wuruk 10")
                 for n in range(1, 4)]
    db.session.commit()
    return {"branch": branch, "officer": officer, "supervisor": supervisor,
            "companies": companies}


def drafts(world) -> list[Letter]:
    made = []
    for company in world["companies"]:
        step = case_service.log_step(world["officer"], company.cases[0], kind="notification",
                                     occurred_on=TODAY, today=TODAY)
        db.session.commit()
        made.append(step.letter)
    return made


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_a_supervisor_issues_the_ready_drafts_in_one_job_and_prints_one_pdf(client, world):
    """The letters list offers the ready drafts; one click issues them in the drafts' order
    and the job's page gives one PDF with the numbers in that order."""
    made = drafts(world)
    login(client, world["supervisor"])
    page = text(client.get("/letters/"))
    assert "Terbitkan 3 draf yang siap hari ini (satu PDF untuk dicetak)" in page

    response = post(client, "/letters/issue-ready")
    assert re.fullmatch(r"/jobs/\d+", response.headers["Location"])
    page = text(client.get(response.headers["Location"]))
    assert "Selesai" in page and "3 surat diterbitkan." in page
    numbers = [f"00{n}/PKP/KC-PKL/III/2026" for n in (1, 2, 3)]
    for number in numbers:
        assert number in page
    assert 'http-equiv="refresh"' not in page  # a finished job's page stays still

    assert [db.session.get(Letter, letter.id).number for letter in made] == numbers
    link = re.search(r'href="(/jobs/\d+/result)"', page).group(1)
    merged = client.get(link)
    assert merged.mimetype == "application/pdf"
    assert "terbit-KC-PKL-2026-03-02.pdf" in merged.headers["Content-Disposition"]
    content = pdf_text(merged.data)
    assert [content.index(number) for number in numbers] == sorted(
        content.index(number) for number in numbers)
    assert "PT Batik Pesisir 1" in content and "PT Batik Pesisir 3" in content
    assert len(PdfReader(io.BytesIO(merged.data)).pages) >= 3

    # nothing is left to issue: the list no longer offers it, and a second click says why
    assert "draf yang siap hari ini" not in text(client.get("/letters/"))
    again = post(client, "/letters/issue-ready", follow_redirects=True)
    assert "Tidak ada draf yang siap diterbitkan" in text(again)


def test_an_officer_is_not_offered_bulk_issuing_and_may_not_ask_for_it(client, world):
    drafts(world)
    login(client, world["officer"])
    assert "draf yang siap hari ini" not in text(client.get("/letters/"))
    assert post(client, "/letters/issue-ready").status_code == 403
    assert db.session.query(BackgroundJob).count() == 0


def test_the_print_batch_is_a_job_whose_page_gives_the_pdf(client, world):
    """The day's print batch is made by a worker: the page of the job shows it done with its
    counts and a download of the PDF."""
    for letter in drafts(world)[:2]:
        case_service.issue_letter(world["officer"], letter, TODAY, "https://outreach.example.id")
        db.session.commit()
    login(client, world["officer"])
    response = post(client, "/letters/batch", {"day": "2026-03-02"}, follow_redirects=True)
    page = text(response)
    assert "Cetak harian" in page and "Selesai" in page
    assert "2 surat terbit pada hari itu dan 0 formulir kunjungan." in page
    link = re.search(r'href="(/jobs/\d+/result)"', page).group(1)
    content = pdf_text(client.get(link).data)
    printed = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "export.letter_batch")).one()
    assert printed.changes["letters"] == 2 and printed.changes["day"] == "2026-03-02"
    assert "Daftar cetak" in content
    assert "001/PKP/KC-PKL/III/2026" in content and "002/PKP/KC-PKL/III/2026" in content


def test_a_queued_job_shows_its_progress_and_refreshes_itself(client, world):
    """Before a worker takes it, the job's page says it waits, and refreshes itself (no script
    needed)."""
    job = queue.ask(world["officer"], "letter_batch", world["branch"].id,
                    {"day": "2026-03-02", "today": "2026-03-02"}, TODAY)
    job.total, job.done = 40, 12
    db.session.commit()
    login(client, world["officer"])
    page = text(client.get(f"/jobs/{job.id}"))
    assert "Menunggu giliran" in page
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress class="w-100" max="40" value="12"' in page and "12 dari 40" in page
    assert client.get(f"/jobs/{job.id}/result").status_code == 404
    jobs = text(client.get("/jobs/"))
    assert f'href="/jobs/{job.id}"' in jobs and "Cetak harian" in jobs


def test_another_branchs_job_is_not_found(client, world, make_branch, make_user):
    job = queue.ask(world["officer"], "letter_batch", world["branch"].id,
                    {"day": "2026-03-02", "today": "2026-03-02"}, TODAY)
    db.session.commit()
    worker.dispatch(job)
    stranger = make_user(Role.OFFICER, branch=make_branch("KC-TGL", "Tegal"))
    db.session.commit()
    login(client, stranger)
    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert client.get(f"/jobs/{job.id}/result").status_code == 404
    assert f'href="/jobs/{job.id}"' not in text(client.get("/jobs/"))


def test_a_job_that_breaks_is_retried_then_shown_failed_with_its_reason(client, world):
    """An error of the system (here: arguments the work cannot read) is tried again
    (QUEUE_RETRIES times), then the job's page says it failed, after how many attempts, and
    why, in Indonesian."""
    job = queue.ask(world["officer"], "letter_batch", world["branch"].id,
                    {"day": "2026-02-30", "today": "2026-03-02"}, TODAY)
    db.session.commit()
    worker.dispatch(job)
    login(client, world["officer"])
    page = text(client.get(f"/jobs/{job.id}"))
    assert "Gagal" in page
    assert "Pekerjaan gagal setelah 3 kali percobaan." in page
    assert "Pekerjaan terhenti karena kesalahan sistem: ValueError: day is out of range" in page


def test_a_refusal_fails_the_job_at_once_with_the_refusal(client, world):
    """A service's refusal would be refused again: one attempt, the refusal as the reason
    (a job asked for a day the branch then declared a day off)."""
    job = queue.ask(world["supervisor"], queue.ISSUE_DRAFTS, world["branch"].id,
                    {"today": "2026-03-07", "public_base_url": "https://outreach.example.id"},
                    TODAY)
    db.session.commit()
    worker.dispatch(job)
    login(client, world["supervisor"])
    page = text(client.get(f"/jobs/{job.id}"))
    assert "Pekerjaan gagal setelah 1 kali percobaan." in page
    assert "Surat diterbitkan pada hari kerja: 7 Maret 2026 bukan hari kerja." in page


def test_the_ready_drafts_are_those_approval_missing_clears(world):
    """The one query of the ready drafts says what `approval_missing` says of each draft: a
    template needing approval keeps its drafts back until a supervisor approves one."""
    from outreach.letters import service as letters

    made = drafts(world)
    assert queue.ready_drafts(world["branch"].id) == [letter.id for letter in made]
    made[0].template.needs_approval = True
    db.session.commit()
    letters.approve_letter(world["supervisor"], made[1])
    db.session.commit()
    cleared = [letter.id for letter in made if letters.approval_missing(letter) is None]
    assert cleared == [made[1].id]
    assert queue.ready_drafts(world["branch"].id) == cleared
