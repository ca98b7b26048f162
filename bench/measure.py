"""Timing pages through the real app: sign in with the test client, count queries, time requests.

The test client calls the WSGI app in-process, so the wall time of `client.get` is the server
time (routing, sign-in check, queries, rendering), without a network or a browser. Beside it,
the time of the request's SQL alone, the floor the page's time can reach: right after each
timed request, the statements it sent (as the driver received them, parameters and all) are
sent again on a connection of their own through the driver, every row fetched, and rolled
back (the company page writes a row per view).
"""

from __future__ import annotations

import random
import re
import statistics
import time
from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from bench.generate import Dataset
from outreach.core.audit import record_access
from outreach.extensions import db
from outreach.org.models import User

#: a page is timed at least this many times, then until PAGE_BUDGET_S seconds have gone by
MIN_REQUESTS = 10
PAGE_BUDGET_S = 60.0
CSRF_RE = re.compile(rb'<meta name="csrf-token" content="([^"]+)"')
ROW_RE = re.compile(rb'<a href="/companies/\d+">')


@dataclass
class PageResult:
    """Timings (ms) and query counts of one page over its requests."""

    page: str
    times_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    note: str = ""
    #: the time of each request's SQL alone (ms)
    sql_ms: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        return percentile(self.times_ms, 95)

    @property
    def sql_median(self) -> float:
        return statistics.median(self.sql_ms) if self.sql_ms else 0.0

    @property
    def sql_p95(self) -> float:
        return percentile(self.sql_ms, 95) if self.sql_ms else 0.0

    @property
    def query_range(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}–{high}"


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile, interpolated between the closest ranks."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class QueryCounter:
    """Counts the statements the app's engine sends to the database and keeps them, to time
    them again alone (`replay`)."""

    def __init__(self, app: Flask) -> None:
        self.count = 0
        self.statements: list[tuple[str, object, bool]] = []
        with app.app_context():
            self.engine = db.engine
        event.listen(self.engine, "before_cursor_execute", self._count)

    def reset(self) -> None:
        self.count, self.statements = 0, []

    def _count(self, _conn, _cursor, statement, parameters, _context, executemany) -> None:
        self.count += 1
        self.statements.append((statement, parameters, executemany))

    def replay(self) -> float:
        """Milliseconds the last request's statements take alone: sent again through the
        driver on a connection of their own, every row fetched, then rolled back."""
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            started = time.perf_counter()
            for statement, parameters, many in self.statements:
                if many:
                    cursor.executemany(statement, parameters)
                else:
                    cursor.execute(statement, parameters)
                if cursor.description is not None:
                    cursor.fetchall()
            elapsed = (time.perf_counter() - started) * 1000
            cursor.close()
            connection.rollback()
        finally:
            connection.close()
        return elapsed

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def sign_in(client: FlaskClient, email: str, password: str) -> None:
    """Sign in the way a browser does: read the CSRF token from the page, post the form."""
    page = client.get("/auth/login")
    match = CSRF_RE.search(page.data)
    if match is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    response = client.post("/auth/login", data={
        "email": email, "password": password, "csrf_token": match.group(1).decode()})
    if response.status_code != 302:
        raise RuntimeError(f"sign-in failed ({response.status_code})")


@dataclass
class Measurement:
    """Everything measured on one database."""

    pages: list[PageResult]
    #: query count of the list at 10 and at 100 rows per page
    queries_per_page_size: dict[int, int]
    company_steps_mean: float
    #: median ms of the data-access log row a company page writes (INSERT and COMMIT alone)
    log_row_ms: float = 0.0


class Bench:
    """Requests against one app with one signed-in client."""

    def __init__(self, app: Flask, dataset: Dataset, requests: int, warmup: int,
                 seed: int = 1, regional: bool = False) -> None:
        self.app, self.dataset = app, dataset
        self.requests, self.warmup = requests, warmup
        #: the regional scope: every page read by regional staff of the whole region
        self.regional = regional
        self.rng = random.Random(seed)  # noqa: S311 - choosing sample pages
        self.client = app.test_client()
        sign_in(self.client, dataset.regional_email if regional else dataset.login_email,
                dataset.password)
        self.counter = QueryCounter(app)

    def get(self, url: str) -> tuple[float, int, bytes]:
        """One request: milliseconds, queries, body; anything but 200 stops the benchmark."""
        self.counter.reset()
        started = time.perf_counter()
        response = self.client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        return elapsed, self.counter.count, response.data

    def time_urls(self, page: str, urls: list[str], note: str = "") -> PageResult:
        """Warm up on the first urls, then time one request per remaining url (a slow page:
        at least MIN_REQUESTS, then until PAGE_BUDGET_S has gone by)."""
        result = PageResult(page, note=note)
        for url in urls[:self.warmup]:
            self.get(url)
        started = time.perf_counter()
        for url in urls[self.warmup:]:
            if len(result.times_ms) >= MIN_REQUESTS \
                    and time.perf_counter() - started > PAGE_BUDGET_S:
                break
            elapsed, queries, _body = self.get(url)
            result.times_ms.append(elapsed)
            result.queries.append(queries)
            result.sql_ms.append(self.counter.replay())
        return result

    def time_dashboard(self, total: int) -> PageResult:
        """The supervisor's dashboard of the bigger branch, signed in as its supervisor (in the
        regional scope: the region's, as the regional user)."""
        if self.regional:
            return self.time_urls("Dashboard (regional)", ["/dashboard/"] * total)
        officer_client = self.client
        self.client = self.app.test_client()
        sign_in(self.client, self.dataset.supervisor_email, self.dataset.password)
        try:
            return self.time_urls("Dashboard (supervisor)", ["/dashboard/"] * total)
        finally:
            self.client = officer_client

    def time_log_row(self, company_id: int, rounds: int = 20) -> float:
        """Median ms of writing and committing one data-access log row, as a company page view
        does (`core.views.log_access`), outside a request."""
        email = self.dataset.regional_email if self.regional else self.dataset.login_email
        times = []
        with self.app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            for _ in range(rounds):
                started = time.perf_counter()
                record_access(user, "view.company", "company", company_id, {}, branch_id=None)
                db.session.commit()
                times.append((time.perf_counter() - started) * 1000)
            db.session.remove()
        return statistics.median(times)

    def company_sample(self) -> tuple[list[int], float]:
        """Companies whose open case has between the mean and twice the mean number of steps."""
        cases = self.dataset.open_case_steps
        mean = statistics.mean(n for _, n in cases)
        busy = [(c, n) for c, n in cases if mean <= n <= 2 * mean] or cases
        wanted = self.warmup + self.requests
        chosen = self.rng.sample(busy, min(wanted, len(busy)))
        while len(chosen) < wanted:  # tiny data sets: repeat
            chosen.append(self.rng.choice(busy))
        sampled = chosen[self.warmup:]
        return [c for c, _ in chosen], statistics.mean(n for _, n in sampled)

    def run(self) -> Measurement:
        total = self.warmup + self.requests
        pages = []
        list_result = self.time_urls(
            "Company list (regional, 50 rows)" if self.regional
            else "Company list (default filters, 50 rows)", ["/companies/"] * total)
        _ms, _q, body = self.get("/companies/")
        rows = len(ROW_RE.findall(body))
        readable = (self.dataset.companies if self.regional
                    else self.dataset.big_branch_companies)
        if rows != min(50, readable):
            raise RuntimeError(f"the company list shows {rows} rows, not 50")
        pages.append(list_result)
        ids, steps_mean = self.company_sample()
        pages.append(self.time_urls(
            "Company page (open case)", [f"/companies/{i}" for i in ids],
            note=f"{len(ids) - self.warmup} companies, {steps_mean:.1f} steps on average"))
        busiest_id, busiest_steps = max(self.dataset.open_case_steps, key=lambda c: c[1])
        pages.append(self.time_urls(
            "Company page (busiest case)", [f"/companies/{busiest_id}"] * total,
            note=f"{busiest_steps} steps"))
        per_size = {size: self.get(f"/companies/?per_page={size}")[1] for size in (10, 100)}
        pages.append(self.time_dashboard(total))
        self.counter.close()
        return Measurement(pages, per_size, steps_mean, self.time_log_row(ids[0]))
