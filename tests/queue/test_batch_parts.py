"""A large print batch is rendered in parts, jobs of their own that the workers take in
parallel; the last part merges the one PDF, the same document as one job would make."""

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
from outreach.extensions import db
from outreach.letters.models import LetterTemplate
from outreach.letters.render import pdf_text
from outreach.letters.service import FORM_TEMPLATE
from outreach.org.models import Role
from outreach.queue import service as queue
from outreach.queue import worker
from outreach.queue.models import BackgroundJob, JobState
from outreach.queue.service import LETTER_BATCH_PART
from tests.conftest import login
from tests.queue.test_worker import running_worker, settled  # noqa: F401 - a fixture

TODAY = date(2026, 3, 2)
#: the next working day: the visits the batch prints forms for
VISIT_DAY = date(2026, 3, 3)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


def batch_world(make_branch, make_user, make_company, visits: int) -> dict:
    """A branch with two letters issued today and `visits` visits due tomorrow."""
    branch = make_branch("KC-PKL", "Pekalongan")
    branch.head_name = "Dwi Ananda Pratama"
    officer = make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati")
    companies = [make_company(branch, f"PT Batik Pesisir {n:02d}", categories=(Category.PWBD,),
                              director_name="Budi Santoso", address="Jl. Hayam Wuruk 10",
                              opened_on=TODAY)
                 for n in range(1, visits + 3)]
    db.session.commit()
    for company in companies[:2]:
        step = case_service.log_step(officer, company.cases[0], kind="notification",
                                     occurred_on=TODAY, today=TODAY)
        db.session.commit()
        case_service.issue_letter(officer, step.letter, TODAY, "https://outreach.example.id")
        db.session.commit()
    for company in companies[2:]:
        case = company.cases[0]
        case.next_rung, case.next_due_on = "visit", VISIT_DAY
    db.session.commit()
    return {"branch": branch, "officer": officer, "companies": companies}


def ask_batch(world, part_forms: int) -> BackgroundJob:
    job = queue.ask(world["officer"], "letter_batch", world["branch"].id,
                    {"day": TODAY.isoformat(), "today": TODAY.isoformat(),
                     "part_forms": part_forms}, TODAY)
    db.session.commit()
    return job


def parts_of(job_id: int) -> list[BackgroundJob]:
    parts = db.session.scalars(select(BackgroundJob).where(
        BackgroundJob.kind == LETTER_BATCH_PART).order_by(BackgroundJob.id)).all()
    return [part for part in parts if part.params["parent"] == job_id]


def result_text(client, job_id: int) -> str:
    response = client.get(f"/jobs/{job_id}/result")
    assert response.status_code == 200
    assert "cetak-KC-PKL-2026-03-02.pdf" in response.headers["Content-Disposition"]
    return pdf_text(response.data)


def test_a_batch_in_parts_is_the_same_pdf_as_one_job(client, make_branch, make_user,
                                                     make_company):
    """Five forms in parts of two: three parts, then one PDF with the cover, the two letters
    and the five forms in order, the text of the one-job batch's PDF; the batch's page tells
    its counts, and the jobs' list shows the batch, not its parts."""
    world = batch_world(make_branch, make_user, make_company, visits=5)
    whole = ask_batch(world, part_forms=100)
    worker.dispatch(whole)
    split = ask_batch(world, part_forms=2)
    worker.dispatch(split)

    parts = parts_of(split.id)
    assert [len(part.params["cases"]) for part in parts] == [2, 2, 1]
    assert all(part.state == JobState.DONE for part in parts)
    assert parts_of(whole.id) == []
    login(client, world["officer"])
    page = html.unescape(client.get(f"/jobs/{split.id}").get_data(as_text=True))
    assert "Selesai" in page and "2 surat terbit pada hari itu dan 5 formulir kunjungan." in page
    one, in_parts = result_text(client, whole.id), result_text(client, split.id)
    assert in_parts == one
    assert "Daftar cetak" in in_parts and "001/PKP/KC-PKL/III/2026" in in_parts
    names = [f"PT Batik Pesisir {n:02d}" for n in range(3, 8)]
    forms = in_parts[in_parts.index("002/PKP/KC-PKL/III/2026"):]
    assert [forms.index(name) for name in names] == sorted(forms.index(name) for name in names)
    assert len(PdfReader(io.BytesIO(client.get(f"/jobs/{split.id}/result").data)).pages) \
        == len(PdfReader(io.BytesIO(client.get(f"/jobs/{whole.id}/result").data)).pages)
    listed = client.get("/jobs/").get_data(as_text=True)
    assert f'href="/jobs/{split.id}"' in listed
    assert not any(f'href="/jobs/{part.id}"' in listed for part in parts)


def test_a_part_that_fails_fails_its_batch_with_the_reason(client, make_branch, make_user,
                                                          make_company):
    """The branch's visit form breaks on real data (a template saved around its trial): each
    part fails after its retries, and the batch's page says it failed and why, with no PDF."""
    world = batch_world(make_branch, make_user, make_company, visits=3)
    db.session.add(LetterTemplate(branch_id=world["branch"].id, code=FORM_TEMPLATE, version=99,
                                  name="Formulir kunjungan", body="{{ company.name | nope }}"))
    db.session.commit()
    job = ask_batch(world, part_forms=2)
    worker.dispatch(job)
    login(client, world["officer"])
    page = html.unescape(client.get(f"/jobs/{job.id}").get_data(as_text=True))
    assert "Gagal" in page and "Pekerjaan terhenti karena kesalahan sistem" in page
    assert client.get(f"/jobs/{job.id}/result").status_code == 404
    assert db.session.get(BackgroundJob, job.id).state == JobState.FAILED


def test_two_workers_render_the_parts_at_once(client, make_branch, make_user, make_company,
                                              running_worker):  # noqa: F811 - the fixture
    """A real worker process with two workers: the parts of a batch are rendered at the same
    time (two of them ran at once), and the batch ends done with every form."""
    world = batch_world(make_branch, make_user, make_company, visits=16)
    job = ask_batch(world, part_forms=4)
    worker.dispatch(job)
    login(client, world["officer"])
    page = settled(client, f"/jobs/{job.id}", running_worker)
    assert "2 surat terbit pada hari itu dan 16 formulir kunjungan." in page
    db.session.expire_all()
    parts = parts_of(job.id)
    assert len(parts) == 4 and all(part.state == JobState.DONE for part in parts)
    assert any(a.started_at < b.finished_at and b.started_at < a.finished_at
               for a in parts for b in parts if a.id < b.id), "no two parts ran at once"
    content = result_text(client, job.id)
    assert all(f"PT Batik Pesisir {n:02d}" in content for n in range(3, 19))
    assert re.search(r"Daftar cetak", content)
