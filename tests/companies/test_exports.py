"""Exports of the company list: CSV and XLSX, all rows of the filter, typed cells."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, datetime
from types import SimpleNamespace

import pytest
import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, select

from outreach.cases.models import Category
from outreach.companies.models import BusinessSize
from outreach.extensions import db
from outreach.org.models import Role
from outreach.queue.models import BackgroundJob
from tests import factories
from tests.conftest import login, post

TODAY = date(2026, 3, 2)
ROW_LINK = re.compile(r'<a href="/companies/(\d+)">([^<]*)</a>')
HEADERS = ["Nama perusahaan", "Kantor cabang", "NIB", "NPWP", "NPP", "Alamat", "Kelurahan",
           "Kecamatan", "Kota", "Sektor", "Skala usaha", "Kelas risiko", "Pekerja (perkiraan)",
           "Pekerja terdaftar", "Pekerja belum terdaftar", "Upah rata-rata (Rp)",
           "Program diikuti", "Perkiraan iuran belum dibayar per bulan (Rp)", "Kategori",
           "Status kasus", "Tahap", "Langkah berikutnya", "Jatuh tempo", "Kasus dibuka",
           "Lama terbuka (hari)", "Petugas", "Saldo iuran (Rp)", "Denda (Rp)",
           "Saldo denda (Rp)", "Saldo total (Rp)"]


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


@pytest.fixture
def world(make_branch, make_user, make_company):
    """Five companies in Pekalongan, one in Tegal (same region), one in Bandung."""
    pkl = make_branch("KC-PKL", "Pekalongan")
    tgl = make_branch("KC-TGL", "Tegal")
    bdg = make_branch("KC-BDG", "Bandung", region="JABAR")
    officer = make_user(Role.OFFICER, branch=pkl, name="Andi Wijaya")
    other = make_user(Role.OFFICER, branch=tgl, name="Tono Tegal")
    regional = make_user(Role.REGIONAL, region=pkl.region)
    for user in (officer, other, regional):
        user.locale = "en"
    alfa = make_company(pkl, "PT Alfa", categories=(Category.PWBD, Category.ARREARS),
                        nib="0123456789012", npwp="012345678901000", sector="Batik",
                        kecamatan="Pekalongan Barat", business_size=BusinessSize.SMALL,
                        workers_estimated=20, average_wage=3_000_000, officer_id=officer.id,
                        opened_on=date(2026, 1, 5))
    # the notification delivered on Friday 6 February: the visit is due on 25 February
    factories.delivered_step(alfa.cases[0], "notification", date(2026, 2, 6), today=TODAY,
                             actor=officer)
    bravo = make_company(pkl, "PT Bravo", categories=(Category.PDS_TK,), sector="Batik",
                         workers_estimated=50, workers_registered=30,
                         business_size=BusinessSize.MEDIUM, average_wage=4_000_000,
                         programs="JKK,JKM,JHT", risk_class=2)
    factories.pause(bravo.cases[0], date(2026, 2, 2), actor=officer)  # nothing is due
    make_company(pkl, "PT Charlie", sector="Perikanan", workers_estimated=5)
    make_company(pkl, "=HYPERLINK(\"http://evil.example\")", sector="Batik")
    make_company(pkl, "UD Delta", sector="Batik", categories=(Category.PWBD,),
                 npp="87654321")
    make_company(tgl, "PT Tegal Batik", sector="Batik", categories=(Category.PWBD,),
                 officer_id=other.id)
    make_company(bdg, "PT Bandung Batik", sector="Batik")
    db.session.commit()
    return SimpleNamespace(pkl=pkl, officer=officer, regional=regional)


def listed(client, **params) -> list[str]:
    """Names the list shows on screen, every page in turn."""
    shown, page, pages = [], 1, 1
    while page <= pages:
        text = client.get("/companies/", query_string={**params, "page": page}).get_data(
            as_text=True)
        shown += [html.unescape(n) for _, n in ROW_LINK.findall(text)]
        found = re.search(r"Page \d+ of (\d+)", text)
        pages = int(found.group(1)) if found else 1
        page += 1
    return shown


def exported(client, url: str, **kwargs):
    """The file of an export: asked for from the list, made by a job of the queue (run at once
    in the tests) and downloaded from the job's page."""
    asked = post(client, url, **kwargs)
    job_page = asked.headers["Location"]
    assert re.fullmatch(r"/jobs/\d+", job_page)
    page = client.get(job_page).get_data(as_text=True)
    assert f'href="{job_page}/result"' in page
    return client.get(f"{job_page}/result")


def read_csv(client, **params) -> list[list[str]]:
    response = exported(client, "/companies/export.csv", query_string=params)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="perusahaan-2026-03-02.csv"' in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(client, **params):
    response = exported(client, "/companies/export.xlsx", query_string=params)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data)).active


def test_csv_has_every_row_of_the_filter_not_one_page(client, world):
    """With two companies a page, the export still holds all the Batik companies, in order."""
    login(client, world.officer)
    on_screen = listed(client, sector="Batik", per_page=2)
    assert on_screen == ['=HYPERLINK("http://evil.example")', "PT Alfa", "PT Bravo", "UD Delta"]
    rows = read_csv(client, sector="Batik", per_page=2, page=2)
    assert rows[0] == HEADERS
    assert ["'" + on_screen[0], *on_screen[1:]] == [row[0] for row in rows[1:]]


def test_csv_values(client, world):
    """Numbers without grouping, ISO dates, codes as Indonesian-side labels, text kept whole."""
    login(client, world.officer)
    rows = read_csv(client, q="alfa")
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["NIB"] == "0123456789012" and row["NPWP"] == "012345678901000"
    assert row["Kantor cabang"] == "Pekalongan"
    assert row["Pekerja (perkiraan)"] == "20" and row["Pekerja belum terdaftar"] == "20"
    assert row["Perkiraan iuran belum dibayar per bulan (Rp)"] == "3744000"
    assert row["Kategori"] == "PWBD, Menunggak"
    assert row["Jatuh tempo"] == "2026-02-25" and row["Kasus dibuka"] == "2026-01-05"
    assert row["Lama terbuka (hari)"] == "56"
    assert row["Petugas"] == "Andi Wijaya"


def test_xlsx_opens_with_typed_cells(client, world):
    """The XLSX opens in openpyxl with numbers as numbers and dates as dates."""
    login(client, world.officer)
    sheet = read_xlsx(client, sector="Batik", sort="name")
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert [r[0] for r in rows[1:]] == listed(client, sector="Batik")
    alfa = dict(zip(HEADERS, next(r for r in rows if r[0] == "PT Alfa"), strict=True))
    assert alfa["Pekerja belum terdaftar"] == 20 and isinstance(alfa["Kelas risiko"], int)
    assert alfa["Perkiraan iuran belum dibayar per bulan (Rp)"] == 3_744_000
    assert alfa["Jatuh tempo"] == datetime(2026, 2, 25)
    assert alfa["Kasus dibuka"] == datetime(2026, 1, 5)
    assert alfa["NIB"] == "0123456789012"  # the leading zero stays: text, not a number
    bravo = dict(zip(HEADERS, next(r for r in rows if r[0] == "PT Bravo"), strict=True))
    # 20 unregistered × 4,000,000 × (0.54 + 0.30 + 5.7)% + 50 × 4,000,000 × 3% (JP missing)
    assert bravo["Perkiraan iuran belum dibayar per bulan (Rp)"] == 11_232_000
    assert bravo["Jatuh tempo"] is None


def test_text_that_looks_like_a_formula_stays_text(client, world):
    """A company name starting with "=" is not run as a formula by a spreadsheet."""
    login(client, world.officer)
    sheet = read_xlsx(client, q="hyperlink")
    cell = sheet["A2"]
    assert cell.value == '=HYPERLINK("http://evil.example")' and cell.data_type == "s"
    assert read_csv(client, q="hyperlink")[1][0].startswith("'=")


@pytest.mark.parametrize("params", [
    {}, {"sector": "Batik"}, {"category": "PWBD"}, {"stage": "notification"},
    {"overdue": "1"}, {"q": "batik"}, {"open_case": "1"}, {"sort": "missing"},
])
def test_export_matches_the_list_on_screen(client, world, params):
    """For any filter, both files hold the list's companies in the list's order."""
    login(client, world.officer)
    on_screen = listed(client, **params, per_page=200)
    in_csv = [row[0].removeprefix("'") for row in read_csv(client, **params)[1:]]
    in_xlsx = [row[0] for row in read_xlsx(client, **params).iter_rows(min_row=2,
                                                                        values_only=True)]
    assert in_csv == on_screen == in_xlsx


def test_export_follows_the_users_reach(client, world):
    """Officers export their branch; regional staff their region's branches, not others."""
    login(client, world.officer)
    names = [row[0] for row in read_csv(client, sector="Batik")[1:]]
    assert names == ["'=HYPERLINK(\"http://evil.example\")", "PT Alfa", "PT Bravo", "UD Delta"]
    regional = client.application.test_client()
    login(regional, world.regional)
    rows = {row[0]: row for row in read_csv(regional, sector="Batik")[1:]}
    assert "PT Tegal Batik" in rows and "PT Bandung Batik" not in rows
    assert rows["PT Tegal Batik"][1] == "Tegal" and rows["PT Alfa"][1] == "Pekalongan"
    assert len(rows) == 5


def test_list_offers_the_exports_with_its_filters(client, world):
    """The list's export buttons carry the list's query parameters."""
    login(client, world.officer)
    page = html.unescape(client.get("/companies/?sector=Batik&sort=missing")
                         .get_data(as_text=True))
    links = re.findall(r'<form method="post" action="(/companies/export\.(?:csv|xlsx)[^"]*)"', page)
    assert len(links) == 2
    assert all("sector=Batik" in link and "sort=missing" in link for link in links)


def test_an_export_is_asked_for_with_the_form_token(client, world):
    """An export starts work: a plain link (GET) or a POST without the form's token from
    another site asks for nothing."""
    login(client, world.officer)
    assert client.get("/companies/export.csv").status_code == 405
    assert client.post("/companies/export.csv").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(BackgroundJob)) == 0


def test_empty_filter_exports_only_the_header(client, world):
    """No company matches: the file still opens, with its header row."""
    login(client, world.officer)
    assert read_csv(client, q="nothing-like-this") == [HEADERS]
    sheet = read_xlsx(client, q="nothing-like-this")
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [HEADERS]


def test_a_regional_export_is_only_for_who_asked(client, app, world, make_user):
    """Regional staff's export holds the region's companies: its job, filed under a branch of
    the region, is neither listed nor opened nor downloaded by that branch's staff."""
    login(client, world.regional)
    rows = list(csv.reader(io.StringIO(exported(client, "/companies/export.csv")
                                       .data.decode("utf-8-sig")), delimiter=";"))
    assert {"PT Alfa", "Tegal"} <= {cell for row in rows for cell in row}
    job_page = post(client, "/companies/export.csv").headers["Location"]
    branch_staff = app.test_client()
    login(branch_staff, world.officer)
    assert branch_staff.get(job_page).status_code == 404
    assert branch_staff.get(f"{job_page}/result").status_code == 404
    assert job_page not in branch_staff.get("/jobs/").get_data(as_text=True)
