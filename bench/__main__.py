"""`python -m bench`: generate the data sets, time the pages, the sweep and printing, report.

    python -m bench                                   # 100,000 companies, 1,000,000 steps,
                                                      # 100,000 open cases swept, 500 letters,
                                                      # SQLite and PostgreSQL; the regional
                                                      # scope (1,000,000 companies in 35
                                                      # branches) on PostgreSQL
    python -m bench --quick                           # small data sets, SQLite, no report:
                                                      # about a minute
    python -m bench --only sweep --db postgresql      # one measurement
    python -m bench --only lighthouse                 # the phone pages' Lighthouse scores
    python -m bench --only queue --no-docs            # 2,000 visit forms on 1, then 2 queue
                                                      # workers (PostgreSQL, Redis db 15 or
                                                      # BENCH_QUEUE_URL)
    python -m bench --only load --companies 2000 --steps 20000 --load-seconds 30 \\
        --queue-forms 200 --no-docs                   # the load test, small (PostgreSQL),
                                                      # then again while 200 forms render
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import flask_migrate
from flask import Flask
from sqlalchemy import text

from bench.databases import DEFAULT_SERVER_URL, RESULTS_DIR, postgresql_database, sqlite_database
from bench.generate import generate
from bench.imports import run_imports
from bench.lighthouse import kept_section, run_lighthouse, section, write_section
from bench.load import run_load
from bench.measure import Bench
from bench.printing import PrintingRun, run_printing
from bench.queue import BATCH_FORMS, run_queue
from bench.report import DatabaseRun, Results, document, summary
from bench.sweep import STEPS_PER_CASE, SweepRun, run_sweep
from outreach import create_app
from outreach.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("pages", "regional", "sweep", "printing", "queue", "imports", "load", "quick",
         "lighthouse")
#: `--quick`: the sizes of a run of about a minute
QUICK = {"companies": 2_000, "steps": 20_000, "regional_companies": 5_000,
         "regional_steps": 50_000, "sweep_cases": 2_000, "letters": 40, "queue_forms": 40,
         "db": "sqlite",
         "requests": 20, "no_docs": True, "print_rounds": 1, "quiet_wait": 0.0}
#: how long the printing runs may wait for a quiet machine, per letter (300 s for 500)
QUIET_WAIT_PER_LETTER = 0.6


def parts(value: str) -> list[str]:
    """`--only`: measurements separated by commas."""
    chosen = [p.strip() for p in value.split(",") if p.strip()]
    unknown = [p for p in chosen if p not in PARTS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(PARTS)}, not {value!r}")
    return chosen


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--only", type=parts, default=list(PARTS),
                        help="measurements to run, comma-separated: " + ",".join(PARTS))
    parser.add_argument("--companies", type=int, default=100_000,
                        help="companies to generate for the pages")
    parser.add_argument("--steps", type=int, default=1_000_000,
                        help="steps to generate for the pages")
    parser.add_argument("--regional-companies", type=int, default=1_000_000,
                        help="companies of the regional scope's data set")
    parser.add_argument("--regional-steps", type=int, default=10_000_000,
                        help="steps of the regional scope's data set")
    parser.add_argument("--regional-branches", type=int, default=35,
                        help="branches of the regional scope's data set")
    parser.add_argument("--regional-db", choices=["sqlite", "postgresql"], default=None,
                        help="database of the regional scope (default PostgreSQL, SQLite when "
                             "--db sqlite)")
    parser.add_argument("--quick", action="store_true",
                        help="small data sets on SQLite, 20 requests a page, no report, no "
                             "import files unless --only names them (about a minute)")
    parser.add_argument("--sweep-cases", type=int, default=100_000,
                        help="open cases (one per company) of the sweep's data set")
    parser.add_argument("--sweep-steps", type=int, default=None,
                        help=f"steps of the sweep's data set (default {STEPS_PER_CASE} a case)")
    parser.add_argument("--letters", type=int, default=500, help="letters to print")
    parser.add_argument("--workers", type=int, default=None,
                        help="workers of the every-core printing run (default one per core)")
    parser.add_argument("--print-rounds", type=int, default=2,
                        help="times each way of printing is timed (every other round in reverse "
                             "order); the fastest counts")
    parser.add_argument("--quiet-wait", type=float, default=None,
                        help="seconds in all the printing runs may wait for other processes to "
                             f"leave the machine (default {QUIET_WAIT_PER_LETTER} s a letter; "
                             "0: do not wait)")
    parser.add_argument("--queue-forms", type=int, default=BATCH_FORMS,
                        help="visit forms of the print batch the queue's workers render "
                             "(PostgreSQL and Redis, BENCH_QUEUE_URL)")
    parser.add_argument("--load-seconds", type=int, default=120,
                        help="how long the load test's users work (PostgreSQL only)")
    parser.add_argument("--without-batch", dest="with_batch", action="store_false",
                        help="run the load test once, with the queue idle (by default it runs "
                             "again while a print batch renders on the queue)")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    parser.add_argument("--docs", type=Path, default=ROOT / "docs" / "benchmarks.md",
                        help="where to write the report")
    parser.add_argument("--no-docs", action="store_true", help="do not write the report")
    parser.add_argument("--keep", action="store_true",
                        help="keep the databases (to look at query plans) instead of dropping")
    parser.add_argument("--check", action="store_true",
                        help="exit with status 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
        if args.only == list(PARTS):  # the import files take a minute and a half to make
            args.only = [part for part in PARTS
                         if part not in ("imports", "load", "lighthouse")]
        args.only = [part for part in args.only if part != "quick"]  # not itself again
    if args.regional_db is None:
        args.regional_db = "sqlite" if args.db == "sqlite" else "postgresql"
    if args.regional_companies < 1 or args.regional_steps < 0 \
            or not 2 < args.regional_branches <= 37:
        parser.error("--regional-companies must be positive, --regional-steps not negative, "
                     "--regional-branches from 3 to 37")
    if args.companies < 1 or args.steps < 0 or args.requests < 1 or args.warmup < 0:
        parser.error("--companies and --requests must be positive, --steps and --warmup not "
                     "negative")
    if args.sweep_cases < 1 or (args.sweep_steps or 0) < 0 or args.letters < 2:
        parser.error("--sweep-cases must be positive, --sweep-steps not negative, --letters "
                     "at least 2")
    if args.queue_forms < 4:
        parser.error("--queue-forms must be at least 4")
    if args.load_seconds < 10:
        parser.error("--load-seconds must be at least 10")
    if args.quiet_wait is None:
        args.quiet_wait = QUIET_WAIT_PER_LETTER * args.letters
    if (args.workers is not None and args.workers < 1) or args.quiet_wait < 0 \
            or args.print_rounds < 1:
        parser.error("--workers and --print-rounds must be positive, --quiet-wait not "
                     "negative")
    if args.sweep_steps is None:
        args.sweep_steps = STEPS_PER_CASE * args.sweep_cases
    return args


def open_app(name: str, url: str) -> tuple[Flask, str, float]:
    """The app on a new, empty database with the migrated schema; its version; schema time."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        started = time.perf_counter()
        flask_migrate.upgrade()
        schema_seconds = time.perf_counter() - started
        version = db.session.scalar(text(
            "SHOW server_version" if db.engine.dialect.name == "postgresql"
            else "SELECT sqlite_version()"))
        db.session.remove()
    return app, str(version), schema_seconds


def close_app(app: Flask) -> None:
    """Close the app's connections (before its database is dropped)."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    gc.collect()


def run_pages(name: str, url: str, args: argparse.Namespace, today: date,
              regional: bool = False) -> DatabaseRun:
    """Build, fill and measure one database for the pages (a branch's, or the region's)."""
    app, version, schema_seconds = open_app(name, url)
    companies, steps, branches = ((args.regional_companies, args.regional_steps,
                                   args.regional_branches) if regional
                                  else (args.companies, args.steps, 2))
    print(f"{name}: schema in {schema_seconds:.1f} s; generating {companies:,} "
          f"companies in {branches} branches and {steps:,} steps …", flush=True)
    with app.app_context():
        dataset = generate(companies, steps, today, args.seed, branches=branches)
        db.session.remove()
    print(f"{name}: {dataset.cases:,} cases and {dataset.steps:,} steps in "
          f"{dataset.load_seconds:.1f} s (the dashboard's summary "
          f"{dataset.summary_seconds:.1f} s); timing pages …", flush=True)
    gc.collect()
    measurement = Bench(app, dataset, args.requests, args.warmup, args.seed, regional).run()
    close_app(app)
    return DatabaseRun(name, version, dataset, schema_seconds, measurement,
                       "region" if regional else "branch")


def run_sweep_on(name: str, url: str, args: argparse.Namespace, today: date) -> SweepRun:
    """Build and fill a database of open cases, then time the sweep twice."""
    app, version, _schema_seconds = open_app(name, url)
    print(f"{name}: generating {args.sweep_cases:,} open cases and {args.sweep_steps:,} steps "
          "for the sweep …", flush=True)
    run = run_sweep(name, version, app, args.sweep_cases, args.sweep_steps, today, args.seed)
    close_app(app)
    return run


def run_printing_on(args: argparse.Namespace, today: date) -> PrintingRun:
    """Build the letters on a small SQLite database of their own, then time the renderers."""
    with sqlite_database(args.keep) as url:
        app, _version, _schema = open_app("printing", url)
        # `run_printing` closes the database before the clock starts.
        return run_printing(app, args.letters, today, args.seed, args.workers,
                            args.quiet_wait, args.print_rounds)


def run_quick() -> float:
    """The wall time of `python -m bench --quick` (small data sets, no report), a process of
    its own as a developer runs it."""
    print("quick mode: python -m bench --quick …", flush=True)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench", "--quick"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"the quick mode failed: {done.stderr[-2000:]}")
    print(f"quick mode: {seconds:.0f} s", flush=True)
    return seconds


def databases(args: argparse.Namespace,
              ) -> list[tuple[str, Callable[[], AbstractContextManager[str]]]]:
    """(name, factory of a new database's URL) for each database asked for."""
    server = os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER_URL)
    chosen: list[tuple[str, Callable[[], AbstractContextManager[str]]]] = []
    if args.db in ("sqlite", "both"):
        chosen.append(("SQLite", lambda: sqlite_database(args.keep)))
    if args.db in ("postgresql", "both"):
        chosen.append(("PostgreSQL", lambda: postgresql_database(server, args.keep)))
    return chosen


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # A root handler keeps the migrations' logging configuration (and its INFO lines) away.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started, loads = time.perf_counter(), [("start", os.getloadavg())]
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    results = Results()
    for name, new_database in databases(args):
        if "pages" in args.only:
            with new_database() as url:
                results.pages.append(run_pages(name, url, args, today))
            loads.append((f"{name} pages done", os.getloadavg()))
        if "regional" in args.only and name.lower() == args.regional_db:
            with new_database() as url:
                results.regional.append(run_pages(name, url, args, today, regional=True))
            loads.append((f"{name} regional pages done", os.getloadavg()))
        if "sweep" in args.only:
            with new_database() as url:
                results.sweeps.append(run_sweep_on(name, url, args, today))
            loads.append((f"{name} sweep done", os.getloadavg()))
    if "printing" in args.only:
        results.printing = run_printing_on(args, today)
        loads.append(("printing done", os.getloadavg()))
    if "queue" in args.only:
        results.queue = run_queue(args, today)
        loads.append(("queue done", os.getloadavg()))
    if "imports" in args.only:
        results.imports = run_imports()
        loads.append(("imports done", os.getloadavg()))
    if "load" in args.only:
        results.load = run_load(args, today)
        loads.append(("load test done", os.getloadavg()))
    if "quick" in args.only:
        results.quick_seconds = run_quick()
        loads.append(("quick mode done", os.getloadavg()))
    audits = run_lighthouse() if "lighthouse" in args.only else None
    total = time.perf_counter() - started
    if set(args.only) == set(PARTS) and not args.quick:
        results.total_seconds = total
    print("\n# Benchmark results\n")
    print(summary(results))
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "latest.json").write_text(json.dumps({
        "pages": [{**asdict(run), "dataset": {**asdict(run.dataset), "open_case_steps": None}}
                  for run in results.pages],
        "regional": [{**asdict(run), "dataset": {**asdict(run.dataset),
                                                 "open_case_steps": None}}
                     for run in results.regional],
        "sweeps": [{**asdict(run), "dataset": {**asdict(run.dataset), "open_case_steps": None}}
                   for run in results.sweeps],
        "printing": asdict(results.printing) if results.printing else None,
        "queue": asdict(results.queue) if results.queue else None,
        "imports": [asdict(run) for run in results.imports],
        "load": {**asdict(results.load), "dataset": {**asdict(results.load.dataset),
                                                     "open_case_steps": None}}
        if results.load else None,
        "loads": loads}, indent=2, default=str))
    earlier = args.docs.read_text() if args.docs.exists() else ""
    block = section(audits, today.isoformat()) if audits is not None else kept_section(earlier)
    if block:
        print(block)
    if not args.no_docs:
        arguments = shlex.join(argv if argv is not None else sys.argv[1:])
        if args.only == ["lighthouse"]:  # the other parts' figures stay as they were
            text = write_section(earlier, block)
        else:
            text = document(results, arguments, today, total, loads)
            text = write_section(text, block) if block else text
        args.docs.write_text(text)
        print(f"written to {args.docs}")
    return 1 if results.target_problems() and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
