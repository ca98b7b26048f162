"""One company from the first letter to the referral and on to closing with TMP2T lifted, through
the services, with a refusal at each guardrail of the law (issue 13's legal record).

2026 in Pekalongan: Nyepi on 19 March with collective leave on the 18th, Idul Fitri on 21-22
March with collective leave on 20, 23 and 24 March, Good Friday on 3 April.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from outreach.cases import service as cases
from outreach.cases.models import Approval, Category, Delivery, Step
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.letters import service as letters
from outreach.letters.models import Letter, LetterStatus
from outreach.letters.render import pdf_text
from outreach.money import service as money
from outreach.org.models import Role
from tests import factories
from tests.conftest import login, post

BASE = "https://outreach.example.id"


def at(day: date) -> datetime:
    return datetime.combine(day, time(9), UTC)


@pytest.fixture
def world(app, make_branch, make_user):
    branch = make_branch("KC-PKL", "Pekalongan")
    officer = make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati")
    supervisor = make_user(Role.SUPERVISOR, branch=branch, name="Agus Wibowo")
    head = make_user(Role.SUPERVISOR, branch=branch, name="Dwi Ananda Pratama")
    factories.partner_offices(branch, "Kota Pekalongan")
    company = factories.company(branch, "PT Batik Pesisir Sejahtera", actor=officer,
                                officer_id=officer.id, city="Kota Pekalongan",
                                business_size="medium", workers_estimated=25,
                                workers_registered=0, average_wage=2_700_000,
                                address="Jl. Hayam Wuruk 10", director_name="Budi Santoso",
                                categories=(Category.PWBD,), opened_on=date(2026, 2, 2))
    with app.test_request_context():
        yield {"branch": branch, "officer": officer, "supervisor": supervisor, "head": head,
               "company": company, "case": company.cases[0]}


def refused(action, *words: str) -> str:
    """The refusal of `action`, which writes nothing; it names each of `words`."""
    with pytest.raises(ServiceError) as caught:
        action()
    db.session.rollback()
    for word in words:
        assert word in caught.value.message, caught.value.message
    return caught.value.message


def log(world, kind: str, day: date) -> Step:
    step = cases.log_step(world["officer"], world["case"], kind=kind, occurred_on=day, today=day)
    db.session.commit()
    return step


def approve(world, step: Step, day: date) -> None:
    cases.decide_approval(world["head"], step, approve=True, note="Setuju.", now=at(day))
    db.session.commit()


def issue(world, step: Step, day: date) -> Letter:
    cases.issue_letter(world["officer"], step.letter, day, BASE)
    db.session.commit()
    return step.letter


def deliver(world, step: Step, day: date) -> None:
    cases.record_delivery(world["officer"], step, delivered=True, on=day, today=day,
                          method="hand", recipient="Pak Budi")
    db.session.commit()


def test_a_company_from_the_first_letter_to_the_referral_and_tmp2t_lifted(world):
    """Does the ladder hold the law at every step, across Nyepi and Idul Fitri, and does
    closing as compliant, once the fine is paid, write the letter that lifts TMP2T?"""
    case, officer = world["case"], world["officer"]

    # the notification: a draft counts for nothing and cannot be delivered
    notification = log(world, "notification", date(2026, 2, 2))
    assert notification.delivery_status == Delivery.UNSENT and case.stage == ""
    refused(lambda: cases.record_delivery(officer, notification, delivered=True,
                                          on=date(2026, 2, 3), today=date(2026, 2, 3),
                                          method="hand", recipient="Pak Budi"),
            "Hanya surat yang sudah terbit")
    refused(lambda: cases.log_step(officer, case, kind="visit", occurred_on=date(2026, 2, 2),
                                   today=date(2026, 2, 2)), "sudah terbit")
    issue(world, notification, date(2026, 2, 2))
    deliver(world, notification, date(2026, 2, 3))
    assert case.stage == "notification"
    visit = cases.log_step(officer, case, kind="visit", occurred_on=date(2026, 2, 20),
                           today=date(2026, 2, 20), outcome="refused")
    db.session.commit()

    # warning I: approved by someone other than the one who asked, issued on a working day
    warning_1 = cases.log_step(world["supervisor"], case, kind="warning_1",
                               occurred_on=date(2026, 3, 16), today=date(2026, 3, 16))
    db.session.commit()
    assert warning_1.approval_status == Approval.REQUESTED
    refused(lambda: cases.issue_letter(officer, warning_1.letter, date(2026, 3, 16), BASE),
            "persetujuan")
    refused(lambda: cases.decide_approval(world["supervisor"], warning_1, approve=True,
                                          note="", now=at(date(2026, 3, 16))), "empat mata")
    approve(world, warning_1, date(2026, 3, 16))
    refused(lambda: cases.issue_letter(officer, warning_1.letter, date(2026, 3, 15), BASE),
            "hari kerja", "15 Maret 2026")
    letter_1 = issue(world, warning_1, date(2026, 3, 16))
    assert letter_1.issued_on == warning_1.occurred_on == date(2026, 3, 16)
    deliver(world, warning_1, date(2026, 3, 17))
    # ten working days from 17 March skip Nyepi, Idul Fitri, their leave and Good Friday
    assert warning_1.due_on == date(2026, 4, 8)
    assert visit.id in {s.id for s in case.steps}

    # warning II: not before warning I's window is over; never a third warning
    refused(lambda: log(world, "warning_2", date(2026, 4, 8)), "Teguran Tertulis II")
    warning_2 = log(world, "warning_2", date(2026, 4, 9))
    approve(world, warning_2, date(2026, 4, 9))
    issue(world, warning_2, date(2026, 4, 9))
    deliver(world, warning_2, date(2026, 4, 9))
    refused(lambda: log(world, "warning_1", date(2026, 4, 10)), "PP 86/2013")

    # the fine: after warning II's ten working days, within thirty days
    refused(lambda: log(world, "fine", date(2026, 4, 23)), "Denda")
    fine = log(world, "fine", date(2026, 4, 24))
    approve(world, fine, date(2026, 4, 24))
    fine_letter = issue(world, fine, date(2026, 4, 24))
    deliver(world, fine, date(2026, 4, 27))
    text = pdf_text(fine_letter.pdf)
    figures = money.letter_money(case, date(2026, 4, 24))
    assert figures["fine_amount"] in text and "Perhitungan Denda" in text
    assert "1 (satu) berkas" in text

    # TMP2T: only once the fine is unpaid past its due date
    state = money.fine_state(case, date(2026, 5, 12))
    assert state.imposed_on == date(2026, 4, 27) and state.outstanding > 0
    refused(lambda: log(world, "tmp2t", date(2026, 5, 12)), "15 Mei 2026", "PP 86/2013")
    tmp2t = log(world, "tmp2t", date(2026, 5, 18))
    refused(lambda: cases.issue_letter(officer, tmp2t.letter, date(2026, 5, 18), BASE),
            "persetujuan")
    approve(world, tmp2t, date(2026, 5, 18))
    tmp2t_letter = issue(world, tmp2t, date(2026, 5, 18))
    assert "Kota Pekalongan" in pdf_text(tmp2t_letter.pdf)
    deliver(world, tmp2t, date(2026, 5, 19))

    # the referral, approved by the other supervisor
    referral = log(world, "legal_referral", date(2026, 5, 20))
    approve(world, referral, date(2026, 5, 20))
    referral_letter = issue(world, referral, date(2026, 5, 20))
    assert "Kejaksaan Negeri Kota Pekalongan" in pdf_text(referral_letter.pdf)
    assert case.stage == "legal_referral"

    # closing as compliant needs every worker registered and the fine paid
    def close(day):
        return cases.close_case(officer, case, outcome="compliant", today=day,
                                npp="12345678", evidence="Sertifikat kepesertaan",
                                registered=25)

    refused(lambda: close(date(2026, 6, 2)), "PP 86/2013", "Rp")
    outstanding = money.fine_state(case, date(2026, 6, 2)).outstanding
    money.add_payment(officer, world["company"], kind="fine", paid_on=date(2026, 6, 2),
                      amount=outstanding, reference="TRF-DENDA",
                      upload=factories.proof_upload("bukti-denda.png"), today=date(2026, 6, 2))
    db.session.commit()
    assert close(date(2026, 6, 3)) is None
    db.session.commit()
    assert case.status == "closed" and case.outcome == "compliant"
    closing = {lt.template.code: lt for lt in db.session.scalars(select(Letter).where(
        Letter.case_id == case.id, Letter.status == LetterStatus.DRAFT))}
    assert set(closing) == {"tmp2t_lift", "referral_notice"}
    lift = cases.issue_letter(world["head"], closing["tmp2t_lift"], date(2026, 6, 3), BASE)
    db.session.commit()
    lifted = pdf_text(lift.pdf)
    assert "dicabut" in lifted and tmp2t_letter.number in lifted and "12345678" in lifted
    assert "Penanaman Modal" in lifted and "Kota Pekalongan" in lifted
    # nothing escalates on the closed case
    refused(lambda: log(world, "phone_call", date(2026, 6, 4)), "tidak dalam status terbuka")


def test_closing_withdraws_drafts_and_pending_approvals(world, client):
    """A case closed while warning I waits for approval: its request lapses, its draft is
    withdrawn and never issued, and no one can approve it afterwards."""
    case = world["case"]
    factories.delivered_step(case, "notification", date(2026, 2, 2), actor=world["officer"])
    factories.step(case, "visit", date(2026, 2, 20), actor=world["officer"])
    warning = log(world, "warning_1", date(2026, 3, 2))
    request = cases.close_case(world["officer"], case, outcome="company_closed",
                               today=date(2026, 3, 3), reason="Pabrik tutup sejak Februari.")
    db.session.commit()
    assert request is not None and case.status == "open"  # a second person decides
    login(client, world["officer"])
    page = client.get(f"/companies/{case.company_id}").get_data(as_text=True)
    assert "Permintaan menutup kasus (Perusahaan tutup) menunggu keputusan penyelia" in page
    assert f"/cases/{case.id}/close" not in page  # no second request
    refused(lambda: cases.decide_closing(world["officer"], request, approve=True, note="",
                                         now=at(date(2026, 3, 3)), today=date(2026, 3, 3)))
    cases.decide_closing(world["head"], request, approve=True, note="", now=at(date(2026, 3, 3)),
                         today=date(2026, 3, 3))
    db.session.commit()
    assert case.status == "closed"
    assert warning.approval_status == Approval.WITHDRAWN
    assert warning.letter.status == LetterStatus.VOID and warning.letter.number is None
    refused(lambda: cases.decide_approval(world["supervisor"], warning, approve=True, note="",
                                          now=at(date(2026, 3, 4))), "tidak sedang menunggu")
    refused(lambda: cases.issue_letter(world["officer"], warning.letter, date(2026, 3, 4), BASE))


def test_a_partial_compliant_close_waits_for_a_supervisor(world):
    """10 of 25 workers registered: the officer must give the reason, and the case closes only
    when a supervisor other than the requester approves."""
    case = world["case"]
    kwargs = {"outcome": "compliant", "today": date(2026, 3, 3), "npp": "12345678",
              "evidence": "Sertifikat kepesertaan", "registered": 10}
    refused(lambda: cases.close_case(world["supervisor"], case, **kwargs),
            "15 dari 25 pekerja belum terdaftar")
    request = cases.close_case(world["supervisor"], case, **kwargs,
                               reason="Sisanya pekerja harian lepas, didaftarkan bulan depan.")
    db.session.commit()
    refused(lambda: cases.decide_closing(world["supervisor"], request, approve=True, note="",
                                         now=at(date(2026, 3, 3)), today=date(2026, 3, 3)),
            "empat mata")
    cases.decide_closing(world["head"], request, approve=True, note="",
                         now=at(date(2026, 3, 4)), today=date(2026, 3, 4))
    db.session.commit()
    assert (case.status, case.outcome, case.closing_npp) == ("closed", "compliant", "12345678")
    assert world["company"].workers_registered == 10


def test_a_voided_letter_keeps_its_number_and_says_so_on_the_check_page(world, client):
    """A supervisor withdraws an issued letter with a reason: its number is never given again,
    its PDF stays, /verify says it was withdrawn and when, and its step no longer counts."""
    case = world["case"]
    step = factories.delivered_step(case, "notification", date(2026, 2, 2),
                                    actor=world["officer"])
    letter = step.letter
    pdf = letter.pdf
    refused(lambda: cases.void_letter(world["officer"], letter, "Salah alamat",
                                      at(date(2026, 2, 3))))
    login(client, world["supervisor"])
    response = post(client, f"/letters/{letter.id}/void", {"reason": ""})
    assert response.status_code == 400
    post(client, f"/letters/{letter.id}/void", {"reason": "Alamat perusahaan salah."})
    db.session.expire_all()
    letter = db.session.get(Letter, letter.id)
    assert letter.status == LetterStatus.VOID and letter.pdf == pdf and letter.seq == 1
    assert db.session.get(Step, step.id).delivery_status == Delivery.WITHDRAWN
    assert db.session.get(type(case), case.id).stage == ""
    assert client.get(f"/letters/{letter.id}.pdf").data == pdf  # the stored file, as issued
    page = client.get(f"/verify/{letter.verify_code}").get_data(as_text=True)
    assert "DITARIK" in page and letter.number in page
    again = factories.step(db.session.get(type(case), case.id), "notification",
                           date(2026, 2, 4), actor=world["officer"])
    assert again.letter.seq == 2  # the withdrawn number is not given again
    assert letters.verification(letter.verify_code).withdrawn_on is not None
