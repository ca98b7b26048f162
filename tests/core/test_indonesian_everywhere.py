"""Indonesian everywhere: the main pages, forms with their errors, mail subjects and the job
runs speak Indonesian, and none shows a known English string."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import render_template
from flask_babel import force_locale

from outreach.org.models import Role
from outreach.scheduler import jobs
from tests.conftest import login, post
from tests.tasks.test_reminders import at

#: what the Indonesian screens showed in English before (WTForms' own messages, mail subjects,
#: job keys), and words of the English interface that must not leak in
ENGLISH = ["This field is required", "Number must be", "Field must be", "characters long",
           "Not a valid", "Invalid email", "Your tasks for", "Directive from", "Weekly summary",
           "morning_sweep", "reminders_created", "letters_drafted", "cases_overdue",
           "Sign out", "My tasks", "Overdue", "Companies", ">Save<", "Succeeded"]


def english_in(page: str) -> list[str]:
    """The known English strings a page shows (its text, not its markup's attributes)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return [s for s in ENGLISH if s in text]


@pytest.fixture
def world(make_branch, make_user, make_company):
    branch = make_branch()
    officer = make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati")
    supervisor = make_user(Role.SUPERVISOR, branch=branch, name="Dwi Pratama")
    admin = make_user(Role.ADMIN, name="Admin")
    company = make_company(branch, "PT Batik Pesisir", categories=("PWBD",),
                           officer_id=officer.id, opened_on=date(2026, 5, 4),
                           kecamatan="Pekalongan Barat")
    return {"branch": branch, "officer": officer, "supervisor": supervisor, "admin": admin,
            "company": company, "case": company.cases[0]}


def test_main_pages_and_form_errors_are_indonesian(client, world):
    """Do the officer's main pages, and the company and account forms with their errors
    (required, number out of range, too short), read in Indonesian only?"""
    with at(date(2026, 5, 20), 6):
        assert jobs.morning_sweep(date(2026, 5, 20)).outcome == "ok"
    with at(date(2026, 5, 21), 9):
        login(client, world["officer"])
        company, case = world["company"], world["case"]
        for url in ("/tasks/", "/tasks/?group=kecamatan", "/companies/",
                    f"/companies/{company.id}", "/letters/", "/companies/new",
                    f"/cases/{case.id}/steps/new?kind=visit"):
            page = client.get(url).get_data(as_text=True)
            assert english_in(page) == [], url
        response = post(client, "/companies/new", {"name": "", "risk_class": "9",
                                                   "workers_total": "-1"})
        page = response.get_data(as_text=True)
        assert "Isian ini wajib diisi." in page
        assert "Angka harus antara 1 dan 5." in page
        assert english_in(page) == []
        response = post(client, f"/cases/{case.id}/steps/new?kind=visit",
                        {"kind": "visit", "occurred_on": "not a date"})
        assert english_in(response.get_data(as_text=True)) == []

        admin = client.application.test_client()
        login(admin, world["admin"])
        response = post(admin, "/admin/users/new", {"email": "x", "name": "N" * 121,
                                                    "role": "officer",
                                                    "branch": world["branch"].id})
        page = response.get_data(as_text=True)
        assert "Isian tidak boleh lebih dari 120 karakter." in page
        assert "Alamat email tidak sah." in page
        assert english_in(page) == []
        page = admin.get("/admin/jobs").get_data(as_text=True)
        assert "Penyisiran pagi" in page and "Tugas dibuat" in page
        assert "renewals_created" not in page and "Sponsor diberi tahu" in page
        assert english_in(page) == []


def test_mail_subjects_are_indonesian(app, world):
    """Are the digest's, the weekly summary's and the directive's subjects Indonesian for an
    Indonesian reader?"""
    with app.test_request_context(), force_locale(world["officer"].locale):
        day = date(2026, 5, 21)
        assert render_template("notifications/digest.subject.txt", day=day).strip() \
            == "Tugas Anda untuk 21 Mei 2026"
        assert render_template("notifications/weekly.subject.txt", day=day).strip() \
            == "Ringkasan mingguan, 21 Mei 2026"
        assert render_template("reports/mail/directive.subject.txt", author=world["supervisor"],
                               company=world["company"]).strip() \
            == "Arahan dari Dwi Pratama: PT Batik Pesisir"
