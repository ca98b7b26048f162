"""The values copied from cases for speed have one writer, `outreach.cases.service.project`.

Every path that changes a case or its steps runs here, through the service functions and over
HTTP; after each one, the copies stored on every case (stage, next rung, next due date, rungs
reached, overdue mark) and on every company (its open case's status and due date, the rungs its
cases reached) must equal what the ladder rules compute afresh from the steps in the database.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from outreach.calendar import service as calendar_service
from outreach.calendar.rules import WorkingCalendar
from outreach.cases import service
from outreach.cases.models import Case, CaseStatus, Category, ClosingRequest, Step
from outreach.companies.models import Company
from outreach.core.db import utcnow
from outreach.extensions import db
from outreach.imports.models import CloseSuggestion
from outreach.ladder import rules as policy
from outreach.money import service as money
from outreach.org.models import Role
from outreach.tasks import service as tasks
from tests import factories
from tests.conftest import login, post

TODAY = date(2026, 3, 2)  # a Monday
#: after 15 March, the due date of a fine imposed in February: TMP2T may be requested
LATER = date(2026, 3, 16)
BASE = "https://outreach.example.id"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


def assert_copies_fresh() -> int:
    """Every case's and company's copies equal a fresh computation from the steps stored in the
    database. Returns how many cases were checked."""
    db.session.expire_all()
    checked = 0
    for company in db.session.scalars(select(Company).order_by(Company.id)):
        cases = list(company.cases)
        for case in cases:
            calendar = WorkingCalendar.for_branch(case.branch_id)
            state = policy.progress(case, calendar)
            is_open = case.status == CaseStatus.OPEN
            # an open commitment of the employer holds the next step until its promised day
            # plus the branch's grace
            hold = policy.commitment_hold(case, calendar) if state.next_rung else None
            expected = (state.stage, state.next_rung if is_open else "",
                        (hold or state.next_due_on) if is_open else None,
                        policy.reached_codes(case.steps))
            stored = (case.stage, case.next_rung, case.next_due_on, case.reached)
            assert stored == expected, (company.name, case.status)
            # marked overdue only while open, and only by a sweep after the day it was due
            if not is_open or case.next_due_on is None:
                assert case.overdue_since is None, (company.name, case.status)
            else:
                assert case.overdue_since is None or case.overdue_since > case.next_due_on
            checked += 1
        current = [c for c in cases if c.status != CaseStatus.CLOSED]
        assert len(current) <= 1, company.name
        assert (company.open_case_status, company.open_case_due_on) == (
            (current[0].status, current[0].next_due_on) if current else ("", None)), company.name
        reached = {code for c in cases for code in policy.reached_codes(c.steps).split(",")}
        assert company.reached == ",".join(sorted(reached - {""})), company.name
    return checked


@pytest.fixture
def world(make_branch, make_user, make_company):
    pkl = make_branch("KC-PKL", "Pekalongan")
    tgl = make_branch("KC-TGL", "Tegal")
    officer = make_user(Role.OFFICER, branch=pkl, name="Siti Rahmawati")
    supervisor = make_user(Role.SUPERVISOR, branch=pkl, name="Dwi Pratama")
    tegal_supervisor = make_user(Role.SUPERVISOR, branch=tgl, name="Tari Tegal")
    for user in (officer, supervisor, tegal_supervisor):
        user.locale = "en"
    companies = [make_company(pkl, name, officer_id=officer.id, nib=f"100000000000{n}",
                              workers_estimated=20, business_size="small",
                              average_wage=3_000_000, city="Kota Pekalongan")
                 for n, name in enumerate(["PT Alfa", "PT Bravo", "PT Charlie"], start=1)]
    factories.partner_offices(pkl, "Kota Pekalongan")
    db.session.commit()
    return {"pkl": pkl, "tgl": tgl, "officer": officer, "supervisor": supervisor,
            "tegal_supervisor": tegal_supervisor, "companies": companies}


def _deliver(world, step: Step, on: date, *, delivered: bool = True) -> None:
    service.record_delivery(world["officer"], step, delivered=delivered, on=on, today=on,
                            method="hand", recipient="Bu Sari")
    db.session.commit()


def test_each_service_that_changes_a_case_writes_its_copies(app, world):
    """Opening, every kind of step, deliveries (and a returned letter), a request sent back and
    one approved, pausing, resuming, closing, reopening, closing again: after each, the case's
    and the company's copies are what the steps say."""
    officer, supervisor = world["officer"], world["supervisor"]
    alfa = world["companies"][0]
    with app.test_request_context():
        case = service.open_case(officer, alfa, [Category.PWBD], date(2026, 1, 5))
        db.session.commit()
        assert_copies_fresh()
        assert (case.next_rung, case.next_due_on) == ("notification", date(2026, 1, 12))

        def log(kind, day, **extra):
            step = service.log_step(officer, case, kind=kind, occurred_on=day, today=day,
                                    **extra)
            db.session.commit()
            assert_copies_fresh()
            if step.letter is not None and step.approval_status != "requested":
                issue(step, day)
            return step

        def issue(step, day):
            service.issue_letter(officer, step.letter, day, BASE)
            db.session.commit()
            assert_copies_fresh()

        first = log("notification", date(2026, 1, 5))
        _deliver(world, first, date(2026, 1, 5))
        assert_copies_fresh()
        second = log("notification", date(2026, 1, 6))
        _deliver(world, second, date(2026, 1, 7), delivered=False)  # returned: it no longer counts
        assert_copies_fresh()
        log("phone_call", date(2026, 1, 6), outcome="promised")
        log("visit", date(2026, 1, 6))
        for kind, day in (("warning_1", date(2026, 1, 21)), ("warning_2", date(2026, 2, 5)),
                          ("fine", date(2026, 2, 24))):
            taken = log(kind, day)
            if taken.approval_status == "requested":
                service.decide_approval(supervisor, taken, approve=True, note="", now=utcnow())
                db.session.commit()
                assert_copies_fresh()
                issue(taken, day)
            _deliver(world, taken, day)
            assert_copies_fresh()
        tmp2t = log("tmp2t", LATER)  # waits for the supervisor: not in force yet
        service.decide_approval(supervisor, tmp2t, approve=False, note="Lengkapi bukti.",
                                now=utcnow())
        db.session.commit()
        assert_copies_fresh()
        again = log("tmp2t", LATER)
        service.decide_approval(supervisor, again, approve=True, note="Setuju.", now=utcnow())
        db.session.commit()
        assert_copies_fresh()
        assert "tmp2t" not in db.session.get(Case, case.id).reached  # its letter is a draft
        issue(again, LATER)
        assert db.session.get(Case, case.id).reached == (
            "fine,notification,phone_call,tmp2t,visit,warning_1,warning_2")
        service.void_letter(supervisor, again.letter, "Salah alamat DPMPTSP.", utcnow())
        db.session.commit()
        assert_copies_fresh()
        assert "tmp2t" not in db.session.get(Case, case.id).reached  # withdrawn: it counts no more

        case = db.session.get(Case, case.id)
        service.pause_case(officer, case, "dispute", LATER)
        db.session.commit()
        assert_copies_fresh()
        service.resume_case(officer, db.session.get(Case, case.id))
        db.session.commit()
        assert_copies_fresh()
        money.add_payment(officer, db.session.get(Company, alfa.id), kind="fine",
                          paid_on=LATER, amount=money.fine_state(case, LATER).outstanding,
                          reference="TRF-1", upload=factories.proof_upload(), today=LATER)
        service.close_case(officer, db.session.get(Case, case.id), outcome="compliant",
                           today=LATER, npp="12345678", evidence="Sertifikat kepesertaan",
                           registered=20)
        db.session.commit()
        assert_copies_fresh()
        service.reopen_case(officer, db.session.get(Case, case.id))
        db.session.commit()
        assert_copies_fresh()
        request = service.close_case(officer, db.session.get(Case, case.id),
                                     outcome="withdrawn", today=LATER, reason="Salah sasaran.")
        db.session.commit()
        assert_copies_fresh()
        service.decide_closing(supervisor, request, approve=True, note="", now=utcnow(),
                               today=LATER)
        db.session.commit()
    assert assert_copies_fresh() == 1
    company = db.session.get(Company, alfa.id)
    assert (company.open_case_status, company.open_case_due_on) == ("", None)
    # a second case of the company: its copies are the open one's, its rungs those of both
    with app.test_request_context():
        service.open_case(officer, company, [Category.ARREARS], TODAY)
        db.session.commit()
    assert assert_copies_fresh() == 2
    company = db.session.get(Company, alfa.id)
    assert company.open_case_status == CaseStatus.OPEN and "warning_2" in company.reached


def _step_form(client, case, kind, day, **fields):
    return post(client, f"/cases/{case.id}/steps/new",
                {"kind": kind, "occurred_on": day.isoformat(), "outcome": "", "notes": "",
                 "version": str(db.session.get(Case, case.id).version), **fields},
                content_type="multipart/form-data")


def test_each_page_that_changes_a_case_writes_its_copies(app, client, world):
    """The same over HTTP: open, log, deliver, request and approve, pause, resume, close,
    reopen."""
    bravo = world["companies"][1]
    login(client, world["officer"])
    assert post(client, f"/companies/{bravo.id}/cases",
                {"categories": [Category.PDS_TK, Category.ARREARS]}).status_code == 302
    assert assert_copies_fresh() == 1
    case = db.session.scalars(select(Case).where(Case.company_id == bravo.id)).one()
    assert case.next_due_on == date(2026, 3, 9)  # five working days after opening
    assert _step_form(client, case, "notification", TODAY).status_code == 302
    assert_copies_fresh()
    step = db.session.scalars(select(Step).where(Step.case_id == case.id)).one()
    assert post(client, f"/letters/{step.letter_id}/issue", {"confirm": "y"}).status_code == 302
    assert_copies_fresh()
    assert post(client, f"/steps/{step.id}/delivery",
                {"result": "delivered", "delivered_on": TODAY.isoformat(), "method": "courier",
                 "reference": "JNE0042"}).status_code == 302
    assert_copies_fresh()
    assert _step_form(client, case, "visit", TODAY, outcome="promised").status_code == 302
    assert_copies_fresh()
    assert post(client, f"/cases/{case.id}/pause",
                {"reason": "court", "version": db.session.get(Case, case.id).version}
                ).status_code == 302
    assert_copies_fresh()
    assert db.session.get(Case, case.id).status == CaseStatus.PAUSED
    assert post(client, f"/cases/{case.id}/resume",
                {"version": db.session.get(Case, case.id).version}).status_code == 302
    assert_copies_fresh()
    assert post(client, f"/cases/{case.id}/close",
                {"outcome": "company_closed", "npp": "", "evidence": "",
                 "reason": "Pabrik tutup sejak Februari.",
                 "version": db.session.get(Case, case.id).version}).status_code == 302
    assert_copies_fresh()
    request = db.session.scalars(select(ClosingRequest)).one()
    boss = app.test_client()
    login(boss, world["supervisor"])
    assert post(boss, f"/closings/{request.id}", {"decision": "approve", "note": ""}
                ).status_code == 302
    assert_copies_fresh()
    assert db.session.get(Case, case.id).status == CaseStatus.CLOSED
    assert post(client, f"/cases/{case.id}/reopen",
                {"version": db.session.get(Case, case.id).version}).status_code == 302
    assert_copies_fresh()
    assert db.session.get(Case, case.id).status == CaseStatus.OPEN


def test_an_approval_over_http_writes_the_copies(app, client, world):
    """A TMP2T request sent back and then approved on the supervisor's page."""
    officer = world["officer"]
    charlie = world["companies"][2]
    with app.test_request_context():
        case = service.open_case(officer, charlie, [Category.PWBD], date(2026, 1, 5))
        factories.delivered_step(case, "notification", date(2026, 1, 5), actor=officer)
        factories.step(case, "visit", date(2026, 1, 6), actor=officer)
        for kind, day in (("warning_1", date(2026, 1, 21)), ("warning_2", date(2026, 2, 5)),
                          ("fine", date(2026, 2, 24))):
            factories.delivered_step(case, kind, day, actor=officer,
                                     approver=world["supervisor"])
    with time_machine.travel("2026-03-16 09:00 +0700", tick=False):
        login(client, officer)
        assert _step_form(client, case, "tmp2t", LATER).status_code == 302
        assert_copies_fresh()
        tmp2t = db.session.scalars(select(Step).where(Step.kind == "tmp2t")).one()
        boss = app.test_client()
        login(boss, world["supervisor"])
        assert post(boss, f"/steps/{tmp2t.id}/approval",
                    {"decision": "approve", "note": "Setuju."}).status_code == 302
        assert_copies_fresh()
        assert post(client, f"/letters/{tmp2t.letter_id}/issue", {"confirm": "y"}
                    ).status_code == 302
        assert_copies_fresh()
    assert "tmp2t" in db.session.get(Company, charlie.id).reached


def test_transfer_projects_the_cases_with_the_new_branchs_calendar(app, client, world):
    """After a transfer the cases are projected with the new branch's calendar (a day off of
    Tegal moves the due date, and the overdue mark with it), closed cases included."""
    officer = world["officer"]
    alfa = world["companies"][0]
    with app.test_request_context():
        old = service.open_case(officer, alfa, [Category.PWBD], date(2026, 1, 5))
        service.log_step(officer, old, kind="phone_call", occurred_on=date(2026, 1, 6),
                         today=date(2026, 1, 6))
        factories.close(old, date(2026, 1, 7), outcome="withdrawn", actor=officer)
        case = service.open_case(officer, alfa, [Category.PDS_TK], date(2026, 2, 23))
        db.session.commit()
        tasks.sweep(TODAY)  # due 2 March: not overdue yet
        tasks.sweep(date(2026, 3, 3))
        db.session.commit()
        assert db.session.get(Case, case.id).overdue_since == date(2026, 3, 3)
        calendar_service.add_holiday(world["tegal_supervisor"], date(2026, 2, 25), "Hari jadi kota")
        db.session.commit()
    assert_copies_fresh()
    login(client, world["supervisor"])
    assert post(client, f"/companies/{alfa.id}/transfer",
                {"branch": world["tgl"].id}).status_code == 302
    assert assert_copies_fresh() == 2
    moved = db.session.get(Case, case.id)
    assert moved.branch_id == world["tgl"].id
    assert (moved.next_due_on, moved.overdue_since) == (date(2026, 3, 3), None)


def test_the_sweeps_bulk_overdue_marks_are_the_projections(app, world, make_company):
    """The sweep marks overdue cases in one UPDATE: exactly where `project(case, swept_on=day)`
    would, with the same date, keeping earlier marks; projecting afterwards changes nothing."""
    officer = world["officer"]
    opened = {"due 9 Jan": date(2026, 1, 2), "due 26 Feb": date(2026, 2, 19),
              "due 2 Mar": date(2026, 2, 23), "due 3 Mar": date(2026, 2, 24),
              "paused": date(2026, 1, 2), "closed": date(2026, 1, 2)}
    with app.test_request_context():
        cases = {}
        for label, day in opened.items():
            company = make_company(world["pkl"], f"CV {label}", officer_id=officer.id)
            cases[label] = service.open_case(officer, company, [Category.PWBD], day)
        service.pause_case(officer, cases["paused"], "dispute", TODAY)
        factories.close(cases["closed"], TODAY, outcome="withdrawn", actor=officer)
        tasks.sweep(date(2026, 2, 27))  # marks the one due 9 January
        db.session.commit()
    for day in (date(2026, 2, 27), TODAY, date(2026, 3, 3), date(2026, 3, 4)):
        db.session.expire_all()
        before = {}
        for label, case in cases.items():
            case = db.session.get(Case, case.id)
            before[label] = (case.status, case.next_due_on, case.overdue_since)
        with app.test_request_context():
            tasks.sweep(day)
            db.session.commit()
        assert_copies_fresh()
        for label, (status, due_on, mark) in before.items():
            case = db.session.get(Case, cases[label].id)
            assert case.overdue_since == policy.overdue_mark(
                status, due_on, was_due_on=due_on, was_marked=mark, swept_on=day), (label, day)
            copies = (case.stage, case.next_rung, case.next_due_on, case.reached,
                      case.overdue_since)
            service.project(case, swept_on=day)
            assert (case.stage, case.next_rung, case.next_due_on, case.reached,
                    case.overdue_since) == copies, (label, day)
        db.session.rollback()
    marks = {label: db.session.get(Case, case.id).overdue_since for label, case in cases.items()}
    assert marks == {"due 9 Jan": date(2026, 2, 27), "due 26 Feb": date(2026, 2, 27),
                     "due 2 Mar": date(2026, 3, 3), "due 3 Mar": date(2026, 3, 4),
                     "paused": None, "closed": None}


def test_closing_a_case_clears_its_overdue_mark(app, world):
    """A case the sweep marked overdue loses the mark when it is closed (nothing is due on a
    closed case); so does a paused one."""
    officer = world["officer"]
    alfa, bravo = world["companies"][:2]
    with app.test_request_context():
        closing = service.open_case(officer, alfa, [Category.PWBD], date(2026, 1, 5))
        pausing = service.open_case(officer, bravo, [Category.PWBD], date(2026, 1, 5))
        db.session.commit()
        tasks.sweep(TODAY)
        db.session.commit()
        assert closing.overdue_since == pausing.overdue_since == TODAY
        factories.close(closing, TODAY, outcome="withdrawn", actor=officer)
        service.pause_case(officer, pausing, "dispute", TODAY)
        db.session.commit()
    assert db.session.get(Case, closing.id).overdue_since is None
    assert db.session.get(Case, pausing.id).overdue_since is None
    assert_copies_fresh()


MEMBERSHIP_LIST = [
    ["NPP", "Nama Perusahaan", "NIB", "Jumlah TK", "Program", "Tanggal Kepesertaan"],
    ["12345678", "PT Alfa", "1000000000001", "20", "JKK, JKM, JHT", "17 Februari 2026"],
]


def test_an_import_and_closing_its_suggested_case_write_the_copies(app, client, world,
                                                                    tmp_path):
    """The agency's list puts a case on the verify-and-close list (its copies untouched and
    still right); closing it from there writes them."""
    officer = world["officer"]
    alfa = world["companies"][0]
    with app.test_request_context():
        case = service.open_case(officer, alfa, [Category.PWBD], date(2026, 2, 2))
        factories.delivered_step(case, "notification", date(2026, 2, 2),
                                 delivered_on=date(2026, 2, 3), actor=officer)
        tasks.sweep(TODAY)
        db.session.commit()
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(MEMBERSHIP_LIST)
    path = tmp_path / "peserta.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["companies", "import", str(path), "--branch",
                                                "KC-PKL", "--source", "bpjs", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["updated"] == 1
    assert_copies_fresh()
    suggestion = db.session.scalars(select(CloseSuggestion)).one()
    login(client, officer)
    case = db.session.get(Case, suggestion.case_id)
    assert case.overdue_since == TODAY
    assert post(client, f"/cases/{case.id}/close",
                {"outcome": "compliant", "npp": "12345678", "evidence": "Daftar BPJS",
                 "version": case.version}).status_code == 302
    assert_copies_fresh()
    case = db.session.get(Case, suggestion.case_id)
    assert (case.status, case.overdue_since, case.next_due_on) == (CaseStatus.CLOSED, None, None)


def test_demo_data_made_through_the_services_has_fresh_copies(app):
    """The demo seed walks cases along the ladder through the services: every copy holds."""
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--companies", "12"])
    assert result.exit_code == 0, result.output
    assert assert_copies_fresh() > 10


def test_reproject_command_writes_the_copies_again(app, world):
    """`flask cases reproject` brings copies left stale by an upgrade back to what the steps
    say, in transactions of the chunk given."""
    officer = world["officer"]
    with app.test_request_context():
        cases = [service.open_case(officer, company, [Category.PWBD], date(2026, 1, 5))
                 for company in world["companies"]]
        factories.delivered_step(cases[0], "notification", date(2026, 1, 5), actor=officer)
    for case in cases:
        case.stage, case.next_rung, case.next_due_on = "fine", "tmp2t", None  # stale
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["cases", "reproject", "--chunk", "2"])
    assert result.exit_code == 0 and "reprojected 3 cases" in result.output
    db.session.expire_all()
    assert assert_copies_fresh() == 3
    assert db.session.get(Case, cases[0].id).stage == "notification"


def test_a_commitment_made_and_judged_writes_the_copies(app, world):
    """A commitment holds the next step until its promised day plus the branch's grace; judged
    broken, the case is due where it was; another kept: each time the copies hold."""
    from outreach.legal import service as legal

    officer = world["officer"]
    with app.test_request_context():
        case = service.open_case(officer, world["companies"][1], [Category.PWBD],
                                 date(2026, 2, 2))
        db.session.commit()
        was = case.next_due_on
        promise = legal.add_commitment(officer, case, made_on=date(2026, 2, 20),
                                       promised_on=date(2026, 3, 20), today=TODAY,
                                       workers_promised=20, signatory_name="Pak Joko")
        db.session.commit()
        assert assert_copies_fresh() == 1
        case = db.session.get(Case, case.id)
        assert case.next_due_on > date(2026, 3, 20)
        assert case.company.open_case_due_on == case.next_due_on
        legal.judge_commitment(officer, promise, kept=False, today=TODAY, note="Tidak datang.")
        db.session.commit()
        assert assert_copies_fresh() == 1
        assert db.session.get(Case, case.id).next_due_on == was
