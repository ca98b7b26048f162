"""Test data for the browser tests, made through the services, and shared browser steps.

The server runs on the real clock, so the history of a case is dated backwards from today
in working days of the branch's calendar: the ladder's waiting periods have then elapsed
whatever day the suite runs on.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from pypdf import PdfReader

from outreach.calendar.rules import WorkingCalendar
from outreach.cases import service as case_service
from outreach.cases.models import Case, Category, Step
from outreach.companies.models import Company
from outreach.core import clock
from outreach.extensions import db
from outreach.org.models import Branch, Role, User
from tests import factories
from tests.conftest import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

BASE = "https://outreach.example.id"
#: the company's NPWP as stored (digits only) and as an officer might type it from a scan
NPWP = "012345678901234"
NPWP_BADLY_TYPED = " 01.234 567,8-901 234 "


@dataclass
class World:
    """One branch with an officer, a supervisor and a non-compliant company with an open case."""

    branch: Branch
    officer: User
    supervisor: User
    company: Company
    case: Case
    today: date

    def working_days_ago(self, n: int) -> date:
        """The day `n` working days before today on the branch's calendar."""
        return working_days_before(self.branch, self.today, n)


def working_days_before(branch: Branch, today: date, n: int) -> date:
    """The day `n` working days before `today` on the branch's calendar."""
    calendar = WorkingCalendar.for_branch(branch.id)
    day = today
    while n > 0:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def make_world(make_branch, make_user, make_company, opened_days_ago: int = 250) -> World:
    """A branch, its two users and PT Batik Pesisir Sejahtera (NPWP known, case open)."""
    branch = make_branch("KC-PKL", "Pekalongan")
    branch.head_name = "Dwi Ananda Pratama"
    officer = make_user(Role.OFFICER, branch=branch, name="Siti Rahmawati",
                        email="siti@example.org")
    supervisor = make_user(Role.SUPERVISOR, branch=branch, name="Agus Wibowo",
                           email="agus@example.org")
    for n, npwp in enumerate(("998877665544332", "112233445566778"), start=1):
        make_company(branch, f"CV Lain Usaha {n}", npwp=npwp, categories=(Category.PDS_TK,))
    today = clock.today()
    company = make_company(branch, "PT Batik Pesisir Sejahtera", categories=(Category.PWBD,),
                           npwp=NPWP, director_name="Budi Santoso",
                           address="Jl. Hayam Wuruk 10", kecamatan="Pekalongan Barat",
                           city="Kota Pekalongan", workers_estimated=40, workers_registered=0,
                           average_wage=2_500_000, officer_id=officer.id,
                           opened_on=working_days_before(branch, today, opened_days_ago))
    db.session.commit()  # the branch's head
    factories.partner_offices(branch, "Kota Pekalongan")
    return World(branch, officer, supervisor, company, company.cases[0], today)


def log(world: World, kind: str, day: date, *, deliver: bool = True, issue: bool = True,
        outcome: str = "") -> Step:
    """Log a step on the case dated `day` (a working day); when `issue`, have the supervisor
    approve it if the rung needs it and issue its letter that day; when `deliver`, deliver it
    by hand that day."""
    step = case_service.log_step(world.officer, world.case, kind=kind, occurred_on=day,
                                 today=day, outcome=outcome)
    if issue and step.approval_status == "requested":
        case_service.decide_approval(world.supervisor, step, approve=True, note="",
                                     now=datetime.combine(day, time(9), UTC))
    if step.letter is not None and issue:
        case_service.issue_letter(world.officer, step.letter, day, BASE)
    if step.letter is not None and issue and deliver:
        case_service.record_delivery(world.officer, step, delivered=True, on=day,
                                     today=day, method="hand", recipient="Pak Joko")
    db.session.commit()
    return step


def photo_jpeg() -> bytes:
    """A small real JPEG, as a phone camera would send (smaller)."""
    return factories.photo("JPEG")


def pdf_text(data: bytes) -> str:
    """All the text of a PDF, as a reader would extract it."""
    assert data.startswith(b"%PDF-"), data[:200]
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


# --- browser steps --------------------------------------------------------------------------

#: how long a browser action may wait for the page (ms); the app answers locally
TIMEOUT_MS = 15_000


def new_context(browser: Browser, base_url: str, **options) -> BrowserContext:
    """A fresh browser context (own cookies) on the live server."""
    context = browser.new_context(base_url=base_url, accept_downloads=True, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def no_horizontal_scroll(page: Page) -> None:
    """The page fits the screen's width: nothing to scroll sideways.

    A mobile browser widens `window.innerWidth` to content that is too wide (it zooms out),
    so the content is also compared with the layout viewport (`clientWidth`).
    """
    content, window, layout = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth,"
        " document.documentElement.clientWidth]")
    assert content <= min(window, layout), (
        f"{page.url} scrolls sideways: content {content} px wide on a {layout} px screen; "
        "sticking out: " + ", ".join(page.evaluate(WIDER_THAN_SCREEN)))


#: the outermost elements sticking out of the screen, to name in a failure
WIDER_THAN_SCREEN = """() => {
  const out = [];
  const width = document.documentElement.clientWidth;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 0.5 && !out.some(o => o.el.contains(el))) {
      out.push({el, text: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.className && typeof el.className === 'string'
                 ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
                ' (right edge ' + Math.round(r.right) + ')'});
    }
  }
  return out.slice(0, 8).map(o => o.text);
}"""


def sign_in(page: Page, user: User, password: str = PASSWORD,
            check: Callable[[Page], None] = lambda page: None) -> None:
    """Sign in through the form at /auth/login; `check` runs on both pages seen."""
    page.goto("/auth/login")
    check(page)
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(password)
    page.locator("main").get_by_role("button", name="Masuk").click()
    # officers land on their tasks, supervisors on the dashboard
    page.wait_for_url(lambda url: "/auth/login" not in url)
    check(page)
