"""The public letter check: it reads no more than the letter's size, and names the addressee
the letter itself names."""

from __future__ import annotations

import io
from datetime import date

from outreach.extensions import db
from tests.conftest import post
from tests.letters.test_wording import (  # noqa: F401 - fixtures of the wording tests
    company,
    frozen_clock,
    issue,
    walk,
    world,
)


def _notification(app, world) -> object:  # noqa: F811
    firm = company(world)
    with app.test_request_context():
        letter = walk(world, firm, "notification")
        issue(world, letter, date(2025, 9, 1))
    return letter


def test_an_upload_larger_than_the_letter_is_refused_unread(client, app, world):  # noqa: F811
    """Is a file far larger than the stored letter refused with a message, before its body is
    read, while the letter itself still compares as identical?"""
    letter = _notification(app, world)
    url = f"/verify/{letter.verify_code}"
    huge = post(client, url, {"pdf": (io.BytesIO(letter.pdf + b"\0" * 100_000), "surat.pdf")},
                content_type="multipart/form-data")
    assert huge.status_code == 413
    page = huge.get_data(as_text=True)
    assert "lebih besar dari surat yang diterbitkan" in page
    assert letter.number in page  # the letter's facts are still shown
    same = post(client, url, {"pdf": (io.BytesIO(letter.pdf), "surat.pdf")},
                content_type="multipart/form-data")
    assert same.status_code == 200
    assert "identik" in same.get_data(as_text=True)


def test_one_byte_more_than_the_letter_is_not_the_letter(client, app, world):  # noqa: F811
    """Is the letter with one byte appended refused as larger, not hashed?"""
    letter = _notification(app, world)
    longer = post(client, f"/verify/{letter.verify_code}",
                  {"pdf": (io.BytesIO(letter.pdf + b"\n"), "surat.pdf")},
                  content_type="multipart/form-data")
    assert longer.status_code == 413
    assert "lebih besar dari surat yang diterbitkan" in longer.get_data(as_text=True)


def test_the_compare_form_still_needs_its_csrf_token(client, app, world):  # noqa: F811
    """Without the form's token the upload is refused (400) and not compared at all."""
    letter = _notification(app, world)
    response = client.post(f"/verify/{letter.verify_code}",
                           data={"pdf": (io.BytesIO(letter.pdf), "surat.pdf")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "identik" not in page and "BUKAN" not in page


def test_a_tmp2t_request_names_the_permit_office_it_was_sent_to(client, app, world):  # noqa: F811
    """The verify page of a TMP2T request says it was addressed to the regency's permit office
    (as the letter does), not to the company it is about."""
    firm = company(world)
    with app.test_request_context():
        letter = walk(world, firm, "tmp2t")
        issue(world, letter, date(2025, 12, 1))
    db.session.expire_all()
    page = client.get(f"/verify/{letter.verify_code}").get_data(as_text=True)
    assert ("Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten "
            "Pekalongan") in page
    assert "PT Batik Pesisir" not in page


def test_a_letter_to_the_company_names_the_company(client, app, world):  # noqa: F811
    """A notification is addressed to the company, and the page says so."""
    letter = _notification(app, world)
    page = client.get(f"/verify/{letter.verify_code}").get_data(as_text=True)
    assert "PT Batik Pesisir" in page
