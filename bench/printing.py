"""Batch printing of letters: the app's renderer against WeasyPrint alone (issue 4).

The letters: the next letter of open cases of a small generated data set, built the way
issuing builds them (`letter_data` and `build_html` with a number, a verify code and its QR
code). The same HTML documents are then rendered in three ways, one after the other, in rounds
(every other round in reverse order), with no database work in this process meanwhile:

- raw: `weasyprint.HTML(string=...).write_pdf(stylesheets=[CSS])`, one after the other in this
  process, with the app's stylesheet parsed once and a fetcher that serves the one bundled
  logo (so that raw and app render the same document);
- app, one core: `outreach.letters.batch.render_many(htmls, workers=1)` and `merge`;
- app, both cores: the same with one worker per core (`default_workers()`).
"""

from __future__ import annotations

import gc
import io
import os
import random
import resource
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from bench.generate import generate
from outreach.cases.models import Case, CaseStatus
from outreach.companies.models import Company
from outreach.extensions import db
from outreach.ladder import rules as policy
from outreach.letters import numbering
from outreach.letters import service as letter_service
from outreach.letters.batch import default_workers, merge, render_many
from outreach.letters.fetcher import ASSET_DIR, ASSET_SCHEME
from outreach.letters.render import STYLESHEET

#: the app's throughput on one core as a share of raw WeasyPrint's, at least
TARGET_RAW_SHARE = 0.9
#: the app's throughput on every core over its throughput on one, at least
TARGET_SPEEDUP = 1.6
BASE_URL = "https://outreach.example.id"
CODE_ALPHABET = letter_service.CODE_ALPHABET


#: the three ways, in the order of the first round (the second goes backwards)
RAW, ONE, EVERY = "raw", "one", "every"


@dataclass
class PrintTiming:
    """One way of rendering the letters, once."""

    way: str
    label: str
    workers: int
    round: int
    seconds: float
    #: CPU seconds of this process and of its finished children during the run
    cpu_seconds: float
    #: of `seconds`, merging the PDFs into one document (the app's batch only)
    merge_seconds: float = 0.0
    pages: int = 0
    #: load average (1 minute) after the run
    load_after: float = 0.0
    #: seconds waited for the machine to be quiet before the run
    waited: float = 0.0
    #: share of the machine (all cores) other processes used during the run
    others_share: float = 0.0

    def per_second(self, letters: int) -> float:
        return letters / self.seconds


@dataclass
class PrintingRun:
    """Raw WeasyPrint, the app on one core and on every core, on the same letters."""

    letters: int
    cores: int
    templates: dict[str, int] = field(default_factory=dict)
    html_kb: float = 0.0
    build_seconds: float = 0.0
    timings: list[PrintTiming] = field(default_factory=list)
    load_before: float = 0.0

    def best(self, way: str) -> PrintTiming:
        """The fastest round of a way (the one least disturbed by other work)."""
        return min((t for t in self.timings if t.way == way), key=lambda t: t.seconds)

    @property
    def raw(self) -> PrintTiming:
        return self.best(RAW)

    @property
    def one(self) -> PrintTiming:
        return self.best(ONE)

    @property
    def every(self) -> PrintTiming:
        return self.best(EVERY)

    @property
    def raw_share(self) -> float:
        return self.one.per_second(self.letters) / self.raw.per_second(self.letters)

    @property
    def speedup(self) -> float:
        return self.every.per_second(self.letters) / self.one.per_second(self.letters)

    def target_problems(self) -> list[str]:
        """What misses a target (empty when all are met)."""
        problems = []
        if self.raw_share < TARGET_RAW_SHARE:
            problems.append(f"printing: the app on one core reaches {self.raw_share:.0%} of "
                            f"raw WeasyPrint's throughput")
        if self.every.workers < 2:
            problems.append(f"printing: only {self.every.workers} core, no speed-up measured")
        elif self.speedup < TARGET_SPEEDUP:
            problems.append(f"printing: {self.every.workers} workers give {self.speedup:.2f}× "
                            f"the one-core throughput")
        return problems


def build_letters(app: Flask, n: int, today: date, seed: int) -> tuple[list[str], Counter]:
    """The HTML of `n` letters as issuing builds them, from a small generated data set."""
    rng = random.Random(seed)  # noqa: S311 - repeatable verify codes
    with app.app_context():
        generate(max(2 * n, 50), max(2 * n, 50) * 10, today, seed, open_share=1.0,
                 paused_share=0.0)
        branch_ids = db.session.scalars(select(Company.branch_id).distinct()).all()
        letter_rungs = {(branch_id, r.code): r for branch_id in branch_ids
                        for r in policy.ladder_for(branch_id) if r.is_letter and r.template_code}
        cases = [c for c in db.session.scalars(
            select(Case).where(Case.status == CaseStatus.OPEN)
            .options(joinedload(Case.company).joinedload(Company.branch),
                     joinedload(Case.company).joinedload(Company.officer))
            .order_by(Case.id)).unique()
            if (c.branch_id, c.next_rung) in letter_rungs]
        if not cases:
            raise RuntimeError("no open case has a letter as its next step")
        htmls, mix = [], Counter()
        for index in range(n):
            case = cases[index % len(cases)]
            rung = letter_rungs[(case.branch_id, case.next_rung)]
            template = letter_service.current_template(rung.template_code, case.branch_id)
            branch = case.company.branch
            data = letter_service.letter_data(case, None, template, case.company.officer, today)
            number = numbering.format_number(branch.letter_number_format, seq=index + 1,
                                             classification=template.classification,
                                             unit=branch.letter_unit_code or branch.code,
                                             issued_on=today)
            code = "".join(rng.choice(CODE_ALPHABET) for _ in range(10))
            verify_url = f"{BASE_URL}/verify/{code}"
            data["letter"].update(number=number, verify_code=code, verify_url=verify_url)
            htmls.append(letter_service.build_html(template, data, draft=False,
                                                   qr_url=verify_url))
            mix[template.code] += 1
        db.session.remove()
        db.engine.dispose()
    return htmls, mix


class BundledAssets(URLFetcher):
    """The raw run's fetcher: the bundled files for `asset:` URLs, read once."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("asset",))
        self.files = {p.name: p.read_bytes() for p in ASSET_DIR.iterdir() if p.is_file()}

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        body = self.files[url[len(ASSET_SCHEME):]]
        return URLFetcherResponse(url, body, {"Content-Type": "image/svg+xml"}, 200)


def raw_weasyprint() -> Callable[[list[str]], list[bytes]]:
    """WeasyPrint on its own: each document rendered in turn with the same stylesheet."""
    css = CSS(string=STYLESHEET.read_text(encoding="utf-8"))
    fetcher = BundledAssets()

    def render(htmls: list[str]) -> list[bytes]:
        return [HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[css])
                for html in htmls]
    return render


def _cpu() -> float:
    """CPU seconds of this process and its finished children."""
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                         resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _machine_cpu() -> float:
    """CPU seconds every process of the machine has used (Linux `/proc/stat`; 0 elsewhere)."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(v) for v in stat.readline().split()[1:9]]
    except OSError:
        return 0.0
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


class OtherLoad:
    """How much of the machine other processes use while this one measures.

    With two cores shared with other people's test runs, the two-worker figure can only show
    a speed-up when the other core is free; this tells whether it was."""

    def __init__(self) -> None:
        self.cores = os.cpu_count() or 1
        self.start()

    def start(self) -> None:
        self.machine, self.own, self.started = _machine_cpu(), _cpu(), time.perf_counter()

    def share(self) -> float:
        """Others' share of the machine since `start`."""
        elapsed = time.perf_counter() - self.started
        others = (_machine_cpu() - self.machine) - (_cpu() - self.own)
        return max(0.0, others / (elapsed * self.cores)) if elapsed > 0 else 0.0

    def wait_for_quiet(self, max_seconds: float, below: float = 0.15,
                       window: float = 5.0) -> float:
        """Wait until others use less than `below` of the machine over `window` seconds
        (at most `max_seconds`); returns the seconds waited."""
        started = time.perf_counter()
        while time.perf_counter() - started < max_seconds:
            self.start()
            time.sleep(window)
            if self.share() < below:
                break
        return time.perf_counter() - started


def _page_count(pdfs: list[bytes]) -> int:
    return sum(len(PdfReader(io.BytesIO(pdf)).pages) for pdf in pdfs)


def _time(way: tuple, round_: int, load: OtherLoad) -> tuple[PrintTiming, list[bytes]]:
    name, label, workers, render, merge_all = way
    gc.collect()
    load.start()
    cpu, started = _cpu(), time.perf_counter()
    pdfs = render()
    rendered = time.perf_counter()
    if merge_all:
        pdfs = [merge(pdfs)]
    finished = time.perf_counter()
    timing = PrintTiming(name, label, workers, round_, finished - started, _cpu() - cpu,
                         merge_seconds=finished - rendered if merge_all else 0.0,
                         load_after=os.getloadavg()[0], others_share=load.share())
    return timing, pdfs


def run_printing(app: Flask, letters: int, today: date, seed: int,
                 workers: int | None = None, quiet_wait: float = 0.0,
                 rounds: int = 2) -> PrintingRun:
    """Build the letters, then time raw WeasyPrint, the app on one core and on every core,
    `rounds` times, every other round in reverse order (so that a change of the machine's
    load over the run does not favour one way); before each timing wait for other processes
    to leave the machine, `quiet_wait` seconds in all at most."""
    started = time.perf_counter()
    htmls, mix = build_letters(app, letters, today, seed)
    run = PrintingRun(letters, os.cpu_count() or 1, dict(mix.most_common()),
                      sum(len(h.encode()) for h in htmls) / len(htmls) / 1024,
                      time.perf_counter() - started)
    every = workers or default_workers()
    print(f"printing: {letters} letters built in {run.build_seconds:.1f} s "
          f"({', '.join(f'{k} {v}' for k, v in run.templates.items())}); rendering …",
          flush=True)
    raw = raw_weasyprint()
    # Untimed: the first document of each way pays for loading fonts and parsing the CSS.
    raw(htmls[:2])
    render_many(htmls[:2], workers=1)
    run.load_before = os.getloadavg()[0]
    ways = [(RAW, "WeasyPrint alone", 1, lambda: raw(htmls), False),
            (ONE, "App, one core", 1, lambda: render_many(htmls, workers=1), True),
            (EVERY, f"App, {every} workers", every,
             lambda: render_many(htmls, workers=every), True)]
    load, budget = OtherLoad(), quiet_wait
    for round_ in range(1, rounds + 1):
        for way in ways if round_ % 2 else reversed(ways):
            waited = load.wait_for_quiet(budget) if budget > 0 else 0.0
            budget -= waited
            timing, pdfs = _time(way, round_, load)
            timing.pages, timing.waited = _page_count(pdfs), waited
            run.timings.append(timing)
            print(f"printing: round {round_}, {timing.label}: {timing.seconds:.1f} s, "
                  f"{timing.per_second(letters):.2f} letters/s, {timing.pages} pages; others "
                  f"used {timing.others_share:.0%} of the machine (waited {waited:.0f} s)",
                  flush=True)
            del pdfs
    return run
