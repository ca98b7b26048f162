"""`python -m bench --only lighthouse`: Lighthouse's performance and accessibility audit of the
phone pages (the officer's tasks, a company page, the step form) in Debian's Chromium.

The demo data (60 companies a branch, today's morning sweep) on a SQLite file,
the app served on a local port, Lighthouse 12.2.3 from the npm registry (installed into
`bench/node_modules` with `npm install --no-save` when missing; Node 20) run headless with
its mobile defaults (a Moto G Power screen, simulated slow 4G and a 4× slower CPU), signed in
as an officer through the session cookie of a real sign-in.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from werkzeug.serving import make_server

from outreach import create_app

HERE = Path(__file__).resolve().parent
LIGHTHOUSE_VERSION = "12.2.3"
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "demo12345"  # noqa: S105 - the demo's
OFFICER = "officer1.pkl@outreach-demo.id"
#: demo companies a branch: the audited pages show one officer's day, one company, one form
COMPANIES = 60
#: the block of docs/benchmarks.md this part writes (a full run keeps the last one)
START, END = "<!-- lighthouse:start -->", "<!-- lighthouse:end -->"


@dataclass
class Audit:
    """One page's scores (0–100) and the metrics behind the performance score."""

    page: str
    path: str
    performance: int
    accessibility: int
    first_contentful_paint_ms: int
    largest_contentful_paint_ms: int
    total_blocking_time_ms: int
    cumulative_layout_shift: float
    #: the accessibility checks the page fails (Lighthouse's audit ids)
    failed: list[str]


def ensure_lighthouse() -> Path:
    """Lighthouse in bench/node_modules, installed from the npm registry when missing."""
    if not LIGHTHOUSE.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("the Lighthouse audit needs Node 20 and npm")
        subprocess.run([npm, "install", "--no-save", "--no-audit", "--no-fund",  # noqa: S603
                        "--prefix", str(HERE), f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)
    return LIGHTHOUSE


def _seed(app) -> tuple[int, int]:
    """The demo data; the company and case of the officer's first task."""
    import flask_migrate

    from outreach.cases.models import Case
    from outreach.core import clock
    from outreach.extensions import db
    from outreach.maintenance import demo
    from outreach.org.models import User
    from outreach.scheduler import jobs
    from outreach.tasks import service as tasks

    with app.app_context():
        flask_migrate.upgrade(directory=str(HERE.parent / "migrations"))
        demo.seed(companies_per_branch=COMPANIES, password=PASSWORD)
        db.session.commit()
        jobs.morning_sweep(clock.today())
        officer = db.session.scalars(select(User).where(User.email == OFFICER)).one()
        groups = tasks.tasks(officer, clock.today())
        first = (groups["overdue"] + groups["today"])[0]
        case = db.session.get(Case, first.case_id)
        return case.company_id, case.id


def _session_cookie(app) -> str:
    """The session cookie of the officer signed in through the sign-in form."""
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"email": OFFICER, "password": PASSWORD,
                                                "csrf_token": token})
    assert response.status_code == 302, "the demo officer could not sign in"
    return client.get_cookie("session").value


def _audit(lighthouse: Path, url: str, cookie: str, folder: Path) -> dict:
    report = folder / "report.json"
    subprocess.run([  # noqa: S603 - our own arguments
        str(lighthouse), url, "--quiet", "--output=json", f"--output-path={report}",
        "--only-categories=performance,accessibility", f"--chrome-path={CHROMIUM}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        f"--extra-headers={json.dumps({'Cookie': f'session={cookie}'})}"],
        check=True, env={**os.environ, "CHROME_PATH": CHROMIUM})
    return json.loads(report.read_text())


def run_lighthouse() -> list[Audit]:
    """Audit the three phone pages; their scores."""
    lighthouse = ensure_lighthouse()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    audits = []
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "lighthouse.db"
        app = create_app({"ENV_NAME": "development",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                          "SECRET_KEY": "bench-only"})
        company_id, case_id = _seed(app)
        cookie = _session_cookie(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            for name, path in (("Tasks", "/tasks/"), ("Company page", f"/companies/{company_id}"),
                               ("Step form", f"/cases/{case_id}/steps/new")):
                print(f"lighthouse: {name} …", flush=True)
                report = _audit(lighthouse, base + path, cookie, Path(folder))
                assert report["finalDisplayedUrl"].endswith(path), report["finalDisplayedUrl"]
                metric = report["audits"]
                audits.append(Audit(
                    name, re.sub(r"\d+", "<id>", path),
                    round(report["categories"]["performance"]["score"] * 100),
                    round(report["categories"]["accessibility"]["score"] * 100),
                    round(metric["first-contentful-paint"]["numericValue"]),
                    round(metric["largest-contentful-paint"]["numericValue"]),
                    round(metric["total-blocking-time"]["numericValue"]),
                    round(metric["cumulative-layout-shift"]["numericValue"], 3),
                    [ref["id"] for ref in report["categories"]["accessibility"]["auditRefs"]
                     if ref["weight"] and (metric[ref["id"]]["score"] is not None)
                     and metric[ref["id"]]["score"] < 1]))
        finally:
            server.shutdown()
    return audits


def section(audits: list[Audit], today: str) -> str:
    """The Markdown block of docs/benchmarks.md."""
    rows = "\n".join(
        f"| {a.page} (`{a.path}`) | {a.performance} | {a.accessibility} | "
        f"{a.first_contentful_paint_ms:,} | {a.largest_contentful_paint_ms:,} | "
        f"{a.total_blocking_time_ms:,} | {a.cumulative_layout_shift} | "
        f"{', '.join(f'`{f}`' for f in a.failed) or '–'} |" for a in audits)
    return f"""{START}
## Lighthouse on the phone pages

`python -m bench --only lighthouse` ({today}): Lighthouse {LIGHTHOUSE_VERSION} in Debian's
Chromium, headless, with its mobile defaults (simulated slow 4G, 4× CPU slowdown), on the demo
data ({COMPANIES} companies a branch, today's sweep), signed in as `{OFFICER}`. Scores out of 100;
first and largest contentful paint (FCP, LCP) and total blocking time (TBT) in ms, cumulative
layout shift (CLS).

| page | performance | accessibility | FCP | LCP | TBT | CLS | accessibility checks failed |
|---|---:|---:|---:|---:|---:|---:|---|
{rows}
{END}"""


def write_section(document: str, block: str) -> str:
    """`document` with its Lighthouse block replaced by `block` (added at the end if none)."""
    if START in document and END in document:
        before, rest = document.split(START, 1)
        return before + block + rest.split(END, 1)[1]
    return document.rstrip("\n") + "\n\n" + block + "\n"


def kept_section(document: str) -> str | None:
    """The Lighthouse block of an earlier report, if it has one."""
    if START in document and END in document:
        return START + document.split(START, 1)[1].split(END, 1)[0] + END
    return None
