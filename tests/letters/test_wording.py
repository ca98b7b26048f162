"""Letters state the law right: words from figures, duties, programs by size, partner offices
of the company's own city or regency, the contact, the summons' meeting, earlier letters, the
signature, attachments and citations, read from the PDFs."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
import time_machine
from pypdf import PdfReader

from outreach.cases import service as case_service
from outreach.cases.models import Category
from outreach.companies.models import BusinessSize
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.ladder import service as ladder_service
from outreach.letters import service
from outreach.letters.models import Letter
from outreach.letters.render import html_to_pdf, pdf_text
from outreach.letters.sandbox import terbilang
from outreach.org.models import PartnerOffice, Role, User
from tests import factories
from tests.conftest import login, post

TODAY = date(2026, 3, 2)
BASE = "https://outreach.example.id"
#: a case walked up the ladder: each step's day
WALK = [("notification", date(2025, 9, 1)), ("visit", date(2025, 9, 3)),
        ("warning_1", date(2025, 9, 22)), ("warning_2", date(2025, 10, 8)),
        ("fine", date(2025, 10, 24)), ("tmp2t", date(2025, 12, 1)),
        ("legal_referral", date(2026, 1, 12))]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


@pytest.fixture
def world(make_branch, make_user):
    branch = make_branch("KC-PKL", "Pekalongan")
    branch.head_name = "Dwi Ananda Pratama"
    officer = make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati")
    issuer = make_user(Role.OFFICER, branch=branch, name="Joko Susilo")
    supervisor = make_user(Role.SUPERVISOR, branch=branch)
    officer.phone = "0812 1111 2222"
    issuer.phone = "0813 9999 0000"
    db.session.commit()
    factories.partner_offices(branch, "Kota Pekalongan", "Kabupaten Pekalongan")
    return {"branch": branch, "officer": officer, "issuer": issuer, "supervisor": supervisor}


def company(world, name="PT Batik Pesisir", *, city="Kabupaten Pekalongan",
            categories=(Category.PWBD,), **values):
    """A company of the branch with an open case; its workers and wage let the ledger compute
    a fine, without which TMP2T is refused (PP 86/2013 art. 10(6))."""
    values = {"workers_estimated": 12, "average_wage": 2_500_000, **values}
    return factories.company(world["branch"], name, actor=world["officer"], city=city,
                             categories=categories, opened_on=date(2025, 9, 1),
                             director_name="Budi Santoso", address="Jl. Raya Wiradesa 10",
                             officer_id=world["officer"].id, **values)


def walk(world, firm, until: str) -> Letter:
    """Take the company's case up the ladder, issuing and delivering each letter, up to the
    draft of `until` (approved when it needs approval), which is returned unissued."""
    officer, case = world["issuer"], firm.cases[0]
    for kind, day in WALK:
        if kind == "warning_1":
            factories.inspected_before_warning(case, day, actor=world["officer"])
        step = case_service.log_step(officer, case, kind=kind, occurred_on=day, today=TODAY,
                                     outcome="refused" if kind == "visit" else "")
        if step.approval_status == "requested":
            case_service.decide_approval(world["supervisor"], step, approve=True, note="Setuju",
                                         now=datetime(2026, 1, 1, tzinfo=UTC))
        if kind == until:
            db.session.commit()
            return step.letter
        if step.letter is not None:
            case_service.issue_letter(officer, step.letter, day, BASE)
            case_service.record_delivery(officer, step, delivered=True, on=day, today=TODAY,
                                         method="hand", recipient="Pak Joko")
        db.session.commit()
    raise AssertionError(until)


def issue(world, letter: Letter, on: date = TODAY) -> str:
    case_service.issue_letter(world["issuer"], letter, on, BASE)
    db.session.commit()
    return flat(pdf_text(letter.pdf))


def flat(text: str) -> str:
    return " ".join(text.split())


def articles(text: str) -> set[str]:
    return set(re.findall(r"Pasal (\d+)", text))


# 1. numbers in words -------------------------------------------------------------------------

@pytest.mark.parametrize(("figure", "written"), [
    (10, "10 (sepuluh)"), (14, "14 (empat belas)"), (25, "25 (dua puluh lima)"),
    (100, "100 (seratus)"), (1000, "1.000 (seribu)"), (11, "11 (sebelas)"),
    (118, "118 (seratus delapan belas)"), (2_500_000, "2.500.000 (dua juta lima ratus ribu)")])
def test_a_figure_is_followed_by_its_words(figure, written):
    """Is an integer written as official letters write it, figure then words?"""
    assert terbilang(figure) == written


def test_the_reply_window_in_words_follows_the_branch_setting(app, world):
    """A branch that gives 14 working days to reply: the letter says "14 (empat belas)"."""
    with app.test_request_context():
        ladder_service.adjust_rung(world["supervisor"], "notification", window_days=14,
                                   max_count=2, active=True)
        db.session.commit()
        text = issue(world, walk(world, company(world), "notification"))
    assert "paling lambat 14 (empat belas) hari kerja" in text
    assert "(sepuluh)" not in text


def test_the_warning_window_is_written_from_its_figure(app, world):
    """Written warning I gives "10 (sepuluh) hari kerja" (PP 86/2013 art. 6(1))."""
    with app.test_request_context():
        text = issue(world, walk(world, company(world), "warning_1"), date(2025, 9, 22))
    assert "paling lama 10 (sepuluh) hari kerja" in text


# 2. the duties -------------------------------------------------------------------------------

def test_each_category_is_phrased_as_the_duty(app, world):
    """A company under-reporting wages and in arrears is told which duties it has not met,
    as duties, in a grammatical sentence."""
    firm = company(world, categories=(Category.PDS_UPAH, Category.ARREARS),
                   workers_estimated=20, workers_registered=20)
    with app.test_request_context():
        text = issue(world, walk(world, firm, "warning_1"), date(2025, 9, 22))
    assert ("belum memenuhi kewajiban melaporkan upah yang sebenarnya dan membayar iuran tepat "
            "waktu sebagaimana diatur dalam Pasal 15 ayat (2) dan Pasal 19") in text
    for wrong in ("kewajiban melaporkan upah lebih rendah", "kewajiban belum mendaftarkan",
                  "kewajiban baru mendaftarkan", "kewajiban menunggak"):
        assert wrong not in text


def test_every_duty_reads_after_kewajiban():
    """Every category's phrase is a duty: it never says what the company did wrong."""
    text = service._categories_text(list(service.DUTIES))
    assert text == ("mendaftarkan perusahaan dan seluruh pekerjanya, mendaftarkan seluruh "
                    "pekerjanya, melaporkan upah yang sebenarnya, mengikuti seluruh program "
                    "yang wajib, dan membayar iuran tepat waktu")
    assert not re.search(r"\b(belum|baru|lebih rendah|menunggak)\b", text)


# 3. programs by business size ----------------------------------------------------------------

@pytest.mark.parametrize(("size", "programs", "absent"), [
    (BusinessSize.MICRO, "Jaminan Kecelakaan Kerja (JKK) dan Jaminan Kematian (JKM)",
     ["Jaminan Hari Tua", "Jaminan Pensiun"]),
    (BusinessSize.SMALL, "Jaminan Kecelakaan Kerja (JKK), Jaminan Kematian (JKM), dan Jaminan "
                         "Hari Tua (JHT)", ["Jaminan Pensiun"]),
    (BusinessSize.MEDIUM, "Jaminan Kecelakaan Kerja (JKK), Jaminan Kematian (JKM), Jaminan Hari "
                          "Tua (JHT), dan Jaminan Pensiun (JP)", []),
])
def test_the_letter_demands_exactly_the_programs_of_the_size(app, world, size, programs,
                                                             absent):
    """Perpres 109/2013 art. 6: no JHT from a micro business, no JP from a small one."""
    with app.test_request_context():
        text = issue(world, walk(world, company(world, business_size=size), "notification"))
    assert f"adalah {programs}." in text
    for program in absent:
        assert program not in text


# 4. partner offices of the company's own city or regency --------------------------------------

def test_tmp2t_goes_to_the_permit_office_of_the_companys_regency(app, world):
    """A company in Kabupaten Pekalongan served by the Pekalongan branch: the TMP2T request goes
    to the regency's DPMPTSP and the copy to its labour office, never to "Kota Pekalongan"."""
    with app.test_request_context():
        text = issue(world, walk(world, company(world), "tmp2t"), date(2025, 12, 1))
    assert ("Yth. Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten "
            "Pekalongan") in text
    assert "Tembusan: 1. Kepala Kantor Wilayah 2. Kepala Dinas Tenaga Kerja Kabupaten " \
           "Pekalongan" in text
    assert "Kota Pekalongan" not in text


def test_the_referral_goes_to_the_prosecutor_of_the_companys_city(app, world):
    """A company in Kota Pekalongan: the referral goes to Kejaksaan Negeri Kota Pekalongan."""
    with app.test_request_context():
        text = issue(world, walk(world, company(world, city="Kota Pekalongan"),
                                 "legal_referral"), date(2026, 1, 12))
    assert "Yth. Kepala Kejaksaan Negeri Kota Pekalongan" in text
    assert "kepada Kejaksaan Negeri Kota Pekalongan selaku Jaksa Pengacara Negara" in text
    assert "Kabupaten Pekalongan" not in text


def test_copies_name_the_companys_labour_office(app, world):
    """A notification's copy goes to the labour office of the company's city."""
    with app.test_request_context():
        text = issue(world, walk(world, company(world, city="Kota Pekalongan"),
                                 "notification"))
    assert "Tembusan: 1. Kepala Dinas Tenaga Kerja Kota Pekalongan" in text


def test_issuing_refuses_without_the_partner_office(app, world):
    """A company whose city does not say Kota or Kabupaten, or whose regency the registry
    lacks: the TMP2T request is refused with the reason, and takes no number."""
    bare = company(world, "PT Tanpa Awalan", city="Pekalongan")
    elsewhere = company(world, "PT Batang Jaya", city="Kab. Batang")
    with app.test_request_context():
        for firm, reason in ((bare, "Kota atau Kabupaten"), (elsewhere, "Kabupaten Batang")):
            letter = walk(world, firm, "tmp2t")
            with pytest.raises(ServiceError, match=reason) as refusal:
                case_service.issue_letter(world["issuer"], letter, date(2025, 12, 1), BASE)
            assert "PP 86/2013" in refusal.value.message
            db.session.rollback()
            assert db.session.get(Letter, letter.id).number is None


def test_draft_page_warns_of_a_missing_partner_office(client, app, world):
    """The draft's page says why the letter cannot be issued yet, before anyone tries."""
    with app.test_request_context():
        letter = walk(world, company(world, city="Kab. Batang"), "tmp2t")
    login(client, world["officer"])
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "Kabupaten Batang" in page and "Kantor mitra" in page


def test_supervisor_keeps_the_partner_offices_of_the_branch(client, app, world, make_branch,
                                                            make_user):
    """A supervisor lists, adds and edits the branch's partner offices; an area without its
    prefix is refused at its field; officers and other branches cannot reach them."""
    login(client, world["supervisor"])
    page = client.get("/settings/partners").get_data(as_text=True)
    assert "Kejaksaan Negeri Kabupaten Pekalongan" in page
    refused = post(client, "/settings/partners/new", {
        "kind": "kejari", "area": "Batang", "name": "Kejaksaan Negeri Batang",
        "head_title": "Kepala Kejaksaan Negeri Batang"})
    assert refused.status_code == 200 and "invalid-feedback" in refused.get_data(as_text=True)
    assert post(client, "/settings/partners/new", {
        "kind": "kejari", "area": "kabupaten batang", "name": "Kejaksaan Negeri Kabupaten Batang",
        "head_title": "Kepala Kejaksaan Negeri Kabupaten Batang",
        "address": "Jl. Gajah Mada No. 1, Batang"}).status_code == 302
    office = db.session.query(PartnerOffice).filter_by(name="Kejaksaan Negeri Kabupaten "
                                                            "Batang").one()
    assert office.area == "Kabupaten Batang"
    assert post(client, f"/settings/partners/{office.id}", {
        "kind": "kejari", "area": "Kabupaten Batang", "name": office.name,
        "head_title": "Kepala Kejaksaan Negeri Batang", "address": ""}).status_code == 302
    assert db.session.get(PartnerOffice, office.id).head_title == \
        "Kepala Kejaksaan Negeri Batang"
    officer = app.test_client()
    login(officer, world["officer"])
    assert officer.get("/settings/partners").status_code == 403
    other = app.test_client()
    login(other, make_user(Role.SUPERVISOR, branch=make_branch("KC-TGL", "Tegal")))
    assert other.get(f"/settings/partners/{office.id}").status_code == 404


# 5. the contact person -----------------------------------------------------------------------

def test_the_contact_is_the_companys_officer_with_a_phone(app, world):
    """Issued by another officer, the letter names the company's own officer and phone."""
    with app.test_request_context():
        text = issue(world, walk(world, company(world), "notification"))
    assert "Petugas kami, Siti Rahmawati (telepon 0812 1111 2222)" in text
    assert "Joko Susilo" not in text and "0813 9999 0000" not in text


def test_without_the_officers_phone_the_notification_gives_the_branchs(app, world):
    """An officer without a phone: the letter gives the branch's phone to call instead."""
    world["officer"].phone = ""
    world["branch"].phone = "(0285) 421234"
    db.session.commit()
    with app.test_request_context():
        text = issue(world, walk(world, company(world), "notification"))
    assert "Petugas kami, Siti Rahmawati (telepon kantor (0285) 421234)" in text


def test_the_notification_names_its_deadline_day_in_working_days(app, world):
    """Issued on Monday 2 March 2026 with 10 working days to reply, the notification names
    16 March as the last day for a letter received on its date: the day its step's window
    ends when it is delivered that day, after which the next step falls due."""
    with app.test_request_context():
        letter = walk(world, company(world), "notification")
        text = issue(world, letter)
        assert ("paling lambat 10 (sepuluh) hari kerja sejak surat ini diterima (bila surat ini "
                "diterima pada tanggalnya, paling lambat tanggal 16 Maret 2026)") in text
        step = letter.case.steps[-1]
        case_service.record_delivery(world["issuer"], step, delivered=True, on=TODAY,
                                     today=TODAY, method="hand", recipient="Pak Joko")
        assert step.due_on == date(2026, 3, 16)


def test_the_deadline_skips_the_holidays_and_collective_leave(app, world):
    """A notification of Monday 16 March 2026 with 10 working days: Nyepi, Idulfitri, the
    collective leave around them and Good Friday do not count, so its last day is 7 April."""
    with app.test_request_context():
        letter = walk(world, company(world), "notification")
        text = issue(world, letter, date(2026, 3, 16))
        assert "paling lambat tanggal 7 April 2026)" in text
        assert letter.case.steps[-1].due_on == date(2026, 4, 7)


def test_admin_edits_a_users_phone(client, world, make_user):
    """The phone printed in letters is kept on the user's admin page."""
    admin = make_user(Role.ADMIN)
    login(client, admin)
    officer = world["officer"]
    response = post(client, f"/admin/users/{officer.id}", {
        "email": officer.email, "name": officer.name, "role": "officer",
        "branch": officer.branch_id, "phone": "(0285) 421 555", "active": "y"})
    assert response.status_code == 302
    assert db.session.get(User, officer.id).phone == "(0285) 421 555"


# 6. the summons' meeting ---------------------------------------------------------------------

def _summons(world) -> Letter:
    firm = company(world, city="Kota Pekalongan")
    officer, case = world["issuer"], firm.cases[0]
    for kind, day in (("notification", date(2026, 1, 5)), ("visit", date(2026, 2, 2))):
        step = case_service.log_step(officer, case, kind=kind, occurred_on=day, today=TODAY,
                                     outcome="refused" if kind == "visit" else "")
        if step.letter is not None:
            case_service.issue_letter(officer, step.letter, day, BASE)
            case_service.record_delivery(officer, step, delivered=True, on=day, today=TODAY,
                                         method="hand", recipient="Pak Joko")
        db.session.commit()
    step = case_service.log_step(officer, case, kind="summons", occurred_on=TODAY, today=TODAY)
    db.session.commit()
    return step.letter


def test_summons_names_day_date_time_place_and_contact(client, app, world):
    """The officer fills in the meeting on the draft's page; the letter says when and where."""
    with app.test_request_context():
        letter = _summons(world)
    login(client, world["officer"])
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert "Siti Rahmawati 0812 1111 2222" in page  # the contact offered is the company's officer
    assert post(client, f"/letters/{letter.id}/meeting", {
        "on": "2026-04-06", "at": "09:00",
        "place": "Kantor Cabang BPJS Ketenagakerjaan Pekalongan, Jl. Merdeka No. 3",
        "contact": "Siti Rahmawati 0812 1111 2222"}).status_code == 302
    with app.test_request_context():
        text = issue(world, db.session.get(Letter, letter.id))
    assert ("hadir pada hari Senin, tanggal 6 April 2026, pukul 09.00 WIB, di Kantor Cabang BPJS "
            "Ketenagakerjaan Pekalongan, Jl. Merdeka No. 3") in text
    assert "menghubungi Siti Rahmawati 0812 1111 2222" in text


def test_a_summons_without_its_meeting_is_not_issued(client, app, world):
    """Issuing a summons without day, time and place is refused; a past day is refused too."""
    with app.test_request_context():
        letter = _summons(world)
        with pytest.raises(ServiceError, match="hari, jam, dan tempat"):
            case_service.issue_letter(world["issuer"], letter, TODAY, BASE)
        db.session.rollback()
    login(client, world["officer"])
    past = post(client, f"/letters/{letter.id}/meeting",
                {"on": "2026-03-02", "at": "09:00", "place": "Kantor Cabang", "contact": ""})
    assert past.status_code == 400 and "setelah" in past.get_data(as_text=True)
    assert db.session.get(Letter, letter.id).number is None


# 7. earlier letters --------------------------------------------------------------------------

def test_earlier_letters_are_listed_in_date_order_without_the_current_one(app, world):
    """The referral lists the letters issued before it, by date, with number and date; not
    itself, not a draft."""
    firm = company(world, city="Kota Pekalongan")
    with app.test_request_context():
        referral = walk(world, firm, "legal_referral")
        # another draft of the case, never issued
        draft = case_service.log_step(world["issuer"], firm.cases[0], kind="notification",
                                      occurred_on=date(2026, 1, 12), today=TODAY).letter
        db.session.commit()
        text = issue(world, referral, date(2026, 1, 12))
    issued = db.session.query(Letter).filter(Letter.id != referral.id,
                                             Letter.number.is_not(None)) \
        .order_by(Letter.issued_on).all()
    listed = text[text.index("telah kami lakukan"):text.index("Sampai dengan")]
    positions = [listed.index(f"Nomor {lt.number}") for lt in issued]
    assert positions == sorted(positions) and len(issued) == 5
    assert "Teguran Tertulis I Nomor 002/PKP/KC-PKL/IX/2025 tanggal 22 September 2025" in listed
    assert referral.number not in listed
    assert draft.number is None and listed.count("Nomor") == 5


# 8. the signature block ----------------------------------------------------------------------

def test_the_signature_block_is_never_split_over_a_page(app, world):
    """However long the letter, the signatory's title and name land on the same page."""
    with app.test_request_context():
        data = service.sample_data(world["branch"])
        for lines in range(30, 62, 2):
            body = "".join(f"<p>Baris isi surat nomor {n}.</p>" for n in range(lines))
            template = service.current_template("notification", world["branch"].id)
            trial = type(template)(code="notification", body=body, subject="Uji",
                                   nature="Biasa", copies="", classification="")
            reader = PdfReader(io.BytesIO(html_to_pdf(service.build_html(trial, data,
                                                                         draft=False))))
            pages = [page.extract_text() or "" for page in reader.pages]
            title = [i for i, p in enumerate(pages) if "Kepala Kantor Cabang" in p]
            name = [i for i, p in enumerate(pages) if "Dwi Ananda Pratama" in p]
            assert title == name and len(name) == 1, lines


# 9. Lampiran ---------------------------------------------------------------------------------

def test_lampiran_says_none_or_what_is_attached_and_attaches_it(app, world):
    """Without attachments "Lampiran : -"; with one "1 (satu) berkas" and its page after the
    letter in the same PDF."""
    with app.test_request_context():
        plain = issue(world, walk(world, company(world, "PT Satu"), "notification"))
        letter = walk(world, company(world, "PT Dua"), "notification")
        letter.data = {**letter.data, "attachments": [
            {"title": "Perhitungan Denda", "html": "<table><tr><td>Iuran Januari</td>"
                                                   "<td>Rp1.000.000</td></tr></table>"}]}
        db.session.commit()
        attached = issue(world, letter)
    assert "Lampiran : -" in plain
    assert "Lampiran : 1 (satu) berkas" in attached
    reader = PdfReader(io.BytesIO(db.session.get(Letter, letter.id).pdf))
    last = flat(reader.pages[-1].extract_text())
    assert len(reader.pages) >= 2 and "Perhitungan Denda" in last and "Iuran Januari" in last
    assert "Perhitungan Denda" not in flat(reader.pages[0].extract_text())


# 10. citations -------------------------------------------------------------------------------

UU = "Undang-Undang Nomor 24 Tahun 2011"
PP = "Peraturan Pemerintah Nomor 86 Tahun 2013"
CITATIONS = {
    "notification": ({"15", "6"}, [f"Pasal 15 ayat (1) {UU}",
                                   "Pasal 6 Peraturan Presiden Nomor 109 Tahun 2013"]),
    "warning_1": ({"15", "17", "5", "6"}, [
        f"Pasal 17 ayat (1) dan ayat (2) huruf a {UU} serta Pasal 5 ayat (2) huruf a dan "
        f"Pasal 6 ayat (1) {PP}"]),
    "warning_2": ({"17", "5", "6", "7", "10"}, [
        f"Pasal 17 ayat (2) huruf a {UU} serta Pasal 5 ayat (2) huruf a dan Pasal 6 ayat (1) "
        f"{PP}", f"(Pasal 7 ayat (1) dan Pasal 10 ayat (4) {PP})"]),
    "fine": ({"17", "5", "7", "10"}, [
        f"Pasal 17 ayat (2) huruf b dan ayat (3) {UU} serta Pasal 5 ayat (2) huruf b, Pasal 7, "
        f"dan Pasal 10 ayat (4) {PP}", f"Pasal 10 ayat (6) {PP}"]),
    "tmp2t": ({"17", "8", "9", "10"}, [
        f"Pasal 17 ayat (2) huruf c dan ayat (4) {UU}", f"Pasal 8 ayat (1) {PP}",
        f"Pasal 9 ayat (1) {PP}", "izin perusahaan penyedia jasa pekerja/buruh"]),
    "legal_referral": ({"30", "15"}, [
        "Pasal 30 ayat (2) Undang-Undang Nomor 16 Tahun 2004 tentang Kejaksaan Republik "
        "Indonesia sebagaimana telah diubah dengan Undang-Undang Nomor 11 Tahun 2021",
        f"Pasal 15 ayat (1) {UU}", "Surat Kuasa Khusus"]),
}


@pytest.mark.parametrize("kind", list(CITATIONS))
def test_each_letter_cites_the_right_articles_and_no_others(app, world, kind):
    """Each letter cites the articles its step rests on, and no article besides."""
    day = dict(WALK)[kind]
    with app.test_request_context():
        text = issue(world, walk(world, company(world), kind), day)
    expected, phrases = CITATIONS[kind]
    assert articles(text) == expected
    for phrase in phrases:
        assert phrase in text
    assert "Pasal 7 Peraturan Pemerintah Nomor 86 Tahun 2013 kepada" not in text


def test_the_summons_cites_the_inspection_article(app, world):
    """The summons rests on the agency's supervision and inspection (PP 86/2013 art. 13)."""
    with app.test_request_context():
        letter = _summons(world)
        service.set_meeting(world["issuer"], letter, on=date(2026, 4, 6), at="09:00",
                            place="Kantor Cabang", contact="", today=TODAY)
        db.session.commit()
        text = issue(world, letter)
    assert articles(text) == {"13", "15"}
    assert f"Pasal 13 {PP}" in text and f"Pasal 15 ayat (1) {UU}" in text


# 11. always in Indonesian --------------------------------------------------------------------

def test_letters_stay_in_indonesian_for_an_english_reader(app, world):
    """An officer reading the app in English issues a summons: its day and date are Indonesian."""
    world["issuer"].locale = "en"
    db.session.commit()
    with app.test_request_context():
        letter = _summons(world)
        service.set_meeting(world["issuer"], letter, on=date(2026, 4, 6), at="09:00",
                            place="Kantor Cabang", contact="", today=TODAY)
        db.session.commit()
        text = issue(world, letter)
    assert "hari Senin, tanggal 6 April 2026" in text and "Monday" not in text
