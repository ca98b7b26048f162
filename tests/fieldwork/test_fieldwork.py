"""Work in the field: a visit's position (kept with a warning when too old or not accurate
enough, the company's location when good), the maps' points scoped to the branch, phone
numbers as +62 with tel: links, and a WhatsApp message logged as one contact step."""

from __future__ import annotations

import html
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from sqlalchemy import select

from outreach.cases.models import Category, Step
from outreach.companies.models import Company
from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.fieldwork.rules import phone_numbers
from outreach.org.models import Role
from outreach.scheduler import jobs
from tests import factories
from tests.conftest import login, post

TODAY = date(2026, 3, 2)
#: 08:30 in Pekalongan (UTC+7) on the day of the visit
THIS_MORNING = "2026-03-02T01:30:00.000Z"
#: 17:00 in Pekalongan the day before
YESTERDAY = "2026-03-01T10:00:00.000Z"


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
                           opened_on=date(2026, 1, 5), phone="0812-3456-7890",
                           address="Jl. Hayam Wuruk No. 7", kecamatan="Pekalongan Timur",
                           city="Kota Pekalongan", officer_id=officer.id,
                           director_name="Ibu Sari")
    case = company.cases[0]
    taken = factories.sent_step(case, "notification", date(2026, 1, 5), actor=officer,
                                approver=supervisor)
    factories.delivery(taken, date(2026, 1, 5), actor=officer, recipient="Bu Sari")
    return {"branch": branch, "other": other, "officer": officer, "supervisor": supervisor,
            "company": company, "case": case}


def visit(client, case, **fields):
    data = {"kind": "visit", "occurred_on": TODAY.isoformat(), "outcome": "", "notes": "",
            "version": str(case.version), **fields}
    return post(client, f"/cases/{case.id}/steps/new", data,
                content_type="multipart/form-data")


def position(latitude="-6.8886", longitude="109.6753", accuracy="12", at=THIS_MORNING,
             use=True) -> dict:
    return {"latitude": latitude, "longitude": longitude, "accuracy": accuracy,
            "position_at": at, **({"use_location": "y"} if use else {})}


def the_visit() -> Step:
    return db.session.scalars(select(Step).where(Step.kind == "visit")).one()


def test_a_good_position_becomes_the_companys_location(client, world):
    """A visit whose position was taken this morning within 100 m: kept on the step, made the
    company's location (source and day), and "open in maps" goes to that point."""
    login(client, world["officer"])
    response = visit(client, world["case"], **position())
    assert response.status_code == 302
    step = the_visit()
    assert (step.latitude, step.longitude, step.position_accuracy_m) == (-6.8886, 109.6753, 12)
    assert step.position_at.isoformat().startswith("2026-03-02T01:30")
    assert step.position_warning == ""
    company = db.session.get(Company, world["company"].id)
    assert (company.latitude, company.longitude) == (-6.8886, 109.6753)
    assert (company.location_source, company.located_on) == ("visit", TODAY)
    page = client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert "Location from a visit on 2 March 2026" in page
    assert "Position recorded (±12 m)" in page
    maps = re.search(r'href="([^"]+)"[^>]*data-open-maps', page).group(1)
    assert parse_qs(urlsplit(html.unescape(maps)).query)["query"] == ["-6.888600,109.675300"]


def test_a_position_older_than_the_visit_is_kept_with_a_warning(client, world):
    """A position the phone took yesterday evening: stored on the visit with the warning, shown
    to the officer, and not the company's location."""
    login(client, world["officer"])
    response = visit(client, world["case"], **position(at=YESTERDAY))
    assert response.status_code == 302
    step = the_visit()
    assert step.latitude == -6.8886
    assert "older than the visit" in step.position_warning
    assert db.session.get(Company, world["company"].id).latitude is None
    page = client.get(f"/companies/{world['company'].id}").get_data(as_text=True)
    assert "The position is older than the visit (taken 01-03-2026 17:00)." in page
    assert "Use as the company's location" not in page


def test_a_visit_logged_later_from_elsewhere_does_not_locate_the_company(client, world):
    """Friday's visit logged on Monday with Monday's position: the warning says the position
    is of a later day, and the company keeps no location."""
    login(client, world["officer"])
    visit(client, world["case"], occurred_on="2026-02-27", **position())
    step = the_visit()
    assert step.occurred_on == date(2026, 2, 27)
    assert step.position_warning == "The position was taken on a later day than the visit."
    assert db.session.get(Company, world["company"].id).latitude is None


def test_an_inaccurate_position_is_kept_with_a_warning(client, world):
    """A position accurate to 350 m only, against the default limit of 100 m."""
    login(client, world["officer"])
    visit(client, world["case"], **position(accuracy="350"))
    step = the_visit()
    assert step.position_accuracy_m == 350
    assert step.position_warning == ("The position is accurate to 350 m only; the branch's "
                                     "limit is 100 m.")
    assert db.session.get(Company, world["company"].id).latitude is None


def test_the_branch_sets_its_accuracy_limit(client, world):
    """A supervisor lowers the limit to 30 m: a visit's 50 m position gets the warning."""
    login(client, world["supervisor"])
    response = post(client, "/settings/field", {"accuracy_limit_m": "30"})
    assert response.status_code == 302
    assert 'value="30"' in client.get("/settings/field").get_data(as_text=True)
    post(client, "/auth/logout")
    login(client, world["officer"])
    visit(client, world["case"], **position(accuracy="50"))
    step = the_visit()
    assert step.officer_id == world["officer"].id
    assert "the branch's limit is 30 m" in step.position_warning


def test_no_position_without_the_officers_tap(client, world):
    """A visit saved without "record my location": no position on the step or the company."""
    login(client, world["officer"])
    assert visit(client, world["case"]).status_code == 302
    step = the_visit()
    assert step.latitude is None and step.position_at is None
    assert db.session.get(Company, world["company"].id).latitude is None


def test_a_visit_not_used_for_the_company_can_locate_it_later(client, world):
    """The officer left "use it as the company's location" off; the timeline's button sets it
    afterwards from the same visit."""
    login(client, world["officer"])
    visit(client, world["case"], **position(use=False))
    assert db.session.get(Company, world["company"].id).latitude is None
    page = client.get(f"/companies/{world['company'].id}").get_data(as_text=True)
    assert "Use as the company's location" in page
    response = post(client, f"/steps/{the_visit().id}/company-location")
    assert response.status_code == 302
    assert db.session.get(Company, world["company"].id).longitude == 109.6753


@pytest.mark.parametrize("typed", ["0812-3456-7890", "081234567890", "6281234567890",
                                   "+62 812-3456-7890", "62 812 3456 7890"])
def test_mobile_numbers_are_normalised_to_plus_62(typed):
    """The usual ways of writing an Indonesian mobile number give one +62 number."""
    (number,) = phone_numbers(typed)
    assert (number.e164, number.shown, number.mobile) == (
        "+6281234567890", "+62 812-3456-7890", True)


@pytest.mark.parametrize("typed", ["(0285) 421234", "0285 421234", "62285421234",
                                   "+62 285 421234"])
def test_a_landline_keeps_its_area_code(typed):
    """A Pekalongan landline, with or without brackets and the country code."""
    (number,) = phone_numbers(typed)
    assert (number.e164, number.mobile) == ("+62285421234", False)


def test_two_numbers_in_one_field_and_rubbish_left_out():
    """"(0285) 421234 / 0812…" gives both; a number too short to be one is left out."""
    assert [p.e164 for p in phone_numbers("(0285) 421234 / 0812 3456 7890; 0812")] == [
        "+62285421234", "+6281234567890"]


def test_the_company_page_dials_and_offers_whatsapp(client, world):
    """The phone is a tel: link to +62…, and WhatsApp opens a chat with that number with the
    visit's message typed in, in Indonesian whatever language the officer reads."""
    login(client, world["officer"])
    page = client.get(f"/companies/{world['company'].id}").get_data(as_text=True)
    assert 'href="tel:+6281234567890"' in page and "+62 812-3456-7890" in page
    link = html.unescape(re.search(r'href="(https://wa.me/[^"]+)"', page).group(1))
    parts = urlsplit(link)
    assert parts.path == "/6281234567890"
    text = parse_qs(parts.query)["text"][0]
    assert text.startswith("Yth. Ibu Sari dari PT Batik Pesisir, saya ")
    assert "BPJS Ketenagakerjaan Kantor Cabang Pekalongan" in text
    assert "Message sent?" in page


def test_a_confirmed_whatsapp_message_logs_one_contact_step(client, world):
    """"Yes, the message was sent" logs one phone-contact step by WhatsApp with the message,
    shown on the timeline."""
    login(client, world["officer"])
    page = client.get(f"/companies/{world['company'].id}").get_data(as_text=True)
    form = page[page.index("data-whatsapp-confirm"):]
    text = html.unescape(re.search(r'name="text"[^>]*value="([^"]*)"', form).group(1))
    response = post(client, f"/cases/{world['case'].id}/whatsapp",
                    {"text": text, "letter_id": ""})
    assert response.status_code == 302
    steps = db.session.scalars(select(Step).where(Step.kind == "phone_call")).all()
    assert len(steps) == 1
    assert (steps[0].channel, steps[0].occurred_on) == ("whatsapp", TODAY)
    assert steps[0].notes.startswith("WhatsApp message: Yth. Ibu Sari")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The WhatsApp message is logged as a step." in page
    assert "by WhatsApp" in page
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "step.whatsapp")).one()


def test_a_message_the_ladder_does_not_allow_says_why(client, world):
    """On a paused case the ladder allows no step: confirming the message logs nothing and the
    officer reads why."""
    factories.pause(world["case"], TODAY)
    login(client, world["officer"])
    response = post(client, f"/cases/{world['case'].id}/whatsapp",
                    {"text": "Yth. Ibu Sari", "letter_id": ""})
    assert db.session.scalars(select(Step).where(Step.kind == "phone_call")).all() == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "alert-danger" in page
    assert "The WhatsApp message is logged as a step." not in page


def test_the_letter_page_sends_its_number_and_verification_link(client, world):
    """An issued letter's WhatsApp message names its number and its public check."""
    step = factories.drafted_step(world["case"], "notification", TODAY, actor=world["officer"])
    letter = factories.issued_letter(step.letter, TODAY, actor=world["officer"])
    login(client, world["officer"])
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    link = html.unescape(re.search(r'href="(https://wa.me/[^"]+)"', page).group(1))
    text = parse_qs(urlsplit(link).query)["text"][0]
    assert f"nomor {letter.number}" in text and "2 Maret 2026" in text
    assert f"/verify/{letter.verify_code}" in text


def test_the_letters_message_confirmed_on_its_page(client, world):
    """"Yes" under the letter's WhatsApp button logs the contact step and returns to the
    letter."""
    step = factories.drafted_step(world["case"], "notification", TODAY, actor=world["officer"])
    letter = factories.issued_letter(step.letter, TODAY, actor=world["officer"])
    login(client, world["officer"])
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    form = page[page.index("data-whatsapp-confirm"):]
    text = html.unescape(re.search(r'name="text"[^>]*value="([^"]*)"', form).group(1))
    response = post(client, f"/cases/{world['case'].id}/whatsapp",
                    {"text": text, "letter_id": str(letter.id)})
    assert response.headers["Location"] == f"/letters/{letter.id}"
    (logged,) = db.session.scalars(select(Step).where(Step.kind == "phone_call")).all()
    assert letter.number in logged.notes


def test_the_map_shows_only_the_branchs_companies(client, world, make_company):
    """The supervisor's map of companies by status lists the branch's located companies and
    never another branch's; the officer's map of today's tasks has the company of a task."""
    here = world["company"]
    here.latitude, here.longitude = -6.8886, 109.6753
    there = make_company(world["other"], "PT Tegal Bahari", categories=(Category.PWBD,))
    there.latitude, there.longitude = -6.8694, 109.1402
    db.session.commit()
    login(client, world["supervisor"])
    data = client.get("/map/points.json?view=companies").get_json()
    assert [(p["name"], p["status"]) for p in data["points"]] == [("PT Batik Pesisir", "overdue")]
    page = client.get("/map/?view=companies").get_data(as_text=True)
    assert "PT Batik Pesisir" in page and "PT Tegal Bahari" not in page
    assert jobs.morning_sweep(TODAY).outcome == "ok"
    post(client, "/auth/logout")
    login(client, world["officer"])
    tasks = client.get("/map/points.json").get_json()
    assert tasks["view"] == "tasks"
    assert [p["name"] for p in tasks["points"]] == ["PT Batik Pesisir"]


def test_the_map_without_tiles_loads_no_outside_image(client, world):
    """Without a tile server the map page names none, and the policy allows only the app's
    own images; a tile server set adds its origin to img-src."""
    from outreach.core.security import policy_with_tiles

    login(client, world["officer"])
    response = client.get("/map/")
    assert 'data-tiles=""' in response.get_data(as_text=True)
    assert "img-src 'self' data:;" in response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tile.example.id;" in policy_with_tiles(
        "https://{s}.tile.example.id/{z}/{x}/{y}.png")
