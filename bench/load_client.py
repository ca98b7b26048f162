"""What one simulated user of the load test does, over HTTP with `requests`.

Shared by the locust users (`bench/locustfile.py`) and the idle measurement of `bench/load.py`,
so that both send the same requests. Nothing here imports the app or locust (locust patches
the standard library with gevent when it is imported).
"""

from __future__ import annotations

import html
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import requests
from requests.cookies import RequestsCookieJar

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
HIDDEN_RE = re.compile(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"')
KIND_RE = re.compile(r'<input[^>]*type="radio"[^>]*name="kind"[^>]*value="([^"]+)"([^>]*)>')
DATE_RE = re.compile(r'<input[^>]*name="occurred_on"[^>]*value="([^"]*)"')
ERROR_RE = re.compile(r'<div class="(?:invalid-feedback d-block|alert alert-danger)" '
                      r'role="alert">([^<]+)</div>|<div class="invalid-feedback d-block">'
                      r'([^<]+)</div>')
#: outcomes of a phone call (`outreach.cases.service.OUTCOMES`)
OUTCOMES = ["promised", "refused", "unreachable", "no_response"]
NOTES = ["Telepon ke HRD, berjanji mendaftarkan pekerja bulan ini.",
         "Telepon tidak diangkat.", "Pemilik minta dikirim rincian iuran lewat surel."]

#: seconds a user pauses between two actions: reading a company's page or the task list,
#: making the phone call the step records, typing its notes (see docs/benchmarks.md)
THINK = (5.0, 15.0)
#: the pages, as the tables name them
LIST, COMPANY, TASKS, STEP_FORM, STEP_POST, DASHBOARD, SIGN_IN = (
    "Company list", "Company page", "Tasks", "Step form", "Log a step (POST)",
    "Dashboard (supervisor)", "Sign-in (POST)")


class PlainHttpCookies(RequestsCookieJar):
    """Keeps the production app's `Secure` cookies as plain ones, so that they go back over
    plain HTTP to 127.0.0.1: the benchmark talks to gunicorn directly, where a browser talks
    to the TLS-terminating proxy in front of it."""

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    supervisor: bool


@dataclass(frozen=True)
class Plan:
    """What the load test's users work on: their accounts, and (company, open case) pairs of
    the bench branch."""

    accounts: list[Account]
    cases: list[tuple[int, int]]
    list_pages: int

    def write(self, path: Path) -> None:
        path.write_text(json.dumps({"accounts": [a.__dict__ for a in self.accounts],
                                    "cases": self.cases, "list_pages": self.list_pages}))

    @classmethod
    def read(cls, path: Path) -> Plan:
        data = json.loads(path.read_text())
        return cls([Account(**a) for a in data["accounts"]],
                   [tuple(c) for c in data["cases"]], data["list_pages"])


def new_session(session: requests.Session) -> requests.Session:
    session.cookies = PlainHttpCookies()
    return session


class Problem(Exception):
    """An answer a user would notice as wrong (an error page, a sign-out, a refused form)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


def refusal(page: str) -> str:
    """The messages a refused form shows, for the failure's record."""
    return "; ".join(html.unescape(a or b).strip() for a, b in ERROR_RE.findall(page)) or "?"


def expect(response: requests.Response, status: int) -> requests.Response:
    if response.status_code != status:
        raise Problem(f"{response.request.method} {response.request.path_url} answered "
                      f"{response.status_code}, not {status}", response.status_code)
    return response


class Visitor:
    """One signed-in user's requests; `get` and `post` are the session's, or locust's client
    (whose requests are timed by locust under their `name`)."""

    def __init__(self, session: requests.Session, plan: Plan, rng: random.Random) -> None:
        self.session, self.plan, self.rng = session, plan, rng

    def get(self, path: str, name: str) -> requests.Response:
        return expect(self.session.get(path, name=name, allow_redirects=False), 200)

    def post(self, path: str, data: dict, name: str) -> requests.Response:
        return self.session.post(path, data=data, name=name, allow_redirects=False)

    def sign_in(self, account: Account) -> None:
        page = self.session.get("/auth/login", name="Sign-in page").text
        match = CSRF_RE.search(page)
        if match is None:
            raise Problem("no CSRF token on the sign-in page")
        response = self.session.post("/auth/login", name=SIGN_IN, allow_redirects=False, data={
            "csrf_token": match.group(1), "email": account.email,
            "password": account.password})
        expect(response, 302)
        if "/auth/login" in response.headers.get("Location", ""):
            raise Problem(f"sign-in of {account.email} refused")

    def company_list(self) -> None:
        page = self.rng.randint(1, self.plan.list_pages)
        self.get("/companies/" if page == 1 else f"/companies/?page={page}", LIST)

    def company_page(self) -> None:
        company_id, _case_id = self.rng.choice(self.plan.cases)
        self.get(f"/companies/{company_id}", COMPANY)

    def tasks(self) -> None:
        self.get("/tasks/", TASKS)

    def dashboard(self) -> None:
        self.get("/dashboard/", DASHBOARD)

    def log_step(self) -> None:
        """Open a case's step form, as the company page's button does, and log a phone call
        (or the step the form offers first) with the form's CSRF token and case version."""
        company_id, case_id = self.rng.choice(self.plan.cases)
        form = self.get(f"/cases/{case_id}/steps/new?kind=phone_call", STEP_FORM).text
        data = dict(HIDDEN_RE.findall(form))
        if "csrf_token" not in data:
            raise Problem("no CSRF token on the step form")
        kinds = KIND_RE.findall(form)
        if not kinds:
            return  # no step may be taken on this case today: a user would pick another
        codes = [code for code, _rest in kinds]
        kind = "phone_call" if "phone_call" in codes else next(
            (code for code, rest in kinds if "checked" in rest), codes[0])
        occurred_on = DATE_RE.search(form)
        data.update(kind=kind, occurred_on=occurred_on.group(1) if occurred_on else "",
                    outcome=self.rng.choice(OUTCOMES) if kind == "phone_call" else "",
                    notes=self.rng.choice(NOTES), met_name="", met_position="")
        response = self.post(f"/cases/{case_id}/steps/new", data, STEP_POST)
        if response.status_code != 302:
            raise Problem(f"the step on case {case_id} answered {response.status_code}: "
                          f"{refusal(response.text)}", response.status_code)
        if f"/companies/{company_id}" not in response.headers.get("Location", ""):
            raise Problem(f"the step on case {case_id} led to {response.headers.get('Location')}")
