"""The sponsored-workers programme in a real browser: from a new sponsor to the mayor's PDF."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from outreach.core import clock
from outreach.extensions import db
from outreach.programme.models import Beneficiary
from tests.e2e.scenario import make_world, pdf_text, sign_in
from tests.e2e.test_accessibility import BLOCKING, axe_source, axe_violations, report

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the `browser` fixture fails every test with the reason
    Page = expect = None

pytestmark = pytest.mark.e2e

OCCUPATIONS = ("Pembatik", "Nelayan", "Petani")
KECAMATAN = ("Pekalongan Barat", "Pekalongan Timur", "Pekalongan Utara", "Pekalongan Selatan")


def city_list(path: Path, broken: bool) -> Path:
    """The city's list of 50 workers as XLSX; `broken`: two rows typed wrongly (a NIK with a
    digit missing, a birth date the NIK contradicts)."""
    book = Workbook()
    sheet = book.active
    sheet.append(["No", "NIK", "Nama Lengkap", "Tgl Lahir", "Pekerjaan", "Kelurahan",
                  "Kecamatan", "No HP"])
    for n in range(1, 51):
        born = date(1970 + n % 30, n % 12 + 1, n % 27 + 1)
        day = born.day + (40 if n % 2 else 0)
        nik = f"33750{n % 4 + 1}{day:02d}{born.month:02d}{born.year % 100:02d}{n:04d}"
        birth = born.strftime("%d/%m/%Y")
        if broken and n == 7:
            nik = nik[:-1]
        if broken and n == 23:
            birth = date(born.year, born.month, born.day % 27 + 2).strftime("%d/%m/%Y")
        sheet.append([n, nik, f"Warga Kota {n}", birth, OCCUPATIONS[n % 3], "Kauman",
                      KECAMATAN[n % 4], f"08123456{n:04d}"])
    book.save(path)
    return path


def flash(page: Page, text: str) -> None:
    expect(page.get_by_role("alert").filter(has_text=re.compile(f"^{re.escape(text)}$"))
           ).to_be_visible()


@pytest.fixture(scope="module")
def axe_script() -> str:
    return axe_source()


def accessible(page: Page, axe_script: str) -> None:
    """No serious accessibility problem on the page as it stands."""
    blocking = [v for v in axe_violations(page, axe_script) if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {page.url}:\n{report(blocking)}"


def test_supervisor_runs_the_city_programme(context, make_branch, make_user, make_company,
                                            screenshots, tmp_path, axe_script):
    """A supervisor creates the city's sponsor, imports 50 workers, fixes the two rows the
    check refused, exports the registration file and opens the mayor's report."""
    world = make_world(make_branch, make_user, make_company)
    year = clock.today().year
    page = context.new_page()
    sign_in(page, world.supervisor)

    page.locator("nav").get_by_role("link", name="BPU", exact=True).click()
    page.get_by_role("link", name="Sponsor baru").click()
    page.locator("#code").fill(f"PEMKOT-PKL-{year}")
    page.locator("#name").fill("Pemerintah Kota Pekalongan")
    page.locator("#kind").select_option("city")
    page.locator("#quota").fill("1000")
    page.locator("#starts_on").fill(f"{year}-01-01")
    page.locator("#ends_on").fill(f"{year}-12-31")
    page.locator("#budget").fill("201600000")
    page.locator("#budget_line").fill("APBD Kota Pekalongan")
    page.get_by_role("button", name="Buat sponsor").click()
    flash(page, "Sponsor dibuat.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pemerintah Kota Pekalongan")

    page.locator("#file").set_input_files(str(city_list(tmp_path / "daftar.xlsx", True)))
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.locator("#counts")).to_contain_text("Akan didaftarkan: 48")
    expect(page.locator("#counts")).to_contain_text("Ditolak: 2")
    accessible(page, axe_script)
    refused = page.locator("#refused tbody tr")
    expect(refused).to_have_count(2)
    expect(refused.nth(0)).to_contain_text("NIK terdiri dari 16 digit.")
    expect(refused.nth(1)).to_contain_text("tidak sesuai dengan NIK")
    page.get_by_role("button", name="Daftarkan pekerja").click()  # all or nothing
    expect(page.get_by_role("alert").first).to_contain_text("2 baris ditolak")
    assert db.session.scalar(select(func.count(Beneficiary.id))) == 0

    page.get_by_role("link", name="Unggah berkas yang sudah diperbaiki").click()
    page.locator("#file").set_input_files(str(city_list(tmp_path / "daftar-baik.xlsx", False)))
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.locator("#counts")).to_contain_text("Akan didaftarkan: 50")
    page.get_by_role("button", name="Daftarkan pekerja").click()
    flash(page, "50 pekerja didaftarkan.")
    expect(page.locator("#enrolled")).to_have_text("50 / 1.000")
    accessible(page, axe_script)

    with page.expect_download() as info:
        page.get_by_role("link", name="Berkas pendaftaran (XLSX)").click()
    rows = list(load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
                .active.iter_rows(values_only=True))
    assert rows[0][:3] == ("No", "NIK", "Nama Lengkap")
    assert len(rows) == 51 and all(len(r[1]) == 16 for r in rows[1:])  # full NIK, supervisor

    page.locator("nav").get_by_role("link", name="BPU", exact=True).click()
    page.get_by_role("link", name="Laporan untuk Wali Kota").click()
    expect(page.locator("#figures")).to_contain_text("50")
    expect(page.locator("main")).to_contain_text("Pembatik")
    page.screenshot(path=screenshots / "supervisor_runs_the_city_programme.png", full_page=True)
    with page.expect_response(lambda r: ".pdf" in r.url) as response_info:
        page.get_by_role("link", name="Laporan sebagai PDF").click()
    response = response_info.value
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(page.request.get(response.url).body())
    assert "Pemerintah Kota Pekalongan" in text and "Pekalongan Timur" in text
