"""What officers and supervisors do in a real browser, from sign-in to the PDF in their hands."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from outreach.cases.models import Step
from outreach.extensions import db
from outreach.letters.models import Letter
from outreach.org.models import User
from tests.e2e.scenario import (
    NPWP_BADLY_TYPED,
    World,
    log,
    make_world,
    no_horizontal_scroll,
    pdf_text,
    photo_jpeg,
    sign_in,
)

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the `browser` fixture fails every test with the reason
    Page = expect = None


pytestmark = pytest.mark.e2e

#: a check run on every page a journey visits
Check = Callable[["Page"], None]


@pytest.fixture
def world(make_branch, make_user, make_company) -> World:
    """A case whose notification letter was delivered weeks ago: a visit, then warning I."""
    world = make_world(make_branch, make_user, make_company)
    log(world, "notification", world.working_days_ago(30))
    return world


def flash(page: Page, text: str) -> None:
    """The page shows a message with exactly this text."""
    expect(page.get_by_role("alert").filter(has_text=re.compile(f"^{re.escape(text)}$"))
           ).to_be_visible()


def find_company_by_npwp(page: Page, check: Check = lambda page: None) -> None:
    """Search the company list by an NPWP typed with spaces and the wrong punctuation."""
    if "/companies/" not in page.url:  # officers land on their tasks
        page.goto("/companies/")
        check(page)
    page.locator("#q").fill(NPWP_BADLY_TYPED)
    page.locator("form[role=search]").get_by_role("button", name="Cari").click()
    page.wait_for_url(re.compile(r"/companies/\?q="))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("PT Batik Pesisir Sejahtera")
    check(page)
    rows.get_by_role("link", name="PT Batik Pesisir Sejahtera").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PT Batik Pesisir Sejahtera")
    check(page)


def log_visit_with_photo(page: Page, world: World, check: Check = lambda page: None) -> None:
    """From the company page: log last week's visit with a photo taken there."""
    page.get_by_role("link", name="Catat langkah").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Catat langkah")
    check(page)
    page.locator("#kind-visit").check()
    page.locator("#occurred_on").fill(world.working_days_ago(8).isoformat())
    page.locator("#outcome").select_option("promised")
    page.locator("#notes").fill("Bertemu HRD; janji mendaftarkan 40 pekerja minggu depan.")
    page.locator("#proof").set_input_files(
        files=[{"name": "kunjungan.jpg", "mimeType": "image/jpeg", "buffer": photo_jpeg()}])
    page.get_by_role("button", name="Simpan langkah").click()
    flash(page, "Langkah telah dicatat.")
    timeline = page.locator("ul.timeline")
    expect(timeline).to_contain_text("Berjanji mendaftar")
    expect(timeline.get_by_role("link", name="kunjungan.jpg")).to_be_visible()
    check(page)


def saved_visit(world: World) -> Step:
    db.session.expire_all()
    return db.session.scalars(select(Step).where(Step.case_id == world.case.id,
                                                 Step.kind == "visit")).one()


def open_pdf(page: Page, link_name: str) -> bytes:
    """Click a link to a PDF the browser shows in its viewer; return the PDF's bytes."""
    with page.expect_response(lambda r: r.url.endswith(".pdf")) as info:
        page.get_by_role("link", name=link_name).click()
    response = info.value
    assert (response.status, response.headers["content-type"]) == (200, "application/pdf")
    # The viewer swallows the body; fetch the same URL with the page's cookies.
    return page.request.get(response.url).body()


def download(page: Page, link_name: str) -> bytes:
    """Click a link that downloads a file; return the file's bytes."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    return Path(info.value.path()).read_bytes()


def test_officer_finds_company_logs_visit_and_issues_warning_one(
        context, world, screenshots):
    """An officer signs in, finds the company by a badly typed NPWP, logs a visit with a photo,
    issues Teguran Tertulis I and gets its numbered PDF (in a branch whose warnings need no
    supervisor's approval)."""
    from outreach.ladder.service import adjust_rung

    adjust_rung(world.supervisor, "warning_1", window_days=10, max_count=1, active=True,
                needs_approval=False)
    db.session.commit()
    page = context.new_page()
    sign_in(page, world.officer)
    find_company_by_npwp(page)
    log_visit_with_photo(page, world)
    visit = saved_visit(world)
    assert [p.filename for p in visit.proofs] == ["kunjungan.jpg"]
    assert visit.proofs[0].data[:3] == b"\xff\xd8\xff"

    page.get_by_role("link", name="Teguran Tertulis I", exact=True).click()
    expect(page.locator("#kind-warning_1")).to_be_checked()
    page.get_by_role("button", name="Simpan langkah").click()
    flash(page, "Langkah telah dicatat.")

    page.locator("nav").get_by_role("link", name="Surat", exact=True).click()
    row = page.locator("tbody tr", has_text="Teguran Tertulis I")
    row.get_by_role("link", name="(konsep)").click()
    page.get_by_label("Saya sudah memeriksa surat", exact=False).check()
    page.get_by_role("button", name="Terbitkan surat").click()
    db.session.expire_all()
    warning = db.session.scalars(select(Step).where(Step.case_id == world.case.id,
                                                    Step.kind == "warning_1")).one()
    letter = warning.letter
    assert letter.status == "issued"
    flash(page, f"Surat telah diterbitkan dengan nomor {letter.number}.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(letter.number)

    page.screenshot(path=screenshots / "officer_issues_warning_one.png", full_page=True)

    data = open_pdf(page, "PDF")
    assert data == letter.pdf  # the stored, immutable file
    text = pdf_text(data)
    assert letter.number in text
    assert "PT Batik Pesisir Sejahtera" in text
    assert "TEGURAN TERTULIS PERTAMA" in text


@pytest.fixture
def referred(make_branch, make_user, make_company) -> tuple[World, Step]:
    """Persuasion exhausted over months; the officer has asked to refer the case to Kejari."""
    world = make_world(make_branch, make_user, make_company)
    for kind, days_ago in (("notification", 190), ("visit", 180), ("warning_1", 160),
                           ("warning_2", 140), ("fine", 100)):
        log(world, kind, world.working_days_ago(days_ago),
            outcome="refused" if kind == "visit" else "")
    referral = log(world, "legal_referral", world.working_days_ago(3), issue=False,
                   deliver=False)
    assert referral.approval_status == "requested"
    return world, referral


def test_supervisor_approves_legal_referral_and_downloads_the_dossier(
        context, referred, screenshots):
    """A supervisor finds the referral in the approvals queue and approves it; on the
    referral letter's page they confirm and issue it, and the dossier with the case's
    chronology downloads."""
    world, referral = referred
    page = context.new_page()
    sign_in(page, world.supervisor)
    page.locator("nav").get_by_role("link", name="Persetujuan").click()
    main = page.locator("main")
    expect(main).to_contain_text("PT Batik Pesisir Sejahtera")
    main.get_by_role("link", name="Putuskan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("PT Batik Pesisir Sejahtera")
    page.get_by_label("Setujui").check()
    page.get_by_label("Alasan atau catatan").fill("Upaya persuasif sudah habis; teruskan.")
    page.get_by_role("button", name="Simpan keputusan").click()
    flash(page, "Disetujui: suratnya dapat diterbitkan sekarang.")
    db.session.expire_all()
    assert db.session.get(Step, referral.id).approval_status == "approved"
    page.get_by_label("Saya sudah memeriksa surat", exact=False).check()
    page.get_by_role("button", name="Terbitkan surat").click()
    db.session.expire_all()
    letter = db.session.get(Letter, referral.letter_id)
    assert letter.status == "issued"
    flash(page, f"Surat telah diterbitkan dengan nomor {letter.number}.")
    page.screenshot(path=screenshots / "supervisor_approves_referral.png", full_page=True)

    text = pdf_text(download(page, "Berkas penyerahan ke Kejari (PDF)"))
    assert letter.number in text
    assert "KRONOLOGI" in text and "PT Batik Pesisir Sejahtera" in text
    for step_name in ("Teguran Tertulis I", "Teguran Tertulis II", "Denda"):
        assert step_name in text


def test_officer_on_a_phone_logs_a_visit_without_sideways_scrolling(
        phone, world, screenshots):
    """On a 390 px wide phone every page of the visit log fits the screen's width."""
    page = phone.new_page()
    sign_in(page, world.officer, check=no_horizontal_scroll)
    find_company_by_npwp(page, check=no_horizontal_scroll)
    log_visit_with_photo(page, world, check=no_horizontal_scroll)
    assert [p.filename for p in saved_visit(world).proofs] == ["kunjungan.jpg"]
    page.screenshot(path=screenshots / "officer_on_a_phone.png", full_page=True)


def test_interface_switches_to_english_and_back(context, world, screenshots):
    """The language button turns the interface to English, kept across pages, and back."""
    page = context.new_page()
    sign_in(page, world.officer)
    page.goto("/companies/")
    nav = page.locator("nav.navbar")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Perusahaan")
    expect(nav.get_by_role("link", name="Tugas saya")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "id")

    nav.get_by_role("button", name="English").click()
    expect(heading).to_have_text("Companies")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    nav.get_by_role("link", name="My tasks").click()
    expect(heading).to_have_text("My tasks")  # the choice stays on the next page
    db.session.expire_all()
    assert db.session.get(User, world.officer.id).locale == "en"

    nav.get_by_role("button", name="Bahasa Indonesia").click()
    expect(heading).to_have_text("Tugas saya")
    expect(nav.get_by_role("link", name="Perusahaan")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    page.screenshot(path=screenshots / "language_switch.png", full_page=True)
