"""Import files that would exhaust the server are refused while they stream, and a list is
read once: over HTTP, as a person uploads it."""

from __future__ import annotations

import html
import io
import zipfile

import pytest
from sqlalchemy import func, select

from outreach.extensions import db
from outreach.imports import reading
from outreach.imports.models import CompanyImport
from tests.conftest import login, post
from tests.imports import test_imports
from tests.imports.test_imports import csv_file, upload, xlsx_file

#: the branch, its officer and supervisor of the import tests
world = test_imports.world

HEADER = ["Nama Perusahaan", "NIB", "Alamat"]


def imports() -> int:
    return db.session.scalar(select(func.count()).select_from(CompanyImport))


def refused(client, response, *words: str) -> None:
    """The upload page again with the reason and no import kept (the quick checks of the
    upload), or the page of the job reading the file, failed with the reason, the file
    dropped."""
    if response.status_code == 400:
        page = html.unescape(response.get_data(as_text=True))
        assert imports() == 0
    else:
        page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
        assert "Failed" in page
        given_up = db.session.scalars(select(CompanyImport)
                                      .order_by(CompanyImport.id.desc())).first()
        assert (given_up.status, given_up.data) == ("discarded", b"")
    for word in words:
        assert word in page


def with_member(workbook: bytes, name: str, body: bytes) -> bytes:
    """The workbook with one more part, deflated (as a zip bomb packs its payload)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(name, body)
    return buffer.getvalue()


def test_a_workbook_that_unzips_to_gigabytes_is_refused_before_it_is_unpacked(client, world):
    """20 MB of one repeated byte packs into a few KB: refused from the zip's directory."""
    bomb = with_member(xlsx_file([HEADER, ["PT Satu", "", ""]]), "xl/media/padding.bin",
                       b"\0" * (20 * 1024 * 1024))
    assert len(bomb) < 100_000
    login(client, world.officer)
    refused(client, upload(client, bomb, "daftar.xlsx"), "packed unusually tightly")


def test_a_workbook_over_the_unzipped_limit_is_refused(client, world, monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNZIPPED", 64 * 1024)
    workbook = with_member(xlsx_file([HEADER, ["PT Satu", "", ""]]), "xl/media/photo.bin",
                           bytes(range(256)) * 400)
    login(client, world.officer)
    refused(client, upload(client, workbook, "daftar.xlsx"), "unpacks to more than 64 KB")


def test_a_cell_longer_than_the_limit_is_refused_with_its_row(client, world):
    long_cell = "Jalan " + "panjang " * 300
    workbook = xlsx_file([HEADER, ["PT Satu", "", "Jl. Merdeka 1"], ["PT Dua", "", long_cell]])
    login(client, world.officer)
    refused(client, upload(client, workbook, "daftar.xlsx"), "row 3", "2.000 characters")
    refused(client, upload(client, csv_file([HEADER, ["PT Dua", "", "x" * 200_000]])), "row 2",
            "2.000 characters")


def test_separators_without_values_make_no_columns(client, world):
    """A row of 20,000 separators (a spreadsheet's stray formatting) adds no column."""
    data = csv_file([HEADER + [""] * 20_000, ["PT Satu", "1234567890123", "Jl. A"],
                     [""] * 20_000])
    login(client, world.officer)
    response = upload(client, data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert page.count('<select class="form-select form-select-sm"') == 3
    assert "1 row" in page


def test_too_many_columns_are_refused(client, world):
    wide = HEADER + [f"Kolom {n}" for n in range(250)]
    login(client, world.officer)
    refused(client, upload(client, csv_file([wide, ["PT Satu"] + ["x"] * 252])),
            "more than 200 columns")


@pytest.mark.parametrize("limit, words", [("MAX_ROWS", "more than 50 rows"),
                                          ("MAX_CELLS", "more than 50 filled cells")])
def test_rows_and_cells_past_the_limit_are_refused(client, world, monkeypatch, limit, words):
    monkeypatch.setattr(reading, limit, 50)
    rows = [HEADER] + [[f"PT Nomor {n}", "", f"Jl. {n}"] for n in range(80)]
    login(client, world.officer)
    refused(client, upload(client, csv_file(rows)), words)


def test_the_list_is_read_once_at_the_upload(client, world):
    """Mapping, dry run and real run work from the rows read at the upload: the stored file
    is never read again (here it is overwritten after the upload, and the import still runs),
    and the rows are let go once the import is done."""
    login(client, world.officer)
    response = upload(client, csv_file([HEADER, ["PT Satu", "1234567890123", "Jl. A"],
                                        ["PT Dua", "", "Jl. B"]]))
    company_import = db.session.scalars(select(CompanyImport)).one()
    company_import.data = b"PK\x03\x04 no longer a spreadsheet"
    db.session.commit()
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "PT Satu · PT Dua" in page and "2 rows" in page
    post(client, f"/imports/{company_import.id}/map",
         {"column-0": "name", "column-1": "nib", "column-2": "address"})
    preview = client.get(f"/imports/{company_import.id}/preview").get_data(as_text=True)
    assert "PT Dua" in preview
    assert post(client, f"/imports/{company_import.id}/confirm").status_code == 302
    db.session.expire_all()
    done = db.session.get(CompanyImport, company_import.id)
    assert (done.status, done.counts["created"], done.sheet) == ("done", 2, None)
