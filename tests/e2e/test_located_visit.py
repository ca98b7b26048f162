"""On a phone (390×844) with the position allowed: a visit records the phone's position with one
tap, the company gets its location, and the map shows its labelled marker without any tiles."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from outreach.cases.models import Step
from outreach.companies.models import Company
from outreach.extensions import db
from tests.e2e.scenario import World, log, make_world, no_horizontal_scroll, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails every test with the reason
    expect = None

pytestmark = pytest.mark.e2e

#: the workshop in Pekalongan Barat, as the phone's GPS gives it
WORKSHOP = {"latitude": -6.8861, "longitude": 109.6650, "accuracy": 15}


@pytest.fixture
def world(make_branch, make_user, make_company) -> World:
    """The officer's company, its notification delivered weeks ago: a visit is due."""
    world = make_world(make_branch, make_user, make_company)
    world.company.phone = "0812 2345 6789"
    log(world, "notification", world.working_days_ago(30))
    return world


def test_a_located_visit_and_the_map_without_tiles(phone, live_server, world, screenshots):
    """Tap "Catat lokasi saya" on the visit form: the position and its accuracy are shown and
    saved with the visit, the company page says where its location came from, and the map of
    the companies draws the company's marker with its name, with no tile server."""
    phone.grant_permissions(["geolocation"], origin=live_server)
    phone.set_geolocation(WORKSHOP)
    page = phone.new_page()
    problems: list[str] = []
    # errors in the console (a script refused by the CSP, a failed request), the browser's own
    # request for a site icon aside
    page.on("console", lambda m: problems.append(f"{m.text} {m.location.get('url')}")
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400
            else None)
    sign_in(page, world.officer)

    page.goto(f"/cases/{world.case.id}/steps/new?kind=visit")
    expect(page.locator("#kind-visit")).to_be_checked()
    location = page.get_by_role("group", name="Lokasi")
    expect(location).to_be_visible()
    location.get_by_role("button", name="Catat lokasi saya").click()
    expect(location.get_by_role("status")).to_have_text("Posisi dicatat: akurasi 15 m.")
    expect(location.get_by_label("Jadikan lokasi perusahaan")).to_be_checked()
    no_horizontal_scroll(page)
    page.screenshot(path=screenshots / "located_1_visit_form.png", full_page=True)
    page.locator("#kind-phone_call").check()
    expect(location).to_be_hidden()  # a position belongs to a visit
    page.locator("#kind-visit").check()
    location.get_by_role("button", name="Catat lokasi saya").click()
    expect(location.get_by_role("status")).to_have_text("Posisi dicatat: akurasi 15 m.")
    page.locator("#met_name").fill("Pak Budi")
    page.get_by_role("button", name="Simpan langkah").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("PT Batik Pesisir Sejahtera")
    expect(page.get_by_text(re.compile(r"^Lokasi dari kunjungan pada "))).to_be_visible()
    expect(page.get_by_text("Posisi dicatat (±15 m)")).to_be_visible()
    maps = page.get_by_role("link", name="Buka di peta")
    expect(maps).to_have_attribute("href", re.compile(r"query=-6\.886100%2C109\.665000$"))
    no_horizontal_scroll(page)
    page.screenshot(path=screenshots / "located_2_company.png", full_page=True)
    db.session.expire_all()
    step = db.session.scalars(select(Step).where(Step.kind == "visit")).one()
    assert (step.latitude, step.longitude, step.position_accuracy_m) == (-6.8861, 109.665, 15)
    assert step.position_warning == ""
    assert db.session.get(Company, world.company.id).latitude == -6.8861

    page.goto("/map/?view=companies")
    label = page.locator("#map .leaflet-tooltip", has_text="PT Batik Pesisir Sejahtera")
    expect(label).to_be_visible()
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(1)
    assert page.locator("#map img.leaflet-tile").count() == 0  # no tile server set
    no_horizontal_scroll(page)
    page.screenshot(path=screenshots / "located_3_map.png")
    assert problems == [], problems


def test_one_tap_to_whatsapp_and_the_message_logged(phone, world, screenshots):
    """The company's mobile number dials as +62; WhatsApp opens with the visit's message, and
    "Pesan sudah terkirim?" → yes logs one step by WhatsApp on the timeline."""
    opened: list[str] = []

    def fake_whatsapp(route):  # no internet here: the chat page is answered locally
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<title>WhatsApp</title>")

    phone.route("https://wa.me/**", fake_whatsapp)
    page = phone.new_page()
    sign_in(page, world.officer)
    page.goto(f"/companies/{world.company.id}")
    expect(page.get_by_role("link", name="+62 812-2345-6789", exact=True)).to_have_attribute(
        "href", "tel:+6281223456789")
    confirm = page.locator("details[data-whatsapp-confirm]")
    expect(confirm).not_to_have_attribute("open", "")
    with page.expect_popup() as chat:
        page.get_by_role("link", name="WhatsApp +62 812-2345-6789").click()
    chat.value.close()
    assert opened and opened[0].startswith("https://wa.me/6281223456789?text=Yth.%20Budi")
    expect(confirm).to_have_attribute("open", "")
    no_horizontal_scroll(page)
    page.screenshot(path=screenshots / "located_4_whatsapp.png", full_page=True)
    confirm.get_by_role("button", name="Ya, pesan sudah terkirim").click()
    expect(page.get_by_role("alert").filter(has_text="Pesan WhatsApp dicatat sebagai langkah.")
           ).to_be_visible()
    expect(page.locator(".timeline").get_by_text("lewat WhatsApp")).to_have_count(1)
    db.session.expire_all()
    assert [s.channel for s in db.session.scalars(
        select(Step).where(Step.kind == "phone_call"))] == ["whatsapp"]
