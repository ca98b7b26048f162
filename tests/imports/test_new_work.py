"""What an import gives the companies it brings in: the officer of their kecamatan by the
branch's assignment rules, and an open case of the category a list names."""

from __future__ import annotations

import html
import io
import re

import pytest
import time_machine
from sqlalchemy import select

from outreach.cases.models import Case, CaseStatus, Category
from outreach.companies.models import Company
from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.imports.models import CompanyImport, KecamatanOfficer
from outreach.org.models import Role
from tests.conftest import csrf_token, login, post
from tests.imports.test_imports import company, csv_file, import_file


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(make_branch, make_user, make_company):
    """A branch with two officers and a supervisor (Indonesian pages), a company in
    Pekalongan Utara, and an officer of another branch."""
    branch = make_branch("KC-PKL", "Pekalongan")
    other = make_branch("KC-TGL", "Tegal")
    people = {
        "andi": make_user(Role.OFFICER, branch=branch, name="Andi Wijaya"),
        "rina": make_user(Role.OFFICER, branch=branch, name="Rina Sari"),
        "supervisor": make_user(Role.SUPERVISOR, branch=branch, name="Citra Lestari"),
        "stranger": make_user(Role.OFFICER, branch=other, name="Dewi Tegal"),
    }
    make_company(branch, "PT Lama", kecamatan="Pekalongan Utara")
    db.session.commit()
    return {"branch": branch, **people}


def upload_and_preview(client, rows: list[list[str]]) -> tuple[CompanyImport, str]:
    """Upload a list, keep the columns as recognised, and read the dry run."""
    response = client.post("/imports/", data={
        "csrf_token": csrf_token(client), "source": "pemkot",
        "file": (io.BytesIO(csv_file(rows)), "daftar.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    company_import = db.session.scalars(select(CompanyImport)
                                        .order_by(CompanyImport.id.desc())).first()
    page = client.get(f"/imports/{company_import.id}/map").get_data(as_text=True)
    mapping = {}
    for column, body in re.findall(r'<select[^>]*name="(column-\d+)"[^>]*>(.*?)</select>', page,
                                   re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        mapping[column] = chosen.group(1) if chosen else ""
    response = post(client, f"/imports/{company_import.id}/map", mapping)
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))
    preview = client.get(f"/imports/{company_import.id}/preview")
    return company_import, html.unescape(preview.get_data(as_text=True))


def rule_form(page: str) -> dict[str, str]:
    """The kecamatan rows of the rules page: {kecamatan: its select's name}."""
    return {kecamatan: f"officer-{n}" for n, kecamatan in
            re.findall(r'name="kecamatan-(\d+)" value="([^"]+)"', html.unescape(page))}


def test_supervisor_keeps_an_officer_per_kecamatan_for_new_companies(client, world):
    """The supervisor gives Pekalongan Utara to Andi and adds Pekalongan Timur for Rina; an
    officer of another branch is refused. An import then gives "pekalongan  utara" companies
    to Andi (the dry run says so), and a kecamatan without a rule leaves a company unassigned."""
    login(client, world["supervisor"])
    page = client.get("/imports/assignment").get_data(as_text=True)
    assert "Petugas per kecamatan" in page and "Dewi Tegal" not in page
    rows = rule_form(page)
    assert list(rows) == ["Pekalongan Utara"]
    refused = post(client, "/imports/assignment", {
        "kecamatan-1": "Pekalongan Utara", rows["Pekalongan Utara"]: world["stranger"].id})
    assert refused.status_code == 400
    assert ("Pilih salah satu petugas cabang ini untuk Pekalongan Utara."
            in html.unescape(refused.get_data(as_text=True)))
    saved = post(client, "/imports/assignment", {
        "kecamatan-1": "Pekalongan Utara", rows["Pekalongan Utara"]: world["andi"].id,
        "kecamatan-new": "pekalongan  timur", "officer-new": world["rina"].id},
        follow_redirects=True)
    assert "2 aturan disimpan." in html.unescape(saved.get_data(as_text=True))
    rules = {r.kecamatan: r.officer.name for r in db.session.scalars(select(KecamatanOfficer))}
    assert rules == {"Pekalongan Utara": "Andi Wijaya", "pekalongan timur": "Rina Sari"}
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "import.assignment_rule")).all()

    officer = client.application.test_client()
    login(officer, world["andi"])
    assert officer.get("/imports/assignment").status_code == 403
    company_import, preview = upload_and_preview(officer, [
        ["Nama Perusahaan", "Alamat", "Kecamatan"],
        ["CV Ikan Segar", "Jl. Pelabuhan 3", "pekalongan  utara"],
        ["UD Sido Makmur", "Jl. Merdeka 7", "Pekalongan Timur"],
        ["PT Garam Jaya", "Jl. Pantai 1", "Pekalongan Barat"]])
    assert "petugas: Andi Wijaya (aturan cabang untuk kecamatannya)" in preview
    assert "petugas: Rina Sari (aturan cabang untuk kecamatannya)" in preview
    assert preview.count("aturan cabang untuk kecamatannya") == 2
    response = post(officer, f"/imports/{company_import.id}/confirm", {})
    assert response.status_code == 302
    db.session.expire_all()
    assert company("CV Ikan Segar").officer.name == "Andi Wijaya"
    assert company("CV Ikan Segar").kecamatan == "Pekalongan Utara"
    assert company("UD Sido Makmur").officer.name == "Rina Sari"
    assert company("PT Garam Jaya").officer_id is None


def test_removing_a_rule_leaves_new_companies_unassigned(client, runner, tmp_path, world):
    """With its rule removed, a kecamatan's new companies have no officer, as before rules."""
    login(client, world["supervisor"])
    rows = rule_form(client.get("/imports/assignment").get_data(as_text=True))
    post(client, "/imports/assignment", {"kecamatan-1": "Pekalongan Utara",
                                         rows["Pekalongan Utara"]: world["rina"].id})
    post(client, "/imports/assignment", {"kecamatan-1": "Pekalongan Utara",
                                         rows["Pekalongan Utara"]: ""})
    assert db.session.scalars(select(KecamatanOfficer)).all() == []
    result = import_file(runner, tmp_path, csv_file([["Nama Perusahaan", "Kecamatan"],
                                                     ["CV Baru", "Pekalongan Utara"]]),
                         "--branch", "KC-PKL", "--source", "pemkot")
    assert result.exit_code == 0, result.output
    assert company("CV Baru").officer_id is None


def test_a_category_column_opens_a_case_of_that_category(client, world, make_company):
    """A list with "Keterangan PWBD": the dry run shows the case each row opens (none for a
    company that has an open case already); confirming opens them through the case service,
    audited, on the officers' ladder from today."""
    known = make_company(world["branch"], "PT Sudah Ada", npwp="012345678901000",
                         categories=(Category.PDS_TK,))
    closed = make_company(world["branch"], "PT Pernah Patuh", npwp="998877665544332",
                          categories=(Category.PWBD,))
    closed.cases[0].status = CaseStatus.CLOSED
    db.session.commit()
    login(client, world["andi"])
    company_import, preview = upload_and_preview(client, [
        ["Nama Perusahaan", "NPWP", "Alamat", "Keterangan: PWBD"],
        ["CV Ikan Segar", "", "Jl. Pelabuhan 3", "PWBD"],
        ["UD Sido Makmur", "", "Jl. Merdeka 7", "pds tk, menunggak"],
        ["PT Sudah Ada", "01.234.567.8-901.000", "", "PWBD"],
        ["PT Pernah Patuh", "99.887.766.5-544.332", "", "PDS-Upah"],
        ["PT Tanpa Keterangan", "", "Jl. Pantai 1", ""]])
    assert "membuka kasus: PWBD" in preview
    assert "membuka kasus: PDS-TK, Menunggak" in preview
    assert "membuka kasus: PDS-Upah" in preview
    assert "sudah punya kasus terbuka: tidak dibuka kasus kedua" in preview
    assert preview.count("membuka kasus:") == 3
    assert db.session.scalars(select(Case).where(Case.status == CaseStatus.OPEN)).all() == [
        known.cases[0]]  # the dry run opened nothing

    response = post(client, f"/imports/{company_import.id}/confirm", {})
    assert response.status_code == 302
    db.session.expire_all()
    opened = {c.company.name: sorted(c.categories) for c in db.session.scalars(
        select(Case).where(Case.status == CaseStatus.OPEN))}
    assert opened == {"CV Ikan Segar": ["PWBD"], "UD Sido Makmur": ["Menunggak", "PDS-TK"],
                      "PT Sudah Ada": ["PDS-TK"], "PT Pernah Patuh": ["PDS-Upah"]}
    segar = company("CV Ikan Segar").cases[0]
    assert (str(segar.opened_on), segar.opened_by_id, segar.next_rung) == (
        "2026-03-02", world["andi"].id, "notification")
    assert len(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "case.open", AuditEvent.user_id == world["andi"].id)).all()) == 3
    done = client.get(f"/imports/{company_import.id}").get_data(as_text=True)
    assert re.search(r'<span class="badge text-bg-dark">3</span> kasus baru', done)
    assert db.session.scalars(select(Company).where(
        Company.name == "PT Tanpa Keterangan")).one().cases == []


def test_an_unknown_category_rejects_its_row(runner, tmp_path, world):
    """"Sudah patuh" is no kind of non-compliance: the row is rejected with the known ones."""
    result = import_file(runner, tmp_path, csv_file([
        ["Nama Perusahaan", "Kategori Ketidakpatuhan"], ["CV Satu", "PWBD"],
        ["CV Dua", "Sudah patuh"]]), "--branch", "KC-PKL", "--source", "bpjs", "--json",
        "--valid-rows")
    assert result.json["created"] == 1
    assert [(e["row"], e["field"]) for e in result.json["errors"]] == [(3, "category")]
    assert "PWBD, PDS-TK, PDS-Upah, PDS-Program" in result.json["errors"][0]["message"]
    assert company("CV Satu").cases[0].categories == ["PWBD"]
    dry = import_file(runner, tmp_path, csv_file([
        ["Nama Perusahaan", "Kategori Ketidakpatuhan"], ["CV Tiga", "PDS-Upah, menunggak"]]),
        "--branch", "KC-PKL", "--source", "bpjs", "--dry-run")
    assert "row 2: created CV Tiga — opens a case: PDS-Upah, Menunggak" in dry.output
    assert company("CV Satu").cases[0].opened_by_id is None
