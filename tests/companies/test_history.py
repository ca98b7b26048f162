"""The company page's change history in Indonesian: each action by its label, the case it
concerns in words, the changes' fields labelled and their values shown as a user reads them
(dates as dates, codes by their labels, nothing as "–"), a change with its arrow and a plain
list (the person met, the proof files) joined by commas."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from outreach.cases import service as cases
from outreach.cases.models import Category
from outreach.cases.proofs import Upload
from outreach.companies import service as companies
from outreach.extensions import db
from outreach.joint_visits import service as joint_visits
from outreach.org import service as org
from outreach.org.models import PartnerKind, PartnerOffice, Role
from tests import factories
from tests.conftest import login
from tests.core.test_indonesian_everywhere import english_in

#: a Monday: the notification was delivered on 6 January, the visit made on 8 January
TODAY = date(2026, 2, 2)


@pytest.fixture
def world(app, make_user):
    branch = factories.branch("KC-PKL", "Pekalongan", head_name="Dwi Ananda Pratama")
    officer = make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati")
    supervisor = make_user(Role.SUPERVISOR, branch=branch, name="Agus Wibowo")
    factories.partner_offices(branch, "Kota Pekalongan")
    company = factories.company(branch, "PT Batik Pesisir", actor=officer,
                                officer_id=officer.id, city="Kota Pekalongan",
                                categories=(Category.PWBD,), workers_estimated=14)
    case = company.cases[0]
    factories.delivered_step(case, "notification", date(2026, 1, 5),
                             delivered_on=date(2026, 1, 6), actor=officer)
    with app.test_request_context():
        cases.log_step(officer, case, kind="visit", occurred_on=date(2026, 1, 8),
                       today=date(2026, 1, 8), outcome="refused",
                       met_name="Budi Santoso", met_position="Manajer HRD",
                       uploads=[Upload("photo1.jpg", factories.photo()),
                                Upload("photo2.jpg", factories.photo())])
        db.session.commit()
        disnaker = db.session.scalars(select(PartnerOffice).where(
            PartnerOffice.branch_id == branch.id,
            PartnerOffice.kind == PartnerKind.DISNAKER)).one()
        joint_visits.invite(officer, case, office_id=disnaker.id,
                            proposed_on=date(2026, 2, 5), today=TODAY)
        db.session.commit()
    return {"company": company, "case": case, "supervisor": supervisor}


def history_of(client, user, company) -> str:
    """The text of the company page's "Riwayat perubahan" section, as `user` reads it."""
    with time_machine.travel(f"{TODAY.isoformat()} 09:00 +0700", tick=False):
        login(client, user)
        page = client.get(f"/companies/{company.id}").get_data(as_text=True)
    section = page[page.index('id="audit-heading"'):]
    section = section[:section.index("</section>")]
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


def test_the_change_history_reads_in_indonesian(client, world):
    """A supervisor reads, on the company page, the delivered notification, the visit with
    the person met and two photos, and the invitation of the labour office, all in
    Indonesian words: no internal key, no "None", no list drawn as if it were a change."""
    history = history_of(client, world["supervisor"], world["company"])
    case_id = world["case"].id
    # the actions by their labels, the case they concern in words
    assert f"Instansi mitra diundang untuk kunjungan bersama · kasus #{case_id}" in history
    assert "Pengiriman dicatat" in history and "Langkah dicatat" in history
    assert "Kasus dibuka" in history
    # a change with its arrow, its codes and days as a user reads them
    assert "Status pengiriman: Belum diterima → Diterima" in history
    assert "Tanggal diterima: – → 6 Januari 2026" in history
    assert "Cara pengiriman: Diserahkan langsung" in history
    # plain lists joined, never drawn as a change
    assert "Orang yang ditemui: Budi Santoso, Manajer HRD" in history
    assert "Berkas bukti: photo1.jpg, photo2.jpg" in history
    assert "Jenis: Kunjungan" in history and "Hasil: Menolak" in history
    assert "Tanggal yang diusulkan: 5 Februari 2026" in history
    assert "Kategori: PWBD" in history
    for raw in ("delivery_status", "None", "joint_visit.invite", " → Manajer", "photo1.jpg →",
                "step.log", "proposed_on", "occurred_on", "2026-01-08", "Name key"):
        assert raw not in history, raw
    assert english_in(history) == []
    # no code at all: neither a key (snake_case) nor an action (dotted)
    assert re.findall(r"\b[a-z]+_[a-z_]+\b|\b[a-z_]+\.[a-z_]+\b", history) == []


def test_an_account_change_reads_in_indonesian(client, app, make_user):
    """The account page's history draws a change of role by the roles' labels, with the
    field's name in Indonesian, as the company page does."""
    branch = factories.branch("KC-PKL", "Pekalongan")
    admin = make_user(Role.ADMIN, name="Admin")
    officer = make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati")
    with app.test_request_context():
        org.update_user(admin, officer, name="Siti Rahmawati", role=Role.SUPERVISOR,
                        branch=branch, active=True)
        db.session.commit()
    login(client, admin)
    page = client.get(f"/admin/users/{officer.id}").get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Akun diubah" in text and "Peran: Petugas → Penyelia" in text
    assert "role:" not in text and "officer → supervisor" not in text


def test_a_changed_company_and_a_paused_case_read_in_indonesian(client, world, app):
    """A company's size and obligation day changed by hand, and its case paused for a
    dispute: the fields, the sizes, the day and the reason read in Indonesian."""
    company, officer = world["company"], world["case"].company.officer
    with app.test_request_context():
        companies.update_company(officer, company, {
            "name": company.name, "business_size": "medium", "obliged_on": date(2025, 7, 1)},
            today=TODAY)
        db.session.commit()
    factories.pause(world["case"], TODAY, reason="dispute", actor=officer)
    history = history_of(client, world["supervisor"], company)
    assert "Data diubah" in history
    assert "Skala usaha: Kecil → Menengah" in history
    assert "Wajib sejak: – → 1 Juli 2025" in history
    assert "Kasus dihentikan sementara" in history and "Alasan: Sengketa" in history
    for raw in ("business_size", "obliged_on", "small", "medium", "dispute", "None"):
        assert raw not in history, raw
