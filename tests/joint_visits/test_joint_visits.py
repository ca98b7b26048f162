"""Joint visits with the labour office or the prosecutor (issue 16): the invitation letter to
the partner office of the company's city, the partner's response with its attachment and the
task for the agreed day, the visit logged as a step naming the partner, on the company page,
its timeline and in the dossier."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from outreach.cases.models import Category, Step
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.joint_visits import service as joint_visits
from outreach.joint_visits.models import JointVisit, Response
from outreach.letters.render import pdf_text
from outreach.org.models import PartnerKind, PartnerOffice, Role
from outreach.tasks.models import Reminder, ReminderStatus
from tests import factories
from tests.conftest import login, post

#: a Monday: the notification was delivered and the visit made in January
TODAY = date(2026, 2, 2)
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


def at(day: date):
    return time_machine.travel(f"{day.isoformat()} 09:00 +0700", tick=False)


@pytest.fixture
def world(app, make_user):
    branch = factories.branch("KC-PKL", "Pekalongan", head_name="Dwi Ananda Pratama")
    officer = make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati")
    supervisor = make_user(Role.SUPERVISOR, branch=branch, name="Agus Wibowo")
    factories.partner_offices(branch, "Kota Pekalongan", "Kabupaten Batang")
    with app.test_request_context():
        yield {"branch": branch, "officer": officer, "supervisor": supervisor}


def visited_case(world, name: str = "PT Batik Pesisir"):
    """A company of Kota Pekalongan, notified (delivered 6 January) and visited (8 January)."""
    company = factories.company(world["branch"], name, actor=world["officer"],
                                officer_id=world["officer"].id, city="Kota Pekalongan",
                                director_name="Budi Santoso", address="Jl. Hayam Wuruk 10",
                                categories=(Category.PWBD,), workers_estimated=14)
    case = company.cases[0]
    factories.delivered_step(case, "notification", date(2026, 1, 5),
                             delivered_on=date(2026, 1, 6), actor=world["officer"])
    factories.step(case, "visit", date(2026, 1, 8), actor=world["officer"], outcome="refused")
    return case


def office(world, kind: str, area: str = "Kota Pekalongan") -> PartnerOffice:
    return db.session.scalars(select(PartnerOffice).where(
        PartnerOffice.branch_id == world["branch"].id, PartnerOffice.kind == kind,
        PartnerOffice.area == area)).one()


def refused(action, *words: str) -> str:
    with pytest.raises(ServiceError) as caught:
        action()
    db.session.rollback()
    for word in words:
        assert word in caught.value.message, caught.value.message
    return caught.value.message


def test_a_joint_visit_from_invitation_to_the_visit(client, world):
    """The officer invites the labour office of the company's city for Thursday; the letter is
    addressed to its head and cites PP 86/2013 art. 13; the office answers by letter with
    another day, which makes a task; on that day the visit is logged as a joint visit step
    naming the office, and the company page and its timeline show it all."""
    case = visited_case(world)
    disnaker = office(world, PartnerKind.DISNAKER)
    with at(TODAY):
        login(client, world["officer"])
        page = client.get(f"/cases/{case.id}/joint-visits/new").get_data(as_text=True)
        # only the labour office and the prosecutor of the company's own city are offered
        assert "Dinas Tenaga Kerja Kota Pekalongan" in page
        assert "Kejaksaan Negeri Kota Pekalongan" in page
        assert "Kabupaten Batang" not in page and "Penanaman Modal" not in page
        response = post(client, f"/cases/{case.id}/joint-visits/new",
                        {"office": disnaker.id, "proposed_on": "2026-02-05"})
        assert response.status_code == 302
        joint_visit = db.session.scalars(select(JointVisit)).one()
        # the partner answers an issued invitation only
        page = client.get(response.location).get_data(as_text=True)
        assert "Tanggapan mitra" not in page and "terbitkan sebelum mencatat tanggapan" in page
        factories.issued_letter(joint_visit.letter, TODAY, actor=world["officer"])
        letter = joint_visit.letter
        text = " ".join(pdf_text(client.get(f"/letters/{letter.id}.pdf").data).split())
        # the letter's page names the office, as its verify page does, not the company
        page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
        addressee = page[page.index("<dl"):page.index("</dl>")]
        assert "Kepala Dinas Tenaga Kerja Kota Pekalongan" in addressee
        assert "PT Batik Pesisir" not in addressee
    assert letter.number == "002/PKP/KC-PKL/II/2026"  # the branch's series, after the notification
    for expected in ("Kepala Dinas Tenaga Kerja Kota Pekalongan", "Jl. Pemuda No. 2",
                     "kunjungan bersama", "Kamis, tanggal 5 Februari 2026",
                     "Pasal 13 ayat (1) dan ayat (5) Peraturan Pemerintah Nomor 86 Tahun 2013",
                     "PT Batik Pesisir", "14 (empat belas) pekerja belum terdaftar",
                     "Siti Rahmawati"):
        assert expected in text, expected
    assert "Pimpinan PT Batik Pesisir" not in text  # addressed to the office, not the company

    with at(date(2026, 2, 3)):
        login(client, world["officer"])
        response = post(client, f"/joint-visits/{joint_visit.id}/response", {
            "response": "other_date", "responded_on": "2026-02-03",
            "responder_name": "Sri Wahyuni, S.H.", "responder_position": "Kepala Bidang",
            "agreed_on": "2026-02-09", "note": "Hari Kamis ada rapat.",
            "attachment": (io.BytesIO(PNG), "jawaban.png")},
            content_type="multipart/form-data")
        assert response.status_code == 302
        page = client.get(response.location).get_data(as_text=True)
        assert "Mengusulkan hari lain" in page and "Sri Wahyuni, S.H." in page
        assert "Senin, 9 Februari 2026" in page and "jawaban.png" in page
        download = client.get(f"/joint-visits/{joint_visit.id}/attachment")
        assert download.status_code == 200 and download.data.startswith(b"\x89PNG")
    task = db.session.scalars(select(Reminder).where(
        Reminder.dedupe_key == joint_visits.task_key(joint_visit))).one()
    assert (task.due_on, task.officer_id, task.status) == (date(2026, 2, 9),
                                                            world["officer"].id, "open")
    assert "Dinas Tenaga Kerja Kota Pekalongan" in task.message

    with at(date(2026, 2, 9)):
        login(client, world["officer"])
        tasks = client.get("/tasks/").get_data(as_text=True)
        assert f"/cases/{case.id}/joint-visits/waiting" in tasks
        assert client.get(f"/cases/{case.id}/joint-visits/waiting").location.endswith(
            f"/joint-visits/{joint_visit.id}")
        response = post(client, f"/joint-visits/{joint_visit.id}/visit", {
            "occurred_on": "2026-02-09", "outcome": "promised", "met_name": "Budi Santoso",
            "met_position": "Direktur", "notes": "Perusahaan berjanji mendaftar bulan ini."})
        assert response.status_code == 302
        company_page = client.get(f"/companies/{case.company_id}").get_data(as_text=True)
    step = db.session.scalars(select(Step).where(Step.kind == "joint_visit")).one()
    assert db.session.get(JointVisit, joint_visit.id).step_id == step.id
    assert db.session.get(Reminder, task.id).status == ReminderStatus.DONE
    assert "Kunjungan bersama" in company_page
    assert "bersama Dinas Tenaga Kerja Kota Pekalongan" in company_page  # the step names it
    assert "Undangan kunjungan bersama" in company_page  # the invitation on the timeline
    assert letter.number in company_page
    section = company_page.split('id="joint-visits-heading"')[1].split("</section>")[0]
    assert "Dinas Tenaga Kerja Kota Pekalongan" in section and "Telah dikunjungi" in section


def test_what_an_invitation_and_a_response_refuse(world):
    """The partner must be the labour office or prosecutor of the company's own city, the day
    ahead, one invitation waiting at a time; a response needs the issued letter, a date not
    before it, who answered, and a reason to decline; a declined invitation is not visited."""
    officer = world["officer"]
    case = visited_case(world)
    batang = office(world, PartnerKind.KEJARI, "Kabupaten Batang")
    refused(lambda: joint_visits.invite(officer, case, office_id=batang.id,
                                        proposed_on=date(2026, 2, 5), today=TODAY),
            "Kejaksaan Negeri Kabupaten Batang", "kota atau kabupaten perusahaan")
    permit = office(world, PartnerKind.DPMPTSP)
    refused(lambda: joint_visits.invite(officer, case, office_id=permit.id,
                                        proposed_on=date(2026, 2, 5), today=TODAY),
            "Dinas Tenaga Kerja atau Kejaksaan")
    kejari = office(world, PartnerKind.KEJARI)
    refused(lambda: joint_visits.invite(officer, case, office_id=kejari.id,
                                        proposed_on=TODAY, today=TODAY), "setelah hari ini")
    invitation = joint_visits.invite(officer, case, office_id=kejari.id,
                                     proposed_on=date(2026, 2, 5), today=TODAY)
    db.session.commit()
    refused(lambda: joint_visits.invite(officer, case, office_id=kejari.id,
                                        proposed_on=date(2026, 2, 6), today=TODAY),
            "masih menunggu")

    def answer(**values):
        return joint_visits.respond(officer, invitation, **{
            "response": Response.DECLINED, "responded_on": date(2026, 2, 3),
            "responder_name": "Andi Nugroho", "today": date(2026, 2, 3), **values})

    refused(lambda: answer(note="Sibuk"), "Terbitkan surat undangan")
    invitation = db.session.get(JointVisit, invitation.id)
    factories.issued_letter(invitation.letter, TODAY, actor=officer)
    assert "Kepala Kejaksaan Negeri Kota Pekalongan" in " ".join(
        pdf_text(invitation.letter.pdf).split())
    refused(lambda: answer(note="Sibuk", responded_on=date(2026, 1, 30)),
            "sebelum undangan diterbitkan")
    refused(lambda: answer(note="Sibuk", responder_name=" "), "siapa yang menjawab")
    refused(lambda: answer(), "mengapa")
    refused(lambda: answer(response=Response.OTHER_DATE), "hari yang diusulkan mitra")
    answer(note="Jadwal penuh bulan ini.")
    db.session.commit()
    assert invitation.status == "declined"
    assert db.session.scalar(select(Reminder.id).where(
        Reminder.dedupe_key == joint_visits.task_key(invitation))) is None
    refused(lambda: joint_visits.log_visit(officer, invitation, occurred_on=date(2026, 2, 5),
                                           today=date(2026, 2, 5)), "kesediaan mitra")
    # declined: a new invitation may be made
    again = joint_visits.invite(officer, case, office_id=office(world, "disnaker").id,
                                proposed_on=date(2026, 2, 10), today=date(2026, 2, 4))
    assert again.status == "invited"


def test_the_dossier_names_the_joint_visit(client, world):
    """Does the legal dossier show the joint visit? Yes: the office, the invitation's number,
    the day proposed, the response with who answered, and the visit in the chronology
    naming the partner."""
    officer, supervisor = world["officer"], world["supervisor"]
    company = factories.company(world["branch"], "PT Kunjungan Bersama", actor=officer,
                                officer_id=officer.id, city="Kota Pekalongan",
                                director_name="Budi Santoso", categories=(Category.PWBD,),
                                opened_on=date(2025, 9, 1), workers_estimated=20)
    case = company.cases[0]
    factories.delivered_step(case, "notification", date(2025, 9, 1), actor=officer)
    factories.step(case, "visit", date(2025, 9, 3), actor=officer, outcome="refused")
    kejari = office(world, PartnerKind.KEJARI)
    invitation = joint_visits.invite(officer, case, office_id=kejari.id,
                                     proposed_on=date(2025, 9, 9), today=date(2025, 9, 4))
    factories.issued_letter(invitation.letter, date(2025, 9, 4), actor=officer)
    joint_visits.respond(officer, invitation, response=Response.ACCEPTED,
                         responded_on=date(2025, 9, 5), responder_name="Andi Nugroho, S.H.",
                         responder_position="Jaksa Pengacara Negara", today=date(2025, 9, 5))
    joint_visits.log_visit(officer, invitation, occurred_on=date(2025, 9, 9),
                           today=date(2025, 9, 9), met_name="Budi Santoso")
    db.session.commit()
    for kind, day in (("warning_1", date(2025, 9, 22)), ("warning_2", date(2025, 10, 8)),
                      ("fine", date(2025, 10, 24))):
        factories.delivered_step(case, kind, day, actor=officer, approver=supervisor)
    referral = factories.drafted_step(case, "legal_referral", date(2026, 1, 12), actor=officer)
    factories.decision(referral, supervisor, approve=True)
    factories.issued_letter(referral.letter, date(2026, 1, 12), actor=officer)
    with at(date(2026, 1, 13)):
        login(client, supervisor)
        text = pdf_text(client.get(f"/cases/{case.id}/dossier.pdf").data)
    flat = " ".join(text.split())
    assert "Kunjungan bersama instansi terkait (Pasal 13 PP 86/2013)" in flat
    assert invitation.letter.number in re.sub(r"\s+", "", text)
    for expected in ("Kejaksaan Negeri Kota Pekalongan", "9 September 2025",
                     "Menerima hari yang diusulkan", "oleh Andi Nugroho, S.H.",
                     "bertemu Budi Santoso",
                     "Kunjungan bersama (Disnaker/Kejari) bersama Kejaksaan Negeri Kota"):
        assert expected in flat, expected


def test_a_withdrawn_invitation_no_longer_waits(world):
    """A supervisor voids an issued invitation: the partner can no longer answer it, it shows
    as withdrawn, and the officer may invite again."""
    from datetime import UTC, datetime

    from outreach.cases import service as cases

    officer = world["officer"]
    case = visited_case(world)
    invitation = joint_visits.invite(officer, case, office_id=office(world, "kejari").id,
                                     proposed_on=date(2026, 2, 5), today=TODAY)
    factories.issued_letter(invitation.letter, TODAY, actor=officer)
    cases.void_letter(world["supervisor"], invitation.letter, "Salah alamat",
                      datetime(2026, 2, 2, 10, tzinfo=UTC))
    db.session.commit()
    assert invitation.status == "withdrawn"
    refused(lambda: joint_visits.respond(officer, invitation, response=Response.ACCEPTED,
                                         responded_on=date(2026, 2, 3), responder_name="Andi",
                                         today=date(2026, 2, 3)), "Terbitkan surat undangan")
    again = joint_visits.invite(officer, case, office_id=office(world, "kejari").id,
                                proposed_on=date(2026, 2, 6), today=date(2026, 2, 3))
    assert again.status == "invited"


def test_a_joint_visit_is_not_logged_before_its_agreed_day(client, world):
    """Can the visit be logged before the day agreed with the partner, or for a day still to
    come? No: both are refused with the agreed day named, and the page offers no form to log
    it until that day."""
    officer = world["officer"]
    case = visited_case(world)
    invitation = joint_visits.invite(officer, case, office_id=office(world, "disnaker").id,
                                     proposed_on=date(2026, 2, 5), today=TODAY)
    db.session.commit()
    factories.issued_letter(invitation.letter, TODAY, actor=officer)
    joint_visits.respond(officer, invitation, response=Response.OTHER_DATE,
                         responded_on=date(2026, 2, 3), responder_name="Sri Wahyuni",
                         agreed_on=date(2026, 2, 9), today=date(2026, 2, 3))
    db.session.commit()
    refused(lambda: joint_visits.log_visit(officer, invitation, occurred_on=date(2026, 2, 4),
                                           today=date(2026, 2, 4)),
            "disepakati", "9 Februari 2026")
    invitation = db.session.get(JointVisit, invitation.id)
    refused(lambda: joint_visits.log_visit(officer, invitation, occurred_on=date(2026, 2, 10),
                                           today=date(2026, 2, 9)), "masa mendatang")
    invitation = db.session.get(JointVisit, invitation.id)
    with at(date(2026, 2, 6)):
        login(client, officer)
        page = client.get(f"/joint-visits/{invitation.id}").get_data(as_text=True)
        assert 'id="visit-waits"' in page and "Senin, 9 Februari 2026" in page
        assert f"/joint-visits/{invitation.id}/visit" not in page
        response = post(client, f"/joint-visits/{invitation.id}/visit",
                        {"occurred_on": "2026-02-06", "outcome": "promised"})
        assert response.status_code == 400 and "disepakati" in response.get_data(as_text=True)
    with at(date(2026, 2, 9)):
        page = client.get(f"/joint-visits/{invitation.id}").get_data(as_text=True)
        assert f"/joint-visits/{invitation.id}/visit" in page and 'value="2026-02-09"' in page
    joint_visits.log_visit(officer, invitation, occurred_on=date(2026, 2, 9),
                           today=date(2026, 2, 9))
    db.session.commit()
    assert db.session.get(JointVisit, invitation.id).status == "visited"
