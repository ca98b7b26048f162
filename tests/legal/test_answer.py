"""The employer's answer (replies, commitments) and the legal track after the referral to the
prosecutor (issue 16): a commitment kept and the case closed, one broken and the ladder resumed
(the dashboard counts it), an instalment agreement paid on time and late, a small-claims suit
to its outcome, and the dossier naming each of them."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select

from outreach.cases import service as cases
from outreach.cases.models import Category
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.legal import service as legal
from outreach.legal.models import Commitment, LegalKind
from outreach.legal.rules import InstalmentState
from outreach.letters.render import pdf_text
from outreach.money import service as money
from outreach.org.models import Role
from outreach.tasks.models import Reminder
from tests import factories
from tests.conftest import login, post


@pytest.fixture
def world(app, make_user):
    branch = factories.branch("KC-PKL", "Pekalongan", head_name="Dwi Ananda Pratama")
    officer = make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati")
    supervisor = make_user(Role.SUPERVISOR, branch=branch, name="Agus Wibowo")
    factories.partner_offices(branch, "Kota Pekalongan")
    with app.test_request_context():
        yield {"branch": branch, "officer": officer, "supervisor": supervisor}


def company_with_case(world, name: str, opened_on: date, **values):
    return factories.company(world["branch"], name, actor=world["officer"],
                             officer_id=world["officer"].id, city="Kota Pekalongan",
                             director_name="Budi Santoso", address="Jl. Hayam Wuruk 10",
                             categories=(Category.PWBD,), opened_on=opened_on, **values)


def refused(action, *words: str) -> str:
    with pytest.raises(ServiceError) as caught:
        action()
    db.session.rollback()
    for word in words:
        assert word in caught.value.message, caught.value.message
    return caught.value.message


def test_a_commitment_kept_lets_the_case_close(client, world):
    """Signed on a visit: 12 workers by the promised day. The next step waits for that day plus
    the branch's grace, the officer has a task that day, and once the workers are registered
    the commitment is kept and the case closes."""
    today = date.today()
    company = company_with_case(world, "PT Tenun Makmur", today - timedelta(days=40),
                                workers_estimated=12, workers_registered=3)
    case = company.cases[0]
    before = case.next_due_on
    login(client, world["officer"])
    promised = today + timedelta(days=14)
    response = post(client, f"/cases/{case.id}/commitments", {
        "made_on": (today - timedelta(days=1)).isoformat(), "promised_on": promised.isoformat(),
        "workers_promised": "12", "signatory_name": "Budi Santoso",
        "signatory_position": "Direktur"})
    assert response.status_code == 302, response.data[:2000]
    db.session.expire_all()
    commitment = db.session.scalars(select(Commitment)).one()
    assert commitment.grace_days == 5
    assert case.next_due_on != before
    assert case.next_due_on > promised  # the promised day plus five working days
    task = db.session.scalars(select(Reminder).where(Reminder.kind == "commitment")).one()
    assert task.due_on == promised and task.officer_id == world["officer"].id
    page = client.get(f"/cases/{case.id}/answer").get_data(as_text=True)
    assert "Budi Santoso" in page

    # not kept while the workers are not registered
    response = post(client, f"/commitments/{commitment.id}/judge", {"verdict": "kept"})
    assert response.status_code == 400
    assert "3 dari 12" in response.get_data(as_text=True)
    company.workers_registered = 12
    db.session.commit()
    response = post(client, f"/commitments/{commitment.id}/judge", {"verdict": "kept"})
    assert response.status_code == 302
    db.session.expire_all()
    assert commitment.status == "kept"
    cases.close_case(world["officer"], case, outcome="compliant", today=today, npp="12345678",
                     evidence="Sertifikat kepesertaan")
    db.session.commit()
    assert case.status == "closed"
    timeline = client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Budi" in timeline


def test_a_broken_commitment_resumes_the_ladder_and_the_dashboard_counts_it(client, world):
    """The promise is broken: the case is due again where it was (the visit's next step, due
    already), and the dashboard counts one broken commitment."""
    day = date(2026, 3, 2)
    company = company_with_case(world, "PT Batik Ingkar", date(2026, 2, 2),
                                workers_estimated=20, workers_registered=0)
    case = company.cases[0]
    factories.delivered_step(case, "notification", date(2026, 2, 3), actor=world["officer"])
    was = (case.next_rung, case.next_due_on)
    commitment = legal.add_commitment(world["officer"], case, made_on=day,
                                      promised_on=date(2026, 4, 1), today=day,
                                      workers_promised=20, signatory_name="Ibu Ratna")
    db.session.commit()
    assert case.next_rung == was[0]
    assert case.next_due_on == date(2026, 4, 9)  # 1 April plus 5 working days (Good Friday off)
    refused(lambda: legal.judge_commitment(world["officer"], commitment, kept=False,
                                           today=date(2026, 4, 10)), "tidak dipenuhi")
    legal.judge_commitment(world["officer"], commitment, kept=False, today=date(2026, 4, 10),
                           note="Belum ada pekerja didaftarkan.")
    db.session.commit()
    assert commitment.status == "broken"
    assert (case.next_rung, case.next_due_on) == was
    login(client, world["supervisor"])
    page = client.get("/dashboard/").get_data(as_text=True)
    assert 'id="commitments-broken">1<' in page


def referred_case(world, name: str):
    """A case walked to an issued legal referral (January 2026)."""
    company = company_with_case(world, name, date(2025, 9, 1), workers_estimated=25,
                                average_wage=2_700_000, business_size="medium")
    case = company.cases[0]
    referral = factories.requested_referral(case, date(2026, 1, 12), actor=world["officer"])
    factories.decision(referral, world["supervisor"], approve=True)
    factories.issued_letter(referral.letter, date(2026, 1, 12), actor=world["officer"])
    return case


def add(world, case, kind: str, on: date, **values):
    event = legal.add_legal_event(world["officer"], case, kind=kind, occurred_on=on,
                                  today=date(2026, 6, 30), **values)
    db.session.commit()
    return event


def test_the_legal_track_to_an_instalment_agreement_paid_on_time_and_late(client, world):
    case = referred_case(world, "PT Angsur Sejahtera")
    refused(lambda: add(world, case, LegalKind.ACCEPTANCE, date(2026, 1, 14),
                        person="Jaksa Rina"), "Surat Kuasa Khusus")
    skk = add(world, case, LegalKind.POWER_OF_ATTORNEY, date(2026, 1, 13),
              scope="Menagih iuran tertunggak dan denda melalui jalur perdata.")
    assert skk.number.endswith("/SKK/KC-PKL/I/2026")
    assert skk.person == "Dwi Ananda Pratama"
    assert skk.amount == money.ledger(case.company, date(2026, 6, 30), case).balance > 0
    add(world, case, LegalKind.ACCEPTANCE, date(2026, 1, 20), person="Rina Marlina, S.H.")
    summons = add(world, case, LegalKind.SUMMONS, date(2026, 1, 22), due_on=date(2026, 2, 2))
    task = db.session.scalars(select(Reminder).where(Reminder.dedupe_key
                                                     == legal.legal_key(summons))).one()
    assert task.due_on == date(2026, 2, 2)
    add(world, case, LegalKind.MEETING, date(2026, 2, 2), outcome="Bersedia mengangsur")
    agreement = add(world, case, LegalKind.AGREEMENT, date(2026, 2, 2),
                    instalments=[(date(2026, 3, 2), 5_000_000), (date(2026, 4, 1), 5_000_000),
                                 (date(2026, 5, 4), 5_000_000)])
    for paid_on in (date(2026, 2, 27), date(2026, 4, 10)):
        money.add_payment(world["officer"], case.company, kind="contribution", paid_on=paid_on,
                          amount=5_000_000, reference="TRF", upload=factories.proof_upload(),
                          today=paid_on)
    db.session.commit()
    checks = legal.instalment_checks(agreement, date(2026, 6, 30))
    assert [c.state for c in checks] == [InstalmentState.ON_TIME, InstalmentState.LATE,
                                         InstalmentState.OVERDUE]
    assert checks[1].paid_on == date(2026, 4, 10)
    figures = legal.answer_figures(lambda column: column == world["branch"].id,
                                   date(2026, 6, 30))
    assert figures["instalments_overdue"] == 1
    login(client, world["officer"])
    text = " ".join(pdf_text(client.get(f"/cases/{case.id}/dossier.pdf").data).split())
    for expected in ("Kesepakatan angsuran", "Angsuran 1: Rp5.000.000", "Dibayar tepat waktu",
                     "Dibayar terlambat (10 April 2026)", "Bersedia mengangsur",
                     "Surat Kuasa Khusus", skk.number):
        assert expected in text, expected


def test_a_small_claims_suit_to_its_outcome_and_the_dossier(client, world):
    case = referred_case(world, "PT Gugat Sederhana")
    legal.add_reply(world["officer"], case, received_on=date(2026, 1, 15), channel="whatsapp",
                    sender="Budi Santoso", content="Kami keberatan atas jumlah tunggakan.",
                    upload=factories.proof_upload("tanggapan.png"), today=date(2026, 1, 15))
    add(world, case, LegalKind.POWER_OF_ATTORNEY, date(2026, 1, 13), scope="Gugatan sederhana.")
    add(world, case, LegalKind.ACCEPTANCE, date(2026, 1, 20), person="Rina Marlina, S.H.")
    refused(lambda: add(world, case, LegalKind.SUIT, date(2026, 2, 10), court="PN Pekalongan",
                        number="5/Pdt.G.S/2026/PN Pkl", amount=600_000_000), "PERMA 4/2019")
    add(world, case, LegalKind.SUIT, date(2026, 2, 10), court="Pengadilan Negeri Pekalongan",
        number="5/Pdt.G.S/2026/PN Pkl", amount=48_500_000)
    add(world, case, LegalKind.HEARING, date(2026, 2, 12), due_on=date(2026, 2, 24))
    add(world, case, LegalKind.OUTCOME, date(2026, 3, 10), outcome="Gugatan dikabulkan",
        amount=48_500_000)
    refused(lambda: add(world, case, LegalKind.OUTCOME, date(2026, 3, 11), outcome="Lagi"),
            "sudah dicatat")
    login(client, world["officer"])
    page = client.get(f"/cases/{case.id}/answer").get_data(as_text=True)
    assert "5/Pdt.G.S/2026/PN Pkl" in page and "Gugatan dikabulkan" in page
    # each entry's details are its parts joined, with no separator left where a part is empty
    track = page.split('id="legal-track"')[1].split("</table>")[0]
    cells = [" ".join(re.sub(r"<[^>]+>", " ", cell).split())
             for cell in re.findall(r"<td>(.*?)</td>", track, re.S)]
    assert "Rina Marlina, S.H." in cells
    assert "5/Pdt.G.S/2026/PN Pkl · Pengadilan Negeri Pekalongan · Rp48.500.000" in cells
    assert not any(c.endswith("·") or c.startswith("·") or "· ·" in c for c in cells)
    text = " ".join(pdf_text(client.get(f"/cases/{case.id}/dossier.pdf").data).split())
    for expected in ("Kami keberatan atas jumlah tunggakan", "tanggapan.png",
                     "/SKK/KC-PKL/I/2026", "Rina Marlina", "5/Pdt.G.S/2026/PN Pkl",
                     "Pengadilan Negeri Pekalongan", "Gugatan dikabulkan", "Rp48.500.000",
                     "Gugatan sederhana", "Sidang", "24 Februari 2026"):
        assert expected in text, expected


def test_the_commitment_form_prints_the_company(client, world):
    company = company_with_case(world, "PT Cetak Janji", date(2026, 2, 2), workers_estimated=9,
                                workers_registered=2)
    login(client, world["officer"])
    response = client.get(f"/cases/{company.cases[0].id}/commitment-form.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "SURAT PERNYATAAN KESANGGUPAN" in text and "PT Cetak Janji" in text


def test_the_dossier_lists_commitments_kept_and_broken(client, world):
    case = referred_case(world, "PT Janji Dossier")
    # commitments are made on open cases before and after the referral
    commitment = legal.add_commitment(world["officer"], case, made_on=date(2026, 1, 14),
                                      promised_on=date(2026, 2, 16), today=date(2026, 1, 14),
                                      arrears_promised=True, signatory_name="Budi Santoso")
    legal.judge_commitment(world["officer"], commitment, kept=False, today=date(2026, 2, 20),
                           note="Tidak ada pembayaran.")
    second = legal.add_commitment(world["officer"], case, made_on=date(2026, 2, 23),
                                  promised_on=date(2026, 3, 16), today=date(2026, 2, 23),
                                  workers_promised=25, signatory_name="Budi Santoso")
    case.company.workers_registered = 25
    legal.judge_commitment(world["officer"], second, kept=True, today=date(2026, 3, 16))
    db.session.commit()
    login(client, world["officer"])
    text = " ".join(pdf_text(client.get(f"/cases/{case.id}/dossier.pdf").data).split())
    for expected in ("Surat pernyataan kesanggupan", "Melunasi tunggakan",
                     "Diingkari (20 Februari 2026): Tidak ada pembayaran.",
                     "Mendaftarkan 25 pekerja", "Dipenuhi (16 Maret 2026)"):
        assert expected in text, expected


def test_a_supervisor_sets_the_branch_grace(client, world):
    login(client, world["supervisor"])
    assert post(client, "/settings/answer", {"grace_days": "40"}).status_code == 400
    assert post(client, "/settings/answer", {"grace_days": "3"}).status_code == 302
    assert legal.grace_days(world["branch"].id) == 3


def test_the_dashboard_counts_the_legal_track_overdue(client, world):
    """Does the supervisor's dashboard show what of the legal track is late? Yes: a summons
    whose day passed with its task not done counts as overdue, and an agreement whose first
    instalment was not paid by its day counts among the agreements behind; once the task is
    done and the instalment paid, neither counts."""
    case = referred_case(world, "PT Tunggak Lama")
    add(world, case, LegalKind.POWER_OF_ATTORNEY, date(2026, 1, 13),
        scope="Menagih iuran tertunggak dan denda melalui jalur perdata.")
    add(world, case, LegalKind.ACCEPTANCE, date(2026, 1, 20), person="Rina Marlina, S.H.")
    summons = add(world, case, LegalKind.SUMMONS, date(2026, 1, 22), due_on=date(2026, 2, 2))
    add(world, case, LegalKind.AGREEMENT, date(2026, 2, 2),
        instalments=[(date(2026, 3, 2), 5_000_000), (date(2026, 4, 1), 5_000_000)])

    def dashboard() -> str:
        with time_machine.travel("2026-03-10 09:00 +0700", tick=False):
            login(client, world["supervisor"])
            return client.get("/dashboard/").get_data(as_text=True)

    page = dashboard()
    assert 'id="legal-overdue">1<' in page
    assert "Kesepakatan dengan angsuran terlambat: 1" in page
    task = db.session.scalars(select(Reminder).where(
        Reminder.dedupe_key == legal.legal_key(summons))).one()
    task.status = "done"
    money.add_payment(world["officer"], case.company, kind="contribution",
                      paid_on=date(2026, 3, 2), amount=5_000_000, reference="TRF",
                      upload=factories.proof_upload(), today=date(2026, 3, 2))
    db.session.commit()
    page = dashboard()
    assert 'id="legal-overdue">0<' in page
    assert "Kesepakatan dengan angsuran terlambat: 0" in page


def test_the_company_page_links_the_dossier_once_the_referral_is_issued(client, world):
    """Where is the dossier for the prosecutor found? On the company page and with the legal
    track, once the referral letter is issued: not while the referral waits for approval,
    and not for an officer of another branch, who cannot see the case at all."""
    company = company_with_case(world, "PT Berkas Jaksa", date(2025, 9, 1), workers_estimated=25,
                                average_wage=2_700_000, business_size="medium")
    case = company.cases[0]
    referral = factories.requested_referral(case, date(2026, 1, 12), actor=world["officer"])
    dossier = f"/cases/{case.id}/dossier.pdf"
    login(client, world["officer"])
    assert dossier not in client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert dossier not in client.get(f"/cases/{case.id}/answer").get_data(as_text=True)
    factories.decision(referral, world["supervisor"], approve=True)
    factories.issued_letter(referral.letter, date(2026, 1, 12), actor=world["officer"])
    for page in (f"/companies/{company.id}", f"/cases/{case.id}/answer"):
        html = client.get(page).get_data(as_text=True)
        assert f'id="dossier-link" href="{dossier}"' in html, page
    response = client.get(dossier)
    assert response.status_code == 200 and "Surat Kuasa Khusus" in " ".join(
        pdf_text(response.data).split())
    stranger = client.application.test_client()
    login(stranger, factories.user(Role.OFFICER, factories.branch("KC-SMG", "Semarang")))
    assert stranger.get(f"/companies/{company.id}").status_code == 404
    assert stranger.get(dossier).status_code == 404
