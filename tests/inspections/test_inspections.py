"""Inspections: the assignment letter, the record signed on site, the report approved by a
second person, its findings on the company's figures, the ladder's rule (PP 86/2013 art. 13),
the history of the figures, the dossier and the blank record."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from outreach.cases import service as cases
from outreach.cases.models import Category
from outreach.companies import service as companies
from outreach.companies.models import Company, FigureChange
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.imports.models import CompanySourceValue
from outreach.inspections import service as inspections
from outreach.inspections.models import Checked, Inspection
from outreach.ladder import rules as policy
from outreach.letters.render import pdf_text
from outreach.money.service import ledger
from outreach.org.models import Role
from tests import factories
from tests.conftest import login, post

#: the refusal of warning I without an approved report, as users read it (Indonesian)
PASAL_13 = "PP 86/2013 pasal 13 ayat (1)"
#: a Monday: the notification's window and the visit are behind
TODAY = date(2026, 2, 2)


@pytest.fixture
def world(make_branch, make_user):
    branch = make_branch()
    return {"branch": branch,
            "officer": make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati"),
            "supervisor": make_user(Role.SUPERVISOR, branch=branch, name="Dwi Pratama"),
            "second": make_user(Role.SUPERVISOR, branch=branch, name="Hendra Wijaya")}


def persuaded(world, categories, **values):
    """A company with a case of `categories`: notified (delivered 6 January) and visited."""
    company = factories.company(world["branch"], "PT Batik Pesisir", actor=world["officer"],
                                categories=categories, director_name="Budi Santoso",
                                workers_estimated=10, workers_registered=4,
                                average_wage=3_000_000, programs="JKK,JKM", **values)
    case = company.cases[0]
    factories.delivered_step(case, "notification", date(2026, 1, 5),
                             delivered_on=date(2026, 1, 6), actor=world["officer"])
    factories.step(case, "visit", date(2026, 1, 8), actor=world["officer"], outcome="refused")
    return case


def warning_1(case, today=TODAY):
    return next(v for v in policy.options(case, today) if v.rung.code == "warning_1")


def test_warning_1_on_pds_is_refused_without_an_approved_report(world):
    """Can warning I be given to a company under-reporting its workers without an inspection?
    No: the refusal cites PP 86/2013 art. 13; a PWBD case needs none."""
    case = persuaded(world, (Category.PDS_TK,))
    verdict = warning_1(case)
    assert not verdict.allowed
    assert PASAL_13 in " ".join(verdict.reasons) and "PDS-TK" in " ".join(verdict.reasons)
    with pytest.raises(ServiceError, match=re.escape(PASAL_13)):
        cases.log_step(world["officer"], case, kind="warning_1", occurred_on=TODAY, today=TODAY)
    db.session.rollback()
    pwbd = factories.company(world["branch"], "PT Tanpa Daftar", categories=(Category.PWBD,))
    factories.delivered_step(pwbd.cases[0], "notification", date(2026, 1, 5),
                             delivered_on=date(2026, 1, 6))
    factories.step(pwbd.cases[0], "visit", date(2026, 1, 8))
    assert warning_1(pwbd.cases[0]).allowed


def test_a_report_submitted_but_not_approved_does_not_unlock_warning_1(world):
    """Does a report waiting for the supervisor count? No: only an approved one."""
    case = persuaded(world, (Category.ARREARS,))
    factories.reported_inspection(case, TODAY, actor=world["officer"])
    assert not warning_1(case).allowed


def test_inspection_over_http_raises_estimated_workers_and_unlocks_warning_1(client, world):
    """An officer assigns inspectors, issues the assignment letter, records the findings
    signed on site and submits the report; another supervisor approves it: the company's
    estimated workers and wage become what was found, shown with their source, the ledger
    counts them, and warning I may be given."""
    case = persuaded(world, (Category.PDS_TK,))
    company = case.company
    owed_before = ledger(company, date(2026, 6, 1)).contribution_balance
    with time_machine.travel("2026-02-02 09:00 +0700", tick=False):
        login(client, world["officer"])
        response = post(client, f"/cases/{case.id}/inspections/new",
                        {"inspectors": "Agus Prasetyo\nRina Kusumawati",
                         "planned_on": "2026-02-02"})
        assert response.status_code == 302
        inspection = db.session.scalars(select(Inspection)).one()
        assert inspection.letter.template.code == "assignment"
        refused = post(client, f"/inspections/{inspection.id}/record",
                       {"inspected_on": "2026-02-02", "checked": ["worker_lists"],
                        "representative_name": "Budi", "representative_position": "HRD"})
        assert refused.status_code == 400 and "surat tugas" in refused.get_data(as_text=True)
        post(client, f"/letters/{inspection.letter_id}/issue", {"confirm": "y"})
        db.session.refresh(inspection)
        letter_text = pdf_text(inspection.letter.pdf)
        assert "Agus Prasetyo" in letter_text and "Rina Kusumawati" in letter_text
        assert inspection.letter.number
        response = post(client, f"/inspections/{inspection.id}/record", {
            "inspected_on": "2026-02-02", "checked": ["worker_lists", "payroll", "membership"],
            "workers_found": "25", "wages_found": "3500000", "programs_found": ["JKK", "JKM"],
            "representative_name": "Budi Santoso", "representative_position": "Direktur"})
        assert response.status_code == 302
        post(client, f"/inspections/{inspection.id}/report",
             {"conclusions": "Ditemukan 25 pekerja, 4 terdaftar."})
        assert db.session.get(Company, company.id).workers_estimated == 10  # not yet approved
        assert not warning_1(case).allowed
        supervisor = client.application.test_client()
        login(supervisor, world["second"])
        response = post(supervisor, f"/inspections/{inspection.id}/decision",
                        {"decision": "approve", "note": "Sesuai"})
        assert response.status_code == 302
        db.session.expire_all()
        company = db.session.get(Company, company.id)
        assert (company.workers_estimated, company.average_wage) == (25, 3_500_000)
        kept = {row.field: row for row in db.session.scalars(select(CompanySourceValue).where(
            CompanySourceValue.company_id == company.id,
            CompanySourceValue.source == "inspection"))}
        assert kept["workers_estimated"].value == "25"
        assert ledger(company, date(2026, 6, 1)).contribution_balance > owed_before > 0
        assert warning_1(case).allowed
        page = client.get(f"/companies/{company.id}").get_data(as_text=True)
        assert "Perkiraan jumlah pekerja: Pemeriksaan, 2 Februari 2026" in page
        assert "25 pekerja ditemukan" in page
        response = post(client, f"/cases/{case.id}/steps/new",
                        {"kind": "warning_1", "occurred_on": "2026-02-02",
                         "version": str(case.version)})
        assert response.status_code == 302
    assert any(s.kind == "warning_1" for s in case.steps)


def test_four_eyes_the_author_of_the_report_cannot_approve_it(client, world):
    """May the supervisor who wrote the report approve it? No; an officer may not decide at
    all; another supervisor may, and a report sent back can be corrected and submitted."""
    case = persuaded(world, (Category.PDS_UPAH,))
    author = world["supervisor"]
    inspection = factories.reported_inspection(case, TODAY, actor=author)
    with pytest.raises(ServiceError, match="Four eyes|Empat mata|sendiri"):
        inspections.decide_report(author, inspection, approve=True, note="", now=None,
                                  today=TODAY)
    db.session.rollback()
    login(client, world["officer"])
    assert post(client, f"/inspections/{inspection.id}/decision",
                {"decision": "approve"}).status_code == 403
    second = client.application.test_client()
    login(second, world["second"])
    sent_back = post(second, f"/inspections/{inspection.id}/decision", {"decision": "return"})
    assert sent_back.status_code == 400  # a reason is needed to send it back
    post(second, f"/inspections/{inspection.id}/decision",
         {"decision": "return", "note": "Lampirkan daftar upah."})
    db.session.refresh(inspection)
    assert inspection.status == "returned"
    factories.reported_inspection(case, TODAY, actor=author, inspection=inspection)
    post(second, f"/inspections/{inspection.id}/decision", {"decision": "approve"})
    db.session.refresh(inspection)
    assert inspection.status == "approved" and inspection.decided_by_id == world["second"].id


def test_history_of_the_figures_shows_on_the_company_page_and_the_dashboard(client, world):
    """Registered 10 of 25 in March, 25 of 25 in May: the company page shows it month by month
    with a chart, and the dashboard counts the company as improved in May."""
    company = factories.company(world["branch"], "PT Tenun Jaya", actor=world["officer"],
                                categories=(Category.PDS_TK,), opened_on=date(2026, 3, 2),
                                workers_estimated=25, workers_registered=10)
    companies.update_company(world["officer"], company, {
        **{f: getattr(company, f) for f in companies.COMPANY_FIELDS},
        "programs": company.program_list, "workers_registered": 25}, today=date(2026, 5, 4))
    db.session.commit()
    changes = db.session.scalars(select(FigureChange).where(
        FigureChange.company_id == company.id, FigureChange.field == "workers_registered")
        .order_by(FigureChange.id)).all()
    assert [(c.before, c.after, c.source) for c in changes] == [
        ("", "10", "officer"), ("10", "25", "officer")]
    with time_machine.travel("2026-05-06 09:00 +0700", tick=False):
        login(client, world["supervisor"])
        page = client.get(f"/companies/{company.id}").get_data(as_text=True)
        assert "terdaftar 10 dari 25 pada Maret 2026" in page
        assert "terdaftar 25 dari 25 pada Mei 2026" in page
        assert "<svg" in page and "Pekerja terdaftar dari perkiraan pekerja, per bulan" in page
        dashboard = client.get("/dashboard/").get_data(as_text=True)
        assert re.search(r'id="improved">1<', dashboard)
    with time_machine.travel("2026-06-02 09:00 +0700", tick=False):
        dashboard = client.get("/dashboard/").get_data(as_text=True)
        assert re.search(r'id="improved">0<', dashboard)


def test_an_approved_inspection_goes_into_the_history_with_its_source(world):
    """Is a figure an inspection changed recorded as the inspection's? Yes, with its day."""
    case = persuaded(world, (Category.PDS_TK,))
    inspection = factories.inspected(case, TODAY, workers_found=30)
    change = db.session.scalars(select(FigureChange).where(
        FigureChange.inspection_id == inspection.id)).one()
    assert (change.field, change.before, change.after, change.source, change.changed_on) == (
        "workers_estimated", "10", "30", "inspection", TODAY)
    months = companies.monthly_history(companies.figure_history(case.company))
    assert [(p.workers_registered, p.workers_estimated) for p in months] == [(4, 10), (4, 30)]


def test_the_dossier_includes_the_inspection(client, world):
    """Does the legal dossier show the inspection its sanctions rest on? Yes: the assignment
    letter's number, the inspectors, the findings and the approval."""
    officer, supervisor = world["officer"], world["supervisor"]
    case = factories.company(world["branch"], "PT Batik Pesisir Lama", actor=officer,
                             categories=(Category.PDS_TK,), opened_on=date(2025, 9, 1),
                             director_name="Budi Santoso", address="Jl. Hayam Wuruk 10",
                             city="Kota Pekalongan", workers_estimated=12,
                             workers_registered=2, average_wage=3_000_000).cases[0]
    factories.partner_offices(world["branch"], "Kota Pekalongan")
    referral = factories.requested_referral(case, date(2026, 1, 12), actor=officer,
                                            approver=supervisor)
    factories.decision(referral, world["second"], approve=True)
    factories.issued_letter(referral.letter, date(2026, 1, 12), actor=officer)
    inspection = db.session.scalars(select(Inspection)).one()
    login(client, supervisor)
    text = pdf_text(client.get(f"/cases/{case.id}/dossier.pdf").data)
    assert "Pemeriksaan (Pasal 13 PP 86/2013)" in text
    assert inspection.letter.number in re.sub(r"\s+", "", text)  # wrapped in its cell
    flat = " ".join(text.split())
    assert "Agus Prasetyo" in flat and "Pekerja ditemukan: 12" in flat
    assert "Laporan disetujui" in flat


def test_the_blank_inspection_record_prints_for_the_visit(client, world):
    """Can the officer print the Berita Acara Pemeriksaan to sign on site? Yes: a real PDF
    naming the company, the inspectors and the assignment letter, with room for the
    representative's name and position."""
    case = persuaded(world, (Category.PDS_PROGRAM,))
    inspection = factories.assigned_inspection(case, TODAY, actor=world["officer"])
    login(client, world["officer"])
    response = client.get(f"/inspections/{inspection.id}/record-form.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "BERITA ACARA PEMERIKSAAN" in text and "PT Batik Pesisir" in text
    assert "Agus Prasetyo" in text and inspection.letter.number in text
    assert "Wakil Perusahaan" in text and "Jabatan" in text


def test_another_branch_cannot_see_an_inspection(client, world, make_branch, make_user):
    """Can an officer of another branch open the inspection? No: it is not found."""
    case = persuaded(world, (Category.PDS_TK,))
    inspection = factories.assigned_inspection(case, TODAY)
    other = make_user(Role.OFFICER, branch=make_branch("KC-SMG", "Semarang"))
    login(client, other)
    assert client.get(f"/inspections/{inspection.id}").status_code == 404
    assert client.get(f"/inspections/{inspection.id}/record-form.pdf").status_code == 404


def test_the_morning_sweep_drafts_warning_1_only_once_the_report_is_approved(app, world):
    """Does the sweep prepare the letter of warning I for a PDS case without an approved
    report? No; once the report is approved, the next sweep prepares it."""
    from outreach.letters.models import Letter
    from outreach.scheduler import jobs

    case = persuaded(world, (Category.PDS_TK,))
    assert case.next_rung == "warning_1"

    def prepared():
        return [letter.data.get("rung") for letter in db.session.scalars(select(Letter).where(
            Letter.case_id == case.id, Letter.status == "draft"))]

    with app.test_request_context():
        jobs.morning_sweep(TODAY)
        db.session.commit()
        assert "warning_1" not in prepared()
        factories.inspected(case, TODAY)
        jobs.morning_sweep(date(2026, 2, 3))
        db.session.commit()
    assert "warning_1" in prepared()


def test_the_one_who_entered_the_findings_cannot_approve_them(world):
    """A supervisor enters the record, a second supervisor submits it: the first may still not
    approve findings of their own; the second may."""
    case = persuaded(world, (Category.PDS_UPAH,))
    author, second = world["supervisor"], world["second"]
    inspection = factories.assigned_inspection(case, TODAY, actor=author)
    inspections.record_findings(
        author, inspection, inspected_on=TODAY, checked=list(Checked.ALL), workers_found=30,
        wages_found=None, programs_found=None, representative_name="Pak Joko",
        representative_position="Manajer HRD", today=TODAY)
    inspections.submit_report(second, inspection, conclusions="Pekerja belum terdaftar.",
                              today=TODAY)
    db.session.commit()
    with pytest.raises(ServiceError):
        inspections.decide_report(author, inspection, approve=True, note="", now=None,
                                  today=TODAY)
    db.session.rollback()
    inspections.decide_report(second, inspection, approve=True, note="", now=None, today=TODAY)
    assert inspection.status == "approved" and inspection.decided_by_id == second.id


def test_the_sweep_asks_for_the_inspection_warning_1_waits_for(client, world):
    """When warning I is due on a PDS case without an approved report, does the officer get a
    task to log warning I (which the step form would refuse)? No: a task to assign
    inspectors, done once they are assigned, none while the inspection is under way, and the
    warning I task once the report is approved; the company page says why warning I waits."""
    from outreach.tasks import service as tasks
    from outreach.tasks.models import Reminder

    case = persuaded(world, (Category.PDS_TK,))
    case.company.officer_id = world["officer"].id
    db.session.commit()
    assert case.next_rung == "warning_1" and case.next_due_on <= TODAY

    def open_tasks():
        db.session.expire_all()
        return sorted((r.kind, r.rung_code) for r in db.session.scalars(
            select(Reminder).where(Reminder.case_id == case.id, Reminder.status == "open")))

    tasks.sweep(TODAY)
    db.session.commit()
    assert open_tasks() == [("inspection", "warning_1")]
    with time_machine.travel("2026-02-02 09:00 +0700", tick=False):
        login(client, world["officer"])
        page = client.get("/tasks/").get_data(as_text=True)
        assert f"/cases/{case.id}/inspections/new" in page and "Tugaskan pemeriksa" in page
        assert f"/cases/{case.id}/steps/new?kind=warning_1" not in page
        day = client.get("/offline/day.json").get_json()
        assert day["tasks"][0]["message"] == "Tugaskan pemeriksa sebelum Teguran Tertulis I."
        company_page = client.get(f"/companies/{case.company_id}").get_data(as_text=True)
        assert "Belum dapat dilakukan" in company_page and PASAL_13 in company_page
        response = post(client, f"/cases/{case.id}/inspections/new",
                        {"inspectors": "Agus Prasetyo", "planned_on": "2026-02-03"})
        assert response.status_code == 302
    assert open_tasks() == []
    tasks.sweep(date(2026, 2, 3))
    db.session.commit()
    assert open_tasks() == []  # the inspection under way is followed on its own page
    factories.inspected(case, date(2026, 2, 3))
    tasks.sweep(date(2026, 2, 4))
    db.session.commit()
    assert open_tasks() == [("action_due", "warning_1")]
