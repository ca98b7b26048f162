"""The company registry: the list, the company page, and entering and editing companies."""

from __future__ import annotations

import html
import re
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy import func, select

from outreach.cases.models import Case, CaseCategory, CaseStatus, Category
from outreach.companies.models import BusinessSize, Company
from outreach.companies.rules import assess
from outreach.companies.service import name_key
from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.org.models import Role, User
from tests.conftest import login, post

TODAY = date(2026, 3, 2)  # a Monday
ROW_LINK = re.compile(r'<a href="/companies/(\d+)">([^<]*)</a>')
CONFIRM_RE = re.compile(r'<input[^>]*name="confirm_duplicate"[^>]*>')


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


@pytest.fixture
def world(make_branch, make_user):
    """A branch with two officers and a supervisor (English pages), and a second branch."""
    branch = make_branch("KC-PKL", "Pekalongan")
    other = make_branch("KC-TGL", "Tegal")
    officer = make_user(Role.OFFICER, branch=branch, name="Andi Wijaya")
    colleague = make_user(Role.OFFICER, branch=branch, name="Budi Santoso")
    supervisor = make_user(Role.SUPERVISOR, branch=branch, name="Citra Lestari")
    for user in (officer, colleague, supervisor):
        user.locale = "en"
    db.session.commit()
    return SimpleNamespace(branch=branch, other=other, officer=officer, colleague=colleague,
                           supervisor=supervisor)


def set_case(company: Company, **values) -> Case:
    """Set fields of the company's (only) case by hand: the list's filters and sorts are tested
    on due dates the ladder would not compute (a Sunday, none on an open case, any order)."""
    case = company.cases[0]
    for key, value in values.items():
        setattr(case, key, value)
    db.session.commit()
    return case


def listed(client, **params) -> list[str]:
    """The company names of the list page, in the order shown."""
    response = client.get("/companies/", query_string=params)
    assert response.status_code == 200
    return [html.unescape(name) for _, name in ROW_LINK.findall(response.get_data(as_text=True))]


def field_block(page: str, name: str) -> str:
    """The HTML of one form field: its label, input, error messages and help text."""
    blocks = [b for b in page.split('<div class="mb-3 ') if f'name="{name}"' in b]
    assert len(blocks) == 1, f"no single field {name!r} on the page"
    return blocks[0]


def companies_named(name: str) -> list[Company]:
    return list(db.session.scalars(select(Company).where(Company.name == name)))


def company_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Company))


def audit_events(company_id: int, action: str | None = None) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.entity_type == "company",
                                    AuditEvent.entity_id == company_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


# --- The list: search ---------------------------------------------------------------------------


@pytest.fixture
def registry(world, make_company):
    """Four companies of the officer's branch and one of the other branch."""
    make_company(world.branch, "PT Batik Pesisir", nib="1234567890123",
                 npwp="012345678901000", npp="12345678")
    make_company(world.branch, "CV Ikan Segar", nib="9876543210987", npwp="0987654321098765")
    make_company(world.branch, "UD Batik Lasem")
    make_company(world.branch, "PT Pesisir Utara")
    make_company(world.other, "PT Batik Tegal", nib="1111111111111", npwp="011111111111000")
    return world


@pytest.mark.parametrize(("query", "expected"), [
    ("batik pesisir", ["PT Batik Pesisir"]),
    ("BATIK", ["PT Batik Pesisir", "UD Batik Lasem"]),
    ("pesisir", ["PT Batik Pesisir", "PT Pesisir Utara"]),
    ("PT. Batik Pesisir", ["PT Batik Pesisir"]),
    ("pt batik", ["PT Batik Pesisir", "UD Batik Lasem"]),
    ("CV ikan", ["CV Ikan Segar"]),
    ("PT Ikan Segar", ["CV Ikan Segar"]),
    ("ikan segar, cv", ["CV Ikan Segar"]),
])
def test_search_by_name(client, registry, query, expected):
    """Can an officer find a company by name in any case and with or without its legal form?"""
    login(client, registry.officer)
    assert listed(client, q=query) == expected


@pytest.mark.parametrize("query", ["1234567890123", "1234-5678-90123", " 1234 5678 90123 "])
def test_search_by_nib(client, registry, query):
    """Can an officer find a company by its NIB, however it is typed?"""
    login(client, registry.officer)
    assert listed(client, q=query) == ["PT Batik Pesisir"]


@pytest.mark.parametrize("query", ["01.234.567.8-901.000", "012345678901000",
                                   "01 234 567 8 901 000", "01-234-567-8-901-000"])
def test_search_by_npwp_with_any_punctuation(client, registry, query):
    """Can an officer find a company by an NPWP typed with other punctuation?"""
    login(client, registry.officer)
    assert listed(client, q=query) == ["PT Batik Pesisir"]


def test_search_by_sixteen_digit_npwp_and_npp(client, registry):
    """Are companies found by a 16-digit NPWP in groups of four and by their NPP?"""
    login(client, registry.officer)
    assert listed(client, q="0987 6543 2109 8765") == ["CV Ikan Segar"]
    assert listed(client, q="12345678") == ["PT Batik Pesisir"]


def test_search_finds_the_same_npwp_in_its_other_length(client, registry):
    """A company's 16-digit NPWP is its 15-digit one with a leading 0: either form finds it."""
    login(client, registry.officer)
    assert listed(client, q="0012.3456.7890.1000") == ["PT Batik Pesisir"]  # stored as 15
    assert listed(client, q="98.765.432.1-098.765") == ["CV Ikan Segar"]  # stored as 16


def test_search_by_number_stays_in_the_branch(client, registry):
    """Does searching another branch's NIB or NPWP find nothing?"""
    login(client, registry.officer)
    assert listed(client, q="1111111111111") == []
    assert listed(client, q="01.111.111.1-111.000") == []


def test_empty_state_when_nothing_matches(client, registry):
    """When a search matches nothing, does the page say so and offer the whole list back?"""
    login(client, registry.officer)
    response = client.get("/companies/", query_string={"q": "Sepatu Priangan"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ROW_LINK.findall(page) == []
    assert "No company matches these filters." in page
    assert '<a href="/companies/">Show all companies</a>' in page
    assert "0 companies" in page


def test_empty_state_of_a_new_branch(client, world):
    """Does a branch without companies get an invitation to enter the first one?"""
    login(client, world.officer)
    page = client.get("/companies/").get_data(as_text=True)
    assert ROW_LINK.findall(page) == []
    assert "There are no companies in your branch yet." in page
    assert '<a href="/companies/new">Enter the first one</a>' in page


# --- The list: filters, sorting, pagination -----------------------------------------------------


@pytest.fixture
def caseload(world, make_company):
    """Six companies of the branch in different states, and one of another branch.

    | company     | case (categories, stage, status) | next due | opened     | missing |
    | PT Alfa     | PWBD, notification               | 1 Mar    | 5 Jan 2026 | 50      |
    | PT Bravo    | PDS-TK, visit                    | 6 Mar    | 1 Feb 2026 | 5       |
    | PT Charlie  | PDS-Program + Menunggak, none    | 9 Mar    | 1 Dec 2025 | 10      |
    | PT Delta    | no case                          |          |            | 0       |
    | PT Echo     | PWBD, warning_1, paused          |          | 20 Jan 2026| 15      |
    | PT Foxtrot  | PWBD, closed                     |          |            | 0       |
    """
    b, officer, colleague = world.branch, world.officer, world.colleague
    alfa = make_company(b, "PT Alfa", categories=(Category.PWBD,), sector="Perdagangan",
                        business_size=BusinessSize.SMALL, kecamatan="Pekalongan Barat",
                        officer_id=officer.id, workers_estimated=50, workers_registered=0)
    set_case(alfa, stage="notification", next_rung="visit", next_due_on=date(2026, 3, 1),
             opened_on=date(2026, 1, 5))
    bravo = make_company(b, "PT Bravo", categories=(Category.PDS_TK,), sector="Industri",
                         business_size=BusinessSize.MEDIUM, kecamatan="Pekalongan Timur",
                         officer_id=colleague.id, workers_estimated=30, workers_registered=25)
    set_case(bravo, stage="visit", next_rung="warning_1", next_due_on=date(2026, 3, 6),
             opened_on=date(2026, 2, 1))
    charlie = make_company(b, "PT Charlie", categories=(Category.PDS_PROGRAM, Category.ARREARS),
                           sector="Perdagangan", business_size=BusinessSize.MICRO,
                           kecamatan="Pekalongan Timur", workers_estimated=10)
    set_case(charlie, stage="", next_rung="notification", next_due_on=date(2026, 3, 9),
             opened_on=date(2025, 12, 1))
    make_company(b, "PT Delta", sector="Jasa", business_size=BusinessSize.LARGE,
                 kecamatan="Pekalongan Barat", officer_id=officer.id, workers_estimated=100,
                 workers_registered=100)
    echo = make_company(b, "PT Echo", categories=(Category.PWBD,), sector="Industri",
                        business_size=BusinessSize.SMALL, kecamatan="Pekalongan Utara",
                        workers_estimated=20, workers_registered=5)
    set_case(echo, status=CaseStatus.PAUSED, pause_reason="dispute", paused_on=date(2026, 2, 20),
             stage="warning_1", next_rung="", next_due_on=None, opened_on=date(2026, 1, 20))
    foxtrot = make_company(b, "PT Foxtrot", categories=(Category.PWBD,), sector="Jasa",
                           business_size=BusinessSize.LARGE, kecamatan="Pekalongan Utara",
                           officer_id=colleague.id)
    set_case(foxtrot, status=CaseStatus.CLOSED, closed_on=date(2026, 2, 10), outcome="compliant",
             stage="notification", next_rung="", next_due_on=None, opened_on=date(2025, 11, 3))
    golf = make_company(world.other, "PT Golf Tegal", categories=(Category.PWBD,),
                        sector="Perdagangan", kecamatan="Pekalongan Barat")
    set_case(golf, stage="notification", next_rung="visit", next_due_on=date(2026, 2, 1),
             opened_on=date(2025, 10, 1))
    return world


ALL = ["PT Alfa", "PT Bravo", "PT Charlie", "PT Delta", "PT Echo", "PT Foxtrot"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"category": "PWBD"}, ["PT Alfa", "PT Echo"]),
    ({"category": "Menunggak"}, ["PT Charlie"]),
    ({"category": "PDS-Program"}, ["PT Charlie"]),
    ({"stage": "visit"}, ["PT Bravo"]),
    ({"stage": "warning_1"}, ["PT Echo"]),
    ({"sector": "Perdagangan"}, ["PT Alfa", "PT Charlie"]),
    ({"size": "micro"}, ["PT Charlie"]),
    ({"size": "small"}, ["PT Alfa", "PT Echo"]),
    ({"size": "medium"}, ["PT Bravo"]),
    ({"size": "large"}, ["PT Delta", "PT Foxtrot"]),
    ({"kecamatan": "Pekalongan Timur"}, ["PT Bravo", "PT Charlie"]),
    ({"overdue": "1"}, ["PT Alfa"]),
    ({"due_week": "1"}, ["PT Bravo"]),
    ({"sector": "Perdagangan", "kecamatan": "Pekalongan Barat"}, ["PT Alfa"]),
    ({"category": "PWBD", "overdue": "1"}, ["PT Alfa"]),
    ({"overdue": "0", "due_week": ""}, ALL),
    ({"category": "PDS-Upah"}, []),
])
def test_filters(client, caseload, params, expected):
    """Does each filter of the list keep exactly the companies it describes, in its branch?"""
    login(client, caseload.officer)
    assert listed(client, **params) == expected


def test_filter_by_officer(client, caseload):
    """Can a supervisor see the companies of one officer only?"""
    login(client, caseload.supervisor)
    assert listed(client, officer=caseload.officer.id) == ["PT Alfa", "PT Delta"]
    assert listed(client, officer=caseload.colleague.id) == ["PT Bravo", "PT Foxtrot"]


def test_filter_choices_offer_the_branch_values(client, caseload):
    """Do the sector, kecamatan and officer choices list the branch's values and no others?"""
    login(client, caseload.officer)
    page = client.get("/companies/").get_data(as_text=True)
    for value in ("Perdagangan", "Industri", "Jasa", "Pekalongan Barat", "Pekalongan Timur",
                  "Pekalongan Utara", "Andi Wijaya", "Budi Santoso", "Citra Lestari"):
        assert f">{value}</option>" in page, value
    assert "PT Golf Tegal" not in page


def test_overdue_and_due_this_week_follow_the_jakarta_date(client, world, make_company):
    """Is a step due yesterday in Jakarta overdue while it is still that day in UTC?"""
    yesterday = make_company(world.branch, "PT Kemarin", categories=(Category.PWBD,))
    set_case(yesterday, next_rung="notification", next_due_on=date(2026, 3, 1))
    today = make_company(world.branch, "PT Hari Ini", categories=(Category.PWBD,))
    set_case(today, next_rung="notification", next_due_on=date(2026, 3, 2))
    sunday = make_company(world.branch, "PT Minggu", categories=(Category.PWBD,))
    set_case(sunday, next_rung="notification", next_due_on=date(2026, 3, 8))
    next_week = make_company(world.branch, "PT Pekan Depan", categories=(Category.PWBD,))
    set_case(next_week, next_rung="notification", next_due_on=date(2026, 3, 9))
    # 18:00 UTC on Sunday 1 March is 01:00 on Monday 2 March in Jakarta
    with time_machine.travel("2026-03-01 18:00 +0000", tick=False):
        login(client, world.officer)
        assert listed(client, overdue="1") == ["PT Kemarin"]
        assert listed(client, due_week="1") == ["PT Hari Ini", "PT Minggu"]


@pytest.mark.parametrize(("sort", "expected"), [
    ("name", ALL),
    ("due", ["PT Alfa", "PT Bravo", "PT Charlie", "PT Delta", "PT Echo", "PT Foxtrot"]),
    ("opened", ["PT Charlie", "PT Alfa", "PT Echo", "PT Bravo", "PT Delta", "PT Foxtrot"]),
    ("missing", ["PT Alfa", "PT Echo", "PT Charlie", "PT Bravo", "PT Delta", "PT Foxtrot"]),
    ("nonsense", ALL),
])
def test_sort_orders(client, caseload, sort, expected):
    """Does each sort put the companies in the order its name promises?"""
    login(client, caseload.officer)
    assert listed(client, sort=sort) == expected


def test_due_sort_puts_the_earliest_due_first_whatever_the_names(client, world, make_company):
    """Is the due-date order independent of the alphabetical one?"""
    for name, due in (("PT Anggrek", date(2026, 4, 1)), ("PT Melati", date(2026, 3, 3)),
                      ("PT Zaitun", date(2026, 2, 27)), ("PT Kenanga", None)):
        company = make_company(world.branch, name, categories=(Category.PWBD,))
        set_case(company, next_rung="notification", next_due_on=due)
    login(client, world.officer)
    assert listed(client, sort="due") == ["PT Zaitun", "PT Melati", "PT Anggrek", "PT Kenanga"]


def test_row_shows_the_case_at_a_glance(client, caseload):
    """Does a row show categories, next step with its date, days open, missing workers, officer?"""
    login(client, caseload.officer)
    page = client.get("/companies/", query_string={"q": "alfa"}).get_data(as_text=True)
    row = page[page.index("PT Alfa"):page.index("</tr>", page.index("PT Alfa"))]
    assert "Pekalongan Barat · Perdagangan" in row
    assert "PWBD" in row
    assert "Notification letter" in row  # stage
    assert "Visit" in row  # next step
    assert "Sunday, 1 March 2026 · overdue" in row
    assert ">56<" in row  # 5 January to 2 March
    assert ">50<" in row  # workers not enrolled
    assert "Andi Wijaya" in row


def row_of(page: str, name: str) -> str:
    start = page.index(name)
    return page[start:page.index("</tr>", start)]


def test_rows_without_a_next_step_or_a_case(client, caseload):
    """A case of two categories lists them in their order; a case before its first step says
    so; a paused case says it is paused; a company without an open case (none, or closed)
    says so, with no days open, and a company without an officer shows a dash."""
    login(client, caseload.officer)
    page = client.get("/companies/").get_data(as_text=True)
    charlie = row_of(page, "PT Charlie")
    assert "PDS-Program, Menunggak" in charlie and "Not started" in charlie
    assert ">–<" in charlie  # nobody assigned
    echo = row_of(page, "PT Echo")
    assert "Paused" in echo and ">15<" in echo
    for name in ("PT Delta", "PT Foxtrot"):
        row = row_of(page, name)
        assert "No open case" in row and "PWBD" not in row
        assert re.search(r'text-end">\s*</td>', row)  # no days open


@pytest.mark.parametrize(("page", "expected"), [
    (1, ["PT Alfa", "PT Bravo", "PT Charlie", "PT Delta"]),
    (2, ["PT Echo", "PT Foxtrot"]),
])
def test_pagination_shows_the_right_slice(client, caseload, page, expected):
    """Does each page show its slice of the sorted list, with the total and the page count?"""
    login(client, caseload.officer)
    response = client.get("/companies/", query_string={"per_page": 4, "page": page,
                                                       "sort": "name"})
    text = response.get_data(as_text=True)
    assert [html.unescape(n) for _, n in ROW_LINK.findall(text)] == expected
    assert "6 companies" in text
    assert f"Page {page} of 2" in text


def test_pagination_keeps_filters_in_its_links(client, caseload):
    """Does the next-page link keep the search, filters and sort?"""
    login(client, caseload.officer)
    assert listed(client, sector="Perdagangan", per_page=1, sort="opened") == ["PT Charlie"]
    page = client.get("/companies/", query_string={"sector": "Perdagangan", "per_page": 1,
                                                    "sort": "opened"}).get_data(as_text=True)
    links = [html.unescape(h) for h in re.findall(r'class="page-link" href="([^"]+)"', page)]
    next_link = next(link for link in links if "page=2" in link)
    assert "sector=Perdagangan" in next_link and "per_page=1" in next_link
    assert "sort=opened" in next_link
    assert listed(client, sector="Perdagangan", per_page=1, sort="opened", page=2) == ["PT Alfa"]


def test_page_past_the_end_shows_the_last_page(client, caseload):
    """Does a page number past the end show the last page rather than an empty branch?"""
    login(client, caseload.officer)
    assert listed(client, per_page=4, page=99) == ["PT Echo", "PT Foxtrot"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"per_page": "x", "page": "y"}, ALL),
    ({"per_page": "0", "page": "-3"}, ["PT Alfa"]),
    ({"per_page": "100000"}, ALL),
])
def test_bad_paging_values_fall_back(client, caseload, params, expected):
    """Do nonsense paging values still show a sensible page instead of an error?"""
    login(client, caseload.officer)
    assert listed(client, **params) == expected


# --- The list: no query per row -----------------------------------------------------------------


@contextmanager
def counting_queries():
    """Collect the SQL statements sent to the database."""
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)


def test_list_query_count_does_not_grow_with_the_page(client, world):
    """Does a page of 100 companies take as many queries as a page of 10 (no N+1)?"""
    branch = world.branch
    for n in range(120):  # raw rows: 120 accounts and cases through the services take too long
        officer = User(email=f"petugas{n}@example.org", name=f"Petugas {n:03d}",
                       role=Role.OFFICER, branch_id=branch.id)
        name = f"PT Nomor {n:03d}"
        company = Company(branch_id=branch.id, name=name, name_key=name_key(name),
                          officer=officer, workers_estimated=n)
        case = Case(branch_id=branch.id, company=company, opened_on=date(2026, 1, 5),
                    stage="notification", next_rung="visit", next_due_on=date(2026, 3, 4),
                    category_rows=[CaseCategory(category=Category.PWBD),
                                   CaseCategory(category=Category.ARREARS)])
        db.session.add_all([officer, company, case])
    db.session.commit()
    login(client, world.officer)
    client.get("/companies/?per_page=10")  # warm up whatever is loaded once
    counts = {}
    for per_page in (10, 100):
        with counting_queries() as statements:
            response = client.get(f"/companies/?per_page={per_page}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert len(ROW_LINK.findall(page)) == per_page
        assert f"Petugas {per_page - 1:03d}" in page  # the officer of the last row is shown
        counts[per_page] = len(statements)
    assert counts[10] == counts[100], counts


# --- The company page ---------------------------------------------------------------------------


def test_company_page_shows_profile_and_what_is_owed(client, world, make_company, make_user):
    """Does the company page show the profile and the contributions not paid, in Rupiah?"""
    officer = make_user(Role.OFFICER, branch=world.branch)  # Indonesian pages
    company = make_company(
        world.branch, "PT Batik Pesisir", nib="1234567890123", npwp="012345678901000",
        npp="", director_name="Hadi Susanto", address="Jl. Hayam Wuruk 12",
        kelurahan="Kauman", kecamatan="Pekalongan Timur", city="Pekalongan",
        phone="0285-421234", sector="Batik", business_size=BusinessSize.SMALL, risk_class=2,
        workers_estimated=20, workers_registered=5, average_wage=3_000_000,
        programs="JKK,JKM", officer_id=officer.id, categories=(Category.PDS_PROGRAM,))
    # Small company: JKK, JKM and JHT are mandatory; JHT is missing.
    # 15 workers are not registered at all and owe every mandatory program;
    # the 5 registered ones owe the program the company does not take (JHT).
    wage = Decimal(3_000_000)
    jkk = wage * Decimal("0.54") / 100   # risk class 2, employer only
    jkm = wage * Decimal("0.30") / 100
    jht = wage * (Decimal("3.7") + Decimal("2")) / 100  # employer + worker
    expected = jkk * 15 + jkm * 15 + jht * 20
    assert expected == 3_798_000

    assert assess(company, TODAY).monthly_owed == expected
    login(client, officer)
    response = client.get(f"/companies/{company.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Rp3.798.000" in page
    assert "Rp3.000.000" in page  # the average wage used
    assert "01.234.567.8-901.000" in page
    assert "1234567890123" in page
    for text in ("Hadi Susanto", "Jl. Hayam Wuruk 12", "Kauman, Pekalongan Timur, Pekalongan",
                 "Batik", officer.name, "Pekalongan"):
        assert text in page, text
    # the phone "0285-421234" as a +62 number to dial
    assert '<a class="d-inline-block me-2 text-nowrap" href="tel:+62285421234" data-phone>' \
        '+62 285 421234</a>' in page
    assert '<dd class="col-6">20 / 5</dd>' in page
    assert '<dd class="col-6">15</dd>' in page


def test_company_page_shows_sixteen_digit_npwp_in_groups(client, world, make_company):
    """Is a 16-digit NPWP shown in groups of four?"""
    company = make_company(world.branch, "PT Enam Belas", npwp="0987654321098765")
    login(client, world.officer)
    assert "0987 6543 2109 8765" in client.get(f"/companies/{company.id}").get_data(as_text=True)


def compliance_value(page: str, term: str) -> str:
    match = re.search(re.escape(term) + r'</dt>\s*<dd class="col-6">([^<]*)</dd>', page)
    assert match, term
    return match.group(1)


@pytest.mark.parametrize(("size", "label", "mandatory", "missing"), [
    ("micro", "Micro", "JKK, JKM", "–"),
    ("small", "Small", "JKK, JKM, JHT", "JHT"),
    ("medium", "Medium", "JKK, JKM, JHT, JP", "JHT, JP"),
    ("large", "Large", "JKK, JKM, JHT, JP", "JHT, JP"),
])
def test_mandatory_programs_by_size(client, world, make_company, size, label, mandatory, missing):
    """Does the page list the programs the company's size makes mandatory, and those missing?"""
    company = make_company(world.branch, "PT Ukuran", business_size=size, programs="JKK,JKM,JKP",
                           workers_estimated=10, workers_registered=10, average_wage=2_500_000)
    login(client, world.officer)
    page = client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert compliance_value(page, f"Mandatory programs ({label})") == mandatory
    assert compliance_value(page, "Programs taken") == "JKK, JKM, JKP"
    assert compliance_value(page, "Programs missing") == missing
    assert ", ".join(assess(company, TODAY).mandatory) == mandatory


def test_fully_compliant_company_owes_nothing(client, world, make_company):
    """Does a company with every worker in every mandatory program owe nothing?"""
    company = make_company(world.branch, "PT Patuh", business_size=BusinessSize.LARGE,
                           programs="JKK,JKM,JHT,JP", workers_estimated=40,
                           workers_registered=40, average_wage=4_000_000, risk_class=3)
    login(client, world.officer)
    page = client.get(f"/companies/{company.id}").get_data(as_text=True)
    assert assess(company, TODAY).monthly_owed == 0
    assert "<strong>Rp0</strong>" in page


def test_pension_estimate_uses_the_wage_cap_in_force(world, make_company):
    """Is JP estimated on the wage cap in force on the day (9,559,600 from March 2023,
    10,042,300 from March 2024, 10,547,400 from March 2025)?"""
    company = make_company(world.branch, "PT Besar", business_size=BusinessSize.MEDIUM,
                           risk_class=1, programs="JKK,JKM,JHT", workers_estimated=10,
                           workers_registered=10, average_wage=12_000_000)
    # Only JP is missing, for the 10 registered workers, at 2% + 1% of the capped wage.
    assert assess(company, TODAY).monthly_owed == 10_547_400 * 3 // 100 * 10
    assert assess(company, date(2024, 2, 29)).monthly_owed == 9_559_600 * 3 // 100 * 10
    assert assess(company, date(2024, 3, 1)).monthly_owed == 3_012_690


# --- Entering a company -------------------------------------------------------------------------


def company_form(**overrides) -> dict:
    data = {
        "name": "PT Sinar Laut", "nib": "", "npwp": "", "npp": "",
        "director_name": "Hadi Susanto", "address": "Jl. Pelabuhan 5",
        "kelurahan": "Panjang Wetan", "kecamatan": "Pekalongan Utara", "city": "Pekalongan",
        "phone": "0285-123456", "sector": "Perikanan", "business_size": "small",
        "risk_class": "2", "workers_estimated": "20", "workers_registered": "5",
        "average_wage": "3000000", "programs": ["JKK", "JKM"], "officer_id": "0",
        "notes": "Ditemukan saat kunjungan lapangan.", "confirm_duplicate": "",
    }
    data.update(overrides)
    return data


def test_officer_enters_a_company(client, world):
    """Does an entered company keep NIB and NPWP as digits, and its other fields, with an audit?"""
    login(client, world.officer)
    response = post(client, "/companies/new", company_form(
        nib="1234-5678-90123", npwp="01.234.567.8-901.000", officer_id=str(world.officer.id)))
    assert response.status_code == 302
    [company] = companies_named("PT Sinar Laut")
    assert response.headers["Location"] == f"/companies/{company.id}"
    assert (company.nib, company.npwp, company.npp) == ("1234567890123", "012345678901000", None)
    assert company.branch_id == world.branch.id
    assert company.officer_id == world.officer.id
    assert company.programs == "JKK,JKM"
    assert (company.business_size, company.risk_class, company.workers_estimated,
            company.workers_registered, company.average_wage) == ("small", 2, 20, 5, 3_000_000)
    assert (company.kecamatan, company.sector, company.director_name) == (
        "Pekalongan Utara", "Perikanan", "Hadi Susanto")
    [event] = audit_events(company.id)
    assert (event.action, event.user_id, event.branch_id) == (
        "create", world.officer.id, world.branch.id)
    assert event.changes["name"] == "PT Sinar Laut"
    assert event.changes["nib"] == "1234567890123"
    assert event.changes["npwp"] == "012345678901000"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Company saved." in page and "01.234.567.8-901.000" in page
    assert listed(client, q="sinar laut") == ["PT Sinar Laut"]


def test_sixteen_digit_npwp_is_accepted(client, world):
    """Is a 16-digit NPWP (the 2024 format) accepted and stored as digits?"""
    login(client, world.officer)
    response = post(client, "/companies/new", company_form(npwp="0987 6543 2109 8765"))
    assert response.status_code == 302
    assert companies_named("PT Sinar Laut")[0].npwp == "0987654321098765"


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("nib", "12-345", "An NIB has 13 digits (5 given)."),
    ("nib", "12345678901234", "An NIB has 13 digits (14 given)."),
    ("npwp", "01.234.567.8-901", "An NPWP has 15 or 16 digits (12 given)."),
    ("npwp", "01.234.567.8-901.000.12", "An NPWP has 15 or 16 digits (17 given)."),
])
def test_bad_number_comes_back_at_its_field(client, world, field, typed, message):
    """Does a wrong NIB or NPWP come back at its field, with what was typed kept, saving nothing?"""
    login(client, world.officer)
    response = post(client, "/companies/new", company_form(**{field: typed}))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    block = field_block(page, field)
    assert "is-invalid" in block
    assert f'<div class="invalid-feedback d-block">{message}</div>' in block
    assert f'value="{typed}"' in block
    assert 'value="PT Sinar Laut"' in field_block(page, "name")
    assert 'value="Hadi Susanto"' in field_block(page, "director_name")
    assert company_count() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.entity_type == "company")) == 0


@pytest.mark.parametrize("field", ["workers_estimated", "workers_registered", "average_wage"])
def test_negative_numbers_are_refused(client, world, field):
    """Is a negative worker count or wage refused at its field?"""
    login(client, world.officer)
    response = post(client, "/companies/new", company_form(**{field: "-3"}))
    assert response.status_code == 200
    block = field_block(response.get_data(as_text=True), field)
    assert "invalid-feedback" in block and 'value="-3"' in block
    assert company_count() == 0


def test_name_is_required(client, world):
    """Is a company without a name refused at the name field?"""
    login(client, world.officer)
    response = post(client, "/companies/new", company_form(name="   "))
    assert response.status_code == 200
    assert "invalid-feedback" in field_block(response.get_data(as_text=True), "name")
    assert company_count() == 0


@pytest.mark.parametrize(("existing", "typed", "reason"), [
    ({"nib": "1234567890123"}, {"nib": "1234 5678 90123"}, "same NIB"),
    ({"npwp": "012345678901000"}, {"npwp": "01.234.567.8-901.000"}, "same NPWP"),
    ({"npwp": "012345678901000"}, {"npwp": "0012 3456 7890 1000"}, "same NPWP"),
    ({}, {"name": "cv.  BATIK pesisir"}, "same name"),
])
def test_likely_duplicate_is_saved_only_when_confirmed(client, world, make_company, existing,
                                                       typed, reason):
    """Does a likely duplicate warn and save nothing, then save when the officer confirms?"""
    original = make_company(world.branch, "PT Batik Pesisir", **existing)
    login(client, world.officer)
    data = company_form(**{"name": "PT Batik Pesisir Baru", **typed})
    response = post(client, "/companies/new", data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<a href="/companies/{original.id}">PT Batik Pesisir</a> ({reason})' in page
    assert company_count() == 1
    # The form comes back ready to be confirmed.
    assert 'value="1"' in CONFIRM_RE.search(page).group(0)
    response = post(client, "/companies/new", {**data, "confirm_duplicate": "1"})
    assert response.status_code == 302
    assert company_count() == 2


def test_duplicate_nib_in_another_branch_is_not_revealed(client, world, make_company):
    """Does a duplicate NIB in another branch warn without naming or linking that company?"""
    hidden = make_company(world.other, "PT Rahasia Tegal", nib="1234567890123")
    login(client, world.officer)
    data = company_form(nib="1234567890123")
    response = post(client, "/companies/new", data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "a company in another branch (same NIB)" in page
    assert "Rahasia" not in page
    assert f"/companies/{hidden.id}" not in page
    assert companies_named("PT Sinar Laut") == []
    response = post(client, "/companies/new", {**data, "confirm_duplicate": "1"})
    assert response.status_code == 302
    [company] = companies_named("PT Sinar Laut")
    assert company.branch_id == world.branch.id


def test_different_companies_are_not_taken_for_duplicates(client, world, make_company):
    """Is a company with a different name and numbers saved at once?"""
    make_company(world.branch, "PT Batik Pesisir", nib="1234567890123")
    make_company(world.other, "PT Sinar Laut")  # same name, but in another branch
    login(client, world.officer)
    response = post(client, "/companies/new", company_form(nib="1234567890124"))
    assert response.status_code == 302


@pytest.mark.parametrize("role", [Role.REGIONAL, Role.ADMIN])
def test_only_branch_staff_enter_companies(client, world, make_user, role):
    """Are regional staff and admins refused the new-company form?"""
    user = make_user(role, branch=world.branch)
    login(client, user)
    assert client.get("/companies/new").status_code == 403
    assert post(client, "/companies/new", company_form()).status_code == 403
    assert company_count() == 0


# --- Editing a company --------------------------------------------------------------------------


@pytest.fixture
def batik(world, make_company):
    return make_company(
        world.branch, "PT Batik Pesisir", nib="1234567890123", npwp=None, npp="12345678",
        director_name="Hadi Susanto", address="Jl. Hayam Wuruk 12", kelurahan="Kauman",
        kecamatan="Pekalongan Timur", city="Pekalongan", phone="0285-421234", sector="Batik",
        business_size=BusinessSize.SMALL, risk_class=2, workers_estimated=20,
        workers_registered=5, average_wage=3_000_000, programs="JKK,JKM",
        officer_id=world.officer.id, notes="")


def edit_form(company: Company, **overrides) -> dict:
    """The edit form as the browser would send it back unchanged, with some fields changed."""
    data = {
        "name": company.name, "nib": company.nib or "", "npwp": company.npwp or "",
        "npp": company.npp or "", "director_name": company.director_name,
        "address": company.address, "kelurahan": company.kelurahan,
        "kecamatan": company.kecamatan, "city": company.city, "phone": company.phone,
        "sector": company.sector, "business_size": company.business_size,
        "risk_class": str(company.risk_class),
        "workers_estimated": str(company.workers_estimated),
        "workers_registered": str(company.workers_registered),
        "average_wage": str(company.average_wage), "programs": company.program_list,
        "officer_id": str(company.officer_id or 0), "notes": company.notes,
        "confirm_duplicate": "",
    }
    data.update(overrides)
    return data


def test_edit_form_shows_the_current_values(client, world, batik):
    """Does the edit form open with the company's values, programs ticked and officer chosen?"""
    login(client, world.officer)
    page = client.get(f"/companies/{batik.id}/edit").get_data(as_text=True)
    assert 'value="PT Batik Pesisir"' in field_block(page, "name")
    assert 'value="1234567890123"' in field_block(page, "nib")
    assert 'value="20"' in field_block(page, "workers_estimated")
    ticked = re.findall(r'<input checked[^>]*value="(\w+)"', page)
    assert ticked == ["JKK", "JKM"]
    assert re.search(rf'<option selected value="{world.officer.id}">Andi Wijaya</option>', page)


def test_officer_edits_a_company_with_an_audit_of_before_and_after(client, world, batik):
    """Does an edit save the new values and record what changed, from what to what?"""
    login(client, world.officer)
    response = post(client, f"/companies/{batik.id}/edit", edit_form(
        batik, name="PT Batik Pesisir Jaya", npwp="01.234.567.8-901.000",
        workers_registered="12", programs=["JKK", "JKM", "JHT"],
        officer_id=str(world.colleague.id)))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/companies/{batik.id}"
    db.session.refresh(batik)
    assert (batik.name, batik.npwp, batik.workers_registered, batik.programs,
            batik.officer_id) == ("PT Batik Pesisir Jaya", "012345678901000", 12, "JKK,JKM,JHT",
                                  world.colleague.id)
    [event] = audit_events(batik.id, "update")
    assert event.user_id == world.officer.id
    assert event.changes == {
        "name": ["PT Batik Pesisir", "PT Batik Pesisir Jaya"],
        "npwp": [None, "012345678901000"],
        "workers_registered": [5, 12],
        "programs": ["JKK,JKM", "JKK,JKM,JHT"],
        "officer_id": [world.officer.id, world.colleague.id],
    }
    assert listed(client, q="pesisir jaya") == ["PT Batik Pesisir Jaya"]


def test_saving_unchanged_changes_nothing(client, world, batik):
    """Does saving the form unchanged neither warn of a duplicate of itself nor audit a change?"""
    login(client, world.officer)
    response = post(client, f"/companies/{batik.id}/edit", edit_form(batik))
    assert response.status_code == 302
    assert audit_events(batik.id, "update") == []


def test_edit_with_a_bad_npwp_keeps_the_company(client, world, batik):
    """Does a wrong NPWP on edit come back at its field and leave the company as it was?"""
    login(client, world.officer)
    response = post(client, f"/companies/{batik.id}/edit", edit_form(
        batik, name="PT Nama Baru", npwp="123"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "An NPWP has 15 or 16 digits (3 given)." in field_block(page, "npwp")
    assert 'value="PT Nama Baru"' in field_block(page, "name")
    db.session.refresh(batik)
    assert (batik.name, batik.npwp) == ("PT Batik Pesisir", None)
    assert audit_events(batik.id, "update") == []


def test_edit_to_another_companys_nib_warns(client, world, batik, make_company):
    """Does changing the NIB to another company's warn before saving?"""
    other = make_company(world.branch, "CV Ikan Segar", nib="9876543210987")
    login(client, world.officer)
    data = edit_form(batik, nib="9876543210987")
    response = post(client, f"/companies/{batik.id}/edit", data)
    assert response.status_code == 200
    assert f'<a href="/companies/{other.id}">CV Ikan Segar</a>' in response.get_data(as_text=True)
    db.session.refresh(batik)
    assert batik.nib == "1234567890123"
    assert post(client, f"/companies/{batik.id}/edit",
                {**data, "confirm_duplicate": "1"}).status_code == 302
    db.session.refresh(batik)
    assert batik.nib == "9876543210987"


def test_supervisor_of_the_branch_may_edit(client, world, batik):
    """May the branch's supervisor edit a company?"""
    login(client, world.supervisor)
    response = post(client, f"/companies/{batik.id}/edit", edit_form(batik, sector="Tekstil"))
    assert response.status_code == 302
    db.session.refresh(batik)
    assert batik.sector == "Tekstil"


@pytest.mark.parametrize(("who", "status"), [
    ("regional", 403),      # reads the branch's companies, but may not change them
    ("admin", 403),
    ("other_officer", 404),  # does not even see the company
    ("other_supervisor", 404),
])
def test_edit_is_refused_outside_the_branch(client, world, batik, make_user, who, status):
    """Are regional staff refused (403) and other branches' staff told it does not exist (404)?"""
    user = {
        "regional": lambda: make_user(Role.REGIONAL, branch=world.branch),
        "admin": lambda: make_user(Role.ADMIN),
        "other_officer": lambda: make_user(Role.OFFICER, branch=world.other),
        "other_supervisor": lambda: make_user(Role.SUPERVISOR, branch=world.other),
    }[who]()
    login(client, user)
    assert client.get(f"/companies/{batik.id}/edit").status_code == status
    response = post(client, f"/companies/{batik.id}/edit", edit_form(batik, name="PT Diubah"))
    assert response.status_code == status
    if status == 404:
        assert "Batik Pesisir" not in response.get_data(as_text=True)
    db.session.refresh(batik)
    assert batik.name == "PT Batik Pesisir"
    assert audit_events(batik.id, "update") == []
    page = client.get(f"/companies/{batik.id}").get_data(as_text=True)
    assert f'href="/companies/{batik.id}/edit"' not in page
