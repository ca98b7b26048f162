"""Working a case through the pages: steps with proof, refusals, delivery, approval, closing."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from PIL import Image
from sqlalchemy import select

from outreach.cases import service
from outreach.cases.models import Case, Category, Proof, Step
from outreach.companies.models import Company
from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.org.models import Role
from tests import factories
from tests.conftest import login, post

JPEG = factories.photo("JPEG")
PNG = factories.photo("PNG")
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


@pytest.fixture
def world(make_branch, make_user, make_company):
    branch = make_branch("KC-PKL", "Pekalongan")
    other = make_branch("KC-TGL", "Tegal")
    officer = make_user(Role.OFFICER, branch=branch)
    officer.locale = "en"
    supervisor = make_user(Role.SUPERVISOR, branch=branch)
    supervisor.locale = "en"
    db.session.commit()
    company = make_company(branch, "PT Batik Pesisir", categories=(Category.PWBD,),
                           opened_on=date(2026, 1, 5))
    case = company.cases[0]
    return {"branch": branch, "other": other, "officer": officer, "supervisor": supervisor,
            "company": company, "case": case}


def step_form(client, case, **fields):
    data = {"kind": "visit", "occurred_on": TODAY.isoformat(), "outcome": "", "notes": "",
            "version": str(case.version), **fields}
    return post(client, f"/cases/{case.id}/steps/new", data,
                content_type="multipart/form-data")


def add_steps(world, *kinds_and_days):
    """Steps taken by the officer: letters issued and delivered by hand the same day (approved
    by the supervisor first when the rung needs it)."""
    for kind, day in kinds_and_days:
        taken = factories.sent_step(world["case"], kind, day, actor=world["officer"],
                                    approver=world["supervisor"])
        if taken.delivery_status == "pending":
            factories.delivery(taken, day, actor=world["officer"], recipient="Bu Sari")


def test_officer_logs_a_visit_with_a_photo(client, world):
    """Can an officer log a visit with a photo, and see and open the photo afterwards?"""
    add_steps(world, ("notification", date(2026, 1, 5)))
    login(client, world["officer"])
    response = step_form(client, world["case"], kind="visit", outcome="promised",
                         notes="Bertemu HRD; janji daftar minggu depan.",
                         proof=(io.BytesIO(JPEG), "kunjungan.jpg"))
    assert response.status_code == 302
    step = db.session.scalars(select(Step).where(Step.kind == "visit")).one()
    assert (step.outcome, step.occurred_on, step.notes) == (
        "promised", TODAY, "Bertemu HRD; janji daftar minggu depan.")
    page = client.get(f"/companies/{world['company'].id}").get_data(as_text=True)
    assert "kunjungan.jpg" in page and "Promised to register" in page
    proof = step.proofs[0]
    download = client.get(f"/proofs/{proof.id}")
    assert download.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(download.data)).size == Image.open(io.BytesIO(JPEG)).size


def test_step_the_ladder_does_not_allow_is_refused_with_reason(client, world):
    """Posting warning I before any letter answers with the reason and records nothing."""
    login(client, world["officer"])
    response = step_form(client, world["case"], kind="warning_1")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Written Warning I needs Notification letter first." in page
    assert db.session.scalars(select(Step)).all() == []


def test_page_offers_only_allowed_steps_and_explains_the_rest(client, world):
    """The step form does not offer warning II and says, folded under "why not the others",
    how many working days remain."""
    add_steps(world, ("notification", date(2026, 1, 5)), ("visit", date(2026, 1, 6)),
              ("warning_1", date(2026, 2, 23)))
    login(client, world["officer"])
    page = client.get(f"/cases/{world['case'].id}/steps/new").get_data(as_text=True)
    assert 'id="kind-warning_2"' not in page and 'id="kind-visit"' in page
    assert page.index('id="why-not"') < page.index("Written Warning II needs")
    # Warning I delivered 23 Feb: 10 working days end 9 March; on 2 March 6 remain.
    assert ("Written Warning II needs Written Warning I delivered and 10 working days "
            "elapsed: 6 left.") in page


@pytest.mark.parametrize("fields, field_message", [
    ({"occurred_on": "2026-03-03"}, "The date cannot be in the future."),
    ({"outcome": "bribed"}, "Not a valid choice."),
    ({"proof": (io.BytesIO(b"just text"), "foto.jpg")}, "is not a photo"),
    ({"proof": (io.BytesIO(PNG), "scan.pdf")}, "does not match its extension"),
    ({"proof": (io.BytesIO(b""), "kosong.jpg")}, "is empty"),
])
def test_bad_step_input_is_refused_at_the_field(client, world, fields, field_message):
    """Future dates, unknown outcomes and bad files: a message, nothing saved."""
    add_steps(world, ("notification", date(2026, 1, 5)))
    login(client, world["officer"])
    response = step_form(client, world["case"], kind="visit", **fields)
    assert response.status_code == 400
    assert field_message in response.get_data(as_text=True)
    assert db.session.scalars(select(Step).where(Step.kind == "visit")).all() == []
    assert db.session.scalars(select(Proof)).all() == []


def test_oversized_proof_is_refused(client, world, app):
    """A proof over the size limit is refused with the limit named."""
    add_steps(world, ("notification", date(2026, 1, 5)))
    login(client, world["officer"])
    limit = app.config["PROOF_MAX_BYTES"]
    app.config["PROOF_MAX_BYTES"] = 100 * 1024  # keeps the test upload small
    try:
        response = step_form(client, world["case"], kind="visit",
                             proof=(io.BytesIO(JPEG + b"\x00" * 120 * 1024), "besar.jpg"))
    finally:
        app.config["PROOF_MAX_BYTES"] = limit
    assert response.status_code == 400
    assert "larger than 100 KB" in response.get_data(as_text=True)
    assert db.session.scalars(select(Proof)).all() == []


def test_second_save_from_an_outdated_page_is_refused(client, world):
    """Two officers on the same case: the second save is refused and nothing is lost."""
    add_steps(world, ("notification", date(2026, 1, 5)))
    login(client, world["officer"])
    stale_version = world["case"].version
    add_steps(world, ("phone_call", date(2026, 2, 2)))  # someone else saves meanwhile
    response = step_form(client, world["case"], kind="visit", notes="Catatan saya",
                         version=str(stale_version))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Someone else changed this case" in page
    assert "Catatan saya" in page  # what the officer typed is still in the form
    assert db.session.scalars(select(Step).where(Step.kind == "visit")).all() == []


def test_letter_delivery_needs_an_issued_letter_and_its_proof(client, world):
    """A letter step's delivery is refused while its letter is a draft and before the day it
    was issued; a courier delivery needs a tracking number; with it the letter is delivered
    and its window runs from that day."""
    step = factories.drafted_step(world["case"], "notification", date(2026, 2, 25),
                                  actor=world["officer"])
    login(client, world["officer"])
    url = f"/steps/{step.id}/delivery"
    delivered = {"result": "delivered", "delivered_on": "2026-02-27", "method": "courier",
                 "reference": "JNE0042"}
    response = post(client, url, delivered)
    assert response.status_code == 400
    assert "Only an issued letter can be recorded delivered" in response.get_data(as_text=True)
    factories.issued_letter(step.letter, date(2026, 2, 26), actor=world["officer"])
    db.session.refresh(step)
    assert step.occurred_on == step.letter.issued_on == date(2026, 2, 26)  # dated by its letter
    early = post(client, url, {**delivered, "delivered_on": "2026-02-25"})
    assert "cannot arrive before it was issued (26 February 2026)" in early.get_data(as_text=True)
    response = post(client, url, {**delivered, "reference": ""})
    assert response.status_code == 400
    assert "Enter the receipt or tracking number." in response.get_data(as_text=True)
    response = post(client, url, delivered)
    assert response.status_code == 302
    db.session.refresh(step)
    assert (step.delivery_status, step.delivery_reference, step.delivered_on) == (
        "delivered", "JNE0042", date(2026, 2, 27))
    assert step.due_on == date(2026, 3, 13)  # 10 working days from delivery


def test_supervisor_approves_a_tmp2t_request(client, world):
    """An officer's TMP2T request, once the fine (delivered 24 February, due 15 March) is unpaid
    past its due date, waits in the supervisor's queue until approved."""
    world["company"].workers_estimated, world["company"].average_wage = 10, 3_000_000
    add_steps(world, ("notification", date(2026, 1, 5)), ("visit", date(2026, 1, 6)),
              ("warning_1", date(2026, 1, 21)), ("warning_2", date(2026, 2, 5)),
              ("fine", date(2026, 2, 24)))
    login(client, world["officer"])
    early = step_form(client, world["case"], kind="tmp2t", occurred_on="2026-03-02")
    assert "unpaid past its due date, 15 March 2026" in early.get_data(as_text=True)
    with time_machine.travel("2026-03-16 09:00 +0700", tick=False):
        assert step_form(client, world["case"], kind="tmp2t",
                         occurred_on="2026-03-16").status_code == 302
        tmp2t = db.session.scalars(select(Step).where(Step.kind == "tmp2t")).one()
        assert tmp2t.approval_status == "requested"
        assert client.get(f"/steps/{tmp2t.id}/approval").status_code == 403
        boss = client.application.test_client()
        login(boss, world["supervisor"])
        queue = boss.get("/approvals").get_data(as_text=True)
        assert "PT Batik Pesisir" in queue and "TMP2T recommendation" in queue
        response = post(boss, f"/steps/{tmp2t.id}/approval", {"decision": "return", "note": ""})
        assert "Say why the request is sent back." in response.get_data(as_text=True)
        post(boss, f"/steps/{tmp2t.id}/approval", {"decision": "approve", "note": "Setuju."})
        db.session.refresh(tmp2t)
        assert tmp2t.approval_status == "approved"
        assert tmp2t.approval_by_id == world["supervisor"].id
        assert "Nothing is waiting" in boss.get("/approvals").get_data(as_text=True)


def test_pause_resume_close_and_reopen(client, world):
    """A case is paused for a dispute, resumed, closed as compliant with its NPP, reopened."""
    case = world["case"]
    login(client, world["officer"])
    post(client, f"/cases/{case.id}/pause", {"reason": "dispute", "version": case.version})
    db.session.refresh(case)
    assert (case.status, case.pause_reason) == ("paused", "dispute")
    assert "The case is not open." in client.get(f"/cases/{case.id}/steps/new").get_data(
        as_text=True)
    post(client, f"/cases/{case.id}/resume", {"version": case.version})
    db.session.refresh(case)
    assert case.status == "open"
    response = post(client, f"/cases/{case.id}/close", {"outcome": "compliant", "npp": "",
                                                         "evidence": "", "version": case.version})
    assert "Enter the employer&#39;s NPP" in response.get_data(as_text=True)
    post(client, f"/cases/{case.id}/close", {"outcome": "compliant", "npp": "12345678",
                                             "evidence": "Sertifikat kepesertaan 2 Maret 2026",
                                             "version": case.version})
    db.session.refresh(case)
    assert (case.status, case.outcome, case.closed_on) == ("closed", "compliant", TODAY)
    assert db.session.get(Company, world["company"].id).npp == "12345678"
    post(client, f"/cases/{case.id}/reopen", {"version": case.version})
    db.session.refresh(case)
    assert case.status == "open" and case.next_rung == "notification"


def test_paused_case_takes_no_steps(world):
    """A paused case refuses new steps in the service itself."""
    service.pause_case(world["officer"], world["case"], "court", TODAY)
    db.session.commit()
    with pytest.raises(service.ServiceError):
        service.log_step(world["officer"], world["case"], kind="notification",
                         occurred_on=TODAY, today=TODAY)


def test_transfer_moves_company_and_case(client, world, make_user):
    """After a transfer the old branch no longer sees the company; the new branch does."""
    login(client, world["supervisor"])
    response = post(client, f"/companies/{world['company'].id}/transfer",
                    {"branch": world["other"].id})
    assert response.status_code == 302
    assert client.get(f"/companies/{world['company'].id}").status_code == 404
    tegal = client.application.test_client()
    login(tegal, make_user(Role.OFFICER, branch=world["other"]))
    assert tegal.get(f"/companies/{world['company'].id}").status_code == 200
    assert db.session.get(Case, world["case"].id).branch_id == world["other"].id


def test_officers_cannot_transfer(client, world):
    """Only supervisors transfer companies."""
    login(client, world["officer"])
    response = post(client, f"/companies/{world['company'].id}/transfer",
                    {"branch": world["other"].id})
    assert response.status_code == 403


def test_other_branch_cannot_touch_the_case(client, world, make_user):
    """An officer of another branch gets 404 on the case's pages and posts, and changes nothing."""
    login(client, make_user(Role.OFFICER, branch=world["other"]))
    case = world["case"]
    assert client.get(f"/cases/{case.id}/steps/new").status_code == 404
    assert step_form(client, case, kind="notification").status_code == 404
    assert post(client, f"/cases/{case.id}/pause", {"reason": "court"}).status_code == 404
    assert db.session.scalars(select(Step)).all() == []


def test_audit_trail_is_shown_to_supervisors(client, world):
    """Every change is audited; supervisors see the history on the company page."""
    add_steps(world, ("notification", date(2026, 1, 5)))
    events = db.session.scalars(select(AuditEvent.action)).all()
    assert "step.log" in events and "step.delivery" in events
    login(client, world["supervisor"])
    page = client.get(f"/companies/{world['company'].id}").get_data(as_text=True)
    assert "Change history" in page and "Step recorded" in page and "step.log" not in page
    officer_client = client.application.test_client()
    login(officer_client, world["officer"])
    assert "Change history" not in officer_client.get(
        f"/companies/{world['company'].id}").get_data(as_text=True)


def gps_exif() -> Image.Exif:
    """The EXIF block of a phone photo: the device, the time, the position, turned sideways."""
    exif = Image.Exif()
    exif[0x010F] = "SAMSUNG"           # Make
    exif[0x0110] = "Galaxy A54"        # Model
    exif[0x0112] = 6                   # Orientation: turn 90° to show upright
    gps = exif.get_ifd(0x8825)
    gps.update({1: "S", 2: (6.0, 53.0, 20.0), 3: "E", 4: (109.0, 40.0, 30.0)})
    return exif


@pytest.mark.parametrize("image_format, name", [("JPEG", "kunjungan.jpg"),
                                                ("PNG", "kunjungan.png"),
                                                ("WEBP", "kunjungan.webp")])
def test_a_visit_photo_is_stored_without_its_exif(client, world, image_format, name):
    """A phone photo's device and GPS position are not stored with the proof, and a photo taken
    sideways is stored upright."""
    add_steps(world, ("notification", date(2026, 1, 5)))
    sent = factories.photo(image_format, size=(80, 40), exif=gps_exif())
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(0x8825)  # the GPS block went up
    login(client, world["officer"])
    response = step_form(client, world["case"], kind="visit", outcome="promised",
                         proof=(io.BytesIO(sent), name))
    assert response.status_code == 302
    proof = db.session.scalars(select(Proof)).one()
    stored = client.get(f"/proofs/{proof.id}").data
    assert b"Galaxy" not in stored and b"SAMSUNG" not in stored
    image = Image.open(io.BytesIO(stored))
    assert (image.format, dict(image.getexif()), image.size) == (image_format, {}, (40, 80))


def test_a_decompression_bomb_is_refused(client, world):
    """A small PNG that claims 100 megapixels is refused with the reason, nothing saved."""
    add_steps(world, ("notification", date(2026, 1, 5)))
    bomb = factories.photo("PNG", size=(10_000, 10_000))
    login(client, world["officer"])
    response = step_form(client, world["case"], kind="visit", outcome="promised",
                         proof=(io.BytesIO(bomb), "besar.png"))
    assert response.status_code == 400
    assert "more than 50 megapixels" in response.get_data(as_text=True)
    assert db.session.scalars(select(Proof)).first() is None
