"""Moving a company to another branch moves its cases' ongoing work with it.

Reminders, close suggestions, directives and draft letters go to the new branch (drafts made
again from its template, so that they are issued with its number and letterhead); issued
letters stay the record of the branch that issued them and both branches read them; the old
branch's officers find nothing else.
"""

from __future__ import annotations

from datetime import date

import flask_migrate
import pytest
import time_machine
from sqlalchemy import select

from outreach.cases import service as case_service
from outreach.cases.models import Case, Category
from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.imports.models import CloseSuggestion
from outreach.letters import service as letters
from outreach.letters.models import Letter
from outreach.letters.render import pdf_text
from outreach.org.models import Role
from outreach.reports import review
from outreach.reports.models import Directive
from outreach.tasks import service as tasks
from outreach.tasks.models import Reminder
from tests import factories
from tests.cases.test_projection import assert_copies_fresh
from tests.conftest import login, post

TODAY = date(2026, 3, 2)  # a Monday
BASE = "https://outreach.example.id"
TEGAL_LINE = "Kantor Cabang Tegal siap mendampingi pendaftaran."


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


@pytest.fixture
def world(app, make_branch, make_user, make_company):
    """PT Batik Pesisir in Pekalongan, worked by Andi: a notification issued and delivered,
    a second one still a draft, the morning's tasks, a directive and a suggestion to close."""
    pkl = make_branch("KC-PKL", "Pekalongan")
    tgl = make_branch("KC-TGL", "Tegal")
    andi = make_user(Role.OFFICER, branch=pkl, name="Andi Wijaya")
    boss = make_user(Role.SUPERVISOR, branch=pkl, name="Citra Lestari")
    tono = make_user(Role.OFFICER, branch=tgl, name="Tono Tegal")
    tari = make_user(Role.SUPERVISOR, branch=tgl, name="Tari Tegal")
    for user in (andi, boss, tari):
        user.locale = "en"
    company = make_company(pkl, "PT Batik Pesisir", officer_id=andi.id, workers_estimated=12,
                           director_name="Budi Santoso", address="Jl. Hayam Wuruk 10")
    with app.test_request_context():
        case = case_service.open_case(andi, company, [Category.PWBD], date(2026, 1, 5))
        first = case_service.log_step(andi, case, kind="notification",
                                      occurred_on=date(2026, 1, 5), today=date(2026, 1, 5))
        case_service.issue_letter(andi, first.letter, date(2026, 1, 5), BASE)
        case_service.record_delivery(andi, first, delivered=True, on=date(2026, 1, 6),
                                     today=date(2026, 1, 6), method="hand", recipient="Bu Sari")
        second = case_service.log_step(andi, case, kind="notification",
                                       occurred_on=date(2026, 2, 2), today=date(2026, 2, 2))
        tasks.sweep(TODAY)  # the visit is due; the second letter is still a draft
        directive = review.leave_directive(boss, case, "Kunjungi minggu ini.", TODAY,
                                           public_base_url=BASE)
        # a raw row: the import makes suggestions from a whole list of registered employers
        db.session.add(CloseSuggestion(branch_id=pkl.id, case_id=case.id, npp="12345678",
                                       workers_registered=12, programs="JKK,JKM,JHT"))
        # Tegal has its own version of the notification
        default = letters.current_template("notification", tgl.id)
        letters.save_template(tari, "notification", subject=default.subject,
                              nature=default.nature, copies=default.copies,
                              classification=default.classification,
                              body=default.body + f"<p>{TEGAL_LINE}</p>")
        db.session.commit()
    reminders = db.session.scalars(select(Reminder).order_by(Reminder.id)).all()
    assert {r.kind for r in reminders} == {"action_due"}
    assert all(r.officer_id == andi.id for r in reminders)
    return {"pkl": pkl, "tgl": tgl, "andi": andi, "boss": boss, "tono": tono, "tari": tari,
            "company": company, "case": case, "issued": first.letter, "draft": second.letter,
            "reminders": reminders, "directive": directive,
            "suggestion": db.session.scalars(select(CloseSuggestion)).one()}


def signed_in(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_transfer_moves_the_cases_work_and_both_branches_read_its_issued_letters(app, world):
    """After a transfer from KC-PKL to KC-TGL, Pekalongan's officer gets 404 on the draft
    letter, the tasks, the suggestion and the company, and can still read the letter it
    issued; Tegal reads that letter too, and issues the draft with its own number,
    letterhead and template, completes the tasks and handles the suggestion."""
    issued, draft = world["issued"], world["draft"]
    assert "/KC-PKL/" in issued.number
    supervisor = signed_in(app, world["boss"])
    response = post(supervisor, f"/companies/{world['company'].id}/transfer",
                    {"branch": world["tgl"].id})
    assert response.status_code == 302

    pekalongan = signed_in(app, world["andi"])
    assert pekalongan.get(f"/letters/{draft.id}").status_code == 404
    assert pekalongan.get(f"/letters/{draft.id}.pdf").status_code == 404
    assert post(pekalongan, f"/letters/{draft.id}/issue").status_code == 404
    assert db.session.get(Letter, draft.id).status == "draft"
    for reminder in world["reminders"]:
        assert post(pekalongan, f"/tasks/{reminder.id}/done").status_code == 404
        assert db.session.get(Reminder, reminder.id).status == "open"
    assert "PT Batik Pesisir" not in pekalongan.get("/tasks/").get_data(as_text=True)
    assert post(pekalongan, f"/imports/suggestions/{world['suggestion'].id}/dismiss"
                ).status_code == 404
    assert pekalongan.get(f"/companies/{world['company'].id}").status_code == 404
    assert pekalongan.get(f"/cases/{world['case'].id}/visit-form.pdf").status_code == 404
    # the letter Pekalongan issued stays its record
    assert pekalongan.get(f"/letters/{issued.id}").status_code == 200
    assert pekalongan.get(f"/letters/{issued.id}.pdf").data == issued.pdf
    assert issued.number in pekalongan.get("/letters/").get_data(as_text=True)

    tegal = signed_in(app, world["tono"])
    assert tegal.get(f"/letters/{issued.id}").status_code == 200
    assert tegal.get(f"/letters/{issued.id}.pdf").data == issued.pdf
    assert tegal.get(f"/letters/{draft.id}").status_code == 200
    assert post(tegal, f"/letters/{draft.id}/issue", {"confirm": "y"}).status_code == 302
    letter = db.session.get(Letter, draft.id)
    assert letter.status == "issued" and letter.branch_id == world["tgl"].id
    assert letter.number == "001/PKP/KC-TGL/III/2026"
    text = pdf_text(letter.pdf)
    assert "001/PKP/KC-TGL/III/2026" in text and "Tegal, 2 Maret 2026" in text
    assert "PEKALONGAN" not in text.upper()
    assert TEGAL_LINE in text  # made again from Tegal's own template
    assert db.session.get(Letter, issued.id).number.startswith("001/PKP/KC-PKL/")
    for reminder in world["reminders"]:
        assert post(tegal, f"/tasks/{reminder.id}/done",
                    {"reason": "Ditangani cabang Tegal"}).status_code == 302
        assert db.session.get(Reminder, reminder.id).status == "done"
    assert post(tegal, f"/imports/suggestions/{world['suggestion'].id}/dismiss"
                ).status_code == 302
    assert db.session.get(CloseSuggestion, world["suggestion"].id).status == "dismissed"
    page = tegal.get(f"/companies/{world['company'].id}").get_data(as_text=True)
    assert "Kunjungi minggu ini." in page
    assert db.session.get(Directive, world["directive"].id).branch_id == world["tgl"].id
    assert_copies_fresh()


def test_transfer_leaves_the_tasks_to_nobody_and_records_what_moved(app, world):
    """The open tasks leave the old branch's officers' lists; the audit of the transfer says
    what moved, in both branches' trails."""
    supervisor = signed_in(app, world["boss"])
    post(supervisor, f"/companies/{world['company'].id}/transfer", {"branch": world["tgl"].id})
    reminders = db.session.scalars(select(Reminder)).all()
    assert {(r.branch_id, r.officer_id) for r in reminders} == {(world["tgl"].id, None)}
    suggestion = db.session.get(CloseSuggestion, world["suggestion"].id)
    assert suggestion.branch_id == world["tgl"].id
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "company.transfer")).all()
    assert {e.branch_id for e in events} == {world["pkl"].id, world["tgl"].id}
    assert events[0].changes == {
        "branch_id": [world["pkl"].id, world["tgl"].id], "reminders": 1,
        "close_suggestions": 1, "directives": 1, "draft_letters": 1}
    moved = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "letter.transfer")).one()
    assert (moved.entity_id, moved.branch_id) == (world["draft"].id, world["tgl"].id)


def test_migration_moves_what_earlier_transfers_left_behind(app, world, make_company):
    """Data written before the fix: the migration gives the transferred case's reminders,
    suggestion, directive and draft to the branch that holds it (the draft with that branch's
    template), leaves the issued letter where it was issued, and clears the overdue mark of a
    closed case."""
    company, case = world["company"], world["case"]
    company.branch_id, company.officer_id = world["tgl"].id, world["tono"].id
    case.branch_id = world["tgl"].id  # what transfer_company used to do, and nothing else
    other = make_company(world["pkl"], "CV Ikan Segar")
    with app.test_request_context():
        closed = case_service.open_case(world["andi"], other, [Category.PWBD], date(2026, 1, 5))
        db.session.commit()
        tasks.sweep(TODAY)
        factories.close(closed, TODAY, outcome="withdrawn", actor=world["andi"],
                        approver=world["boss"])
        closed.overdue_since = TODAY  # what closing used to leave behind
        db.session.commit()
    flask_migrate.downgrade(revision="e41f7c2b9d55")
    flask_migrate.upgrade()
    db.session.expire_all()
    tgl = world["tgl"].id
    assert {(r.branch_id, r.officer_id) for r in db.session.scalars(
        select(Reminder).where(Reminder.case_id == case.id))} == {(tgl, world["tono"].id)}
    assert db.session.get(CloseSuggestion, world["suggestion"].id).branch_id == tgl
    assert db.session.get(Directive, world["directive"].id).branch_id == tgl
    draft = db.session.get(Letter, world["draft"].id)
    assert (draft.branch_id, draft.status) == (tgl, "draft")
    assert draft.template == letters.current_template("notification", tgl)
    assert db.session.get(Letter, world["issued"].id).branch_id == world["pkl"].id
    assert db.session.get(Case, closed.id).overdue_since is None
