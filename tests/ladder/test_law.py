"""The law's limits on the ladder (PP 86/2013 art. 5-8) and what a branch may shape."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from outreach.cases import service as cases
from outreach.cases.models import Approval, Category
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.ladder import rules as policy
from outreach.ladder import service as ladder
from outreach.ladder.models import LadderRung
from outreach.org.models import Role
from tests import factories
from tests.conftest import login, post

#: the text of PP 86/2013 art. 6 as a refusal shows it (Indonesian, the default language)
PASAL_6 = ("PP 86/2013 pasal 6: teguran tertulis paling banyak 2 kali, masing-masing paling "
           "lama 10 hari kerja.")
PASAL_7 = "PP 86/2013 pasal 7"


@pytest.fixture
def world(make_branch, make_user, make_company):
    branch = make_branch()
    supervisor = make_user(Role.SUPERVISOR, branch=branch)
    officer = make_user(Role.OFFICER, branch=branch)
    company = make_company(branch, "PT Batik Pesisir", categories=(Category.PWBD,))
    return {"branch": branch, "supervisor": supervisor, "officer": officer,
            "company": company, "case": company.cases[0]}


def allowed(case, today):
    return {v.rung.code for v in policy.options(case, today) if v.allowed}


def reasons(case, code, today):
    return " ".join(next(v for v in policy.options(case, today) if v.rung.code == code).reasons)


def approved(step, supervisor, on):
    return factories.decision(step, supervisor, approve=True,
                              now=datetime(on.year, on.month, on.day, 9))


def to_warning_2(case, supervisor, *, delivered_on=date(2026, 4, 9)):
    """Letter, visit, warning I (approved, issued and delivered 16 March), warning II (approved
    and issued 8 April, delivered on `delivered_on`)."""
    factories.delivered_step(case, "notification", date(2026, 1, 5), delivered_on=date(2026, 1, 6))
    factories.step(case, "visit", date(2026, 1, 8))
    factories.delivered_step(case, "warning_1", date(2026, 3, 16), approver=supervisor)
    warning_2 = factories.sent_step(case, "warning_2", date(2026, 4, 8), approver=supervisor)
    if delivered_on is not None:
        factories.delivery(warning_2, delivered_on)
    return warning_2


@pytest.mark.parametrize(("code", "settings", "field"), [
    ("warning_1", {"window_days": 10, "max_count": 1, "active": False}, "active"),
    ("warning_2", {"window_days": 10, "max_count": 1, "active": False}, "active"),
    ("warning_1", {"window_days": 20, "max_count": 1, "active": True}, "window_days"),
    ("warning_2", {"window_days": None, "max_count": 1, "active": True}, "window_days"),
    ("warning_1", {"window_days": 10, "max_count": 3, "active": True}, "max_count"),
], ids=["warning I off", "warning II off", "window 20", "no window", "three warnings"])
def test_branch_cannot_bend_the_warnings(world, code, settings, field):
    """Switching a warning off, giving it 20 working days or none, or allowing three are each
    refused at their setting with the text of PP 86/2013 pasal 6, and nothing is written."""
    with pytest.raises(ServiceError) as refused:
        ladder.adjust_rung(world["supervisor"], code, **settings)
    db.session.rollback()
    assert PASAL_6 in refused.value.message
    assert refused.value.field == field
    assert db.session.scalars(select(LadderRung).where(
        LadderRung.branch_id.is_not(None))).all() == []


@pytest.mark.parametrize("code", ["fine", "tmp2t", "legal_referral"])
def test_branch_cannot_switch_off_the_later_sanctions(world, code):
    """The fine, TMP2T and the legal referral cannot be switched off; the refusal cites
    PP 86/2013."""
    with pytest.raises(ServiceError, match="PP 86/2013 pasal") as refused:
        ladder.adjust_rung(world["supervisor"], code, window_days=None, max_count=1,
                           active=False)
    assert refused.value.field == "active"


def test_fine_gets_no_window(world):
    """A window after the fine letter is refused: the fine's time limit is its deadline after
    warning II (pasal 7)."""
    with pytest.raises(ServiceError, match=PASAL_7):
        ladder.adjust_rung(world["supervisor"], "fine", window_days=30, max_count=1, active=True)


def test_approval_of_tmp2t_and_referral_stays_on_the_warnings_are_the_branchs(world):
    """A branch may not drop the supervisor's approval of TMP2T or the legal referral; it may
    for a warning, and a shorter warning window is its to set."""
    for code in ("tmp2t", "legal_referral"):
        with pytest.raises(ServiceError, match="PP 86/2013 pasal 8") as refused:
            ladder.adjust_rung(world["supervisor"], code, window_days=None, max_count=1,
                               active=True, needs_approval=False)
        db.session.rollback()
        assert refused.value.field == "needs_approval"
    ladder.adjust_rung(world["supervisor"], "warning_1", window_days=7, max_count=1,
                       active=True, needs_approval=False)
    db.session.commit()
    warning_1 = {r.code: r for r in policy.ladder_for(world["branch"].id)}["warning_1"]
    assert (warning_1.window_days, warning_1.needs_approval) == (7, False)


def test_default_ladder_marks_the_legal_rungs_and_their_approval(app):
    """The migration's default rows: the five legal rungs, each needing approval, the fine
    without a window."""
    rows = {r.code: r for r in db.session.scalars(
        select(LadderRung).where(LadderRung.branch_id.is_(None)))}
    assert {c for c, r in rows.items() if r.legal} == set(policy.LEGAL_RUNGS)
    assert {c for c, r in rows.items() if r.needs_approval} == set(policy.LEGAL_RUNGS)
    assert rows["fine"].window_days is None
    assert (rows["notification"].min_count, rows["visit"].min_count) == (1, 1)


def test_rows_written_before_the_limits_cannot_let_a_fine_through(world):
    """Branch rows written straight to the database (warning I switched off, warning II with a
    30-day window and three allowed, the fine needing nothing): the ladder keeps both warnings,
    refuses the fine until warning II is delivered and its 10 working days have elapsed, and
    refuses a second warning II."""
    branch_id = world["branch"].id
    db.session.add_all([
        LadderRung(branch_id=branch_id, code="warning_1", position=4, active=False,
                   window_days=10, max_count=1, legal=True, is_letter=True),
        LadderRung(branch_id=branch_id, code="warning_2", position=5, requires="warning_1",
                   requires_delivery=True, requires_window=True, window_days=30, max_count=3,
                   legal=True, is_letter=True, template_code="warning_2"),
        LadderRung(branch_id=branch_id, code="fine", position=6, requires="", window_days=None,
                   max_count=1, legal=True, is_letter=True, template_code="fine")])
    db.session.commit()
    codes = {r.code: r for r in policy.ladder_for(branch_id)}
    assert {"warning_1", "warning_2", "fine"} <= set(codes)
    assert codes["warning_2"].window_days == 10 and codes["warning_2"].max_count == 1
    assert codes["fine"].requires == ("warning_2",)
    case = world["case"]
    assert "fine" not in allowed(case, date(2026, 1, 6))
    assert "Written Warning" in reasons(case, "fine", date(2026, 1, 6)) or \
        "Teguran Tertulis" in reasons(case, "fine", date(2026, 1, 6))

    warning_2 = to_warning_2(case, world["supervisor"], delivered_on=None)
    assert "fine" not in allowed(case, date(2026, 5, 29))  # not delivered
    assert PASAL_7 in reasons(case, "fine", date(2026, 5, 29))
    factories.delivery(warning_2, date(2026, 4, 9))
    assert warning_2.due_on == date(2026, 4, 23)  # 10 working days, not the row's 30
    assert "fine" not in allowed(case, date(2026, 4, 23))
    assert "fine" in allowed(case, date(2026, 4, 24))
    assert PASAL_6 in reasons(case, "warning_2", date(2026, 4, 24))
    with pytest.raises(ServiceError, match="pasal 6"):
        cases.log_step(world["officer"], case, kind="warning_2", occurred_on=date(2026, 4, 24),
                       today=date(2026, 4, 24))


def test_judge_refuses_a_third_warning_whatever_the_ladder_says(world):
    """Even a ladder handed to `judge` that allows warning II three times without warning I
    refuses a second warning II and a fine before warning II's window has elapsed."""
    case = world["case"]
    to_warning_2(case, world["supervisor"])
    loose = {"warning_2": policy.Rung("warning_2", 5, max_count=3, window_days=30),
             "fine": policy.Rung("fine", 6)}
    calendar = policy.WorkingCalendar.for_branch(case.branch_id)
    verdict = policy.judge(case, loose["warning_2"], loose, calendar, date(2026, 5, 4))
    assert not verdict.allowed and PASAL_6 in " ".join(verdict.reasons)
    assert not policy.judge(case, loose["fine"], loose, calendar, date(2026, 4, 23)).allowed
    assert policy.judge(case, loose["fine"], loose, calendar, date(2026, 4, 24)).allowed


def test_two_letters_before_a_warning(world):
    """A branch that wants two letters before a warning: after the first letter the next step
    is the second letter, and warning I waits for the second letter's window."""
    ladder.adjust_rung(world["supervisor"], "notification", window_days=10, max_count=3,
                       active=True, min_count=2)
    db.session.commit()
    case = world["case"]
    factories.delivered_step(case, "notification", date(2026, 1, 5), delivered_on=date(2026, 1, 6))
    factories.step(case, "visit", date(2026, 1, 8))
    assert case.next_rung == "notification"
    assert "warning_1" not in allowed(case, date(2026, 2, 2))
    assert "2" in reasons(case, "warning_1", date(2026, 2, 2))
    second = factories.delivered_step(case, "notification", date(2026, 2, 2))
    # 10 working days from 2 Feb: 16 Feb is collective leave, 17 Feb Chinese New Year
    assert second.due_on == date(2026, 2, 18)
    assert case.next_rung == "warning_1"
    assert "warning_1" not in allowed(case, date(2026, 2, 18))
    assert "warning_1" in allowed(case, date(2026, 2, 19))


def test_visits_made_optional(world):
    """A branch that makes visits optional: warning I needs only the letter."""
    ladder.adjust_rung(world["supervisor"], "visit", window_days=5, max_count=2, active=True,
                       min_count=0)
    db.session.commit()
    case = world["case"]
    factories.delivered_step(case, "notification", date(2026, 1, 5))
    assert case.next_rung == "warning_1"
    assert "visit" in allowed(case, date(2026, 1, 21))
    assert "warning_1" in allowed(case, date(2026, 1, 21))


def test_branch_adds_a_persuasion_rung_and_an_officer_logs_it(client, world):
    """A supervisor adds "Kunjungan bersama RT/RW", required once before a warning: it shows
    among the case page's steps by its name, can be logged, and warning I waits for it."""
    login(client, world["supervisor"])
    response = post(client, "/settings/ladder/new", {
        "code": "kunjungan_rt", "name": "Kunjungan bersama RT/RW", "position": "2",
        "is_letter": "0", "window_days": "", "min_count": "1", "max_count": "1",
        "needs_approval": "0"})
    assert response.status_code == 302
    assert "Kunjungan bersama RT/RW" in client.get("/settings/ladder").get_data(as_text=True)
    case = world["case"]
    factories.delivered_step(case, "notification", date(2026, 1, 5))
    factories.step(case, "visit", date(2026, 1, 6))
    assert "warning_1" not in allowed(case, date(2026, 2, 2))
    assert "Kunjungan bersama RT/RW" in reasons(case, "warning_1", date(2026, 2, 2))
    login(client, world["officer"])
    page = client.get(f"/companies/{world['company'].id}").get_data(as_text=True)
    assert "Kunjungan bersama RT/RW" in page
    step = factories.step(case, "kunjungan_rt", date(2026, 1, 7))
    assert step.kind == "kunjungan_rt"
    assert "warning_1" in allowed(case, date(2026, 2, 2))


@pytest.mark.parametrize(("settings", "field", "message"), [
    ({"code": "teguran_3", "position": 5}, "position", "pasal 5"),
    ({"code": "warning_2", "position": 2}, "code", "warning_2"),
    ({"code": "Kunjungan RT", "position": 2}, "code", None),
    ({"code": "kunjungan_rt", "position": 2, "name": " "}, "name", None),
    ({"code": "kunjungan_rt", "position": 2, "min_count": 3, "max_count": 2}, "min_count",
     None),
], ids=["after warning I", "taken code", "bad code", "no name", "required above limit"])
def test_branch_rung_refusals(world, settings, field, message):
    """A branch rung must be persuasion (before warning I), with a free code and a name."""
    values = {"name": "Kunjungan RT", "is_letter": False, "window_days": None, "min_count": 0,
              "max_count": 1, "needs_approval": False, **settings}
    with pytest.raises(ServiceError, match=message) as refused:
        ladder.add_rung(world["supervisor"], **values)
    db.session.rollback()
    assert refused.value.field == field
    assert db.session.scalars(select(LadderRung).where(
        LadderRung.branch_id.is_not(None))).all() == []


def test_settings_page_refuses_at_the_field_and_sets_approval(client, world):
    """On the settings page a warning window of 20 days is refused under the field with the
    law's text, and the approval of warning I can be switched off."""
    login(client, world["supervisor"])
    page = client.get("/settings/ladder").get_data(as_text=True)
    assert "ditetapkan peraturan" in page or "set by law" in page
    response = post(client, "/settings/ladder/warning_1",
                    {"window_days": "20", "needs_approval": "1"})
    assert response.status_code == 400
    assert PASAL_6 in response.get_data(as_text=True)
    response = post(client, "/settings/ladder/warning_1",
                    {"window_days": "10", "needs_approval": "0"})
    assert response.status_code == 302
    case = world["case"]
    factories.delivered_step(case, "notification", date(2026, 1, 5))
    factories.step(case, "visit", date(2026, 1, 6))
    warning_1 = factories.step(case, "warning_1", date(2026, 2, 2))
    assert warning_1.approval_status == Approval.NOT_NEEDED


def test_fine_deadline_is_30_days_after_warning_2_ends(world):
    """Warning II delivered Thursday 9 April 2026: its 10 working days end 23 April; the fine is
    due by Saturday 23 May 2026 (30 calendar days, counted from 24 April), the case's due
    date; once the fine is imposed nothing more is due by the ladder."""
    case = world["case"]
    warning_2 = to_warning_2(case, world["supervisor"])
    assert warning_2.due_on == date(2026, 4, 23)
    assert case.next_rung == "fine"
    assert case.next_due_on == date(2026, 5, 23)
    assert case.company.open_case_due_on == date(2026, 5, 23)
    fine = factories.step(case, "fine", date(2026, 4, 24))
    assert fine.due_on is None
    assert case.next_due_on == date(2026, 5, 23)  # waiting for approval: still the deadline
    approved(fine, world["supervisor"], date(2026, 4, 24))
    assert case.next_due_on == date(2026, 5, 23)  # approved, not issued: still the deadline
    factories.issued_letter(fine.letter, date(2026, 4, 24))
    assert (case.stage, case.next_rung, case.next_due_on) == ("fine", "tmp2t", None)
