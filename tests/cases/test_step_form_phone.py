"""The step and delivery forms on a phone: the chosen step first, the blocked ones folded, the
person met, several photos from camera or gallery, the receipt as proof of delivery, errors
summarised at the top with nothing typed lost, and a form that expired opened again."""

from __future__ import annotations

import io
import re
from datetime import date

from sqlalchemy import select

from outreach.cases.models import Proof, Step
from outreach.extensions import db
from tests import factories
from tests.cases.test_cases import JPEG, PNG, add_steps, frozen_clock, step_form, world  # noqa: F401
from tests.conftest import login, post


def test_the_chosen_step_comes_first_and_the_blocked_ones_fold(client, world):  # noqa: F811
    """Tapping "Visit" opens a form with the visit chosen, the person met asked for, a file
    field taking several photos from camera or gallery (no `capture`), and the blocked steps
    behind "why not the others"."""
    add_steps(world, ("notification", date(2026, 1, 5)))
    login(client, world["officer"])
    page = client.get(f"/cases/{world['case'].id}/steps/new?kind=visit").get_data(as_text=True)
    assert re.search(r'id="kind-visit" value="visit"\s+checked', page)
    file_input = re.search(r'<input[^>]*type="file"[^>]*>', page).group(0)
    assert "multiple" in file_input and "capture" not in file_input
    assert 'name="met_name"' in page and 'name="met_position"' in page
    form_start, details = page.index("data-keep-draft"), page.index('id="why-not"')
    assert form_start < page.index('id="kind-visit"') < page.index('name="occurred_on"') \
        < details
    assert "Written Warning I needs" in page[details:]



def test_a_step_the_ladder_refuses_is_said_so_and_nothing_is_chosen_in_its_place(
        client, world):  # noqa: F811
    """A task's "Log: Written Warning I" on a case whose warning is not allowed yet: the form
    says at the top why, and chooses no other step for the officer to save unknowingly."""
    add_steps(world, ("notification", date(2026, 1, 5)))
    login(client, world["officer"])
    page = client.get(f"/cases/{world['case'].id}/steps/new?kind=warning_1").get_data(
        as_text=True)
    alert = page[page.index('id="refused-step"'):page.index("data-keep-draft")]
    assert "Written Warning I cannot be logged today:" in alert
    assert "Written Warning I needs" in alert
    assert not re.search(r'name="kind"[^>]*\s+checked', page)


def test_a_visit_with_two_photos_and_the_person_met(client, world):  # noqa: F811
    """Are two photos and the person met with their position saved with the visit, and shown
    on the company page?"""
    add_steps(world, ("notification", date(2026, 1, 5)))
    login(client, world["officer"])
    response = step_form(client, world["case"], kind="visit", met_name="Bu Ani",
                         met_position="Manajer HRD",
                         proof=[(io.BytesIO(JPEG), "depan.jpg"), (io.BytesIO(PNG), "papan.png")])
    assert response.status_code == 302
    step = db.session.scalars(select(Step).where(Step.kind == "visit")).one()
    assert (step.met_name, step.met_position) == ("Bu Ani", "Manajer HRD")
    assert [p.filename for p in step.proofs] == ["depan.jpg", "papan.png"]
    page = client.get(f"/companies/{world['company'].id}").get_data(as_text=True)
    assert "Met Bu Ani (Manajer HRD)" in page
    assert "depan.jpg" in page and "papan.png" in page


def test_errors_are_summarised_at_the_top_and_nothing_typed_is_lost(client, world, app):  # noqa: F811
    """A too-large photo: the summary at the top of the form names it (linked to the field)
    and what was typed is still in the form."""
    add_steps(world, ("notification", date(2026, 1, 5)))
    login(client, world["officer"])
    limit = app.config["PROOF_MAX_BYTES"]
    app.config["PROOF_MAX_BYTES"] = 100 * 1024
    try:
        response = step_form(client, world["case"], kind="visit", met_name="Pak Joko",
                             notes="Pabrik tutup hari Jumat.",
                             proof=(io.BytesIO(JPEG + b"\x00" * 120 * 1024), "besar.jpg"))
    finally:
        app.config["PROOF_MAX_BYTES"] = limit
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = page.index("data-error-summary")
    assert summary < page.index("data-keep-draft")
    assert re.search(r'<a href="#proof">[^<]+</a>: The file besar.jpg is larger than 100 KB',
                     page)
    assert 'value="Pak Joko"' in page and "Pabrik tutup hari Jumat." in page
    assert db.session.scalars(select(Proof)).all() == []


def test_delivery_takes_the_signed_receipt_as_proof(client, world):  # noqa: F811
    """Is the photo of the signed receipt kept with the delivered letter?"""
    step = factories.drafted_step(world["case"], "notification", date(2026, 2, 25),
                                  actor=world["officer"])
    factories.issued_letter(step.letter, date(2026, 2, 26), actor=world["officer"])
    login(client, world["officer"])
    response = post(client, f"/steps/{step.id}/delivery",
                    {"result": "delivered", "delivered_on": "2026-02-27", "method": "receipt",
                     "reference": "TT-17", "proof": (io.BytesIO(JPEG), "tanda-terima.jpg")},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(step)
    assert step.delivery_status == "delivered"
    assert [p.filename for p in step.proofs] == ["tanda-terima.jpg"]


def test_an_expired_form_offers_to_open_it_again(client, world):  # noqa: F811
    """A step form sent with an expired token is refused with a link back to the same form
    (where the page puts back what was typed)."""
    add_steps(world, ("notification", date(2026, 1, 5)))
    login(client, world["officer"])
    url = f"/cases/{world['case'].id}/steps/new?kind=visit"
    response = client.post(url, data={"csrf_token": "expired", "kind": "visit",
                                      "notes": "Catatan panjang"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="back-to-form"' in page and f'href="{url}"' in page.replace("&amp;", "&")
