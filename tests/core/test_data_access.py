"""The data-access log: who read a company's or an account's details, exported a list or
downloaded a stored file, shown to admins, kept out of the company's change history."""

from __future__ import annotations

import re
from datetime import date

import time_machine
from sqlalchemy import func, select

from outreach.cases import service as cases
from outreach.cases.models import Case, Proof
from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.org.models import Role
from tests import factories
from tests.conftest import login, post


def access_rows(page: str) -> list[str]:
    """The rows of the data-access page as text, newest first."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split())
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def test_reads_exports_and_downloads_are_logged_for_admins(client, make_branch, make_user,
                                                             make_company):
    branch = make_branch()
    officer = make_user(Role.OFFICER, branch=branch, name="Andi Wijaya")
    supervisor = make_user(Role.SUPERVISOR, branch=branch, name="Citra Lestari")
    admin = make_user(Role.ADMIN, name="Admin Pusat")
    company = make_company(branch, "PT Batik Pesisir", categories=("PWBD",),
                           officer_id=officer.id)
    case = db.session.scalars(select(Case).where(Case.company_id == company.id)).one()
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        cases.log_step(officer, case, kind="notification", occurred_on=date(2026, 3, 2),
                       today=date(2026, 3, 2), uploads=[factories.proof_upload()])
        db.session.commit()
        proof = db.session.scalars(select(Proof)).one()
        login(client, officer)
        assert client.get(f"/companies/{company.id}").status_code == 200
        assert post(client, "/companies/export.csv?q=Batik").status_code == 302  # its job
        assert client.get(f"/proofs/{proof.id}").status_code == 200
        client.post("/auth/logout", data={})
        client.delete_cookie("session")
        login(client, admin)
        assert client.get(f"/admin/users/{officer.id}").status_code == 200
        page = client.get("/admin/data-access").get_data(as_text=True)
    rows = access_rows(page)
    assert len(rows) == 4
    assert "Rincian akun dibaca" in rows[0] and "Admin Pusat" in rows[0]
    assert "Bukti diunduh" in rows[1] and "Andi Wijaya" in rows[1]
    # what each entry keeps is named in Indonesian, as in the change history, not by its key
    assert f"Bukti: #{proof.id}; Berkas: bukti.png" in rows[1]
    assert "Daftar perusahaan diekspor" in rows[2] and "Saringan daftar: q=Batik" in rows[2]
    assert "Format: csv" in rows[2]
    for key in ("proof:", "file:", "filters:", "format:"):
        assert key not in page
    assert "Rincian perusahaan dibaca" in rows[3] and f"perusahaan {company.id}" in rows[3]

    # the company's change history, as its supervisor reads it, lists changes, not reads
    client.delete_cookie("session")
    login(client, supervisor)
    history = client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "view.company"))
    assert "view.company" not in history and "Rincian perusahaan dibaca" not in history


def test_a_company_page_commits_its_read_before_it_is_served(client, make_branch, make_user,
                                                            make_company):
    """The row is written in the page's own request and committed: another connection sees
    it as soon as the page is answered, with who read which company of which branch."""
    branch = make_branch()
    officer = make_user(Role.OFFICER, branch=branch)
    company = make_company(branch, "PT Batik Pesisir", categories=("PWBD",))
    login(client, officer)
    page = client.get(f"/companies/{company.id}")
    assert page.status_code == 200 and "PT Batik Pesisir" in page.get_data(as_text=True)
    with db.engine.connect() as other:
        rows = other.execute(select(
            AuditEvent.user_id, AuditEvent.branch_id, AuditEvent.entity_type,
            AuditEvent.entity_id, AuditEvent.changes, AuditEvent.at)
            .where(AuditEvent.action == "view.company")).all()
    assert [tuple(row[:5]) for row in rows] == [(officer.id, branch.id, "company", company.id,
                                                 {})]
    assert rows[0].at is not None
    assert client.get(f"/companies/{company.id}").status_code == 200
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "view.company")) == 2


def test_only_admins_read_the_log(client, make_branch, make_user):
    supervisor = make_user(Role.SUPERVISOR, branch=make_branch())
    login(client, supervisor)
    assert client.get("/admin/data-access").status_code == 403
