"""The supervisor's desk in a real browser at 1366×768: the review and the dashboard fit the
screen, and many rows are reassigned at once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from outreach.cases.models import Category
from outreach.companies.models import Company
from outreach.extensions import db
from outreach.org.models import Role
from outreach.reports import review
from tests.e2e.scenario import World, make_world, new_context, no_horizontal_scroll, sign_in

try:
    from playwright.sync_api import expect
except ImportError:  # the `browser` fixture fails every test with the reason
    expect = None

pytestmark = pytest.mark.e2e

#: the supervisor's screen in the trial: a 1366×768 laptop
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def laptop(browser, live_server):
    """A 1366×768 desktop browser context."""
    desk = new_context(browser, live_server, viewport=LAPTOP)
    yield desk
    desk.close()


@pytest.fixture
def world(make_branch, make_user, make_company) -> World:
    """The journeys' branch with a second officer, more old cases with long names, and a
    long directive on one."""
    world = make_world(make_branch, make_user, make_company)
    make_user(Role.OFFICER, branch=world.branch, name="Rudi Hartono", email="rudi@example.org")
    for n in range(1, 6):
        make_company(world.branch, f"PT Sinar Harapan Sejahtera Abadi Makmur Sentosa {n}",
                     categories=(Category.PDS_TK, Category.PDS_PROGRAM),
                     opened_on=world.today - timedelta(days=200),
                     kecamatan="Pekalongan Utara", workers_estimated=50 + n,
                     workers_registered=5, average_wage=3_100_000,
                     officer_id=world.officer.id)
    review.leave_directive(world.supervisor, world.case, "Segera jadwalkan kunjungan bersama "
                           "Disnaker dan laporkan hasilnya sebelum rapat evaluasi bulanan " * 3,
                           world.today, public_base_url="https://outreach.example.id")
    db.session.commit()
    return world


def no_sideways_table(page) -> None:
    """No table of the page scrolls inside its box either."""
    wide = page.evaluate("() => [...document.querySelectorAll('.table-responsive')]"
                         ".filter(b => b.scrollWidth > b.clientWidth + 1).map(b => b.id ||"
                         " b.querySelector('table').id)")
    assert wide == [], f"tables scrolling sideways on {page.url}: {wide}"


def test_supervisor_reviews_and_reassigns_at_1366_without_scrolling_sideways(
        laptop, world, screenshots):
    """The still-non-compliant review fits a 1366 px screen (the page and its table); sorted
    by workers missing, two ticked rows go to another officer at once."""
    page = laptop.new_page()
    sign_in(page, world.supervisor)
    page.goto("/dashboard/review?days=60")
    expect(page.locator("#review tbody tr")).to_have_count(8)
    no_horizontal_scroll(page)
    no_sideways_table(page)
    page.locator("#review-sort").get_by_role("link", name="Paling banyak pekerja belum "
                                             "terdaftar").click()
    page.wait_for_url(re.compile(r"sort=missing"))
    first = page.locator("#review tbody tr").first
    expect(first).to_contain_text("Sentosa 5")
    page.screenshot(path=screenshots / "supervisor_review_1366.png", full_page=True)
    for n in (5, 4):
        page.get_by_label(f"Pilih PT Sinar Harapan Sejahtera Abadi Makmur Sentosa {n}").check()
    page.get_by_label("Serahkan kasus yang dicentang kepada").select_option(label="Rudi Hartono")
    page.get_by_role("button", name="Alihkan", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="2 perusahaan kini ditangani")
           ).to_have_text("2 perusahaan kini ditangani Rudi Hartono.")
    no_horizontal_scroll(page)
    db.session.expire_all()
    moved = db.session.scalars(select(Company.name).join(Company.officer).where(
        Company.officer.has(name="Rudi Hartono"))).all()
    assert sorted(moved) == [f"PT Sinar Harapan Sejahtera Abadi Makmur Sentosa {n}"
                             for n in (4, 5)]


def test_dashboard_matrix_and_charts_at_1366(laptop, world, screenshots):
    """At 1366 px the category × stage table shows its last columns (TMP2T, SKK, Total) or
    scrolls in a box with a scrollbar; chart labels are drawn at 11 px or more."""
    page = laptop.new_page()
    sign_in(page, world.supervisor)
    page.goto("/dashboard/")
    no_horizontal_scroll(page)
    matrix = page.locator("#matrix")
    box = page.evaluate("() => { const b = document.querySelector('#matrix').parentElement;"
                        " return [b.scrollWidth, b.clientWidth, getComputedStyle(b).overflowX,"
                        " b.offsetHeight - b.clientHeight]; }")
    scroll_width, client_width, overflow, scrollbar = box
    total = matrix.locator("thead th").last
    expect(total).to_have_text("Total")
    if scroll_width > client_width:
        assert overflow == "auto" and scrollbar > 0, "the table is cut off without a scrollbar"
    else:
        expect(total).to_be_in_viewport()
    smallest = page.evaluate("""() => Math.min(...[...document.querySelectorAll('svg.chart')]
      .flatMap(svg => [...svg.querySelectorAll('text')].map(t => {
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return parseFloat(t.getAttribute('font-size')) * scale; })))""")
    assert smallest >= 11, f"a chart label is drawn at {smallest:.1f} px"
    page.screenshot(path=screenshots / "supervisor_dashboard_1366.png", full_page=True)
