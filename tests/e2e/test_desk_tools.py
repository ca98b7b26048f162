"""The supervisor's tools in a real browser: the template editor's variables inserted at the
cursor, and the navigation bar at the widths the branch's screens have."""

from __future__ import annotations

import pytest

from outreach.extensions import db
from tests.e2e.scenario import World, make_world, new_context, no_horizontal_scroll, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails every test with the reason
    expect = None

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(make_branch, make_user, make_company) -> World:
    world = make_world(make_branch, make_user, make_company)
    db.session.commit()
    return world


def test_template_editor_inserts_a_variable_at_the_cursor(browser, live_server, world,
                                                          screenshots):
    """A click on "company.name" beside the body puts "{{ company.name }}" where the cursor
    is, and the preview shows the sample company's name there."""
    desk = new_context(browser, live_server, viewport={"width": 1366, "height": 768})
    page = desk.new_page()
    sign_in(page, world.supervisor)
    page.goto("/letters/templates/notification")
    body = page.locator("#body")
    body.fill("<p>Kepada AWAL dan AKHIR.</p>")
    body.evaluate("(area) => { const at = area.value.indexOf(' dan'); "
                  "area.setSelectionRange(at, at); }")
    variables = page.locator("#variable-list")
    expect(page.get_by_role("heading", name="Sisipkan variabel")).to_be_visible()
    expect(variables).to_contain_text("officer.phone")
    variables.get_by_role("button", name="company.name", exact=True).click()
    expect(body).to_have_value("<p>Kepada AWAL{{ company.name }} dan AKHIR.</p>")
    frame = page.frame_locator("iframe[name=preview-frame]")
    expect(frame.locator("body")).to_contain_text("Kepada AWALPT Contoh Batik Sejahtera dan")
    no_horizontal_scroll(page)
    page.screenshot(path=screenshots / "template_editor_1366.png", full_page=True)
    desk.close()
