"""Importing company lists from the agency, the city and the labour office."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date, datetime
from types import SimpleNamespace

import pytest
import time_machine
from openpyxl import Workbook
from sqlalchemy import func, select

from outreach.cases.models import Case
from outreach.companies import service as company_service
from outreach.companies.models import Company
from outreach.companies.rules import assess
from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.imports.models import CloseSuggestion, CompanyImport, CompanySourceValue
from outreach.org.models import Role
from tests.companies.test_companies import edit_form
from tests.conftest import csrf_token, login, post

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(make_branch, make_user):
    """A branch with an officer and a supervisor (English pages), and a second branch."""
    branch = make_branch("KC-PKL", "Pekalongan")
    other = make_branch("KC-TGL", "Tegal")
    officer = make_user(Role.OFFICER, branch=branch, name="Andi Wijaya")
    supervisor = make_user(Role.SUPERVISOR, branch=branch, name="Citra Lestari")
    stranger = make_user(Role.OFFICER, branch=other, name="Dewi Tegal")
    for user in (officer, supervisor, stranger):
        user.locale = "en"
    db.session.commit()
    return SimpleNamespace(branch=branch, other=other, officer=officer, supervisor=supervisor,
                           stranger=stranger)


# --- files written by the tests -----------------------------------------------------------------


def csv_file(rows: list[list[str]], *, delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    """A CSV file as a spreadsheet program saves it (CRLF line ends)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_file(rows: list[list]) -> bytes:
    """An XLSX workbook with one sheet."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_file(runner, tmp_path, data: bytes, *args: str, name: str = "daftar.csv"):
    """Run `flask companies import` on the data; the result with its JSON, when printed."""
    path = tmp_path / name
    path.write_bytes(data)
    result = runner.invoke(args=["companies", "import", str(path), *args])
    db.session.expire_all()
    result.json = json.loads(result.stdout) if "--json" in args and result.stdout else None
    return result


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def company(name: str) -> Company:
    return db.session.scalars(select(Company).where(Company.name == name)).one()


def said(company_id: int, source: str) -> dict[str, str]:
    """What a source said about a company, by field."""
    rows = db.session.scalars(select(CompanySourceValue).where(
        CompanySourceValue.company_id == company_id, CompanySourceValue.source == source))
    return {row.field: row.value for row in rows}


CITY_LIST = [
    ["Nama Perusahaan", "NIB", "NPWP", "Alamat", "Kecamatan", "Jumlah Tenaga Kerja",
     "Upah Rata-rata (Rp)", "Tanggal Terbit"],
    ["PT Batik Pesisir", "1234567890123", "01.234.567.8-901.000", "Jl. Hayam Wuruk No. 12",
     "Pekalongan Barat", "1.250", "2.500.000,75", "17/01/2022"],
    ["CV Ikan Segar", "9876543210987", "", "Jl. Pelabuhan 3", "Pekalongan Utara", "45",
     "1.900.000", "17 Januari 2022"],
    ["UD Sido Makmur", "", "", "Jl. Merdeka 7", "Pekalongan Timur", "12", "", "2022-01-17"],
]


# --- reading Indonesian spreadsheets ------------------------------------------------------------


def test_semicolon_csv_with_bom_and_indonesian_dates(runner, tmp_path, world):
    """A city list saved by Excel (`;`, BOM, "1.250", "2.500.000,75", three date styles)."""
    result = import_file(runner, tmp_path, csv_file(CITY_LIST), "--branch", "KC-PKL",
                         "--source", "pemkot", "--json")
    assert result.exit_code == 0, result.output
    assert result.json == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 0,
                           "review": 0, "errors": []}
    batik = company("PT Batik Pesisir")
    assert (batik.nib, batik.npwp, batik.address, batik.kecamatan) == (
        "1234567890123", "012345678901000", "Jl. Hayam Wuruk No. 12", "Pekalongan Barat")
    assert (batik.workers_estimated, batik.average_wage) == (1250, 2500001)
    assert (batik.source, batik.branch_id) == ("pemkot", world.branch.id)
    for name in ("PT Batik Pesisir", "CV Ikan Segar", "UD Sido Makmur"):
        assert said(company(name).id, "pemkot")["licensed_on"] == "2022-01-17"
    assert said(batik.id, "pemkot")["npwp"] == "012345678901000"


def test_xlsx_with_english_headers_in_capitals(runner, tmp_path, world):
    """An XLSX list: number cells for NIB and NPWP (leading zero lost), a date cell."""
    data = xlsx_file([
        ["COMPANY NAME", "NIB", "TAX NUMBER", "ADDRESS", "WORKERS", "PERMIT DATE"],
        ["PT Garam Jaya", 1234567890123, 12345678901000, "Jl. Pantai 1", 30,
         datetime(2022, 1, 17)],
        [None, None, None, None, None, None],
        ["CV Tenun Lurik", None, "0123 4567 8901 2345", "Jl. Sutera 2", 12.0, "17-01-2022"],
    ])
    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--source", "disnaker",
                         "--json", name="wlkp.xlsx")
    assert result.exit_code == 0, result.output
    assert (result.json["created"], result.json["rejected"]) == (2, 0)
    garam = company("PT Garam Jaya")
    assert (garam.nib, garam.npwp, garam.workers_estimated) == (
        "1234567890123", "012345678901000", 30)
    assert said(garam.id, "disnaker")["licensed_on"] == "2022-01-17"
    lurik = company("CV Tenun Lurik")
    assert (lurik.npwp, lurik.workers_estimated) == ("0123456789012345", 12)


def test_windows_1252_comma_separated(runner, tmp_path, world):
    """A file saved as Windows-1252 with commas keeps its dashes and accents."""
    data = csv_file([["Nama", "Alamat", "Kota"],
                     ["PT Kopi – Priangan", "Jl. Braga 5, Bandung", "Bandung"],
                     ["Café Noël", "Jl. Dago 7", "Bandung"]],
                    delimiter=",", encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--json")
    assert result.exit_code == 0, result.output
    assert company("PT Kopi – Priangan").address == "Jl. Braga 5, Bandung"
    assert company("Café Noël").city == "Bandung"


def test_duplicates_within_the_file(runner, tmp_path, world):
    """Rows about one company make one company; a row that contradicts an earlier one is
    rejected with the row it contradicts."""
    data = csv_file([
        ["Nama Perusahaan", "NIB", "Telepon", "Kecamatan"],
        ["PT Batik Pesisir", "1234567890123", "", "Pekalongan Barat"],
        ["PT. BATIK PESISIR", "1234-5678-90123", "0285 421234", ""],
        ["PT Batik Lain", "1234567890123", "", ""],
        ["UD Sido Makmur", "", "", "Pekalongan Timur"],
        ["UD Sido Makmur", "", "", "Pekalongan Timur"],
    ])
    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--source", "pemkot",
                         "--json", "--dry-run")
    assert result.exit_code == 1
    assert (result.json["created"], result.json["updated"], result.json["unchanged"],
            result.json["rejected"]) == (2, 1, 1, 1)
    assert [(e["row"], e["field"]) for e in result.json["errors"]] == [(4, "name")]
    assert "2" in result.json["errors"][0]["message"]
    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--source", "pemkot")
    assert result.exit_code == 1
    assert count(Company) == 0  # a rejected row stops the real run

    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--source", "pemkot",
                         "--json", "--valid-rows")
    assert result.exit_code == 1
    assert count(Company) == 2
    batik = company("PT Batik Pesisir")
    assert (batik.phone, batik.kecamatan) == ("0285 421234", "Pekalongan Barat")


# --- matching -----------------------------------------------------------------------------------


def test_row_matches_an_existing_company_by_npwp_with_other_punctuation(
        runner, tmp_path, world, make_company):
    """A row with the company's NPWP written differently updates that company."""
    existing = make_company(world.branch, "PT Batik Pesisir Indah", npwp="012345678901000")
    entered = db.session.scalar(select(func.max(AuditEvent.id)))  # the company's creation
    data = csv_file([["Nama Perusahaan", "NPWP", "Telepon"],
                     ["PT. BATIK PESISIR INDAH", "01 234 567 8 901 000", "0285-421234"]])
    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--source", "pemkot",
                         "--json")
    assert result.exit_code == 0, result.output
    assert (result.json["created"], result.json["updated"]) == (0, 1)
    assert count(Company) == 1
    refreshed = db.session.get(Company, existing.id)
    assert (refreshed.name, refreshed.phone) == ("PT Batik Pesisir Indah", "0285-421234")
    assert said(existing.id, "pemkot") == {"name": "PT. BATIK PESISIR INDAH",
                                          "npwp": "012345678901000", "phone": "0285-421234"}
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "company", AuditEvent.entity_id == existing.id,
        AuditEvent.id > entered)).one()
    assert event.action == "import.update"
    assert event.changes["phone"] == ["", "0285-421234"]
    assert event.changes["source"] == "pemkot"


def test_npwp_in_its_15_or_16_digit_form_is_the_same_company(runner, tmp_path, world,
                                                             make_company):
    """Since 2024 a company's NPWP also has a 16-digit form (a 0 in front of the 15 digits):
    a list in either form finds the company in this branch, keeps its NPWP as it is, and is
    refused for a company of another branch."""
    existing = make_company(world.branch, "PT Batik Pesisir Indah", npwp="012345678901000")
    make_company(world.other, "PT Tegal Bahari", npwp="0987654321098000")
    data = csv_file([["Nama Perusahaan", "NPWP", "Telepon"],
                     ["PT Batik Pesisir Indah", "0012345678901000", "0285-421234"],
                     ["PT Batik Pesisir Indah", "01.234.567.8-901.000", "0285-421234"],
                     ["PT Bahari Tegal", "98.765.432.1-098.000", ""]])
    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--source", "pemkot",
                         "--json", "--valid-rows")
    assert result.exit_code == 1, result.output  # a row was refused; the others are saved
    assert (result.json["created"], result.json["updated"], result.json["unchanged"]) == (
        0, 1, 1)
    assert [(e["row"], e["field"]) for e in result.json["errors"]] == [(4, "npwp")]
    assert count(Company) == 2
    refreshed = db.session.get(Company, existing.id)
    assert (refreshed.npwp, refreshed.phone) == ("012345678901000", "0285-421234")


def test_likely_fuzzy_match_is_left_for_a_person(runner, tmp_path, world, make_company):
    """A row without numbers whose name and address look like a company is not merged."""
    existing = make_company(world.branch, "PT Sumber Rezeki Abadi", address="Jl. Pemuda No. 5")
    data = csv_file([["Nama Perusahaan", "Alamat", "Telepon"],
                     ["CV Sumber Rejeki Abadi", "Jalan Pemuda 5", "0285-111"],
                     ["PT Garam Jaya", "Jl. Pantai 1", ""]])
    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--source", "disnaker")
    assert result.exit_code == 0, result.output
    assert "row 2: review CV Sumber Rejeki Abadi" in result.stdout
    assert f"PT Sumber Rezeki Abadi (#{existing.id}" in result.stdout
    assert "created: 1, updated: 0, unchanged: 0, rejected: 0, review: 1" in result.stdout
    assert count(Company) == 2
    assert db.session.get(Company, existing.id).phone == ""


def test_identifier_of_another_branch_is_rejected(runner, tmp_path, world, make_company):
    """A row whose NIB belongs to another branch's company is not copied into this branch."""
    make_company(world.other, "PT Tegal Bahari", nib="1111111111111")
    data = csv_file([["Nama Perusahaan", "NIB"], ["PT Tegal Bahari", "1111111111111"]])
    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--json", "--dry-run")
    assert result.exit_code == 1
    assert [(e["row"], e["field"]) for e in result.json["errors"]] == [(2, "nib")]
    assert "PT Tegal Bahari" not in result.json["errors"][0]["message"]


# --- bad rows, dry run, the real run ------------------------------------------------------------

BAD_ROWS = [
    ["DAFTAR PERUSAHAAN 2026"],
    ["No", "Nama Perusahaan", "NIB", "Jumlah Karyawan", "Tanggal Izin"],
    ["1", "PT Satu", "1234567890123", "10", "17/01/2022"],
    ["2", "PT Dua", "123456789012", "5", "17/01/2022"],
    [],
    ["3", "PT Tiga", "", "-3", "17/01/2022"],
    ["4", "PT Empat", "", "4", "31/02/2022"],
    ["5", "", "", "4", ""],
    ["6", "", "", "", ""],
    ["", "Jumlah", "", "23", ""],
]


def test_rejected_rows_have_their_spreadsheet_row_and_reason(runner, tmp_path, world):
    """Bad NIB, negative worker count, impossible date, no name: the rows a spreadsheet shows."""
    result = import_file(runner, tmp_path, csv_file(BAD_ROWS), "--branch", "KC-PKL",
                         "--source", "pemkot", "--json", "--dry-run")
    assert result.exit_code == 1
    assert result.json["created"] == 1 and result.json["rejected"] == 5
    assert [(e["row"], e["field"]) for e in result.json["errors"]] == [
        (4, "nib"), (6, "workers_estimated"), (7, "licensed_on"), (8, "name"), (10, "name")]
    messages = [e["message"] for e in result.json["errors"]]
    assert "12" in messages[0] and "31/02/2022" in messages[2]


def test_real_run_commits_everything_or_nothing(runner, tmp_path, world):
    """With a rejected row nothing is written; with --valid-rows the other rows are."""
    data = csv_file(BAD_ROWS)
    events = count(AuditEvent)
    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--json")
    assert result.exit_code == 1
    assert (result.json["created"], result.json["rejected"]) == (0, 5)
    assert (count(Company), count(CompanyImport), count(AuditEvent)) == (0, 0, events)

    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--json", "--valid-rows")
    assert result.exit_code == 1
    assert (result.json["created"], result.json["rejected"]) == (1, 5)
    assert [c.name for c in db.session.scalars(select(Company))] == ["PT Satu"]
    history = db.session.scalars(select(CompanyImport)).one()
    assert (history.status, history.valid_rows_only, history.counts["rejected"]) == (
        "done", True, 5)


def test_dry_run_writes_nothing(runner, tmp_path, world):
    """A dry run reports what would happen and leaves the database as it was."""
    result = import_file(runner, tmp_path, csv_file(CITY_LIST), "--branch", "KC-PKL",
                         "--dry-run")
    assert result.exit_code == 0, result.output
    assert "row 2: created PT Batik Pesisir" in result.stdout
    assert "created: 3, updated: 0, unchanged: 0, rejected: 0, review: 0" in result.stdout
    assert (count(Company), count(CompanyImport), count(CompanySourceValue)) == (0, 0, 0)


def test_importing_the_same_file_twice_changes_nothing(runner, tmp_path, world):
    """The second import of a file finds every row unchanged and writes no company change."""
    data = csv_file(CITY_LIST)
    first = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--source", "pemkot",
                        "--json")
    assert first.json["created"] == 3
    before = (count(Company), count(CompanySourceValue),
              db.session.scalar(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.entity_type == "company")))
    second = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--source", "pemkot",
                         "--json")
    assert second.exit_code == 0
    assert second.json == {"created": 0, "updated": 0, "unchanged": 3, "rejected": 0,
                           "review": 0, "errors": []}
    after = (count(Company), count(CompanySourceValue),
             db.session.scalar(select(func.count()).select_from(AuditEvent)
                               .where(AuditEvent.entity_type == "company")))
    assert after == before
    imports = list(db.session.scalars(select(CompanyImport).order_by(CompanyImport.id)))
    assert len(imports) == 2 and imports[0].sha256 == imports[1].sha256
    assert imports[1].filename == "daftar.csv" and "command line" in imports[1].actor_name
    assert "imported into KC-PKL before" in second.stderr


# --- the command line ---------------------------------------------------------------------------


def test_json_alone_on_stdout_and_progress_on_stderr(runner, tmp_path, world):
    """`--json` prints one JSON object and nothing else; progress goes to stderr."""
    rows = [["Nama Perusahaan", "NIB"]] + [[f"PT Contoh {n}", f"{1000000000000 + n}"]
                                           for n in range(600)]
    result = import_file(runner, tmp_path, csv_file(rows), "--branch", "KC-PKL", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["created"] == 600
    assert result.stdout.count("\n") == 1
    assert "processing rows: 50%" in result.stderr and "processing rows: 100%" in result.stderr


def write_big(tmp_path):
    return b"Nama Perusahaan;NIB\r\n" + b"PT Besar;1234567890123\r\n" * 200


@pytest.mark.parametrize("data, words", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "bukan lembar kerja"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "bukan lembar kerja"),
    (b"PK\x03\x04 not really a workbook", "bukan lembar kerja"),
    (b"", "Berkas kosong"),
    (b"\xef\xbb\xbf\r\n;;\r\n", "Berkas kosong"),
    (b"Nama Perusahaan;NIB\r\n", "tidak memiliki baris data"),
    (b"Kode;Jumlah\r\nA;1\r\n", "Tidak ada kolom yang berisi nama perusahaan"),
])
def test_unusable_file_exits_2_and_writes_nothing(runner, tmp_path, world, data, words):
    """Not a spreadsheet, empty, no name column: one message (the CLI speaks Indonesian),
    exit code 2, nothing written."""
    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--json")
    assert result.exit_code == 2
    assert len(result.json["errors"]) == 1 and result.json["errors"][0]["row"] is None
    assert [line for line in result.stderr.splitlines() if line.startswith("Error:")] == [
        f"Error: {result.json['errors'][0]['message']}"]
    assert words in result.json["errors"][0]["message"]
    assert (count(Company), count(CompanyImport)) == (0, 0)


def test_file_over_the_size_limit_exits_2(runner, tmp_path, world, app, monkeypatch):
    """A file larger than IMPORT_MAX_BYTES is refused with the limit in the message."""
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1024)
    result = import_file(runner, tmp_path, write_big(tmp_path), "--branch", "KC-PKL", "--json")
    assert result.exit_code == 2
    assert "1 KB" in result.json["errors"][0]["message"]
    assert count(Company) == 0


def test_unknown_branch_and_missing_file_exit_2(runner, tmp_path, world):
    """An unknown --branch or a missing file are refused before anything is read."""
    result = import_file(runner, tmp_path, csv_file(CITY_LIST), "--branch", "KC-XXX", "--json")
    assert result.exit_code == 2
    assert result.json["errors"][0]["field"] == "branch"
    missing = runner.invoke(args=["companies", "import", str(tmp_path / "nope.csv"),
                                  "--branch", "KC-PKL"])
    assert missing.exit_code == 2
    assert "cannot read" in missing.stderr
    two_branches = import_file(runner, tmp_path, csv_file(CITY_LIST), "--json")
    assert two_branches.exit_code == 2 and "KC-PKL, KC-TGL" in two_branches.json["errors"][0][
        "message"]


# --- values entered by hand ---------------------------------------------------------------------


def test_values_entered_by_hand_are_kept_and_shown(runner, tmp_path, world):
    """A list never silently replaces what an officer typed; empty fields are filled."""
    typed = company_service.create_company(world.officer, world.branch.id, {
        "name": "PT Batik Pesisir", "nib": "1234567890123", "phone": "0285-111111",
        "business_size": "small", "risk_class": 1})
    db.session.commit()
    data = csv_file([["Nama Perusahaan", "NIB", "Telepon", "Kecamatan"],
                     ["PT Batik Pesisir", "1234567890123", "0285-999999", "Pekalongan Barat"]])
    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--source", "pemkot")
    assert result.exit_code == 0, result.output
    assert "kept phone entered by hand: 0285-111111 (list: 0285-999999)" in result.stdout
    refreshed = db.session.get(Company, typed.id)
    assert (refreshed.phone, refreshed.kecamatan) == ("0285-111111", "Pekalongan Barat")
    assert said(typed.id, "pemkot")["phone"] == "0285-999999"



@pytest.mark.parametrize("entered_on", ["the company form", "closing the case"])
def test_npp_entered_by_hand_is_kept_against_the_agencys_list(client, world, make_company,
                                                               entered_on):
    """An NPP the officer typed, on the company form or when closing the case as compliant, is
    kept when the agency's list gives another one, and shown as a conflict."""
    alfa = make_company(world.branch, "PT Alfa", categories=("PWBD",), nib="1000000000001",
                        npp="11111111", officer_id=world.officer.id)
    case = db.session.scalars(select(Case).where(Case.company_id == alfa.id)).one()
    login(client, world.officer)
    if entered_on == "the company form":
        response = post(client, f"/companies/{alfa.id}/edit", edit_form(alfa, npp="12345678"))
    else:
        response = post(client, f"/cases/{case.id}/close", {
            "outcome": "compliant", "npp": "12345678",
            "evidence": "Sertifikat kepesertaan 2 Maret 2026", "version": case.version})
    assert response.status_code == 302
    assert db.session.get(Company, alfa.id).npp == "12345678"

    upload(client, csv_file([["NPP", "Nama Perusahaan", "NIB"],
                             ["99999999", "PT Alfa", "1000000000001"]]), source="bpjs")
    company_import = db.session.scalars(select(CompanyImport)).one()
    post(client, f"/imports/{company_import.id}/map",
         {"column-0": "npp", "column-1": "name", "column-2": "nib"})
    page = client.get(f"/imports/{company_import.id}/preview").get_data(as_text=True)
    conflicts = re.search(r'id="h-conflicts".*?</section>', page, re.S).group(0)
    assert "<td>12345678</td><td>99999999</td>" in conflicts
    post(client, f"/imports/{company_import.id}/confirm")
    assert db.session.get(Company, alfa.id).npp == "12345678"
    done = db.session.get(CompanyImport, company_import.id)
    assert (done.status, done.counts["conflicts"]) == ("done", 1)
    assert done.report["rows"][0]["conflicts"] == [
        {"field": "npp", "current": "12345678", "incoming": "99999999"}]
    assert said(alfa.id, "bpjs")["npp"] == "99999999"


def test_a_hand_entry_replaced_on_purpose_is_the_lists_from_then_on(client, runner, tmp_path,
                                                                     world, make_company):
    """Once the officer ticks a list's value in place of a hand entry, later lists update it."""
    alfa = make_company(world.branch, "PT Alfa", categories=("PWBD",), nib="1000000000001",
                        officer_id=world.officer.id)
    case = db.session.scalars(select(Case).where(Case.company_id == alfa.id)).one()
    login(client, world.officer)
    post(client, f"/cases/{case.id}/close", {
        "outcome": "compliant", "npp": "12345678",
        "evidence": "Sertifikat kepesertaan 2 Maret 2026", "version": case.version})
    upload(client, csv_file([["NPP", "Nama Perusahaan", "NIB"],
                             ["99999999", "PT Alfa", "1000000000001"]]), source="bpjs")
    company_import = db.session.scalars(select(CompanyImport)).one()
    post(client, f"/imports/{company_import.id}/map",
         {"column-0": "npp", "column-1": "name", "column-2": "nib"})
    post(client, f"/imports/{company_import.id}/confirm", {"overwrite": "2:npp"})
    assert db.session.get(Company, alfa.id).npp == "99999999"
    result = import_file(runner, tmp_path, csv_file([["NPP", "Nama Perusahaan", "NIB"],
                                                     ["88888888", "PT Alfa", "1000000000001"]]),
                         "--branch", "KC-PKL", "--json")
    assert result.exit_code == 0, result.output
    assert result.json["updated"] == 1
    assert db.session.get(Company, alfa.id).npp == "88888888"

# --- membership: the agency's list of registered employers --------------------------------------


@pytest.fixture
def caseload(world, make_company):
    """Three companies with open cases, all the officer's, their values from an earlier list
    (none typed by a person, which a list would not replace)."""
    alfa = make_company(world.branch, "PT Alfa", categories=("PWBD",), nib="1000000000001",
                        workers_estimated=20, business_size="small", officer_id=world.officer.id,
                        hand_entered=False)
    bravo = make_company(world.branch, "PT Bravo", categories=("PDS-TK",), nib="1000000000002",
                         workers_estimated=30, workers_registered=10, npp="22345678",
                         programs="JKK,JKM,JHT", officer_id=world.officer.id,
                         hand_entered=False)
    charlie = make_company(world.branch, "PT Charlie", categories=("PDS-Program", "Menunggak"),
                           nib="1000000000003", workers_estimated=5, workers_registered=5,
                           npp="32345678", programs="JKK,JKM", business_size="small",
                           officer_id=world.officer.id, hand_entered=False)
    return SimpleNamespace(alfa=alfa, bravo=bravo, charlie=charlie, **vars(world))


MEMBERSHIP_LIST = [
    ["NPP", "Nama Perusahaan", "NIB", "Jumlah TK", "Program", "Tanggal Kepesertaan"],
    ["12345678", "PT Alfa", "1000000000001", "20", "JKK, JKM, JHT", "17 Februari 2026"],
    ["22345678", "PT Bravo", "1000000000002", "15", "JKK;JKM;JHT", "01/02/2025"],
    ["32345678", "PT Charlie", "1000000000003", "5", "JKK JKM JHT", "01/02/2025"],
]


def verify_section(client) -> str:
    page = client.get("/tasks/").get_data(as_text=True)
    match = re.search(r'id="h-verify-close".*?</section>', page, re.S)
    return match.group(0) if match else ""


def test_membership_list_moves_compliant_cases_to_verify_and_close(
        runner, tmp_path, client, caseload):
    """The agency's list updates NPP, workers and programs; a case that became compliant is on
    the officer's "verify and close" list until it is closed."""
    data = csv_file(MEMBERSHIP_LIST)
    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--source", "bpjs",
                         "--json")
    assert result.exit_code == 0, result.output
    assert result.json["updated"] == 3
    alfa = db.session.get(Company, caseload.alfa.id)
    assert (alfa.npp, alfa.workers_registered, alfa.programs) == ("12345678", 20, "JKK,JKM,JHT")
    figures = assess(alfa, TODAY)
    assert (figures.workers_missing, figures.missing_programs) == (0, [])
    assert db.session.get(Company, caseload.bravo.id).workers_registered == 15

    login(client, caseload.officer)
    badge = re.compile(r'class="badge rounded-pill text-bg-warning"[^>]*>(\d+)<')
    before = badge.search(client.get("/companies/").get_data(as_text=True))
    section = verify_section(client)
    assert "PT Alfa" in section and "NPP 12345678" in section
    assert "17 February 2026" in section
    assert "PT Bravo" not in section  # 15 of 30 workers registered
    assert "PT Charlie" not in section  # arrears are not settled by registration figures
    case = alfa.cases[0]
    assert f'href="/cases/{case.id}/close"' in section

    import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--source", "bpjs", "--json")
    assert count(CloseSuggestion) == 1

    response = post(client, f"/cases/{case.id}/close", {
        "outcome": "compliant", "npp": "12345678", "evidence": "BPJS list, 17 Februari 2026",
        "version": case.version})
    assert response.status_code == 302
    assert verify_section(client) == ""
    # the case to verify counted on the "My tasks" badge until it was closed
    after = badge.search(client.get("/companies/").get_data(as_text=True))
    assert before is not None, "no badge while a case waits to be verified"
    assert int(before.group(1)) == (int(after.group(1)) if after else 0) + 1


def test_agency_list_without_npp_counts_the_workforce(runner, tmp_path, caseload):
    """In the agency's list of employers not yet registered, "Jumlah TK" is the workforce."""
    data = csv_file([["Nama Perusahaan", "NIB", "Jumlah TK"],
                     ["PT Alfa", "1000000000001", "25"]])
    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--source", "bpjs",
                         "--json")
    assert result.json["updated"] == 1
    alfa = db.session.get(Company, caseload.alfa.id)
    assert (alfa.workers_estimated, alfa.workers_registered) == (25, 0)
    assert count(CloseSuggestion) == 0


def test_not_yet_compliant_takes_a_case_off_the_list(runner, tmp_path, app, client, caseload):
    """An officer who finds the company not compliant after all takes it off the list."""
    import_file(runner, tmp_path, csv_file(MEMBERSHIP_LIST[:2]), "--branch", "KC-PKL",
                "--source", "bpjs")
    suggestion = db.session.scalars(select(CloseSuggestion)).one()
    stranger = app.test_client()
    login(stranger, caseload.stranger)
    assert post(stranger, f"/imports/suggestions/{suggestion.id}/dismiss").status_code == 404
    assert "PT Alfa" not in verify_section(stranger)
    login(client, caseload.officer)
    assert "PT Alfa" in verify_section(client)
    response = post(client, f"/imports/suggestions/{suggestion.id}/dismiss",
                    follow_redirects=True)
    assert "Taken off the list." in response.get_data(as_text=True)
    assert verify_section(client) == ""
    assert db.session.get(Case, suggestion.case_id).status == "open"


# --- the web pages: upload, map, preview, confirm -----------------------------------------------

JOURNEY = [
    ["No", "Nama Perusahaan", "NPWP", "Alamat", "Telepon", "Jumlah Karyawan", "Keterangan"],
    ["1", "PT Batik Pesisir Indah", "01.234.567.8-901.000", "Jl. Hayam Wuruk 12", "0285-1", "40",
     "izin baru"],
    ["2", "CV Sumber Rejeki Abadi", "", "Jalan Pemuda 5", "0285-2", "12", ""],
    ["3", "PT Garam Jaya", "", "Jl. Pantai 1", "0285-3", "-7", ""],
    ["4", "UD Sido Makmur", "", "Jl. Merdeka 7", "0285-4", "9", ""],
]


def upload(client, data: bytes, filename: str = "daftar.csv", source: str = "pemkot"):
    return client.post("/imports/", data={"csrf_token": csrf_token(client), "source": source,
                                          "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def selected_fields(page: str) -> dict[str, str]:
    """The field chosen for each column on the mapping page."""
    chosen = {}
    for column, body in re.findall(r'<select[^>]*name="(column-\d+)"[^>]*>(.*?)</select>', page,
                                   re.S):
        match = re.search(r'<option value="([^"]*)" selected>', body)
        chosen[column] = match.group(1) if match else ""
    return chosen


def test_upload_map_preview_confirm(client, world, make_company):
    """The officer's journey: upload, check the columns, read the dry run, confirm."""
    batik = make_company(world.branch, "PT Batik Pesisir Indah", npwp="012345678901000")
    rezeki = make_company(world.branch, "PT Sumber Rezeki Abadi", address="Jl. Pemuda No. 5")
    login(client, world.officer)
    assert 'href="/imports/"' in client.get("/companies/").get_data(as_text=True)

    response = upload(client, csv_file(JOURNEY))
    assert response.status_code == 302
    company_import = db.session.scalars(select(CompanyImport)).one()
    # the file is read by a job, whose page leads on to the columns once it is done
    job_page = response.headers["Location"]
    assert job_page == f"/jobs/{company_import.check_job_id}"
    assert client.get(job_page).headers["Location"] == f"/imports/{company_import.id}/map"
    assert (company_import.status, company_import.actor_name) == ("uploaded", "Andi Wijaya")

    page = client.get(f"/imports/{company_import.id}/map").get_data(as_text=True)
    assert "Nama Perusahaan" in page and "PT Batik Pesisir Indah" in page
    assert selected_fields(page) == {"column-0": "", "column-1": "name", "column-2": "npwp",
                                     "column-3": "address", "column-4": "phone",
                                     "column-5": "workers_estimated", "column-6": ""}
    mapping = {"column-1": "name", "column-2": "npwp", "column-3": "address",
               "column-4": "", "column-5": "workers_estimated"}
    response = post(client, f"/imports/{company_import.id}/map", mapping)
    dry_run = response.headers["Location"]  # the dry run is a job too: its page, then the preview
    assert re.fullmatch(r"/jobs/\d+", dry_run) and dry_run != job_page
    assert client.get(dry_run).headers["Location"] == f"/imports/{company_import.id}/preview"
    status = client.get(f"/imports/{company_import.id}/status").get_json()
    assert (status["status"], status["percent"]) == ("previewed", 100)

    page = html.unescape(client.get(f"/imports/{company_import.id}/preview")
                         .get_data(as_text=True))
    assert "Nothing has been saved yet." in page
    rejected = re.search(r'id="h-rejected".*?</section>', page, re.S).group(0)
    assert re.search(r"<td>4</td><td>PT Garam Jaya</td><td>Workers \(estimated\)</td>"
                     r"<td>The number cannot be negative.</td>", rejected)
    review = re.search(r'id="h-review".*?</section>', page, re.S).group(0)
    assert "Row 3" in review and "The same company as PT Sumber Rezeki Abadi" in review
    assert f'name="decision-3" id="d-3-{rezeki.id}" value="{rezeki.id}"' in review
    assert count(Company) == 2

    response = post(client, f"/imports/{company_import.id}/confirm", {"decision-3": "new"},
                    follow_redirects=True)
    assert "1 row is rejected, so nothing was imported." in html.unescape(
        response.get_data(as_text=True))
    assert count(Company) == 2
    assert db.session.get(CompanyImport, company_import.id).status == "previewed"

    response = post(client, f"/imports/{company_import.id}/confirm",
                    {"decision-3": str(rezeki.id), "valid_rows_only": "1"})
    assert re.fullmatch(r"/jobs/\d+", response.headers["Location"])  # the job of the run
    assert count(Company) == 3  # UD Sido Makmur is new; row 3 is PT Sumber Rezeki Abadi
    assert db.session.get(Company, batik.id).workers_estimated == 40
    assert company("UD Sido Makmur").phone == ""  # the phone column was left out
    assert db.session.get(Company, rezeki.id).workers_estimated == 12
    done = db.session.get(CompanyImport, company_import.id)
    assert done.status == "done"
    assert (done.counts["created"], done.counts["updated"], done.counts["rejected"]) == (1, 2, 1)

    page = client.get(f"/imports/{company_import.id}").get_data(as_text=True)
    assert "Imported" in page and company_import.sha256 in page and "Andi Wijaya" in page
    history = client.get("/imports/").get_data(as_text=True)
    assert f'href="/imports/{company_import.id}">daftar.csv</a>' in history

    again = post(client, f"/imports/{company_import.id}/confirm", {"valid_rows_only": "1"},
                 follow_redirects=True)
    assert "This file has already been imported." in again.get_data(as_text=True)
    assert count(Company) == 3


def test_preview_shows_hand_entered_values_and_replaces_the_ticked_ones(client, world):
    """A value typed by an officer shows as a conflict; it is replaced only when ticked."""
    typed = company_service.create_company(world.officer, world.branch.id, {
        "name": "PT Batik Pesisir", "nib": "1234567890123", "phone": "0285-111111",
        "director_name": "Budi", "business_size": "small", "risk_class": 1})
    db.session.commit()
    login(client, world.officer)
    data = csv_file([["Nama Perusahaan", "NIB", "Telepon", "Direktur"],
                     ["PT Batik Pesisir", "1234567890123", "0285-999999", "Hendra"]])
    upload(client, data)
    company_import = db.session.scalars(select(CompanyImport)).one()
    post(client, f"/imports/{company_import.id}/map",
         {"column-0": "name", "column-1": "nib", "column-2": "phone", "column-3": "director_name"})
    page = client.get(f"/imports/{company_import.id}/preview").get_data(as_text=True)
    conflicts = re.search(r'id="h-conflicts".*?</section>', page, re.S).group(0)
    assert "<td>0285-111111</td><td>0285-999999</td>" in conflicts
    assert "<td>Budi</td><td>Hendra</td>" in conflicts
    post(client, f"/imports/{company_import.id}/confirm", {"overwrite": "2:phone"})
    refreshed = db.session.get(Company, typed.id)
    assert (refreshed.phone, refreshed.director_name) == ("0285-999999", "Budi")


def refused_file(client, response, message: str) -> None:
    """A file the import cannot use: refused by the upload's quick checks on the upload page
    again (nothing kept), or, found as its rows are read, on the page of the job that read
    it, failed at once with the reason (the file dropped, the import given up)."""
    if response.status_code == 400:
        page = html.unescape(response.get_data(as_text=True))
        assert page.count(message) == 1
        assert count(CompanyImport) == 0
        return
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Failed" in page and "The job failed after 1 attempt." in page
    assert page.count(message) == 1 and 'href="/imports/">Upload a file</a>' in page
    given_up = db.session.scalars(select(CompanyImport)).one()
    assert (given_up.status, given_up.data, given_up.sheet) == ("discarded", b"", None)
    assert client.get(f"/imports/{given_up.id}/map").headers["Location"] \
        == f"/imports/{given_up.id}"


@pytest.mark.parametrize("data, filename, message, quick", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "foto.csv",
     "This file is not a spreadsheet we can read (CSV or XLSX).", True),
    (b"", "kosong.csv", "The file is empty.", True),
    (b"Kode;Jumlah\r\nA;1\r\n", "kode.csv", "No column holds the company name.", False),
    (b"Nama Perusahaan;NIB\r\n" + b"PT Besar;1234567890123\r\n" * 200, "besar.csv",
     "The file is larger than 1 KB.", True),
])
def test_unusable_upload_shows_one_message_and_keeps_nothing(client, world, app, monkeypatch,
                                                             data, filename, message, quick):
    """A file the import cannot use is refused with one clear message: at the upload when a
    quick look tells, else by the job reading it."""
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 1024)
    login(client, world.officer)
    response = upload(client, data, filename)
    assert (response.status_code == 400) == quick
    refused_file(client, response, message)


def test_only_officers_and_supervisors_of_the_branch_import(app, client, world, make_user):
    """Regional staff and admins cannot import; another branch cannot see an import."""
    login(client, world.supervisor)
    assert 'href="/imports/"' in client.get("/companies/").get_data(as_text=True)
    upload(client, csv_file(CITY_LIST))
    company_import = db.session.scalars(select(CompanyImport)).one()
    assert company_import.branch_id == world.branch.id
    for role in (Role.REGIONAL, Role.ADMIN):
        outsider = app.test_client()
        region = world.branch.region if role == Role.REGIONAL else None
        login(outsider, make_user(role, region=region))
        assert outsider.get("/imports/").status_code == 403
        assert outsider.get(f"/imports/{company_import.id}").status_code == 403
        assert 'href="/imports/"' not in outsider.get("/companies/").get_data(as_text=True)
    stranger = app.test_client()
    login(stranger, world.stranger)
    assert stranger.get(f"/imports/{company_import.id}/preview").status_code == 404
    assert post(stranger, f"/imports/{company_import.id}/confirm").status_code == 404
    assert count(Company) == 0


def test_sources_page_shows_what_each_list_said(runner, tmp_path, app, client, world,
                                                make_company):
    """The city and the labour office disagree on the address: both are kept."""
    existing = make_company(world.branch, "PT Batik Pesisir", nib="1234567890123")
    for source, address in (("pemkot", "Jl. Hayam Wuruk 12"), ("disnaker", "Jl. Hayam Wuruk 14")):
        import_file(runner, tmp_path, csv_file([["Nama Perusahaan", "NIB", "Alamat"],
                                                ["PT Batik Pesisir", "1234567890123", address]]),
                    "--branch", "KC-PKL", "--source", source)
    assert db.session.get(Company, existing.id).address == "Jl. Hayam Wuruk 14"
    login(client, world.officer)
    latest = db.session.scalars(select(CompanyImport).order_by(CompanyImport.id.desc())).first()
    assert (f'href="/imports/companies/{existing.id}/sources"'
            in client.get(f"/imports/{latest.id}").get_data(as_text=True))
    page = client.get(f"/imports/companies/{existing.id}/sources").get_data(as_text=True)
    row = re.search(r"<th scope=\"row\">Address</th>.*?</tr>", page, re.S).group(0)
    cells = [re.sub(r"<div.*?</div>|<[^>]+>", "", c).strip()
             for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
    assert cells == ["Jl. Hayam Wuruk 14", "–", "Jl. Hayam Wuruk 12", "Jl. Hayam Wuruk 14"]
    assert page.index("BPJS Ketenagakerjaan records") < page.index("City business permits")
    stranger = app.test_client()
    login(stranger, world.stranger)
    assert stranger.get(f"/imports/companies/{existing.id}/sources").status_code == 404


def test_discarding_an_upload_keeps_nothing_of_the_file(client, world):
    """A file given up before the real run is no longer kept, and cannot be imported."""
    login(client, world.officer)
    upload(client, csv_file(CITY_LIST))
    company_import = db.session.scalars(select(CompanyImport)).one()
    post(client, f"/imports/{company_import.id}/map", {"column-0": "name"})
    response = post(client, f"/imports/{company_import.id}/discard", follow_redirects=True)
    assert "The import was discarded; nothing was imported." in response.get_data(as_text=True)
    db.session.refresh(company_import)
    assert (company_import.status, company_import.data) == ("discarded", b"")
    post(client, f"/imports/{company_import.id}/confirm")
    assert count(Company) == 0
    assert client.get(f"/imports/{company_import.id}/file").status_code == 404


def test_a_list_fills_the_obliged_date_and_the_wage_reported(runner, tmp_path, world):
    """Does a list with "Tanggal wajib daftar" and "Upah dilaporkan" columns give the company
    the day it became obliged and the wage it reports, which the ledger then counts from?"""
    rows = [["Nama Perusahaan", "Jumlah TK", "Upah Rata-rata", "Upah Dilaporkan",
             "Tanggal Wajib Daftar"],
            ["PT Lapor Rendah", "10", "5.000.000", "3.000.000", "01/02/2025"]]
    result = import_file(runner, tmp_path, csv_file(rows), "--branch", "KC-PKL",
                         "--source", "bpjs", "--json")
    assert result.exit_code == 0, result.output
    found = company("PT Lapor Rendah")
    assert (found.obliged_on, found.reported_wage, found.average_wage) == (
        date(2025, 2, 1), 3_000_000, 5_000_000)
