"""The company list at any size: its count capped and said so, keyset pages that walk every row
once in each sort, filter menus of a whole region, and the dashboard's numbers."""

from __future__ import annotations

import html
import re
from contextlib import contextmanager
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import time_machine

from outreach.cases.models import Category
from outreach.extensions import db
from outreach.org.models import Region, Role
from tests.conftest import login

ROW_LINK = re.compile(r'<a href="/companies/(\d+)">([^<]*)</a>')
#: a page link that is not disabled
PAGE_LINK = re.compile(r'<li class="page-item ([^"]*)">\s*<a class="page-link" href="([^"]+)">'
                       r'([^<]+)</a>')
OPTION = re.compile(r'<option value="([^"]*)"')


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


@pytest.fixture
def region(make_branch, make_user, make_company):
    """Two branches of one region and one of another; 13 companies in the region, some with
    the same name (the id orders them), cases with and without due and opening dates."""
    pkl = make_branch("KC-PKL", "Pekalongan")
    tgl = make_branch("KC-TGL", "Tegal")
    far = make_branch("KC-MDN", "Medan", region="SUMUT")
    names = ["PT Sama", "PT Sama", "PT Alfa", "PT Bravo", "PT Sama", "CV Delta", "PT Echo",
             "UD Foxtrot", "PT Golf", "PT Hotel", "PT India", "PT Juliet", "PT Kilo"]
    for n, name in enumerate(names):
        branch = pkl if n % 2 else tgl
        categories = (Category.PWBD,) if n % 3 else ()
        company = make_company(branch, name, categories=categories,
                               sector=["Batik", "Jasa", ""][n % 3],
                               kecamatan=f"{branch.name} {'Barat' if n % 3 else 'Timur'}",
                               workers_estimated=10 + n % 5, workers_registered=n % 3)
        if categories:
            case = company.cases[0]
            case.next_due_on = None if n % 5 == 0 else date(2026, 3, 1) + timedelta(days=n % 4)
            case.opened_on = date(2026, 1, 1) + timedelta(days=n % 3)
    make_company(far, "PT Jauh", categories=(Category.PWBD,), sector="Perikanan",
                 kecamatan="Medan Kota")
    regional = make_user(Role.REGIONAL, region=db.session.query(Region).filter_by(
        code="JATENG").one(), name="Rina Wilayah")
    regional.locale = "en"
    officer = make_user(Role.OFFICER, branch=pkl)  # Indonesian pages
    db.session.commit()
    return SimpleNamespace(regional=regional, officer=officer, companies=len(names))


@contextmanager
def count_cap(app, cap: int):
    """The list's count capped at `cap` (the setting COMPANY_COUNT_CAP)."""
    before = app.config["COMPANY_COUNT_CAP"]
    app.config["COMPANY_COUNT_CAP"] = cap
    try:
        yield
    finally:
        app.config["COMPANY_COUNT_CAP"] = before


def page(client, url: str) -> tuple[list[tuple[int, str]], dict[str, str], str]:
    """The rows (id, name) of a list page, its page links by label, and its text."""
    response = client.get(url)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    rows = [(int(i), html.unescape(n)) for i, n in ROW_LINK.findall(text)]
    links = {label: html.unescape(href) for state, href, label in PAGE_LINK.findall(text)
             if "disabled" not in state}
    return rows, links, text


def walk(client, first: str, label: str) -> list[list[tuple[int, str]]]:
    """Every page from `first`, following the link `label` (Next or Previous) to the end."""
    pages, url = [], first
    while url is not None:
        rows, links, _text = page(client, url)
        pages.append(rows)
        url = links.get(label)
        assert len(pages) <= 30, "the links go round in circles"
    return pages


@pytest.mark.parametrize("sort", ["name", "due", "missing", "opened"])
@pytest.mark.parametrize(("cap", "per_page"), [(10_000, 2), (10_000, 5), (4, 2), (5, 3), (2, 4)])
def test_pages_walk_every_row_once(app, client, region, sort, cap, per_page):
    """Following Next from the first page shows every company of the list once, in the order of
    the whole list on one page, whether the pages are numbered (count under the cap) or
    continue after a company (past it); Previous from the last page walks back the same way."""
    login(client, region.regional)
    whole, _links, _text = page(client, f"/companies/?sort={sort}&per_page=200")
    assert len(whole) == region.companies
    with count_cap(app, cap):
        forward = walk(client, f"/companies/?sort={sort}&per_page={per_page}", "Next")
        assert [row for rows in forward for row in rows] == whole
        assert all(len(rows) == per_page for rows in forward[:-1])
        last_links = page(client, f"/companies/?sort={sort}&per_page={per_page}")[1]
        assert last_links.get("Previous") is None  # nothing before the first page
        # back from the last page reached by the links
        next_urls = [f"/companies/?sort={sort}&per_page={per_page}"]
        for _ in forward[1:]:
            next_urls.append(page(client, next_urls[-1])[1]["Next"])
        backward = walk(client, next_urls[-1], "Previous")
    assert [row for rows in reversed(backward) for row in rows] == whole


def test_a_capped_count_says_more_than(app, client, region):
    """Past the cap the list says "lebih dari" the cap (not a made-up exact number); under it
    the exact count, with numbered pages."""
    login(client, region.regional)
    _rows, links, text = page(client, "/companies/?per_page=5")
    assert "13 companies" in text and "Page 1 of 3" in text
    with count_cap(app, 10):
        rows, links, text = page(client, "/companies/?per_page=5")
        assert "more than 10 companies" in text and "13 companies" not in text
        assert len(rows) == 5 and "Page 1" in text and "Page 1 of" not in text
        assert "page=2" in links["Next"]
        # the last numbered page goes on after its last company
        rows, links, _text = page(client, "/companies/?per_page=5&page=2")
        assert f"after={rows[-1][0]}" in links["Next"]
    client = app.test_client()
    login(client, region.officer)  # Indonesian, one branch: 6 companies
    with count_cap(app, 3):
        _rows, _links, text = page(client, "/companies/")
        assert "lebih dari 3 perusahaan" in text
    _rows, _links, text = page(client, "/companies/")
    assert "6 perusahaan" in text and "lebih dari" not in text


def test_a_keyset_link_keeps_the_filters(app, client, region):
    """A Next link past the cap keeps the search, filters and sort, and its page holds only
    companies that match them."""
    login(client, region.regional)
    with count_cap(app, 1):
        pages = walk(client, "/companies/?sector=Batik&sort=due&per_page=1", "Next")
    batik = page(client, "/companies/?sector=Batik&sort=due&per_page=200")[0]
    assert [row for rows in pages for row in rows] == batik and len(batik) == 5
    with count_cap(app, 1):
        links = page(client, "/companies/?sector=Batik&sort=due&per_page=1")[1]
        links = page(client, links["Next"])[1]
    assert "sector=Batik" in links["Next"] and "sort=due" in links["Next"]
    assert "after=" in links["Next"] and not re.search(r"[?&]page=", links["Next"])


def test_filter_menus_cover_every_branch_of_the_region(client, region):
    """The sector and kecamatan menus of regional staff list the values of every branch of the
    region once, in order, and none of another region's."""
    login(client, region.regional)
    text = page(client, "/companies/")[2]
    sectors = OPTION.findall(text.split('id="sector"')[1].split("</select>")[0])
    kecamatans = OPTION.findall(text.split('id="kecamatan"')[1].split("</select>")[0])
    assert [s for s in sectors if s] == ["Batik", "Jasa"]
    assert [k for k in kecamatans if k] == ["Pekalongan Barat", "Pekalongan Timur",
                                            "Tegal Barat", "Tegal Timur"]


def test_the_list_agrees_with_the_regional_dashboard(client, region):
    """The dashboard's count of open cases and of overdue cases for the region is the number
    of companies the list shows behind it."""
    login(client, region.regional)
    text = client.get("/dashboard/").get_data(as_text=True)
    for params in ("open_case=1", "overdue=1"):
        link = re.search(rf'href="/companies/\?{params}"[^>]*>\s*([\d.,]+)', text)
        assert link, f"no dashboard figure linked to {params}"
        shown = int(link.group(1).replace(",", "").replace(".", ""))
        rows = page(client, f"/companies/?{params}&per_page=200")[0]
        assert shown == len(rows) > 0
