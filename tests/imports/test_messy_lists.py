"""Messy lists: head counts written with words, names in another case, near-duplicates inside
one file, Indonesian labels on the preview, and the rejected rows to fix and upload again."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
import time_machine
from sqlalchemy import select

from outreach.companies.models import Company
from outreach.extensions import db
from outreach.imports.models import CompanyImport
from tests.conftest import login, post
from tests.imports import test_imports as base
from tests.imports.test_imports import company, count, csv_file, import_file, upload


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(make_branch, make_user):
    """The import tests' branch, its officer and supervisor, and a second branch."""
    return base.world.__wrapped__(make_branch, make_user)


def test_head_counts_written_with_words_are_read(runner, tmp_path, world):
    """"±6", "6 orang", "kurang lebih 12 orang" and "+/- 7" are 6, 6, 12 and 7 workers."""
    data = csv_file([["Nama Perusahaan", "Jumlah Tenaga Kerja", "TK Terdaftar"],
                     ["PT Satu", "±6", "0"],
                     ["PT Dua", "6 orang", "2 org"],
                     ["PT Tiga", "kurang lebih 12 orang", ""],
                     ["PT Empat", "+/- 7", ""],
                     ["PT Lima", "enam orang", ""]])
    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--source", "pemkot",
                         "--json", "--valid-rows")
    assert [(e["row"], e["field"]) for e in result.json["errors"]] == [
        (6, "workers_estimated")]
    assert [(company(n).workers_estimated, company(n).workers_registered)
            for n in ("PT Satu", "PT Dua", "PT Tiga", "PT Empat")] == [
        (6, 0), (6, 2), (12, 0), (7, 0)]


def test_kecamatan_and_sector_take_the_branchs_spelling(runner, tmp_path, world, make_company):
    """"pekalongan  utara" and "BATIK" are the branch's "Pekalongan Utara" and "Batik": no
    second kecamatan or sector appears; a new name is kept as the file first writes it."""
    make_company(world.branch, "PT Lama", kecamatan="Pekalongan Utara", sector="Batik")
    data = csv_file([["Nama Perusahaan", "Kecamatan", "Sektor"],
                     ["PT Baru Satu", "pekalongan  utara", "BATIK"],
                     ["PT Baru Dua", " PEKALONGAN UTARA", "batik "],
                     ["PT Baru Tiga", "Pekalongan  Selatan", "Perikanan"],
                     ["PT Baru Empat", "pekalongan selatan", "PERIKANAN"]])
    result = import_file(runner, tmp_path, data, "--branch", "KC-PKL", "--source", "pemkot",
                         "--json")
    assert result.exit_code == 0, result.output
    kecamatan = set(db.session.scalars(select(Company.kecamatan)))
    sectors = set(db.session.scalars(select(Company.sector)))
    assert kecamatan == {"Pekalongan Utara", "Pekalongan Selatan"}
    assert sectors == {"Batik", "Perikanan"}


MESSY = [["Nama Perusahaan", "Alamat", "Jumlah Karyawan"],
         ["CV Sumber Rejeki Abadi", "Jalan Pemuda 5", "12"],
         ["CV Sumber Rezeki Abadi", "Jl. Pemuda No. 5", "12"],
         ["PT Garam Jaya", "Jl. Pantai 1", "4"]]


def test_near_duplicate_rows_of_one_file_go_to_review(runner, tmp_path, world):
    """Two rows of a first import that look like one company are not both created: the second
    is left for a person, as a near-duplicate of a stored company is."""
    result = import_file(runner, tmp_path, csv_file(MESSY), "--branch", "KC-PKL",
                         "--source", "disnaker")
    assert result.exit_code == 0, result.output
    assert "row 3: review CV Sumber Rezeki Abadi" in result.stdout
    assert "CV Sumber Rejeki Abadi (row 2" in result.stdout
    assert "created: 2, updated: 0, unchanged: 0, rejected: 0, review: 1" in result.stdout
    assert sorted(db.session.scalars(select(Company.name))) == ["CV Sumber Rejeki Abadi",
                                                               "PT Garam Jaya"]


def _previewed(client, data: bytes, mapping: dict[str, str]) -> CompanyImport:
    upload(client, data)
    company_import = db.session.scalars(select(CompanyImport).order_by(
        CompanyImport.id.desc())).first()
    post(client, f"/imports/{company_import.id}/map", mapping)
    return company_import


def test_a_person_says_the_near_duplicate_row_is_the_same_company(client, world):
    """On the preview the second row offers "the same company as row 2"; choosing it makes one
    company of both rows, choosing "a different company" makes two."""
    login(client, world.officer)
    company_import = _previewed(client, csv_file(MESSY), {
        "column-0": "name", "column-1": "address", "column-2": "workers_estimated"})
    page = html.unescape(client.get(f"/imports/{company_import.id}/preview")
                         .get_data(as_text=True))
    assert "The same company as row 2 of this file, CV Sumber Rejeki Abadi" in page
    assert 'name="decision-3" id="d-3-row-2" value="row-2"' in page
    post(client, f"/imports/{company_import.id}/confirm", {"decision-3": "row-2"})
    # one company; the confirmed row updates it, as it would a stored company it was said to be
    assert sorted(db.session.scalars(select(Company.name))) == ["CV Sumber Rezeki Abadi",
                                                               "PT Garam Jaya"]
    done = db.session.get(CompanyImport, company_import.id)
    assert (done.status, done.report["rows"][1]["same_as"]) == ("done", 2)

    again = _previewed(client, csv_file([["Nama Perusahaan", "Alamat"],
                                         ["UD Sido Makmur", "Jl. Merdeka 7"],
                                         ["UD Sido Makmoer", "Jl. Merdeka 7"]]),
                       {"column-0": "name", "column-1": "address"})
    post(client, f"/imports/{again.id}/confirm", {"decision-3": "new"})
    assert count(Company) == 4


def test_preview_shows_indonesian_labels(client, world):
    """The preview says "Kecil" and "17 Januari 2022", not "small" and "2022-01-17"."""
    world.officer.locale = "id"
    db.session.commit()
    login(client, world.officer)
    company_import = _previewed(client, csv_file([
        ["Nama Perusahaan", "Skala Usaha", "Tanggal Wajib Daftar", "Upah Rata-rata"],
        ["PT Kecil Sekali", "kecil", "17/01/2022", "2.500.000"]]), {
        "column-0": "name", "column-1": "business_size", "column-2": "obliged_on",
        "column-3": "average_wage"})
    page = html.unescape(client.get(f"/imports/{company_import.id}/preview")
                         .get_data(as_text=True))
    row = re.sub(r"<[^>]+>", " ", re.search(r'<tr class="row-created">.*?</tr>', page,
                                            re.S).group(0))
    assert "Kecil" in row and "17 Januari 2022" in row and "Rp2.500.000" in row
    assert "small" not in row and "2022-01-17" not in row


def test_rejected_rows_download_as_csv_with_the_reason(client, world):
    """The rejected rows come back as a CSV: the file's header and cells as they were, and the
    reason in a last column, to fix and upload again (and nothing when none was rejected)."""
    login(client, world.officer)
    company_import = _previewed(client, csv_file([
        ["No", "Nama Perusahaan", "NIB", "Jumlah Karyawan"],
        ["1", "PT Satu", "1234567890123", "10"],
        ["2", "PT Dua", "123456789012", "5"],
        ["3", "=HYPERLINK(\"x\")", "", "-3"]]), {
        "column-1": "name", "column-2": "nib", "column-3": "workers_estimated"})
    page = client.get(f"/imports/{company_import.id}/preview").get_data(as_text=True)
    assert f'href="/imports/{company_import.id}/rejected.csv"' in page
    response = client.get(f"/imports/{company_import.id}/rejected.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["No", "Nama Perusahaan", "NIB", "Jumlah Karyawan", "Reason rejected"]
    assert [r[:4] for r in rows[1:]] == [["2", "PT Dua", "123456789012", "5"],
                                         ["3", "'=HYPERLINK(\"x\")", "", "-3"]]
    assert rows[1][4].startswith("NIB: ") and "12" in rows[1][4]
    assert rows[2][4].startswith("Workers (estimated): ")
    clean = _previewed(client, csv_file([["Nama Perusahaan"], ["PT Bersih"]]),
                       {"column-0": "name"})
    assert client.get(f"/imports/{clean.id}/rejected.csv").status_code == 404
    stranger = client.application.test_client()
    login(stranger, world.stranger)
    assert stranger.get(f"/imports/{company_import.id}/rejected.csv").status_code == 404
