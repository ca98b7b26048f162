"""Under load, with a real client (issue 19): gunicorn with four workers on PostgreSQL, fifty
signed-in users driven by locust for two minutes.

The data set is the pages' (`bench/generate.py`) in a database of its own, `bench_load`, on
the server of `BENCH_DATABASE_URL`, with USERS accounts of the bigger branch added (SUPERVISORS
supervisors, the rest officers, all with the generated password), the branch's companies
shared out between its officers, and the morning sweep run once so that every officer has
tasks. gunicorn serves it with the production settings (`OUTREACH_ENV=production`, a random
`SECRET_KEY`, `DATABASE_URL`), two-factor sign-in off (`OUTREACH_REQUIRE_2FA=0`: the accounts
have no authenticator). First one officer and one supervisor make a few requests of each page
one after the other (the idle figures), then locust runs the users of `bench/locustfile.py`
headless and writes its CSV files, which are read back here. Then (unless `--without-batch`)
the same again while a print batch of 2,000 visit forms of the other branch renders on the job
queue: a worker process (`flask --app wsgi worker`, the production settings, its two workers
at the default lower CPU priority) on the same database and a Redis queue (`bench.queue`).
"""

from __future__ import annotations

import csv
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import flask_migrate
import requests
from sqlalchemy import func, insert, select, text
from werkzeug.security import generate_password_hash

from bench import load_client
from bench.databases import DEFAULT_SERVER_URL, RESULTS_DIR, postgresql_database
from bench.generate import EMAIL_DOMAIN, Dataset, finish_load, generate
from bench.load_client import THINK, Account, Plan, Visitor, new_session
from bench.measure import percentile
from bench.queue import (
    BATCH_FORMS,
    QUEUE_URL,
    ask_batch,
    batch_state,
    due_for_visits,
    forms_rendered,
    queue_app,
    workers_running,
)
from bench.sweep import sweep_day
from outreach.cases.models import Case, CaseStatus
from outreach.extensions import db
from outreach.org.models import Role, User
from outreach.reports import summary
from outreach.scheduler import jobs
from outreach.tasks.models import Reminder

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "bench_load"
USERS = 50
SUPERVISORS = 5
SPAWN_RATE = 10
WORKERS = 4
#: the bigger branch of the generated data, whose staff the users are
BRANCH_ID = 1
#: requests of each page in the idle measurement, after IDLE_WARMUP untimed ones
IDLE_REQUESTS = 20
IDLE_WARMUP = 3
#: (company, open case) pairs the users pick from
PLAN_CASES = 5_000
#: the list's pages the users page through (the first ones, as people do)
LIST_PAGES = 20
#: the issue's targets: no errors; p95 under load while a batch renders on the queue within
#: this multiple of the same load test's p95 with the queue idle
TARGET_ERRORS = 0
TARGET_BATCH_RATIO = 1.3
#: the branch whose print batch renders during the second run (not the users' branch)
BATCH_BRANCH_ID = 2

LOAD_FINDINGS = """\
### Under load

The first run at 100,000 companies (1 December 2026; the load average was 8 to 9 on the two
cores before the test began, from other engineers' test runs) answered every request right
(0 errors), but the four workers could not keep up with fifty users: 5.5 requests/s in all,
and a p95 of 11 to 14 s per page against 0.1 to 0.6 s idle, so nearly all of a loaded
request's time was spent waiting for a worker. The ratio to compare with the issue's 1.3× needs
a machine that this benchmark has to itself.

- **The task page is the slowest page even idle**: 0.9 s median and 1.5 s p95 for an officer
  with about 660 open tasks (the sweep's reminders for 1,200 companies an officer). It
  lists every task (`tasks.service.tasks` without a limit), so its cost grows with the
  backlog, as the digests' did before they were capped at 25 tasks a group.
- The sign-ins are slow on purpose (scrypt password hashes): with fifty users starting ten a
  second they take the workers for several seconds, which is why the figures count from when
  every user has started.
- A small run (2,000 companies, so the fifty users shared about 1,000 open cases) once had one
  logged step answered with 400: the step form shown again with an error. Its message was not
  kept, so the cause is not known (one that fits: two users logging a step on the same case at
  once, when the second form's case version is stale); a refused form's messages are now
  recorded with the failure.
"""


@dataclass
class PageLoad:
    """One page (or all of them) under load, with its idle figure."""

    page: str
    requests: int
    failures: int
    median: float
    p95: float
    per_second: float
    idle_median: float | None = None
    idle_p95: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.p95 / self.idle_p95 if self.idle_p95 else None


@dataclass
class LoadRun:
    """The load test on PostgreSQL."""

    version: str
    dataset: Dataset
    accounts: int
    reminders: int
    seconds: int
    users: int
    workers: int
    pages: list[PageLoad] = field(default_factory=list)
    overall: PageLoad | None = None
    #: (occurrences, page, error) of every kind of failure
    failures: list[tuple[int, str, str]] = field(default_factory=list)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    #: the same while a print batch renders on the queue (empty with `--without-batch`)
    batch_pages: list[PageLoad] = field(default_factory=list)
    batch_overall: PageLoad | None = None
    batch_failures: list[tuple[int, str, str]] = field(default_factory=list)
    #: the batch's forms, and how many its parts had rendered when the users stopped
    batch_forms: int = 0
    batch_forms_done: int = 0
    batch_state: str = ""
    batch_load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def errors(self) -> int:
        return sum(n for n, _page, _error in [*self.failures, *self.batch_failures])

    def batch_ratio(self, page: PageLoad) -> float | None:
        """p95 while the batch renders over p95 with the queue idle, of a page (or all)."""
        without = self.overall if page.page == "All requests" else next(
            (p for p in self.pages if p.page == page.page), None)
        return page.p95 / without.p95 if without is not None and without.p95 else None

    def target_problems(self) -> list[str]:
        problems = [f"load test: {self.errors} errors"] if self.errors > TARGET_ERRORS else []
        if self.batch_overall is not None:
            ratio = self.batch_ratio(self.batch_overall)
            if ratio is not None and ratio > TARGET_BATCH_RATIO:
                problems.append(f"load test: p95 {ratio:.2f}× the idle queue's while a batch "
                                "renders")
        return problems


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def add_accounts(dataset: Dataset, today: date) -> list[Account]:
    """USERS accounts of the bigger branch with the generated password; the branch's
    companies shared out between all its officers, round the ids."""
    password_hash = generate_password_hash(dataset.password, method="scrypt")
    now = datetime.now(UTC)
    accounts, rows = [], []
    for n in range(1, USERS + 1):
        supervisor = n <= SUPERVISORS
        email = f"load-{'supervisor' if supervisor else 'officer'}{n:02d}.pkl@{EMAIL_DOMAIN}"
        rows.append({"email": email, "name": f"Petugas Beban {n:02d}",
                     "role": Role.SUPERVISOR if supervisor else Role.OFFICER,
                     "branch_id": BRANCH_ID, "region_id": None, "active": True,
                     "password_hash": password_hash, "locale": "id", "created_at": now,
                     "updated_at": now})
        accounts.append(Account(email, dataset.password, supervisor))
    db.session.execute(insert(User.__table__), rows)
    officers = list(db.session.scalars(select(User.id).where(
        User.branch_id == BRANCH_ID, User.role == Role.OFFICER).order_by(User.id)))
    db.session.execute(text(
        "UPDATE companies SET officer_id = (CAST(:ids AS integer[]))[id % :n + 1] "
        "WHERE branch_id = :branch"), {"ids": officers, "n": len(officers), "branch": BRANCH_ID})
    # the officers changed outside the session's flushes: the dashboard's summary again
    summary.rebuild([BRANCH_ID], today)
    db.session.commit()
    return accounts


def prepare(args, today: date) -> tuple[Dataset, Plan, int]:
    """Generate the data set in the current app's database; the users' plan; reminders; with
    the batch, the other branch's visits due for it."""
    dataset = generate(args.companies, args.steps, today, args.seed)
    accounts = add_accounts(dataset, today)
    run = jobs.morning_sweep(sweep_day(today))
    if run.outcome != "ok":
        raise RuntimeError(f"the sweep failed: {run.error}")
    reminders = db.session.scalar(select(func.count()).select_from(Reminder).join(
        User, User.id == Reminder.officer_id).where(User.email.like("load-%"))) or 0
    pairs = db.session.execute(select(Case.company_id, Case.id).where(
        Case.branch_id == BRANCH_ID, Case.status == CaseStatus.OPEN).order_by(Case.id)).all()
    rng = random.Random(args.seed)  # noqa: S311 - choosing sample cases
    cases = [tuple(p) for p in rng.sample(pairs, min(PLAN_CASES, len(pairs)))]
    pages = max(1, min(LIST_PAGES, -(-dataset.big_branch_companies // 50)))
    if args.with_batch:
        due_for_visits(BATCH_BRANCH_ID, min(BATCH_FORMS, args.queue_forms), today)
    finish_load()
    return dataset, Plan(accounts, cases, pages), reminders


@contextmanager
def gunicorn(url: str) -> Iterator[str]:
    """gunicorn with WORKERS sync workers and the production settings on `url`; its address."""
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if key not in ("SMTP_URL", "OUTREACH_ENV", "FLASK_DEBUG")}
    env.update(OUTREACH_ENV="production", SECRET_KEY=secrets.token_hex(32), DATABASE_URL=url,
               OUTREACH_REQUIRE_2FA="0")
    log = (RESULTS_DIR / "load-gunicorn.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind",
         f"127.0.0.1:{port}", "--timeout", "30", "wsgi:app"], cwd=ROOT, env=env,
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {log.name}")
            time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


class TimedSession(requests.Session):
    """A session to one server that times each request by the name it is given."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.times: dict[str, list[float]] = defaultdict(list)

    def request(self, method, url, *args, name: str | None = None, **kwargs):
        started = time.perf_counter()
        response = super().request(method, self.base + url, *args, **kwargs)
        self.times[name or url].append((time.perf_counter() - started) * 1000)
        return response


def measure_idle(base: str, plan: Plan, seed: int) -> dict[str, list[float]]:
    """Each page IDLE_REQUESTS times, one request after the other, by one officer (the
    dashboard by one supervisor): milliseconds by page."""
    times: dict[str, list[float]] = {}
    officer = next(a for a in plan.accounts if not a.supervisor)
    supervisor = next(a for a in plan.accounts if a.supervisor)
    for account, actions in ((officer, {
            load_client.LIST: "company_list", load_client.COMPANY: "company_page",
            load_client.TASKS: "tasks", load_client.STEP_POST: "log_step"}),
            (supervisor, {load_client.DASHBOARD: "dashboard"})):
        session = TimedSession(base)
        visitor = Visitor(new_session(session), plan, random.Random(seed))  # noqa: S311
        visitor.sign_in(account)
        for action in actions.values():
            for _ in range(IDLE_WARMUP):
                getattr(visitor, action)()
        session.times.clear()
        for action in actions.values():
            for _ in range(IDLE_REQUESTS):
                getattr(visitor, action)()
        times.update(session.times)
        session.close()
    return times


def run_locust(base: str, plan_path: Path, seconds: int, name: str = "load") -> Path:
    """locust headless with USERS users for `seconds`; the prefix of its CSV files. The
    figures start again once every user has started (`--reset-stats`): the sign-ins, a burst
    of password hashing at the start, are left out of the steady state."""
    prefix = RESULTS_DIR / name
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
               "--headless", "-u", str(USERS), "-r", str(SPAWN_RATE), "-t", f"{seconds}s",
               "--host", base, "--csv", str(prefix), "--only-summary", "--reset-stats",
               "--stop-timeout", "10", "--loglevel", "WARNING"]
    with (RESULTS_DIR / f"{name}-locust.log").open("wb") as log:
        # locust exits with 1 when any request failed: the failures are read from its CSV
        subprocess.run(command, cwd=ROOT, env={**os.environ, "LOAD_PLAN": str(plan_path)},
                       stdout=log, stderr=subprocess.STDOUT, timeout=seconds + 120,
                       check=False)
    if not Path(f"{prefix}_stats.csv").exists():
        raise RuntimeError(f"locust wrote no results; see {log.name}")
    return prefix


def read_stats(prefix: Path, idle: dict[str, list[float]]) -> tuple[
        list[PageLoad], PageLoad, list[tuple[int, str, str]]]:
    """locust's CSV files: each page's row (failures of its checks added), the aggregate,
    the failures."""
    with open(f"{prefix}_stats.csv", newline="") as stats:
        rows = list(csv.DictReader(stats))
    with open(f"{prefix}_failures.csv", newline="") as failures_file:
        failures = [(int(r["Occurrences"]), r["Name"], r["Error"])
                    for r in csv.DictReader(failures_file)]
    checks = defaultdict(int)
    for row in rows:
        if row["Type"] == "CHECK":
            checks[row["Name"]] += int(row["Failure Count"])

    def page_load(row: dict) -> PageLoad:
        page = PageLoad(row["Name"], int(row["Request Count"]),
                        int(row["Failure Count"]) + (checks[row["Name"]] if row["Type"]
                                                     != "CHECK" else 0),
                        float(row["50%"] or 0), float(row["95%"] or 0),
                        float(row["Requests/s"] or 0))
        if row["Name"] in idle:
            page.idle_median = statistics.median(idle[row["Name"]])
            page.idle_p95 = percentile(idle[row["Name"]], 95)
        return page

    pages = [page_load(r) for r in rows if r["Type"] in ("GET", "POST")]
    overall = page_load(next(r for r in rows if r["Name"] == "Aggregated"))
    overall.page = "All requests"
    everything = [t for name, ts in idle.items() for t in ts]
    overall.idle_median = statistics.median(everything)
    overall.idle_p95 = percentile(everything, 95)
    return pages, overall, failures


def run_load(args, today: date) -> LoadRun:
    """Build `bench_load`, serve it with gunicorn, measure idle, then under load with the
    queue idle, then (`with_batch`) under load while a print batch renders on the queue."""
    server = os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER_URL)
    RESULTS_DIR.mkdir(exist_ok=True)
    with postgresql_database(server, args.keep, name=DATABASE) as url:
        app = queue_app(url, QUEUE_URL)
        with app.app_context():
            flask_migrate.upgrade()
            version = str(db.session.scalar(text("SHOW server_version")))
            print(f"load: generating {args.companies:,} companies and {args.steps:,} steps "
                  "…", flush=True)
            dataset, plan, reminders = prepare(args, today)
            batch_user = db.session.scalar(select(User.id).where(
                User.branch_id == BATCH_BRANCH_ID, User.role == Role.OFFICER).order_by(User.id))
            db.session.remove()
            db.engine.dispose()
        plan_path = RESULTS_DIR / "load-plan.json"
        plan.write(plan_path)
        run = LoadRun(version, dataset, len(plan.accounts), reminders, args.load_seconds,
                      USERS, WORKERS)
        with gunicorn(url) as base:
            print(f"load: {dataset.companies:,} companies, {reminders:,} tasks of the "
                  f"{USERS} users; idle requests …", flush=True)
            idle = measure_idle(base, plan, args.seed)
            print(f"load: {USERS} users for {args.load_seconds} s …", flush=True)
            run.load_before = os.getloadavg()
            prefix = run_locust(base, plan_path, args.load_seconds)
            run.load_after = os.getloadavg()
            run.pages, run.overall, run.failures = read_stats(prefix, idle)
            if args.with_batch:
                with workers_running(url, QUEUE_URL, 2, log_name="load-worker.log") as worker:
                    job_id, _handed = ask_batch(app, batch_user, BATCH_BRANCH_ID, today)
                    print(f"load: {USERS} users for {args.load_seconds} s while a print batch "
                          "renders …", flush=True)
                    prefix = run_locust(base, plan_path, args.load_seconds, "load-batch")
                    run.batch_load_after = os.getloadavg()
                    job, rendered = batch_state(app, job_id), forms_rendered(app, job_id)
                    if worker.poll() is not None:
                        raise RuntimeError("the worker stopped during the load test")
                run.batch_pages, run.batch_overall, run.batch_failures = read_stats(prefix,
                                                                                    idle)
                run.batch_forms, run.batch_forms_done = job.total, rendered
                run.batch_state = job.state
                print(f"load: the batch rendered {rendered:,} of {job.total:,} forms ("
                      f"{job.state})", flush=True)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return run


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def load_table(run: LoadRun) -> str:
    """Each page under load beside its idle figures, the failures, the conditions."""
    lines = ["| Page | Requests | Errors | Requests/s | Median (ms) | p95 (ms) | Idle median "
             "(ms) | Idle p95 (ms) | p95 / idle p95 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for page in [*run.pages, run.overall]:
        bold = "**" if page is run.overall else ""
        ratio = f"{page.ratio:.1f}×" if page.ratio is not None else "–"
        lines.append(f"| {bold}{page.page}{bold} | {page.requests:,} | {page.failures:,} | "
                     f"{page.per_second:.1f} | {_ms(page.median)} | {bold}{_ms(page.p95)}"
                     f"{bold} | {_ms(page.idle_median)} | {_ms(page.idle_p95)} | {ratio} |")
    d = run.dataset
    lines += ["", f"PostgreSQL {run.version}: {d.companies:,} companies, {d.steps:,} steps, "
              f"{run.accounts} accounts of the bigger branch ({SUPERVISORS} supervisors) with "
              f"{run.reminders:,} tasks after the morning sweep; gunicorn with {run.workers} "
              f"sync workers; {run.users} locust users (started {SPAWN_RATE} a second) for "
              f"{run.seconds} s, pausing {THINK[0]:g} to {THINK[1]:g} s between actions; the "
              "figures count from when every user has started and signed in (locust's "
              "`--reset-stats`, so the sign-ins' password hashing is left out). Times are "
              "the client's, from request to the last byte of the answer; locust rounds its "
              "percentiles (to 2 significant digits above 100 ms). Idle: one user, "
              f"{IDLE_REQUESTS} requests of each page one after the other, before the load.",
              "", f"Load average (1 / 5 / 15 minutes) before the load: "
              f"{' / '.join(f'{v:.2f}' for v in run.load_before)}, after: "
              f"{' / '.join(f'{v:.2f}' for v in run.load_after)}. gunicorn, PostgreSQL and "
              "locust share the machine's two cores with each other and with other engineers' "
              "test runs.", ""]
    if run.failures:
        lines.append("Errors:\n")
        lines += [f"- {n} × {page}: {error}" for n, page, error in run.failures]
    else:
        lines.append("No errors.")
    if run.batch_overall is not None:
        lines += ["", batch_table(run)]
    return "\n".join(lines)


def batch_table(run: LoadRun) -> str:
    """The second run, while the print batch renders, beside the first (the queue idle)."""
    lines = [f"While a print batch of {run.batch_forms:,} visit forms (the other branch's) "
             "rendered on the job queue: the same users for the same time, and one worker "
             "process (`flask --app wsgi worker`, two workers at the default `--nice` of "
             "`OUTREACH_QUEUE_NICE`) on the same database and a Redis queue. The batch had "
             f"rendered {run.batch_forms_done:,} of its {run.batch_forms:,} forms when the "
             f"users stopped ({run.batch_state}).", "",
             "| Page | Requests | Errors | Requests/s | Median (ms) | p95 (ms) | p95, queue "
             "idle (ms) | p95 / p95 with the queue idle |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for page in [*run.batch_pages, run.batch_overall]:
        bold = "**" if page is run.batch_overall else ""
        ratio = run.batch_ratio(page)
        without = run.overall if page is run.batch_overall else next(
            (p for p in run.pages if p.page == page.page), None)
        lines.append(f"| {bold}{page.page}{bold} | {page.requests:,} | {page.failures:,} | "
                     f"{page.per_second:.1f} | {_ms(page.median)} | {bold}{_ms(page.p95)}"
                     f"{bold} | {_ms(without.p95 if without else None)} | "
                     f"{bold}{'–' if ratio is None else f'{ratio:.2f}×'}{bold} |")
    lines += ["", f"Load average after: {' / '.join(f'{v:.2f}' for v in run.batch_load_after)}."
              f" Target: p95 at most {TARGET_BATCH_RATIO}× the figure with the queue idle, "
              f"{TARGET_ERRORS} errors.", ""]
    if run.batch_failures:
        lines.append("Errors:\n")
        lines += [f"- {n} × {page}: {error}" for n, page, error in run.batch_failures]
    else:
        lines.append("No errors.")
    return "\n".join(lines)
