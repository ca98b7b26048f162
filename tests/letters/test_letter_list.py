"""The letters list a page at a time with its filters, and the address letters print."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select

from outreach.extensions import db
from outreach.letters.models import Letter, LetterStatus
from outreach.letters.render import pdf_text
from tests.conftest import CSRF_RE, PASSWORD, login, post
from tests.letters.test_letters import draft, frozen_clock, issue, world  # noqa: F401

NEEDS_URL = "Letters cannot be issued yet: the administrator must set PUBLIC_BASE_URL"


def _many_drafts(world, n: int) -> None:  # noqa: F811
    """`n` drafts more on the first company's case, as rows (the list is what is tested)."""
    letter = db.session.scalars(select(Letter)).first()
    db.session.execute(insert(Letter), [
        {"branch_id": letter.branch_id, "case_id": letter.case_id,
         "template_id": letter.template_id, "status": LetterStatus.DRAFT,
         "addressee_name": f"CV Draf {i:03d}", "data": {}} for i in range(n)])
    db.session.commit()


def test_issued_letters_are_reachable_past_many_drafts(client, app, world):  # noqa: F811
    """With more drafts than a page holds, are the issued numbers 001–003 reachable by
    paging, and at once by the status, number, company and date filters?"""
    with app.test_request_context():
        for index in range(3):
            issue(world, draft(world, index))
    _many_drafts(world, 60)
    world["officer"].locale = "en"
    db.session.commit()
    login(client, world["officer"])
    first = client.get("/letters/").get_data(as_text=True)
    assert "63 letters" in first and "Page 1 of 2" in first
    assert "001/PKP/KC-PKL/III/2026" not in first
    second = client.get("/letters/?page=2").get_data(as_text=True)
    assert all(f"00{n}/PKP/KC-PKL/III/2026" in second for n in (1, 2, 3))
    issued = client.get("/letters/?status=issued").get_data(as_text=True)
    assert "3 letters" in issued and "(draft)" not in issued
    one = client.get("/letters/?number=002").get_data(as_text=True)
    assert "1 letter" in one and "002/PKP/KC-PKL/III/2026" in one
    by_company = client.get("/letters/?company=batik+pesisir+3").get_data(as_text=True)
    assert "1 letter" in by_company and "003/PKP/KC-PKL/III/2026" in by_company
    dated = client.get("/letters/?date_from=2026-03-02&date_to=2026-03-02&kind=notification")
    assert "3 letters" in dated.get_data(as_text=True)
    none = client.get("/letters/?date_from=2026-03-03").get_data(as_text=True)
    assert "No letter matches these filters." in none


def test_without_public_base_url_a_development_server_prints_the_requests_host(
        client, app, world, monkeypatch):  # noqa: F811
    """Does a letter issued on a development server without PUBLIC_BASE_URL point to the
    address the officer's phone reached the server at, never 127.0.0.1?"""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    with app.test_request_context():
        letter = draft(world)
    phone = "http://192.168.1.20:5000"  # the laptop's address on the office network
    token = CSRF_RE.search(client.get("/auth/login", base_url=phone).data).group(1).decode()
    client.post("/auth/login", base_url=phone, data={
        "csrf_token": token, "email": world["officer"].email, "password": PASSWORD})
    response = client.post(f"/letters/{letter.id}/issue", base_url=phone,
                           data={"csrf_token": token, "confirm": "y"})
    assert response.status_code == 302
    db.session.refresh(letter)
    text = pdf_text(letter.pdf)
    assert f"http://192.168.1.20:5000/verify/{letter.verify_code}" in text
    assert "127.0.0.1" not in text


def test_production_refuses_to_issue_without_public_base_url(client, app, world,  # noqa: F811
                                                             monkeypatch):
    """Does production without PUBLIC_BASE_URL refuse to issue, saying what to set?"""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL_FROM_REQUEST", False)
    with app.test_request_context():
        letter = draft(world)
    world["officer"].locale = "en"
    db.session.commit()
    login(client, world["officer"])
    response = post(client, f"/letters/{letter.id}/issue", {"confirm": "y"})
    assert NEEDS_URL in response.get_data(as_text=True)
    db.session.refresh(letter)
    assert (letter.status, letter.number) == (LetterStatus.DRAFT, None)


@pytest.mark.parametrize("phone", ["0812 3456 7890"])
def test_the_notification_names_the_officer_and_their_phone(app, world, phone):  # noqa: F811
    """Does the notification letter give the officer's name and phone as the contact?"""
    company = world["companies"][0]
    company.officer_id = world["officer"].id
    world["officer"].phone = phone
    db.session.commit()
    with app.test_request_context():
        letter = issue(world, draft(world))
    text = " ".join(pdf_text(letter.pdf).split())
    assert f"Siti Rahmawati (telepon {phone})" in text
    assert date(2026, 3, 2) == letter.issued_on
