"""The supervisor's review: dashboard figures, the regional comparison, approvals, the
still-non-compliant list with reassignment and directives, and the monthly report."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date
from types import SimpleNamespace

import pytest
import time_machine
from flask_babel import force_locale
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from outreach.cases import service as case_service
from outreach.cases.models import Case, CaseCategory, Category, Step
from outreach.companies.models import BusinessSize, Company
from outreach.companies.rules import assess
from outreach.core.audit import AuditEvent
from outreach.core.labels import label
from outreach.extensions import db
from outreach.letters import service as letter_service
from outreach.letters.models import Letter
from outreach.letters.render import pdf_text
from outreach.notifications.models import Notification
from outreach.org.models import Role
from outreach.reports.comparison import branch_comparison
from outreach.reports.dashboard import Cell, Scope, dashboard, funnel_rungs
from outreach.reports.models import Directive, MonthlyReport
from outreach.reports.monthly import store_monthly_report
from outreach.scheduler import jobs
from outreach.scheduler import runner as scheduler
from outreach.scheduler import service as job_runs
from outreach.scheduler.models import JobRun
from outreach.tasks.models import Reminder
from tests import factories
from tests.companies.test_exports import exported
from tests.conftest import login, post

TODAY = date(2026, 3, 2)  # a Monday
ROW_LINK = re.compile(r'<a href="/companies/(\d+)">([^<]*)</a>')
FIGURE = re.compile(r'<a class="figure-link[^"]*" href="([^"]+)"( data-measure="workers")?>'
                    r'([^<]+)</a>')


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


def company(branch, name, *, officer=None, supervisor=None, opened_on=None,
            categories=(Category.PWBD,), steps=(), paused_on=None, closed=None,
            **values) -> Company:
    """A company entered through the services, with (when `opened_on` is given) one case
    opened that day and walked through `steps`, as (kind, day) or (kind, day, what happened):
    "delivered" (on the day), ("delivered", day), "returned" (undelivered) or "sent back" (by
    the supervisor); then paused on `paused_on`, or `closed` as (day, outcome)."""
    row = factories.company(branch, name, actor=officer,
                            officer_id=officer.id if officer else None, **values)
    if opened_on is None:
        return row
    case = factories.open_case(row, categories, today=opened_on, actor=officer)
    for kind, day, *what in steps:
        done = what[0] if what else None
        if done == "returned":
            factories.returned_step(case, kind, day, today=TODAY, actor=officer)
        elif done == "delivered" or isinstance(done, tuple):
            on = done[1] if isinstance(done, tuple) else day
            factories.delivered_step(case, kind, day, delivered_on=on, today=TODAY,
                                     actor=officer, approver=supervisor)
        elif done == "sent back":
            taken = factories.step(case, kind, day, today=TODAY, actor=officer)
            factories.decision(taken, supervisor, approve=False, note="Belum lengkap.")
        else:
            factories.sent_step(case, kind, day, actor=officer, approver=supervisor)
    if paused_on is not None:
        factories.pause(case, paused_on, actor=officer)
    if closed is not None:
        factories.close(case, closed[0], outcome=closed[1], actor=officer)
    return row


@pytest.fixture
def world(make_branch, make_user):
    """Two branches of one region and one branch of another; the figures hand-computed.

    Pekalongan (KC-PKL), on Monday 2 March 2026 (N notification, V visit, S summons,
    T TMP2T; back: sent back or returned undelivered); every case worked through the case
    service, so its stage and next due date are the ladder's:
    | company | officer | case                         | opened    | next due  | steps         |
    | Alfa    | Andi    | PWBD, notification, open     | 6 Feb 26  | 25 Feb    | N (+1 back)   |
    | Bravo   | Budi    | PDS-TK+PDS-Program, visit    | 15 Dec 25 | 10 Mar    | N, V, S back, V |
    | Charlie | Andi    | PWBD, warning_1, paused      | 1 Oct 25  | –         | N, V, W1      |
    | Delta   | –       | PDS-Program, not started     | 10 Jan 25 | 17 Jan 25 | none          |
    | Echo    | Budi    | compliant 16 Feb 26 at visit |           |           | N, V          |
    | Foxtrot | Andi    | compliant 27 Feb 26, no step |           |           | none          |
    | Golf    | Budi    | compliant 1 Jun 25 at fine   |           |           | N…fine, T back |
    | Hotel   | Andi    | withdrawn 10 Feb 26          |           |           | N             |
    | India   | –       | no case                      |           |           |               |
    Tegal (KC-TGL): Juliet open and overdue (due 3 Feb), Kilo compliant 20 Jan 26. Bandung
    (another region): Lima.
    """
    pkl = make_branch("KC-PKL", "Pekalongan")
    tgl = make_branch("KC-TGL", "Tegal")
    bdg = make_branch("KC-BDG", "Bandung", region="JABAR")
    andi = make_user(Role.OFFICER, branch=pkl, name="Andi Wijaya")
    budi = make_user(Role.OFFICER, branch=pkl, name="Budi Santoso")
    supervisor = make_user(Role.SUPERVISOR, branch=pkl, name="Citra Lestari")
    tegal_officer = make_user(Role.OFFICER, branch=tgl, name="Tono Tegal")
    tegal_supervisor = make_user(Role.SUPERVISOR, branch=tgl, name="Tari Tegal")
    regional = make_user(Role.REGIONAL, region=pkl.region, name="Rina Regional")
    for user in (andi, budi, supervisor, tegal_supervisor, regional):
        user.locale = "en"
    db.session.commit()
    delivered, returned = "delivered", "returned"
    companies = {
        # the notification delivered on Friday 6 February: its ten working days end on
        # Tuesday 24 February (16 and 17 February are Imlek), the visit is due on the 25th
        "alfa": company(pkl, "PT Alfa", officer=andi, sector="Batik",
                        kecamatan="Pekalongan Barat", business_size=BusinessSize.SMALL,
                        workers_estimated=20, average_wage=3_000_000,
                        opened_on=date(2026, 2, 6),
                        steps=[("notification", date(2026, 2, 6), delivered),
                               ("notification", date(2026, 2, 23), returned)]),
        # the second visit's five working days end on 9 March: the warning is due on the 10th
        "bravo": company(pkl, "PT Bravo", officer=budi, sector="Batik",
                         kecamatan="Pekalongan Timur", business_size=BusinessSize.MEDIUM,
                         workers_estimated=50, workers_registered=30, average_wage=4_000_000,
                         programs="JKK,JKM,JHT", risk_class=2, opened_on=date(2025, 12, 15),
                         categories=(Category.PDS_TK, Category.PDS_PROGRAM),
                         steps=[("notification", date(2025, 12, 16), delivered),
                                ("visit", date(2026, 1, 5)),
                                ("summons", date(2026, 1, 20), returned),
                                ("visit", date(2026, 3, 2))]),
        "charlie": company(pkl, "PT Charlie", officer=andi, sector="Perikanan",
                           kecamatan="Pekalongan Barat", business_size=BusinessSize.MICRO,
                           workers_estimated=5, average_wage=2_000_000,
                           opened_on=date(2025, 10, 1), paused_on=date(2025, 12, 1),
                           steps=[("notification", date(2025, 10, 2), delivered),
                                  ("visit", date(2025, 10, 20)),
                                  ("warning_1", date(2025, 11, 10), delivered)]),
        # five working days from Friday 10 January 2025: the notification is due on the 17th
        "delta": company(pkl, "PT Delta", sector="Perikanan", kecamatan="",
                         business_size=BusinessSize.SMALL, workers_estimated=10,
                         workers_registered=10, average_wage=2_500_000, programs="JKK,JKM",
                         opened_on=date(2025, 1, 10), categories=(Category.PDS_PROGRAM,)),
        "echo": company(pkl, "PT Echo", officer=budi, sector="Batik",
                        opened_on=date(2025, 11, 1), closed=(date(2026, 2, 16), "compliant"),
                        steps=[("notification", date(2025, 11, 3), delivered),
                               ("visit", date(2025, 11, 20))]),
        "foxtrot": company(pkl, "PT Foxtrot", officer=andi, sector="Batik",
                           opened_on=date(2026, 2, 1), closed=(date(2026, 2, 27), "compliant")),
        # TMP2T asked once the fine (delivered 10 February, due 15 March) was unpaid past due
        "golf": company(pkl, "PT Golf", officer=budi, supervisor=supervisor, sector="Batik",
                        workers_estimated=6, average_wage=2_500_000,
                        opened_on=date(2024, 11, 1), closed=(date(2025, 6, 1), "compliant"),
                        steps=[("notification", date(2024, 11, 4), delivered),
                               ("visit", date(2024, 11, 20)),
                               ("warning_1", date(2024, 12, 10), delivered),
                               ("warning_2", date(2025, 1, 6), delivered),
                               ("fine", date(2025, 2, 10), delivered),
                               ("tmp2t", date(2025, 3, 17), "sent back")]),
        "hotel": company(pkl, "PT Hotel", officer=andi, sector="Batik",
                         opened_on=date(2026, 1, 5), closed=(date(2026, 2, 10), "withdrawn"),
                         steps=[("notification", date(2026, 1, 6), delivered)]),
        "india": company(pkl, "PT India", sector="Batik", workers_estimated=8),
        # delivered on 19 January: due 2 February, the visit overdue since the 3rd
        "juliet": company(tgl, "PT Juliet", officer=tegal_officer, sector="Batik",
                          kecamatan="Tegal Barat", business_size=BusinessSize.SMALL,
                          workers_estimated=10, average_wage=2_000_000,
                          opened_on=date(2026, 1, 5),
                          steps=[("notification", date(2026, 1, 6),
                                  (delivered, date(2026, 1, 19)))]),
        "kilo": company(tgl, "PT Kilo", sector="Batik", opened_on=date(2025, 12, 1),
                        closed=(date(2026, 1, 20), "compliant"),
                        steps=[("notification", date(2025, 12, 2), delivered)]),
        # opened on Sunday 1 February: the notification is due on Friday the 6th
        "lima": company(bdg, "PT Lima", sector="Batik", workers_estimated=99,
                        opened_on=date(2026, 2, 1)),
    }
    return SimpleNamespace(pkl=pkl, tgl=tgl, bdg=bdg, andi=andi, budi=budi,
                           supervisor=supervisor, tegal_officer=tegal_officer,
                           tegal_supervisor=tegal_supervisor, regional=regional, c=companies,
                           built=db.session.scalar(select(func.max(AuditEvent.id))))


def listed(client, href: str) -> list[str]:
    """The company names the list shows at `href` (all on one page)."""
    response = client.get(href + ("&" if "?" in href else "?") + "per_page=200")
    assert response.status_code == 200
    return sorted(html.unescape(n) for _, n in ROW_LINK.findall(response.get_data(as_text=True)))


def names(href_params: dict, client) -> list[str]:
    query = "&".join(f"{k}={v}" for k, v in href_params.items())
    return listed(client, f"/companies/?{query}")


# --- the figures, hand-computed -----------------------------------------------------------------


def test_dashboard_figures_match_the_hand_computed_ones(world):
    """Open cases, overdue, the category × stage matrix, the gap and the weeks, for one branch."""
    d = dashboard(Scope.of(world.supervisor), TODAY)
    assert d.open_cases.value == 4  # Alfa, Bravo, Charlie (paused), Delta
    assert d.overdue.value == 2  # Alfa (due 25 Feb), Delta (due 17 Jan 2025)
    assert {s: c.value for s, c in d.stage_totals.items()} == {
        "": 1, "notification": 1, "visit": 1, "warning_1": 1}
    assert d.stages == ["", "notification", "visit", "warning_1"]
    assert {cat: {s: c.value for s, c in row.items()} for cat, row in d.matrix.items()} == {
        "PWBD": {"notification": 1, "warning_1": 1},
        "PDS-TK": {"visit": 1},
        "PDS-Program": {"visit": 1, "": 1},
    }
    assert {c: cell.value for c, cell in d.category_totals.items()} == {
        "PWBD": 2, "PDS-TK": 1, "PDS-Program": 2}
    assert [(r.name, r.cell.value) for r in d.overdue_by_officer] == [
        ("Andi Wijaya", 1), ("", 1)]
    # Alfa 20 × 3,000,000 × 6.24%; Bravo 20 × 4,000,000 × (0.54+0.30+5.7)% + 50 × 3% of it;
    # Charlie 5 × 2,000,000 × 0.54%; Delta 10 registered × 2,500,000 × 5.7% (JHT missing)
    assert [(r.name, r.companies.value, r.workers_missing.value, r.monthly_owed)
            for r in d.by_sector] == [("Batik", 2, 40, 3_744_000 + 11_232_000),
                                      ("Perikanan", 2, 5, 54_000 + 1_425_000)]
    assert [(r.name, r.workers_missing.value) for r in d.by_kecamatan] == [
        ("Pekalongan Barat", 25), ("Pekalongan Timur", 20), ("", 0)]
    assert d.workers_missing.value == 45
    assert d.monthly_owed == 16_455_000
    assert d.monthly_owed == sum(assess(world.c[k], TODAY).monthly_owed
                                 for k in ("alfa", "bravo", "charlie", "delta"))
    won = {w.start: w.cell.value for w in d.weeks if w.cell.value}
    assert won == {date(2026, 2, 16): 1, date(2026, 2, 23): 1}  # Echo, Foxtrot; not Golf
    assert d.won.value == 2
    assert (d.weeks[0].start, d.weeks[-1].end) == (date(2025, 9, 8), date(2026, 3, 8))


def test_aging_buckets(world):
    """Cases fall into 0–30, 31–90, 91–180, 181–365 and over 365 days open by opening day."""
    d = dashboard(Scope.of(world.supervisor), TODAY)
    # Alfa 24 days, Bravo 77, Charlie 152, Delta 416
    assert [(b.low, b.high, b.cell.value) for b in d.aging] == [
        (0, 30, 1), (31, 90, 1), (91, 180, 1), (181, 365, 0), (366, None, 1)]
    assert d.aging[1].cell.params == {"open_case": 1, "opened_from": "2025-12-02",
                                      "opened_to": "2026-01-30"}


@pytest.mark.parametrize(("opened", "bucket"), [
    (date(2026, 3, 2), 0), (date(2026, 1, 31), 0), (date(2026, 1, 30), 1),
    (date(2025, 12, 2), 1), (date(2025, 12, 1), 2), (date(2025, 3, 2), 3),
    (date(2025, 3, 1), 4)])
def test_aging_bucket_edges(make_branch, make_user, opened, bucket):
    """30 days open is still the first bucket, 31 the second; 365 days the fourth, 366 the last."""
    branch = make_branch()
    supervisor = make_user(Role.SUPERVISOR, branch=branch)
    company(branch, "PT Tepi", opened_on=opened)
    d = dashboard(Scope.of(supervisor), TODAY)
    assert [b.cell.value for b in d.aging] == [1 if i == bucket else 0 for i in range(5)]


def test_ladder_funnel(world):
    """Companies reaching each rung (steps in force only) and complying right after it."""
    d = dashboard(Scope.of(world.supervisor), TODAY)
    funnel = {r.code: (r.reached.value, r.complied.value) for r in d.funnel}
    assert funnel == {
        "notification": (6, 0),  # Alfa, Bravo, Charlie, Echo, Golf, Hotel (withdrawn)
        "visit": (4, 1),  # Bravo, Charlie, Echo, Golf; Echo complied after its visit
        "joint_visit": (0, 0),
        "summons": (0, 0),  # Bravo's summons came back undelivered
        "warning_1": (2, 0),  # Charlie, Golf
        "warning_2": (1, 0),
        "fine": (1, 1),  # Golf complied after the fine
        "tmp2t": (0, 0),  # Golf's request was sent back
        "legal_referral": (0, 0),
    }
    assert [r.code for r in d.funnel][:2] == ["notification", "visit"]
    assert d.complied_before_steps.value == 1  # Foxtrot
    visit = next(r for r in d.funnel if r.code == "visit")
    assert visit.rate == pytest.approx(0.25)


def listed_total(client, href: str, header: str) -> int:
    """A column of the companies the list shows at `href`, added up (read from the list's own
    export)."""
    export = exported(client, href.replace("/companies/?", "/companies/export.csv?"))
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig")), delimiter=";"))
    column = rows[0].index(header)
    return sum(int(row[column]) for row in rows[1:])


def check_figures(client, page: str) -> int:
    """Every figure of the page against the list behind it; returns how many were checked."""
    checked = 0
    for href, measure, text in FIGURE.findall(page):
        href = html.unescape(href)
        assert href.startswith("/companies/?"), href
        value = int(text.removeprefix("Rp").replace(",", ""))
        if text.startswith("Rp"):
            owed = "Perkiraan iuran belum dibayar per bulan (Rp)"
            assert listed_total(client, href, owed) == value, href
        elif measure:
            assert listed_total(client, href, "Pekerja belum terdaftar") == value, href
        else:
            assert len(listed(client, href)) == value, href
        checked += 1
    return checked


def test_case_service_keeps_the_rungs_reached(app, world):
    """Logging a step adds its rung to the case; a letter returned undelivered takes it away."""
    case = world.c["india"]
    with app.test_request_context():
        opened = case_service.open_case(world.andi, case, [Category.PWBD], TODAY)
        step = factories.step(opened, "notification", TODAY, actor=world.andi)
        case_service.log_step(world.andi, opened, kind="phone_call", occurred_on=TODAY,
                              today=TODAY)
        db.session.commit()
        assert opened.reached == "notification,phone_call"
        case_service.record_delivery(world.andi, step, delivered=False, on=TODAY, today=TODAY)
        db.session.commit()
    assert db.session.get(Case, opened.id).reached == "phone_call"


def test_figures_follow_a_case_from_opening_to_closing(app, world):
    """The dashboard reads the categories from the case, and its status, due date and rungs
    from the company's copies: opening, working and closing a case through the case service
    moves them."""
    def figures():
        d = dashboard(Scope.of(world.supervisor), TODAY)
        return (d.open_cases.value, d.category_totals["PWBD"].value,
                d.category_totals.get("Menunggak", Cell(0, {})).value, d.workers_missing.value,
                [(r.name, r.cell.value) for r in d.overdue_by_officer],
                next(r.reached.value for r in d.funnel if r.code == "notification"))

    before = figures()
    assert before == (4, 2, 0, 45, [("Andi Wijaya", 1), ("", 1)], 6)
    india = world.c["india"]
    india.officer_id = world.andi.id
    with app.test_request_context():
        case = case_service.open_case(world.andi, india, [Category.PWBD, Category.ARREARS],
                                      date(2026, 2, 2))
        factories.step(case, "notification", date(2026, 2, 2), actor=world.andi)
        assert (india.open_case_status, india.open_case_due_on) == ("open", case.next_due_on)
        assert india.reached == "notification" and case.next_due_on < TODAY
        # India: 8 workers not registered, its notification's window over: overdue for Andi
        assert figures() == (5, 3, 1, 53, [("Andi Wijaya", 2), ("", 1)], 7)
        factories.close(case, TODAY, outcome="withdrawn", actor=world.andi,
                        approver=world.supervisor)
    assert (india.open_case_status, india.open_case_due_on) == ("", None)
    assert figures()[:-1] == before[:-1]  # still reached the notification, now closed
    assert figures()[-1] == 7


def test_funnel_follows_the_branch_ladder(world):
    """A rung the branch switched off leaves the funnel, unless a case reached it before (the
    legal rungs cannot be switched off)."""
    from outreach.ladder.service import adjust_rung

    for code in ("joint_visit", "visit"):
        adjust_rung(world.supervisor, code, window_days=10, max_count=1, active=False)
    db.session.commit()
    d = dashboard(Scope.of(world.supervisor), TODAY)
    codes = [r.code for r in d.funnel]
    assert "joint_visit" not in codes and "visit" in codes  # Charlie and others visited
    assert "joint_visit" in [r.code for r in dashboard(Scope.of(world.regional),
                                                               TODAY).funnel]


def test_every_number_on_the_page_opens_the_companies_behind_it(client, world):
    """Each figure links to the company list, and the list shows exactly the companies (or the
    workers) it counts."""
    login(client, world.supervisor)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert check_figures(client, page) > 40


@pytest.mark.parametrize(("params", "expected"), [
    ({"open_case": 1}, ["PT Alfa", "PT Bravo", "PT Charlie", "PT Delta"]),
    ({"overdue": 1}, ["PT Alfa", "PT Delta"]),
    ({"stage": "-"}, ["PT Delta"]),
    ({"category": "PDS-Program", "stage": "visit"}, ["PT Bravo"]),
    ({"open_case": 1, "opened_to": "2025-03-01"}, ["PT Delta"]),
    ({"open_case": 1, "opened_from": "2026-01-31", "opened_to": "2026-03-02"}, ["PT Alfa"]),
    ({"reached": "warning_1"}, ["PT Charlie", "PT Golf"]),
    ({"reached": "summons"}, []),
    ({"complied_after": "visit"}, ["PT Echo"]),
    ({"complied_after": "-"}, ["PT Foxtrot"]),
    ({"complied_from": "2026-02-16", "complied_to": "2026-02-22"}, ["PT Echo"]),
    ({"overdue": 1, "unassigned": 1}, ["PT Delta"]),
    ({"sector": "Perikanan", "open_case": 1}, ["PT Charlie", "PT Delta"]),
    ({"kecamatan": "-", "open_case": 1}, ["PT Delta"]),
])
def test_the_lists_behind_the_figures(client, world, params, expected):
    """Do the list's filters used by the dashboard keep exactly the companies described?"""
    login(client, world.supervisor)
    assert names(params, client) == expected


def test_list_says_which_dashboard_filters_apply(client, world):
    """The list names the dashboard's filters, keeps them in its form and can drop them."""
    login(client, world.supervisor)
    page = html.unescape(client.get("/companies/?sector=Batik&open_case=1&reached=visit")
                         .get_data(as_text=True))
    start = page.index('id="narrower-filters"')
    said = page[start:page.index("</form>", start)]
    assert "with an open case" in said and "reached: Visit" in said
    assert '<input type="hidden" name="open_case" value="1">' in page
    assert 'href="/companies/?sector=Batik">Remove these</a>' in said
    assert names({"sector": "Batik", "open_case": 1, "reached": "visit"}, client) == [
        "PT Bravo"]


def test_dashboard_page_shows_the_figures(client, world):
    """The page shows the headline numbers, the funnel and labelled SVG charts."""
    login(client, world.supervisor)
    response = client.get("/dashboard/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'id="open-cases"><a[^>]*>4</a>', page)
    assert re.search(r'id="overdue"><a[^>]*>2</a>', page)
    assert re.search(r'id="workers-missing"><a[^>]*>45</a>', page)
    assert "Rp16,455,000" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page
    assert "<title" in page and "Ladder funnel" in page
    assert "style=" not in page  # the CSP forbids inline styles
    funnel = page[page.index('id="funnel"'):page.index("</table>", page.index('id="funnel"'))]
    assert "Written Warning I" in funnel and "25%" in funnel
    assert "PT Juliet" not in page and "Tegal" not in page


def test_a_long_gap_table_shows_the_biggest_gaps_and_one_line_for_the_rest(client, world):
    """A region has hundreds of kecamatan: the table lists the 20 biggest gaps and adds up
    the others in one line, so that its totals stay those of every company."""
    for i in range(23):  # 23 more kecamatan, a gap of 100 + i workers each
        company(world.pkl, f"PT Gap {i}", kecamatan=f"Kec {i:02d}", sector="Batik",
                workers_estimated=100 + i, opened_on=date(2026, 2, 2))
    login(client, world.supervisor)
    page = client.get("/dashboard/").get_data(as_text=True)
    table = page[page.index('id="by-kecamatan"'):page.index("</table>",
                                                            page.index('id="by-kecamatan"'))]
    assert table.count("<tr>") == 1 + 20  # the header and the 20 biggest gaps
    assert "Kec 22" in table and "Kec 03" in table and "Kec 02" not in table
    # the rest: Kec 00 to 02 (100 + 101 + 102 workers) and the demo's three kecamatan (45)
    rest = table[table.index('class="text-muted gap-rest"'):]
    cells = re.findall(r'<td[^>]*>([^<]*)</td>', rest)
    assert cells[0] == "6 other kecamatan"
    assert cells[1:3] == ["7", "348"]
    total = re.search(r'id="workers-missing"><a[^>]*>([\d.,]+)</a>', page).group(1)
    assert total.replace(".", "").replace(",", "") == str(45 + sum(range(100, 123)))


def test_a_long_officer_table_shows_the_most_overdue_and_one_line_for_the_rest(
        client, world, make_user):
    """Overdue next steps by officer: the 20 most overdue officers, then one line for the
    others and their cases overdue (the table and its chart stay readable for a region)."""
    for i in range(21):
        officer = make_user(Role.OFFICER, branch=world.pkl, name=f"Officer {i:02d}")
        company(world.pkl, f"PT Late {i}", officer=officer, opened_on=date(2026, 1, 5))
    login(client, world.supervisor)
    page = client.get("/dashboard/").get_data(as_text=True)
    table = page[page.index('id="officers"'):page.index("</table>", page.index('id="officers"'))]
    assert table.count("<tr>") == 1 + 20
    # 22 officers and nobody with a case overdue, one each: by name, nobody last
    assert "Andi Wijaya" in table and "Officer 18" in table and "Officer 19" not in table
    rest = re.findall(r'<td[^>]*>([^<]*)</td>', table[table.index("officers-rest"):])
    assert rest == ["3 other officers", "3"]
    chart = page[page.index('id="h-officers"'):page.index("</section>",
                                                          page.index('id="h-officers"'))]
    assert "Officer 18" in chart and "Officer 19" not in chart


def test_chart_labels_are_escaped(client, world):
    """A sector name with markup is shown as text inside the chart, never as markup."""
    company(world.pkl, "PT Xss", sector='<script>alert("x")</script>', workers_estimated=3,
            opened_on=date(2026, 2, 2))
    login(client, world.supervisor)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


# --- who sees what ------------------------------------------------------------------------------


def test_supervisor_sees_only_the_branch(world):
    """A supervisor's figures leave out the other branches' cases."""
    pkl = dashboard(Scope.of(world.supervisor), TODAY)
    tgl = dashboard(Scope.of(world.tegal_supervisor), TODAY)
    assert (pkl.open_cases.value, tgl.open_cases.value) == (4, 1)
    assert tgl.workers_missing.value == 10 and tgl.monthly_owed == 1_248_000


def test_regional_staff_see_every_branch_of_the_region(client, world):
    """The region's dashboard adds up its branches; another region's branch is not in it."""
    d = dashboard(Scope.of(world.regional), TODAY)
    assert d.open_cases.value == 5  # Pekalongan 4 + Tegal 1; not Bandung
    assert d.won.value == 3  # Echo, Foxtrot, Kilo
    db.session.commit()  # the summary built by the first read, kept
    login(client, world.regional)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert re.search(r'id="open-cases"><a[^>]*>5</a>', page)
    narrowed = client.get(f"/dashboard/?branch={world.tgl.id}").get_data(as_text=True)
    assert re.search(r'id="open-cases"><a[^>]*>1</a>', narrowed)
    assert f"branch={world.tgl.id}" in narrowed
    assert client.get(f"/dashboard/?branch={world.bdg.id}").status_code == 404


def test_branches_side_by_side(client, world):
    """The regional comparison has one row per branch of the region, each number a link."""
    rows = {r.code: r for r in branch_comparison(world.regional, TODAY)}
    assert set(rows) == {"KC-PKL", "KC-TGL"}
    pkl, tgl = rows["KC-PKL"], rows["KC-TGL"]
    assert (pkl.open_cases.value, pkl.overdue.value, pkl.older.value) == (4, 2, 2)
    assert (tgl.open_cases.value, tgl.overdue.value, tgl.older.value) == (1, 1, 0)
    assert (pkl.workers_missing.value, pkl.monthly_owed) == (45, 16_455_000)
    assert (pkl.won.value, tgl.won.value) == (2, 1)
    assert (pkl.fined.value, pkl.referred.value) == (1, 0)
    login(client, world.regional)
    page = client.get("/dashboard/region").get_data(as_text=True)
    assert 'data-branch="KC-PKL"' in page and 'data-branch="KC-TGL"' in page
    assert "KC-BDG" not in page
    assert check_figures(client, page) == 16


@pytest.mark.parametrize(("role", "path", "status"), [
    (Role.OFFICER, "/dashboard/", 403),
    (Role.SUPERVISOR, "/dashboard/region", 403),
    (Role.OFFICER, "/dashboard/review", 403),
    (Role.OFFICER, "/dashboard/reports", 403),
])
def test_who_may_open_what(client, world, make_user, role, path, status):
    """Officers see no dashboard; supervisors no regional comparison."""
    login(client, make_user(role, branch=world.pkl))
    assert client.get(path).status_code == status


def test_navigation_offers_the_dashboard_to_supervisors_and_regional_staff(client, world):
    """The menu shows "Dashboard" to supervisors and regional staff, not to officers."""
    for user, shown in ((world.supervisor, True), (world.regional, True), (world.andi, False)):
        fresh = client.application.test_client()
        login(fresh, user)
        page = fresh.get("/companies/").get_data(as_text=True)
        assert ('href="/dashboard/"' in page) is shown


def test_new_branch_shows_an_empty_state(client, make_branch, make_user):
    """A branch without cases gets a sentence and a way on, not empty charts."""
    branch = make_branch()
    supervisor = make_user(Role.SUPERVISOR, branch=branch)
    supervisor.locale = "en"
    db.session.commit()
    login(client, supervisor)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "No cases yet" in page and "<svg" not in page


# --- approvals ----------------------------------------------------------------------------------


@pytest.fixture
def referral(app, world):
    """Bravo's case walked up the ladder through the services, a legal referral requested."""
    officer = world.budi
    case = world.c["bravo"].cases[0]
    # the world's steps and opening day taken back (no service undoes a step)
    for step in list(case.steps):
        db.session.delete(step)
    case.opened_on = date(2025, 9, 1)
    # the referral goes to the prosecutor of the company's own city (the branch's registry)
    case.company.city = "Kota Pekalongan"
    db.session.commit()
    factories.partner_offices(world.pkl, "Kota Pekalongan")
    with app.test_request_context():
        return factories.requested_referral(case, date(2026, 2, 23), actor=officer,
                                            approver=world.supervisor)


def test_queue_shows_escalations_with_the_timeline_at_hand(client, world, referral):
    """The legal referral waits in the queue with the company's recent steps beside it."""
    login(client, world.supervisor)
    page = client.get("/approvals").get_data(as_text=True)
    item = page[page.index(f'id="step-{referral.id}"'):]
    assert "PT Bravo" in item and "Legal referral (SKK to Kejari)" in item
    timeline = item[item.index("<details"):item.index("</details>")]
    assert "Written Warning II" in timeline and "Fine" in timeline
    decide = client.get(f"/steps/{referral.id}/approval").get_data(as_text=True)
    beside = decide[decide.index('id="timeline-heading"'):]
    assert "Written Warning II" in beside
    # the letter itself is at hand, and the compliance figures
    assert f'src="/letters/{referral.letter_id}.pdf"' in decide
    assert "Workers estimated" in decide and "Programs missing" in decide


def test_approving_a_legal_referral_then_issuing_it_makes_the_dossier(client, world, referral):
    """Approval leads to the referral letter; issued once confirmed, the queue offers its
    dossier, a real PDF."""
    login(client, world.supervisor)
    response = post(client, f"/steps/{referral.id}/approval",
                    {"decision": "approve", "note": "Setuju, lanjutkan ke Kejari."})
    assert response.headers["Location"].endswith(f"/letters/{referral.letter_id}")
    letter = db.session.get(Letter, referral.letter_id)
    assert letter.status == "draft"
    refused = post(client, f"/letters/{letter.id}/issue", {})
    assert "Tick the box to confirm." in refused.get_data(as_text=True)
    assert db.session.get(Letter, letter.id).status == "draft"
    post(client, f"/letters/{letter.id}/issue", {"confirm": "y"})
    letter = db.session.get(Letter, referral.letter_id)
    assert letter.status == "issued" and letter.number and letter.issued_on == TODAY
    assert db.session.get(Step, referral.id).occurred_on == TODAY
    page = client.get("/approvals").get_data(as_text=True)
    assert "Nothing is waiting for your approval." in page
    assert letter.number in page and f"/cases/{referral.case_id}/dossier.pdf" in page
    dossier = client.get(f"/cases/{referral.case_id}/dossier.pdf")
    text = pdf_text(dossier.data)
    assert "KRONOLOGI" in text and "Kejaksaan Negeri" in text and "Pak Joko" in text


def test_returning_a_referral_needs_a_reason_and_issues_nothing(client, world, referral):
    """A referral sent back keeps its letter a draft and says why."""
    login(client, world.supervisor)
    response = post(client, f"/steps/{referral.id}/approval", {"decision": "return", "note": ""})
    assert "Say why the request is sent back." in response.get_data(as_text=True)
    post(client, f"/steps/{referral.id}/approval",
         {"decision": "return", "note": "Lengkapi bukti kunjungan."})
    db.session.refresh(referral)
    assert referral.approval_status == "returned"
    assert db.session.get(Letter, referral.letter_id).status == "draft"


def test_letters_awaiting_approval_are_in_the_queue(client, world, app):
    """A draft whose template needs approval (its step did not) waits in the queue until
    approved there."""
    case = world.c["alfa"].cases[0]
    with app.test_request_context():
        template = letter_service.template_in_use("tmp2t", world.pkl.id)
    # raw rows: a TMP2T step not waiting for approval is a state the case service never makes
    letter = Letter(branch_id=world.pkl.id, case_id=case.id, template_id=template.id,
                    status="draft", addressee_name="PT Alfa", data={})
    db.session.add(letter)
    db.session.flush()
    db.session.add(Step(case_id=case.id, kind="tmp2t", occurred_on=TODAY, letter_id=letter.id))
    db.session.commit()
    login(client, world.supervisor)
    page = client.get("/approvals").get_data(as_text=True)
    assert f'id="letter-{letter.id}"' in page and "Rekomendasi TMP2T: PT Alfa" in page
    post(client, f"/letters/{letter.id}/approve")
    assert db.session.get(Letter, letter.id).approved_by_id == world.supervisor.id
    assert f'id="letter-{letter.id}"' not in client.get("/approvals").get_data(as_text=True)


# --- still non-compliant: review, reassign, directives ------------------------------------------


def review_names(client, **params) -> list[str]:
    page = client.get("/dashboard/review", query_string=params).get_data(as_text=True)
    return [html.unescape(n) for _, n in ROW_LINK.findall(page)]


def test_still_non_compliant_list(client, world):
    """Cases open over 90 days or stalled over 30 days past their due date, oldest first."""
    login(client, world.supervisor)
    assert review_names(client) == ["PT Delta", "PT Charlie"]
    assert review_names(client, days=60) == ["PT Delta", "PT Charlie", "PT Bravo"]
    assert review_names(client, days=3650, stalled=3) == ["PT Delta", "PT Alfa"]
    regional = client.application.test_client()
    login(regional, world.regional)
    assert review_names(regional, days=30) == ["PT Delta", "PT Charlie", "PT Bravo",
                                                "PT Juliet"]


def test_supervisor_reassigns_a_case_and_its_reminders_follow(client, world):
    """Reassigning gives the company and its open reminders to the chosen officer."""
    case = world.c["delta"].cases[0]
    # one reminder of Delta's alone (the sweep would make them for every case due)
    db.session.add(Reminder(branch_id=world.pkl.id, case_id=case.id, officer_id=None,
                            rung_code="notification", kind="action_due", dedupe_key="d:1",
                            due_on=date(2025, 1, 17)))
    db.session.commit()
    login(client, world.supervisor)
    response = post(client, f"/dashboard/cases/{case.id}/reassign",
                    {"officer": world.budi.id, "next": "/dashboard/review?days=30"})
    assert response.status_code == 302 and response.location.endswith("/dashboard/review?days=30")
    assert db.session.get(Company, world.c["delta"].id).officer_id == world.budi.id
    assert db.session.scalars(select(Reminder.officer_id)).all() == [world.budi.id]
    assert db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "company", AuditEvent.id > world.built)).all() == [
        "company.reassign"]
    tegal = post(client, f"/dashboard/cases/{case.id}/reassign",
                 {"officer": world.tegal_officer.id})
    assert tegal.status_code == 302
    assert db.session.get(Company, world.c["delta"].id).officer_id == world.budi.id


def test_directive_reaches_the_timeline_and_the_officer(client, world):
    """A directive shows on the company page and in the officer's notifications."""
    case = world.c["charlie"].cases[0]
    login(client, world.supervisor)
    text = "Jadwalkan kunjungan bersama Disnaker minggu ini."
    response = post(client, f"/dashboard/cases/{case.id}/directive", {"text": text})
    assert response.status_code == 302
    directive = db.session.scalars(select(Directive)).one()
    assert (directive.officer_id, directive.given_on) == (world.andi.id, TODAY)
    assert text in client.get("/dashboard/review").get_data(as_text=True)
    officer = client.application.test_client()
    login(officer, world.andi)
    company_page = html.unescape(officer.get(f"/companies/{world.c['charlie'].id}")
                                 .get_data(as_text=True))
    timeline = re.sub(r"<[^>]+>", " ", company_page[company_page.index('id="timeline-heading"'):])
    assert "Supervisor's directive · Citra Lestari" in " ".join(timeline.split())
    assert text in timeline
    inbox = officer.get("/tasks/notifications").get_data(as_text=True)
    assert "Citra Lestari" in inbox
    note = db.session.scalars(select(Notification)).one()
    assert note.user_id == world.andi.id
    page = html.unescape(officer.get(f"/tasks/notifications/{note.id}").get_data(as_text=True))
    assert "Citra Lestari" in page and text in page


def test_only_the_branch_supervisor_gives_directives(client, world):
    """Officers and supervisors of another branch cannot leave a directive."""
    case = world.c["charlie"].cases[0]
    login(client, world.andi)
    assert post(client, f"/dashboard/cases/{case.id}/directive",
                {"text": "x"}).status_code == 403
    other = client.application.test_client()
    login(other, world.tegal_supervisor)
    assert post(other, f"/dashboard/cases/{case.id}/directive",
                {"text": "x"}).status_code == 404
    login(client, world.supervisor)
    post(client, f"/dashboard/cases/{case.id}/directive", {"text": "   "})
    assert db.session.scalars(select(Directive)).all() == []


def test_directive_mail_links_to_the_company_under_the_public_base_url(app, client, world,
                                                                      monkeypatch):
    """The view hands the configured public address to the service, which links the mail."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://outreach.example/")
    case = world.c["charlie"].cases[0]
    login(client, world.supervisor)
    post(client, f"/dashboard/cases/{case.id}/directive", {"text": "Kunjungi minggu ini."})
    note = db.session.scalars(select(Notification)).one()
    link = f"https://outreach.example/companies/{world.c['charlie'].id}"
    assert link in note.body_text
    assert f'href="{link}"' in note.body_html


def test_review_sorts_by_workers_missing_and_money_owed(client, world):
    """The review can put the companies with most workers not enrolled, or most contributions
    not paid a month, first; each row shows both figures as the company page computes them."""
    login(client, world.supervisor)
    assert review_names(client, days=60) == ["PT Delta", "PT Charlie", "PT Bravo"]
    assert review_names(client, days=60, sort="missing") == ["PT Bravo", "PT Charlie",
                                                             "PT Delta"]
    owed = {k: assess(world.c[k], TODAY).monthly_owed for k in ("bravo", "charlie", "delta")}
    assert owed["bravo"] > owed["delta"] > owed["charlie"] > 0
    assert review_names(client, days=60, sort="owed") == ["PT Bravo", "PT Delta", "PT Charlie"]
    page = client.get("/dashboard/review?days=60&sort=owed").get_data(as_text=True)
    assert f'data-owed="{owed["delta"]}"' in page
    assert review_names(client, days=60, sort="nonsense") == ["PT Delta", "PT Charlie",
                                                              "PT Bravo"]


def test_supervisor_reassigns_many_cases_at_once(client, world):
    """Ticking several rows and choosing an officer gives them all to that officer, audited
    one by one; a case of another branch among them is not found and stays where it was."""
    delta, charlie = world.c["delta"].cases[0], world.c["charlie"].cases[0]
    juliet = world.c["juliet"].cases[0]
    login(client, world.supervisor)
    response = post(client, "/dashboard/review/bulk", {
        "case": [delta.id, charlie.id, juliet.id], "action": "reassign",
        "officer": world.budi.id, "next": "/dashboard/review?days=60"})
    assert response.status_code == 302 and response.location.endswith("/dashboard/review?days=60")
    assert db.session.get(Company, world.c["delta"].id).officer_id == world.budi.id
    assert db.session.get(Company, world.c["charlie"].id).officer_id == world.budi.id
    assert db.session.get(Company, world.c["juliet"].id).officer_id == world.tegal_officer.id
    assert db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "company", AuditEvent.id > world.built)).all() == [
        "company.reassign", "company.reassign"]
    page = client.get("/dashboard/review?days=60").get_data(as_text=True)
    assert "2 companies are now with Budi Santoso." in html.unescape(page)


def test_bulk_needs_ticked_cases_and_an_officer_of_the_branch(client, world):
    """Nothing ticked, or an officer of another branch, changes nothing and says why."""
    delta = world.c["delta"].cases[0]
    login(client, world.supervisor)
    post(client, "/dashboard/review/bulk", {"action": "reassign", "officer": world.budi.id})
    assert "Tick at least one case." in client.get("/dashboard/review").get_data(as_text=True)
    post(client, "/dashboard/review/bulk", {"case": [delta.id], "action": "reassign",
                                            "officer": world.tegal_officer.id})
    assert db.session.get(Company, world.c["delta"].id).officer_id is None
    assert "Choose an officer of this branch." in client.get(
        "/dashboard/review").get_data(as_text=True)
    officer = client.application.test_client()
    login(officer, world.andi)
    assert post(officer, "/dashboard/review/bulk", {
        "case": [delta.id], "action": "reassign", "officer": world.andi.id}).status_code == 403


def test_one_directive_to_many_cases_reaches_each_officer_in_indonesian(app, client, world,
                                                                        monkeypatch):
    """A directive sent to ticked rows lands on each case and in each officer's inbox, in
    Indonesian; the inbox badge counts it until the officer opens it as a page whose link
    opens the company on the address the app is read at."""
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://outreach.example/")
    bravo, charlie = world.c["bravo"].cases[0], world.c["charlie"].cases[0]
    world.budi.locale = world.andi.locale = "id"
    db.session.commit()
    login(client, world.supervisor)
    text = "Mohon kunjungi minggu ini & laporkan."
    post(client, "/dashboard/review/bulk", {"case": [bravo.id, charlie.id],
                                            "action": "directive", "text": text})
    assert sorted(d.case_id for d in db.session.scalars(select(Directive))) == sorted(
        [bravo.id, charlie.id])
    officer = client.application.test_client()
    login(officer, world.andi)
    home = officer.get("/tasks/notifications").get_data(as_text=True)
    badge = re.search(r'id="nav-inbox">([^<]*)<span class="badge[^>]*>(\d+)</span>', home)
    assert badge and badge.group(1).strip() == "Pesan" and badge.group(2) == "1"
    note = db.session.scalars(select(Notification).where(
        Notification.user_id == world.andi.id)).one()
    page = officer.get(f"/tasks/notifications/{note.id}").get_data(as_text=True)
    assert "Citra Lestari memberikan arahan pada kasus PT Charlie:" in page
    assert html.escape(text, quote=False) in page
    assert "<pre" not in page and "<!doctype html>" not in page[page.index('id="notification"'):]
    link = re.search(r'id="notification">.*?<a href="([^"]+)"', page, re.S).group(1)
    assert link == f"/companies/{world.c['charlie'].id}"
    assert officer.get(link).status_code == 200
    again = officer.get("/tasks/notifications").get_data(as_text=True)
    assert 'id="nav-inbox">Pesan</a>' in again
    stranger = client.application.test_client()
    login(stranger, world.budi)
    assert stranger.get(f"/tasks/notifications/{note.id}").status_code == 404


# --- the monthly report -------------------------------------------------------------------------


def test_monthly_report_on_demand(client, world):
    """A supervisor makes February's report: stored, with the figures and the fines."""
    case = world.c["bravo"].cases[0]
    # a raw step: Bravo has no written warnings, and the ladder allows a fine only after them
    db.session.add(Step(case_id=case.id, kind="fine", occurred_on=date(2026, 2, 18),
                        officer_id=world.budi.id, delivery_status="delivered"))
    db.session.commit()
    login(client, world.supervisor)
    response = post(client, "/dashboard/reports", {"period": "2026-02",
                                                   "branch": world.pkl.id})
    assert response.status_code == 302
    report = db.session.scalars(select(MonthlyReport)).one()
    assert (report.branch_id, report.period, report.as_of) == (world.pkl.id, date(2026, 2, 1),
                                                               TODAY)
    page = client.get("/dashboard/reports").get_data(as_text=True)
    assert f"/dashboard/reports/{report.id}.pdf" in page
    pdf = client.get(f"/dashboard/reports/{report.id}.pdf")
    assert pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert "Pekalongan" in text and "Februari 2026" in text
    assert "PT Bravo" in text and "18 Februari 2026" in text  # the fine of the month
    assert "16.455.000" in text  # contributions not paid, per month
    assert "PT Juliet" not in text
    other = client.application.test_client()
    login(other, world.tegal_supervisor)
    assert other.get(f"/dashboard/reports/{report.id}.pdf").status_code == 404


def test_monthly_report_headers_never_break_inside_a_word(world):
    """Every word of the stage headers ("Denda", "Pemberitahuan", "Tertulis") is whole in the
    PDF's text: a narrow column breaks between words, never inside one ("De nd a")."""
    # raw open cases at every rung of the ladder: the matrix gets a column for each
    for n, code in enumerate(funnel_rungs(world.pkl.id)):
        row = factories.company(world.pkl, f"PT Tahap {n}")
        case = Case(branch_id=world.pkl.id, company_id=row.id, stage=code,
                    category_list=Category.PWBD, opened_on=date(2025, 6, 2))
        db.session.add(case)
        db.session.flush()
        db.session.add(CaseCategory(case_id=case.id, category=Category.PWBD))
    db.session.commit()
    report = store_monthly_report(world.supervisor, world.pkl, date(2026, 2, 1), TODAY)
    text = pdf_text(report.pdf)
    matrix = text[text.index("Kasus terbuka per tahap"):]
    header = matrix[:matrix.index("PWBD")]  # the header row, up to the first category
    words = set(re.findall(r"\w+", header))
    with force_locale("id"):
        stages = [label(s, "rung") for s in dashboard(Scope.branch(world.pkl.id), TODAY).stages
                  if s]
    assert len(stages) >= 9
    broken = [w for stage in stages for w in re.findall(r"\w+", stage) if w not in words]
    assert broken == []


@pytest.mark.parametrize("who", ["supervisor", "regional"])
def test_reading_the_review_pages_commits_nothing(client, world, who):
    """The dashboard, the comparison, the review, the list of reports and a stored report are
    read without writing anything but the data-access log's line for the downloaded report."""
    report = store_monthly_report(None, world.pkl, date(2026, 2, 1), TODAY)
    db.session.commit()
    login(client, getattr(world, who))
    paths = ["/dashboard/", f"/dashboard/?branch={world.pkl.id}", "/dashboard/review",
             "/dashboard/reports", f"/dashboard/reports/{report.id}.pdf"]
    if who == "regional":
        paths.append("/dashboard/region")
    written = []

    def count(session, _context):
        written.extend((type(row).__name__, getattr(row, "action", None))
                       for row in [*session.new, *session.dirty, *session.deleted])

    logged_before = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    event.listen(Session, "after_flush", count)
    try:
        for path in paths:
            assert client.get(path).status_code == 200, path
    finally:
        event.remove(Session, "after_flush", count)
    assert written == []  # the access log's line is one INSERT of its own, no object
    assert db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.id > logged_before)).all() == ["download.monthly_report"]


def test_supervisor_cannot_make_another_branchs_report(client, world):
    """The branch field cannot be bent to another branch."""
    login(client, world.supervisor)
    post(client, "/dashboard/reports", {"period": "2026-02", "branch": world.tgl.id})
    assert db.session.scalars(select(MonthlyReport)).all() == []


def test_scheduler_checks_the_dashboard_summary_every_night(app):
    """The comparison of a branch's summary with its companies runs at night, every day."""
    from outreach.scheduler.lease import Leadership

    job = scheduler.build(app, Leadership("test:1")).get_job(job_runs.SUMMARY_CHECK)
    assert job is not None and job.func is scheduler.summary_check_job
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("*", "2", "0")
    scheduler.summary_check_job(app)  # handed to the queue, which runs it at once in tests
    run = db.session.scalars(select(JobRun).where(JobRun.job_id == job_runs.SUMMARY_CHECK)).one()
    assert run.outcome == "ok" and run.counts == {"summary_rebuilt": 0}


def test_scheduler_has_the_monthly_report_job(app):
    """The scheduler process runs the monthly reports on working days, after the sweep."""
    from outreach.scheduler.lease import Leadership

    built = scheduler.build(app, Leadership("test:1"))
    job = built.get_job(job_runs.MONTHLY_REPORTS)
    assert job is not None and job.func is scheduler.monthly_report_job
    assert {f.name: str(f) for f in job.trigger.fields}["day_of_week"] == "mon-fri"
    assert {f.name: str(f) for f in job.trigger.fields}["hour"] == "7"  # sweep 06:30 + 30 min


def test_scheduler_makes_last_months_reports_on_the_first_working_day(app, world):
    """On 2 March (the first working day) every active branch gets February's report, once;
    a scheduler that was down catches up on a later working day."""
    assert jobs.first_working_day_of_month(date(2026, 3, 2))
    assert not jobs.first_working_day_of_month(date(2026, 3, 3))
    assert jobs.first_working_day_of_month(date(2026, 2, 2))  # 1 February is a Sunday
    with time_machine.travel("2026-03-03 07:00 +0700", tick=False):
        scheduler.monthly_report_job(app)  # down on the 2nd: caught up on the 3rd
        scheduler.monthly_report_job(app)
    reports_made = db.session.scalars(select(MonthlyReport)).all()
    assert sorted(r.branch_id for r in reports_made) == sorted(
        [world.pkl.id, world.tgl.id, world.bdg.id])
    assert {r.period for r in reports_made} == {date(2026, 2, 1)}
    runs = db.session.scalars(select(JobRun).where(JobRun.job_id == job_runs.MONTHLY_REPORTS)).all()
    assert [(r.outcome, r.counts["reports"]) for r in runs] == [("ok", 3)]
    assert "Tegal" in pdf_text(next(r for r in reports_made if r.branch_id == world.tgl.id).pdf)
