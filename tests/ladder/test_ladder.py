"""The escalation ladder, walked from the first letter to the legal referral."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from outreach.calendar import service as calendar
from outreach.cases import service
from outreach.cases.models import Approval, Category
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.ladder import rules as policy
from outreach.ladder import service as ladder
from outreach.org.models import Role
from tests import factories


@pytest.fixture
def setup(make_branch, make_user, make_company):
    branch = make_branch()
    officer = make_user(Role.OFFICER, branch=branch)
    supervisor = make_user(Role.SUPERVISOR, branch=branch)
    company = make_company(branch, "PT Batik Pesisir", city="Kota Pekalongan",
                           workers_estimated=10, average_wage=3_000_000)
    return officer, supervisor, company


def allowed(case, today):
    return {v.rung.code for v in policy.options(case, today) if v.allowed}


def reasons(case, code, today):
    verdict = next(v for v in policy.options(case, today) if v.rung.code == code)
    return " ".join(verdict.reasons)


def log(officer, case, kind, on, **kw):
    """The officer logs the step on `on`; a letter step's letter is issued that day unless the
    step waits for a supervisor's approval (`approve` issues it then)."""
    return factories.step(case, kind, on, actor=officer, **kw)


def approve(supervisor, step, on):
    """The supervisor approves the step on `on`, and its letter is issued that day."""
    service.decide_approval(supervisor, step, approve=True, note="",
                            now=datetime(on.year, on.month, on.day, 9, tzinfo=UTC))
    db.session.commit()
    if step.letter is not None:
        factories.issued_letter(step.letter, on, actor=step.officer)


def deliver(officer, step, on):
    service.record_delivery(officer, step, delivered=True, on=on, today=on, method="courier",
                            reference="JNE123")
    db.session.commit()


def test_full_ladder_to_legal_referral(setup):
    """Can an officer walk one company from the first letter to an approved legal referral,
    with every skipped rung refused and the warning window running across Idul Fitri?"""
    officer, supervisor, company = setup
    case = service.open_case(officer, company, [Category.PWBD], date(2026, 1, 5))
    db.session.commit()
    assert case.next_rung == "notification"
    assert allowed(case, date(2026, 1, 5)) == {"phone_call", "notification"}

    with pytest.raises(ServiceError, match="notification|Surat Pemberitahuan|Notification"):
        service.log_step(officer, case, kind="warning_1", occurred_on=date(2026, 1, 5),
                         today=date(2026, 1, 5))
    db.session.rollback()
    assert case.steps == []

    letter = log(officer, case, "notification", date(2026, 1, 5))
    assert letter.due_on == date(2026, 1, 20)  # 10 working days, 16 Jan is Isra Mi'raj
    deliver(officer, letter, date(2026, 1, 6))
    assert letter.due_on == date(2026, 1, 21)  # the window runs from delivery
    visit = log(officer, case, "visit", date(2026, 1, 8), outcome="promised")
    assert case.stage == "visit"

    assert "warning_1" not in allowed(case, date(2026, 1, 20))
    assert reasons(case, "warning_1", date(2026, 1, 21)).endswith(": 1 left.") or \
        ": 1 " in reasons(case, "warning_1", date(2026, 1, 21))
    assert visit.due_on == date(2026, 1, 15)
    assert "warning_1" in allowed(case, date(2026, 1, 22))

    # Warning I just before Idul Fitri, approved and delivered the same day.
    warning_1 = log(officer, case, "warning_1", date(2026, 3, 16))
    assert warning_1.approval_status == Approval.REQUESTED
    approve(supervisor, warning_1, date(2026, 3, 16))
    deliver(officer, warning_1, date(2026, 3, 16))
    assert warning_1.due_on == date(2026, 4, 7)
    assert case.next_due_on == date(2026, 4, 8)
    with pytest.raises(ServiceError) as refused:
        service.log_step(officer, case, kind="warning_2", occurred_on=date(2026, 4, 2),
                         today=date(2026, 4, 2))
    db.session.rollback()
    assert ": 3" in refused.value.message  # "… 10 working days elapsed: 3 left"
    assert "10" in refused.value.message

    warning_2 = log(officer, case, "warning_2", date(2026, 4, 8))
    approve(supervisor, warning_2, date(2026, 4, 8))
    with pytest.raises(ServiceError):  # at most one warning II
        service.log_step(officer, case, kind="warning_2", occurred_on=date(2026, 4, 9),
                         today=date(2026, 4, 9))
    db.session.rollback()
    assert "fine" not in allowed(case, date(2026, 5, 29))  # warning II not delivered yet
    deliver(officer, warning_2, date(2026, 4, 9))
    assert "fine" in allowed(case, date(2026, 4, 24))

    fine = log(officer, case, "fine", date(2026, 4, 24))
    assert "legal_referral" not in allowed(case, date(2026, 4, 28))  # fine not approved yet
    approve(supervisor, fine, date(2026, 4, 24))
    deliver(officer, fine, date(2026, 4, 27))
    assert fine.due_on is None  # the fine has a deadline before it, no window after it
    # TMP2T only once the fine (imposed on delivery, 27 April) is unpaid past 15 May
    assert "15 Mei 2026" in reasons(case, "tmp2t", date(2026, 4, 28))
    assert "tmp2t" in allowed(case, date(2026, 5, 18))

    referral_day = date(2026, 6, 9)
    referral = log(officer, case, "legal_referral", referral_day,
                   notes="Perusahaan tetap menolak mendaftar.")
    assert referral.approval_status == Approval.REQUESTED
    assert case.stage == "fine"  # not in force until approved
    with pytest.raises(ServiceError):  # officers cannot approve
        service.decide_approval(officer, referral, approve=True, note="",
                                now=datetime(2026, 6, 10, tzinfo=UTC))
    db.session.rollback()
    with pytest.raises(ServiceError):  # sending back needs a reason
        service.decide_approval(supervisor, referral, approve=False, note=" ",
                                now=datetime(2026, 6, 10, tzinfo=UTC))
    db.session.rollback()
    service.decide_approval(supervisor, referral, approve=True, note="Lanjutkan ke Kejari.",
                            now=datetime(2026, 6, 10, tzinfo=UTC))
    db.session.commit()
    assert case.stage == "fine"  # approved, but in force only once its letter is issued
    factories.partner_offices(company.branch, "Kota Pekalongan")
    factories.issued_letter(referral.letter, date(2026, 6, 10), actor=officer)
    assert referral.occurred_on == date(2026, 6, 10)  # dated by its letter
    assert case.stage == "legal_referral"
    assert case.next_rung == ""


def test_returned_request_can_be_made_again(setup):
    """After a supervisor sends a TMP2T request back, the officer may request it again."""
    officer, supervisor, company = setup
    case = service.open_case(officer, company, [Category.PWBD], date(2026, 1, 5))
    for kind, on in [("notification", date(2026, 1, 5)), ("visit", date(2026, 1, 6))]:
        step = log(officer, case, kind, on)
    deliver(officer, case.steps[0], date(2026, 1, 6))
    # Warning I's window runs over Chinese New Year (16 Feb collective leave, 17 Feb).
    for kind, on in [("warning_1", date(2026, 2, 2)), ("warning_2", date(2026, 2, 19)),
                     ("fine", date(2026, 3, 6))]:
        step = log(officer, case, kind, on)
        approve(supervisor, step, on)
        deliver(officer, step, on)
    # the fine, imposed on 6 March, is unpaid past 15 April
    tmp2t = log(officer, case, "tmp2t", date(2026, 4, 16))
    assert "tmp2t" not in allowed(case, date(2026, 4, 16))  # waiting for approval
    service.decide_approval(supervisor, tmp2t, approve=False, note="Lengkapi bukti denda.",
                            now=datetime(2026, 4, 16, tzinfo=UTC))
    db.session.commit()
    assert "tmp2t" in allowed(case, date(2026, 4, 17))


def test_returned_letter_does_not_count(setup):
    """A notification returned undelivered does not open the way to warning I."""
    officer, _, company = setup
    case = service.open_case(officer, company, [Category.PDS_TK], date(2026, 1, 5))
    letter = log(officer, case, "notification", date(2026, 1, 5))
    log(officer, case, "visit", date(2026, 1, 6))
    service.record_delivery(officer, letter, delivered=False, on=date(2026, 1, 9),
                            today=date(2026, 1, 9), reference="alamat tidak dikenal")
    db.session.commit()
    assert "warning_1" not in allowed(case, date(2026, 2, 20))
    assert "notification" in allowed(case, date(2026, 2, 20))


def test_branch_adjusts_a_window(setup):
    """A branch that gives companies 15 working days after a notification sees later due dates."""
    officer, supervisor, company = setup
    ladder.adjust_rung(supervisor, "notification", window_days=15, max_count=3, active=True)
    db.session.commit()
    case = service.open_case(officer, company, [Category.PWBD], date(2026, 6, 1))
    letter = log(officer, case, "notification", date(2026, 6, 2))
    # 15 working days from 2 June 2026: 1 June is Pancasila Day; 16 June Islamic New Year.
    assert letter.due_on == date(2026, 6, 24)
    with pytest.raises(ServiceError):  # only supervisors adjust the ladder
        ladder.adjust_rung(officer, "notification", window_days=3, max_count=3, active=True)


def test_branch_switches_a_rung_off(setup):
    """A rung the branch does not use is neither offered nor required."""
    officer, supervisor, company = setup
    ladder.adjust_rung(supervisor, "visit", window_days=None, max_count=0, active=False)
    db.session.commit()
    case = service.open_case(officer, company, [Category.PWBD], date(2026, 1, 5))
    letter = log(officer, case, "notification", date(2026, 1, 5))
    deliver(officer, letter, date(2026, 1, 5))
    codes = {v.rung.code for v in policy.options(case, date(2026, 2, 2))}
    assert "visit" not in codes
    assert "warning_1" in allowed(case, date(2026, 2, 2))


def test_branch_day_off_moves_the_due_date(setup):
    """A day off the branch adds itself pushes response windows back."""
    officer, supervisor, company = setup
    calendar.add_holiday(supervisor, date(2026, 1, 12), "Hari jadi kota")
    db.session.commit()
    case = service.open_case(officer, company, [Category.PWBD], date(2026, 1, 5))
    letter = log(officer, case, "notification", date(2026, 1, 5))
    assert letter.due_on == date(2026, 1, 21)
