"""The wizard on a real worker process (`flask worker`, as in production): the upload's file
is read by a job, the dry run is a job whose page shows its progress, and the preview it
stores is what the real run then does."""

from __future__ import annotations

import html
import random
import re
import string

from sqlalchemy import func, select

from outreach.companies.models import Company
from outreach.extensions import db
from outreach.imports.models import CompanyImport
from outreach.queue.models import BackgroundJob
from tests.conftest import login, post
from tests.imports import test_imports
from tests.imports.test_imports import csv_file, upload
from tests.queue.test_worker import running_worker, settled  # noqa: F401 - the fixture

#: the branch, its officer and supervisor of the import tests
world = test_imports.world

ROWS = 300


def name(n: int) -> str:
    """A company name unlike every other's (no row is a near duplicate of another)."""
    letters = random.Random(n).choices(string.ascii_lowercase, k=14)
    return "PT " + "".join(letters).capitalize()


def rows() -> list[list[str]]:
    """300 companies: every tenth an existing one (by NPWP) with new figures, every
    twenty-fifth with a negative head count (rejected)."""
    lines = [["Nama Perusahaan", "NPWP", "Alamat", "Jumlah Karyawan"]]
    for n in range(1, ROWS + 1):
        npwp = f"01.234.567.8-{n:03d}.000" if n % 10 == 0 else ""
        workers = "-3" if n % 25 == 0 else str(10 + n)
        lines.append([name(n), npwp, f"Jl. Pelabuhan {n}", workers])
    return lines


def test_the_dry_run_runs_on_a_worker_and_the_real_run_does_what_it_showed(
        client, world, make_company, running_worker):  # noqa: F811 - the fixture
    for n in range(10, ROWS + 1, 10):
        make_company(world.branch, name(n), npwp=f"012345678{n:03d}000",
                     workers_estimated=1)
    db.session.commit()
    login(client, world.officer)
    response = upload(client, csv_file(rows()))
    assert re.fullmatch(r"/jobs/\d+", response.headers["Location"])
    settled(client, response.headers["Location"], running_worker)
    company_import = db.session.scalars(select(CompanyImport)).one()
    columns = client.get(response.headers["Location"])
    assert columns.headers["Location"] == f"/imports/{company_import.id}/map"
    page = client.get(columns.headers["Location"]).get_data(as_text=True)
    assert f"{name(1)} · {name(2)} · {name(3)}" in page and "300 rows" in page

    response = post(client, f"/imports/{company_import.id}/map",
                    {"column-0": "name", "column-1": "npwp", "column-2": "address",
                     "column-3": "workers_estimated"})
    job_page = response.headers["Location"]
    settled(client, job_page, running_worker)
    db.session.expire_all()
    job = db.session.get(BackgroundJob, int(job_page.rsplit("/", 1)[1]))
    assert (job.kind, job.state) == ("import_check", "done")
    assert job.done == job.total >= ROWS  # its progress, written as it went
    assert client.get(job_page).headers["Location"] == f"/imports/{company_import.id}/preview"
    preview = html.unescape(client.get(f"/imports/{company_import.id}/preview")
                            .get_data(as_text=True))
    assert "Nothing has been saved yet." in preview and name(25) in preview
    previewed = db.session.get(CompanyImport, company_import.id).counts
    assert (previewed["created"], previewed["updated"], previewed["rejected"]) == (264, 24, 12)
    assert db.session.scalar(select(func.count(Company.id))) == 30  # nothing written yet

    response = post(client, f"/imports/{company_import.id}/confirm", {"valid_rows_only": "1"})
    page = settled(client, response.headers["Location"], running_worker)
    assert "Imported: 264 created, 24 updated, 0 unchanged, 12 rejected" in html.unescape(page)
    db.session.expire_all()
    done = db.session.get(CompanyImport, company_import.id)
    assert {key: done.counts[key] for key in previewed} == previewed
    assert db.session.scalar(select(func.count(Company.id))) == 30 + 264
    # the head counts entered by hand were conflicts on the preview, and the run kept them
    assert previewed["conflicts"] == 24
    assert db.session.scalars(select(Company.workers_estimated)
                              .where(Company.name == name(20))).one() == 1
