"""Sponsored informal workers (BPU): NIK checks, the quota, no double funding, the
registration file, masked personal data and the audit of who looked."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.imports.reading import Sheet
from outreach.letters.render import pdf_text
from outreach.org.models import Role
from outreach.programme import rules, service
from outreach.programme.models import Beneficiary, Renewal, Sponsor
from outreach.socialisation import service as socialisation
from outreach.tasks.service import sweep
from tests.conftest import login, post

HEADERS = ["NIK", "Nama", "Tanggal Lahir", "Pekerjaan", "Kelurahan", "Kecamatan", "No HP"]
#: the app's today (Asia/Jakarta): the pages and commands enrol on it
TODAY = datetime.now(ZoneInfo("Asia/Jakarta")).date()
START = TODAY.replace(day=1)


def nik(serial: int, born: date = date(1980, 5, 17), woman: bool = False,
        region: str = "337501") -> str:
    day = born.day + (40 if woman else 0)
    return f"{region}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def worker(serial: int, **kw) -> list[str]:
    born = kw.pop("born", date(1980, 5, 17))
    number = nik(serial, born, kw.pop("woman", False))
    return [kw.pop("nik", number), kw.pop("name", f"Warga {serial}"),
            born.strftime("%d/%m/%Y"), kw.pop("occupation", "Pembatik"), "Kauman",
            kw.pop("kecamatan", "Pekalongan Timur"), "0812000000"]


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def sheet(rows: list[list[str]]) -> Sheet:
    return Sheet("csv", 1, HEADERS, [(n, r) for n, r in enumerate(rows, start=2)])


def make_sponsor(branch, code: str = "PEMKOT-PKL", quota: int = 1000, budget: int | None = None,
                 starts_on: date = START, months: int = 12, kind: str = "city",
                 company=None) -> Sponsor:
    sponsor = service.create_sponsor(
        None, branch, code=code, name=f"Sponsor {code}", kind=kind, quota=quota,
        starts_on=starts_on, ends_on=rules.add_months(starts_on, months) - timedelta(days=1),
        budget=budget, regency_code="3375", company=company)
    db.session.commit()
    return sponsor


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def invoke(runner, *args):
    result = runner.invoke(args=list(args))
    result.json = json.loads(result.stdout) if "--json" in args and result.stdout else None
    return result


# --- NIK -----------------------------------------------------------------------------------

def test_a_sound_nik_gives_the_birth_date_and_sex():
    """Does the NIK give the birth date, with 40 added to the day for women?"""
    man = rules.check_nik(nik(1), TODAY, date(1980, 5, 17), "3375")
    woman = rules.check_nik(nik(2, woman=True), TODAY, date(1980, 5, 17), "3375")
    assert man.ok and man.sex == "M" and man.birth_date == date(1980, 5, 17)
    assert woman.ok and woman.sex == "F" and woman.birth_date == date(1980, 5, 17)
    assert nik(2, woman=True)[6:8] == "57"


@pytest.mark.parametrize("value, birth, message", [
    ("33750117058", None, "16 digit"),
    ("3375011705800001x", None, "16 digit"),
    ("3175011705800001", None, "3175 bukan kabupaten atau kota di Jawa Tengah"),
    ("3375001705800001", None, "kecamatan"),
    ("3375013205800001", None, "tanggal lahir yang sah"),
    ("3375011705800001", date(1980, 5, 18), "18-05-1980 tidak sesuai dengan NIK"),
])
def test_a_bad_nik_is_refused_with_the_reason(value, birth, message):
    """Is a NIK with the wrong length, region, kecamatan or birth date refused, and why?"""
    check = rules.check_nik(value, TODAY, birth, "3375")
    assert not check.ok
    assert message in " ".join(check.problems)


def test_a_nik_of_another_regency_is_a_warning_only():
    """Pekalongan regency (3326) on the city's list: enrolled, with a warning."""
    check = rules.check_nik(nik(3, region="332601"), TODAY, None, "3375")
    assert check.ok and "Kabupaten Pekalongan" in check.warnings[0]


def test_the_monthly_contribution_at_the_lowest_income():
    """JKK 1% of Rp1,000,000 and JKM Rp6,800: Rp16,800 a month; JHT 2% on top."""
    rate = rules.rate_in_force(date(2022, 1, 1))
    assert rules.monthly_contribution(rate, 1_000_000, False) == 16_800
    assert rules.monthly_contribution(rate, 1_000_000, True) == 36_800
    assert rules.monthly_contribution(rate, 500_000, False) == 16_800  # never below the lowest


# --- quota, double funding, budget -----------------------------------------------------------

def test_the_quota_holds_and_the_1001st_is_refused(runner, make_branch, tmp_path):
    """A list of 1,001 for a quota of 1,000: nothing is enrolled without --valid-rows; with it
    1,000 are, and the 1,001st is refused with the reason."""
    branch = make_branch()
    make_sponsor(branch, quota=1000)
    path = tmp_path / "daftar.csv"
    path.write_bytes(csv_bytes([worker(n) for n in range(1, 1002)]))
    result = invoke(runner, "beneficiaries", "import", str(path), "--sponsor", "PEMKOT-PKL",
                    "--json")
    assert result.exit_code == 1
    assert {k: result.json[k] for k in ("enrolled", "rejected", "duplicate", "over_quota")} == {
        "enrolled": 0, "rejected": 0, "duplicate": 0, "over_quota": 1}
    assert db.session.scalar(select(func.count(Beneficiary.id))) == 0
    result = invoke(runner, "beneficiaries", "import", str(path), "--sponsor", "PEMKOT-PKL",
                    "--json", "--valid-rows")
    assert result.json["enrolled"] == 1000 and result.json["over_quota"] == 1
    assert result.json["errors"] == [{"row": 1002, "field": "nik", "message":
                                      "Kuota sponsor sebanyak 1.000 pekerja sudah terpenuhi."}]
    assert db.session.scalar(select(func.count(Beneficiary.id))) == 1000


def test_two_sponsors_never_fund_the_same_person_for_the_same_months(make_branch, make_company):
    """The city enrols a worker; a CSR list with the same NIK is told, and enrols nothing; the
    same person is fine for months the city does not cover."""
    branch = make_branch()
    city = make_sponsor(branch, "PEMKOT-PKL", months=6)
    company = make_company(branch, "PT Batik Besar")
    csr = make_sponsor(branch, "CSR-BATIK", kind="csr", company=company, months=12)
    service.enrol(None, city, service.plan_enrolment(city, sheet([worker(1)]), TODAY))
    plan = service.plan_enrolment(csr, sheet([worker(1), worker(2)]), TODAY)
    assert plan.counts() == {"enrolled": 1, "rejected": 0, "duplicate": 1, "over_quota": 0}
    assert "PEMKOT-PKL" in plan.errors()[0]["message"]
    assert service.enrol(None, csr, plan)["enrolled"] == 0  # all or nothing
    later = make_sponsor(branch, "CSR-LATER", kind="csr", company=company,
                         starts_on=rules.add_months(START, 6), months=6)
    plan = service.plan_enrolment(later, sheet([worker(1)]), TODAY)
    assert plan.counts()["enrolled"] == 1


def test_a_person_twice_in_one_list_is_a_duplicate(make_branch):
    """The second row with the same NIK names the first."""
    sponsor = make_sponsor(make_branch())
    plan = service.plan_enrolment(sponsor, sheet([worker(1), worker(1)]), TODAY)
    assert plan.counts()["duplicate"] == 1
    assert plan.errors()[0]["row"] == 3 and "2" in plan.errors()[0]["message"]


def test_the_budget_holds(make_branch):
    """A budget for two workers' twelve months: the third is refused with the amounts."""
    sponsor = make_sponsor(make_branch(), budget=2 * 12 * 16_800)
    plan = service.plan_enrolment(sponsor, sheet([worker(n) for n in (1, 2, 3)]), TODAY)
    assert plan.counts() == {"enrolled": 2, "rejected": 0, "duplicate": 0, "over_quota": 1}
    assert "Rp403.200" in plan.errors()[0]["message"]


# --- the pages, the export, personal data ---------------------------------------------------

@pytest.fixture
def enrolled(make_branch, make_user):
    branch = make_branch()
    officer = make_user(Role.OFFICER, branch=branch)
    supervisor = make_user(Role.SUPERVISOR, branch=branch)
    sponsor = make_sponsor(branch)
    service.enrol(None, sponsor, service.plan_enrolment(
        sponsor, sheet([worker(1, name="Siti Aminah", woman=True), worker(2)]), TODAY))
    db.session.commit()
    return sponsor, officer, supervisor


def audit(action: str) -> list[AuditEvent]:
    """The audit events of an action, in the order they were written."""
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def test_an_officer_sees_masked_nik_and_the_view_is_audited(client, enrolled):
    """An officer's list shows 337501********01, never the full NIK or birth date; the look is
    in the audit log."""
    sponsor, officer, _supervisor = enrolled
    login(client, officer)
    page = client.get(f"/programme/sponsors/{sponsor.id}").get_data(as_text=True)
    assert "Siti Aminah" in page
    assert nik(1, woman=True) not in page and rules.mask_nik(nik(1, woman=True)) in page
    assert "17-05-1980" not in page and "**-**-1980" in page
    [event] = audit("view.beneficiaries")
    assert event.user_id == officer.id and event.changes == {"rows": 2, "unmasked": False}


def test_a_supervisor_sees_the_full_nik(client, enrolled):
    sponsor, _officer, supervisor = enrolled
    login(client, supervisor)
    page = client.get(f"/programme/sponsors/{sponsor.id}").get_data(as_text=True)
    assert nik(1, woman=True) in page and "17-05-1980" in page


def documented_columns() -> list[str]:
    text = (Path(__file__).parents[2] / "docs" / "bpu-registration.md").read_text()
    return re.findall(r"^\| \d+ \| ([^|]+?) \|", text, re.M)


def test_the_registration_file_has_the_documented_columns(client, enrolled):
    """The CSV and XLSX a supervisor downloads hold the columns of docs/bpu-registration.md,
    the full NIK as text, and each download is audited."""
    sponsor, _officer, supervisor = enrolled
    login(client, supervisor)
    response = client.get(f"/programme/sponsors/{sponsor.id}/registration.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == documented_columns() == [c for c, _k in service.REGISTRATION_COLUMNS]
    assert {r[1] for r in rows[1:]} == {nik(1, woman=True), nik(2)}
    assert rows[1][4] in ("P", "L") and rows[1][12] == "16800"
    xlsx = client.get(f"/programme/sponsors/{sponsor.id}/registration.xlsx")
    book = load_workbook(io.BytesIO(xlsx.data))
    values = list(book.active.iter_rows(values_only=True))
    assert values[0] == tuple(documented_columns())
    assert {v[1] for v in values[1:]} == {nik(1, woman=True), nik(2)}  # text, every digit
    assert [e.changes["format"] for e in audit("export.registration")] == ["csv", "xlsx"]


def test_an_officers_export_is_masked(client, enrolled):
    sponsor, officer, _supervisor = enrolled
    login(client, officer)
    data = client.get(f"/programme/sponsors/{sponsor.id}/registration.csv").data.decode()
    assert nik(2) not in data and rules.mask_nik(nik(2)) in data
    assert audit("export.registration")[0].changes["unmasked"] is False


def test_the_kpj_numbers_come_back(client, enrolled):
    """The agency's answer (NIK, KPJ) is recorded on the workers."""
    sponsor, officer, _supervisor = enrolled
    login(client, officer)
    data = f"NIK;KPJ\n{nik(2)};24012345678\n9999999999999999;1\n".encode()
    response = post(client, f"/programme/sponsors/{sponsor.id}/kpj",
                    {"kpj_file": (io.BytesIO(data), "hasil.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    kpj = db.session.scalars(select(Beneficiary.kpj).where(Beneficiary.nik == nik(2))).one()
    assert kpj == "24012345678"


def test_importing_a_list_on_the_web_is_all_or_nothing(client, make_branch, make_user):
    """A list with a bad row shows why, enrols nothing on confirm, and the valid rows on
    request."""
    branch = make_branch()
    officer = make_user(Role.OFFICER, branch=branch)
    sponsor = make_sponsor(branch)
    login(client, officer)
    rows = [worker(1), worker(2, nik="3375011705801"), worker(3)]
    response = post(client, f"/programme/sponsors/{sponsor.id}/lists",
                    {"file": (io.BytesIO(csv_bytes(rows)), "daftar.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    preview = response.location
    page = client.get(preview).get_data(as_text=True)
    assert "NIK terdiri dari 16 digit." in page
    assert post(client, preview).status_code == 400
    assert db.session.scalar(select(func.count(Beneficiary.id))) == 0
    assert post(client, preview, {"valid_rows": "y"}).status_code == 302
    assert db.session.scalar(select(func.count(Beneficiary.id))) == 2


def test_a_supervisor_creates_a_sponsor_on_the_web(client, make_branch, make_user):
    branch = make_branch()
    supervisor = make_user(Role.SUPERVISOR, branch=branch)
    login(client, supervisor)
    response = post(client, "/programme/sponsors/new", {
        "code": "pemkot-pkl-2027", "name": "Pemerintah Kota Pekalongan", "kind": "city",
        "company_id": "0", "quota": "1000", "starts_on": "2027-01-01", "ends_on": "2027-12-31",
        "budget": "201600000", "budget_line": "", "regency_code": "3375"})
    assert response.status_code == 302
    sponsor = service.find_sponsor("PEMKOT-PKL-2027")
    assert (sponsor.quota, sponsor.months, sponsor.budget) == (1000, 12, 201_600_000)
    assert audit("create")[-1].entity_type == "sponsor"


def test_sponsors_create_cli(runner, make_branch):
    make_branch()
    result = invoke(runner, "sponsors", "create", "--code", "PEMKOT-PKL-2027", "--name",
                    "Pemkot", "--kind", "city", "--branch", "KC-PKL", "--quota", "1000",
                    "--starts", "2027-01-01", "--ends", "2027-12-31", "--budget", "201600000")
    assert result.exit_code == 0, result.output
    result = invoke(runner, "sponsors", "create", "--code", "PEMKOT-PKL-2027", "--name",
                    "Pemkot", "--kind", "city", "--branch", "KC-PKL", "--quota", "1000",
                    "--starts", "2027-01-01", "--ends", "2027-12-31")
    assert result.exit_code == 2 and "PEMKOT-PKL-2027" in result.output


def test_the_company_page_shows_its_pledge(client, make_branch, make_user, make_company):
    branch = make_branch()
    officer = make_user(Role.OFFICER, branch=branch)
    company = make_company(branch, "PT Batik Besar")
    make_sponsor(branch, "CSR-BATIK", quota=50, kind="csr", company=company, months=12)
    login(client, officer)
    page = client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Sponsor CSR-BATIK" in page and "50 pekerja selama 12 bulan" in page


# --- renewals, budget, the mayor's report ----------------------------------------------------

def test_coverage_ending_next_month_makes_one_renewal_task(enrolled):
    """The morning sweep a month before the last month covered: one task, never two."""
    sponsor, _officer, _supervisor = enrolled
    day = rules.add_months(START, 10).replace(day=3)
    assert sweep(day).renewals_created == 1
    assert sweep(day).renewals_created == 0
    [renewal] = db.session.scalars(select(Renewal)).all()
    assert (renewal.sponsor_id, renewal.workers) == (sponsor.id, 2)
    assert renewal.ends_month == rules.add_months(START, 11)


def test_budget_by_month(enrolled):
    sponsor, *_ = enrolled
    months = service.budget_by_month(sponsor, TODAY)
    assert len(months) == 12
    assert months[0]["committed"] == 2 * 16_800 and months[0]["paid"] == 0


def test_the_mayors_report(client, enrolled, make_company):
    """Protected against the target, by occupation and kecamatan, and the branch's
    socialisation coverage (two companies added this year, one of them at an event), as a page
    and a PDF."""
    sponsor, officer, supervisor = enrolled
    batik = make_company(sponsor.branch, "PT Batik Coverage", workers_estimated=12)
    make_company(sponsor.branch, "PT Belum Tersentuh", workers_estimated=8)
    event = socialisation.create_event(officer, sponsor.branch_id, {
        "held_on": TODAY, "place": "Aula Kecamatan", "place_kind": "kecamatan_hall"})
    socialisation.add_attendance(officer, event, [batik.id], TODAY)
    db.session.commit()
    login(client, supervisor)
    coverage = client.get(f"/programme/report?year={TODAY.year}").get_data(as_text=True)
    row = re.search(r'id="coverage".*?<tbody><tr>(.*?)</tr>', coverage, re.S).group(1)
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in row.split("</td>")][:4] == [
        sponsor.branch.name, "2", "1", "50,0%"]
    page = client.get(f"/programme/report?year={START.year}").get_data(as_text=True)
    assert "Pembatik" in page and "Pekalongan Timur" in page
    data = service.programme_report(supervisor, START.year, TODAY)
    assert (data["protected"], data["target"], data["percent"]) == (2, 1000, 0.2)
    response = client.get(f"/programme/report.pdf?year={START.year}")
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    assert "Pembatik" in text and "1.000" in text
    assert "Cakupan sosialisasi" in text
