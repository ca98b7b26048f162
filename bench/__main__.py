"""`python -m bench`: generate the data set, time the pages, report.

    python -m bench                                   # 100,000 companies, 1,000,000 steps,
                                                      # SQLite and PostgreSQL
    python -m bench --companies 10000 --steps 100000 --db sqlite --no-docs
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import shlex
import sys
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import flask_migrate
from sqlalchemy import text

from bench.databases import DEFAULT_SERVER_URL, RESULTS_DIR, postgresql_database, sqlite_database
from bench.generate import generate
from bench.measure import Bench
from bench.report import DatabaseRun, document, summary
from outreach import create_app
from outreach.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--companies", type=int, default=100_000, help="companies to generate")
    parser.add_argument("--steps", type=int, default=1_000_000, help="steps to generate")
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
    if args.companies < 1 or args.steps < 0 or args.requests < 1 or args.warmup < 0:
        parser.error("--companies and --requests must be positive, --steps and --warmup not "
                     "negative")
    return args


def run_on(name: str, url: str, args: argparse.Namespace) -> DatabaseRun:
    """Build, fill and measure one database."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    today = datetime.now(ZoneInfo(app.config["OUTREACH_TIMEZONE"])).date()
    with app.app_context():
        started = time.perf_counter()
        flask_migrate.upgrade()
        schema_seconds = time.perf_counter() - started
        print(f"{name}: schema in {schema_seconds:.1f} s; generating {args.companies:,} "
              f"companies and {args.steps:,} steps …", flush=True)
        dataset = generate(args.companies, args.steps, today, args.seed)
        print(f"{name}: {dataset.cases:,} cases and {dataset.steps:,} steps in "
              f"{dataset.load_seconds:.1f} s; timing pages …", flush=True)
        version = db.session.scalar(text(
            "SHOW server_version" if db.engine.dialect.name == "postgresql"
            else "SELECT sqlite_version()"))
        db.session.remove()
    gc.collect()
    measurement = Bench(app, dataset, args.requests, args.warmup, args.seed).run()
    with app.app_context():
        db.engine.dispose()
    run = DatabaseRun(name, str(version), dataset, schema_seconds, measurement)
    print(summary([run]), flush=True)
    return run


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # A root handler keeps the migrations' logging configuration (and its INFO lines) away.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    started, load = time.perf_counter(), os.getloadavg()
    runs = []
    if args.db in ("sqlite", "both"):
        with sqlite_database(args.keep) as url:
            runs.append(run_on("SQLite", url, args))
    if args.db in ("postgresql", "both"):
        server = os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER_URL)
        with postgresql_database(server, args.keep) as url:
            runs.append(run_on("PostgreSQL", url, args))
    total = time.perf_counter() - started
    text_summary = summary(runs)
    print("\n## Benchmark results\n")
    print(text_summary)
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "latest.json").write_text(json.dumps(
        [{**asdict(run), "dataset": {**asdict(run.dataset), "open_case_steps": None}}
         for run in runs], indent=2, default=str))
    if not args.no_docs:
        arguments = shlex.join(argv if argv is not None else sys.argv[1:])
        today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
        args.docs.write_text(document(runs, arguments, today, total, load))
        print(f"written to {args.docs}")
    problems = [p for run in runs for p in run.target_problems()]
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
