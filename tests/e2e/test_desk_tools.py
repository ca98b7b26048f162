"""The supervisor's tools in a real browser: the template editor's variables inserted at the
cursor, and the navigation bar at the widths the branch's screens have."""

from __future__ import annotations

import re

import pytest

from outreach.extensions import db
from outreach.notifications.models import Notification
from outreach.org.models import Role
from outreach.tasks.models import Reminder
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


#: the widths of the branch's screens: a small laptop, the usual laptop, a phone
WIDTHS = [(1280, 800), (1366, 768), (390, 844)]


def nav_problems(page) -> list[str]:
    """What of the navigation bar sticks out of the screen, or covers another item."""
    return page.evaluate("""() => {
        const out = [];
        const width = document.documentElement.clientWidth;
        const items = [...document.querySelectorAll('nav.navbar a, nav.navbar button')]
            .filter(e => e.offsetParent !== null);
        const boxes = items.map(e => [e, e.getBoundingClientRect()]);
        for (const [e, r] of boxes) {
            if (r.right > width + 0.5 || r.left < -0.5)
                out.push('outside: ' + e.textContent.trim());
        }
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
            const [a, p] = boxes[i], [b, q] = boxes[j];
            if (a.contains(b) || b.contains(a)) continue;
            const overlap = Math.min(p.right, q.right) - Math.max(p.left, q.left) > 1
                && Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top) > 1;
            if (overlap)
                out.push('overlap: ' + a.textContent.trim() + ' / ' + b.textContent.trim());
        }
        return out;
    }""")


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_navigation_fits_each_screen(browser, live_server, world, make_user, screenshots,
                                     width, height):
    """The supervisor's (in Indonesian and English) and the admin's bars fit at 1280, 1366 and
    390 px:
    nothing sticks out or overlaps, the page does not scroll sideways; on the phone the menu
    folds behind its button and opens in the page's width."""
    admin = make_user(Role.ADMIN, name="Admin Pusat", email="admin@example.org")
    reader = make_user(Role.SUPERVISOR, branch=world.branch, name="Bernadetta Kusumawardhani",
                       email="bernadetta@example.org")
    reader.locale = "en"  # the longer English labels
    db.session.commit()
    for user in (world.supervisor, reader, admin):
        desk = new_context(browser, live_server, viewport={"width": width, "height": height})
        page = desk.new_page()
        sign_in(page, user)
        page.goto("/companies/")
        toggler = page.locator("nav .navbar-toggler")
        if toggler.is_visible():
            toggler.click()
            expect(page.locator("#nav.show")).to_be_visible()
            page.wait_for_function("() => !document.querySelector('.collapsing')")
            expect(page.get_by_role("button", name=re.compile("Keluar|Sign out"))
                   ).to_be_in_viewport()
        page.screenshot(path=screenshots / f"nav_{user.role}_{user.locale}_{width}.png")
        no_horizontal_scroll(page)
        assert nav_problems(page) == []
        desk.close()


def bar_rows(page) -> int:
    """How many rows the navigation bar's items stand on."""
    return page.evaluate("""() => {
        const items = [...document.querySelectorAll(
            'nav.navbar .navbar-brand, nav.navbar .nav-link, nav.navbar .nav-account > *')]
            .filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect());
        const rows = [];
        for (const r of items.sort((a, b) => a.top - b.top)) {
            const middle = (r.top + r.bottom) / 2;
            if (!rows.some(m => Math.abs(m - middle) < r.height / 2)) rows.push(middle);
        }
        return rows.length;
    }""")


@pytest.mark.parametrize("locale", ["id", "en"])
@pytest.mark.parametrize("width", [1280, 1366])
def test_the_supervisors_bar_is_one_row_on_a_laptop(browser, live_server, world, screenshots,
                                                    width, locale):
    """On a 1280 or 1366 px laptop, does the bar of a supervisor with a long name, tasks and
    unread mail keep one row (the page's content does not move down under a second one)?"""
    supervisor = world.supervisor
    supervisor.name, supervisor.locale = "Bernadetta Kusumawardhani", locale
    db.session.add_all([
        Reminder(branch_id=world.branch.id, case_id=world.case.id, officer_id=supervisor.id,
                 rung_code="visit", kind="action_due", dedupe_key=f"nav-{n}",
                 due_on=world.today) for n in range(12)])
    db.session.add(Notification(user_id=supervisor.id, kind="digest", dedupe_key="nav-mail",
                                subject="Tugas", body_text="-", body_html="-"))
    db.session.commit()
    desk = new_context(browser, live_server, viewport={"width": width, "height": 800})
    page = desk.new_page()
    sign_in(page, supervisor)
    page.goto("/companies/")
    page.screenshot(path=screenshots / f"nav_supervisor_one_row_{locale}_{width}.png")
    assert bar_rows(page) == 1
    assert nav_problems(page) == []
    desk.close()


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_the_letters_filter_shows_its_dates_whole(browser, live_server, world, screenshots,
                                                  width, height):
    """Are the letters filter's date fields wide enough to show a whole date (and the
    calendar button) at 1280, 1366 and 390 px?"""
    desk = new_context(browser, live_server, viewport={"width": width, "height": height})
    page = desk.new_page()
    sign_in(page, world.supervisor)
    page.goto("/letters/?date_from=2026-12-01&date_to=2026-12-31")
    page.screenshot(path=screenshots / f"letters_filter_{width}.png")
    for field in ("#f-from", "#f-to"):
        # a field that shows its whole value has no hidden overflow
        assert page.locator(field).evaluate(
            "(e) => e.scrollWidth <= e.clientWidth && e.getBoundingClientRect().width >= 130"
        ), field
    no_horizontal_scroll(page)
    desk.close()
