"""The benchmark's results as Markdown: printed, and written to docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import version
from pathlib import Path

from bench import imports, load, printing, queue, sweep
from bench.generate import Dataset
from bench.imports import ImportRun, imports_table
from bench.load import LOAD_FINDINGS, LoadRun, load_table
from bench.measure import Measurement
from bench.printing import PrintingRun
from bench.queue import QueueRun, queue_table
from bench.sweep import SweepRun

#: p95 server time (ms) each page must stay under (the busiest-case page is for information):
#: a branch's pages at 100,000 companies on both databases, and the regional scope's at
#: 1,000,000 companies in 35 branches (issue 19)
PAGE_TARGETS_MS = {
    "Company list (default filters, 50 rows)": 30.0,
    "Company page (open case)": 100.0,
    "Dashboard (supervisor)": 100.0,
}
REGIONAL_TARGETS_MS = {
    "Company list (regional, 50 rows)": 50.0,
    "Company page (open case)": 20.0,
    "Dashboard (regional)": 150.0,
}
#: each regional page's p95 at most this many times the branch scope's (same database)
REGIONAL_RATIO = 1.5
#: regional page -> the branch scope's page it is compared with
REGIONAL_PAIRS = {
    "Company list (regional, 50 rows)": "Company list (default filters, 50 rows)",
    "Company page (open case)": "Company page (open case)",
    "Dashboard (regional)": "Dashboard (supervisor)",
}
#: the libraries whose versions the report names
LIBRARIES = ["Flask", "SQLAlchemy", "psycopg", "WeasyPrint", "pikepdf"]


#: issue 19: a quick mode under 2 minutes, a full run under an hour
TARGET_QUICK_S = 120.0
TARGET_FULL_S = 3600.0

@dataclass
class Results:
    """Everything one `python -m bench` measured (a part left out by `--only` stays empty)."""

    pages: list[DatabaseRun] = field(default_factory=list)
    #: the regional scope (35 branches, read by regional staff)
    regional: list[DatabaseRun] = field(default_factory=list)
    sweeps: list[SweepRun] = field(default_factory=list)
    printing: PrintingRun | None = None
    queue: QueueRun | None = None
    imports: list[ImportRun] = field(default_factory=list)
    load: LoadRun | None = None
    #: the wall time of `python -m bench --quick`, run as a process of its own
    quick_seconds: float | None = None
    #: the wall time of the whole run, when every part ran (a full `make bench`)
    total_seconds: float | None = None

    def target_problems(self) -> list[str]:
        """Every missed target."""
        problems = [p for run in self.pages for p in run.target_problems()]
        problems += [p for run in self.regional for p in run.target_problems()]
        problems += [f"{row[1]}: {row[0]} {row[2]}" for row in self.ratios() if not row[3]]
        problems += [f"import of {run.name}: {run.peak_mb:.0f} MB, {run.seconds:.1f} s"
                     for run in self.imports if not run.met]
        problems += [p for run in self.sweeps for p in run.target_problems()]
        if self.printing is not None:
            problems += self.printing.target_problems()
        if self.queue is not None:
            problems += self.queue.target_problems()
        if self.load is not None:
            problems += self.load.target_problems()
        if self.quick_seconds is not None and self.quick_seconds >= TARGET_QUICK_S:
            problems.append(f"quick mode: {self.quick_seconds:.0f} s")
        if self.total_seconds is not None and self.total_seconds >= TARGET_FULL_S:
            problems.append(f"full run: {self.total_seconds / 60:.1f} minutes")
        return problems

    def ratios(self) -> list[tuple[str, str, str, bool]]:
        """(target, database, figure, met) of each regional page against the branch scope's."""
        rows = []
        for regional in self.regional:
            branch = next((run for run in self.pages if run.name == regional.name), None)
            if branch is None:
                continue
            for page, branch_page in REGIONAL_PAIRS.items():
                mine, theirs = regional.page(page), branch.page(branch_page)
                if mine is None or theirs is None:
                    continue
                ratio = mine.p95 / theirs.p95
                rows.append((f"{page} at {regional.dataset.companies:,} companies: p95 at most "
                             f"{REGIONAL_RATIO}× the branch's at {branch.dataset.companies:,}",
                             regional.name, f"{ratio:.2f}×", ratio <= REGIONAL_RATIO))
        return rows

@dataclass
class DatabaseRun:
    """One database: how long it took to build and what was measured on it."""

    name: str
    version: str
    dataset: Dataset
    schema_seconds: float
    measurement: Measurement
    #: "branch" (a branch's officer and supervisor) or "region" (regional staff)
    scope: str = "branch"

    @property
    def targets(self) -> dict[str, float]:
        return REGIONAL_TARGETS_MS if self.scope == "region" else PAGE_TARGETS_MS

    def page(self, name: str):
        return next((page for page in self.measurement.pages if page.page == name), None)

    def target_problems(self) -> list[str]:
        """What misses a target on this database (empty when all are met)."""
        problems = [f"{self.name}: {page.page} p95 {page.p95:.1f} ms"
                    for page in self.measurement.pages
                    if page.page in self.targets and page.p95 > self.targets[page.page]]
        sizes = self.measurement.queries_per_page_size
        if len(set(sizes.values())) != 1:
            problems.append(f"{self.name}: queries differ by page size "
                            + ", ".join(f"{n} rows: {q}" for n, q in sizes.items()))
        return problems


def machine() -> str:
    """CPU, cores, memory, OS and Python of the machine the benchmark ran on."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
                break
    except OSError:
        pass
    libraries = ", ".join(f"{name} {version(name)}" for name in LIBRARIES)
    return (f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, {libraries}")


def results_table(run: DatabaseRun) -> str:
    lines = ["| Page | Median (ms) | p95 (ms) | SQL alone: median (ms) | SQL alone: p95 (ms) "
             "| Queries | Requests | Sample |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for page in run.measurement.pages:
        lines.append(f"| {page.page} | {page.median:.1f} | {page.p95:.1f} | "
                     f"{page.sql_median:.1f} | {page.sql_p95:.1f} | "
                     f"{page.query_range} | {len(page.times_ms)} | {page.note} |")
    sizes = run.measurement.queries_per_page_size
    lines.append("")
    lines.append("Queries of the company list by page size: "
                 + ", ".join(f"{n} rows: {q}" for n, q in sorted(sizes.items())) + ". "
                 "The data-access log row a company page writes per view (its INSERT and "
                 f"COMMIT alone, median): {run.measurement.log_row_ms:.1f} ms.")
    return "\n".join(lines)


def dataset_table(runs: list[DatabaseRun]) -> str:
    lines = ["| Database | Scope | Branches | Companies | Cases (open or paused) | Steps "
             "| Schema (s) | Data (s) | of which the dashboard's summary (s) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for run in runs:
        d = run.dataset
        scope = "region (regional staff)" if run.scope == "region" else "branch"
        lines.append(f"| {run.name} | {scope} | {d.branches} | {d.companies:,} | "
                     f"{d.cases:,} ({d.open_cases:,}) | "
                     f"{d.steps:,} | {run.schema_seconds:.1f} | {d.load_seconds:.1f} | "
                     f"{d.summary_seconds:.1f} |")
    return "\n".join(lines)


def page_summary(runs: list[DatabaseRun], results: Results | None = None) -> str:
    """The pages on every database."""
    parts = []
    for run in runs:
        where = (f"regional scope, {run.dataset.companies:,} companies in "
                 f"{run.dataset.branches} branches" if run.scope == "region"
                 else f"branch scope, {run.dataset.companies:,} companies")
        parts.append(f"### {run.name} ({run.version}), {where}\n\n{results_table(run)}\n")
    problems = [p for run in runs for p in run.target_problems()]
    if results is not None:
        problems += [f"{row[1]}: {row[0]}: {row[2]}" for row in results.ratios() if not row[3]]
    if not problems:
        parts.append("**Targets met** (see the targets' table below).\n")
    else:
        parts.append("**Targets missed**:\n\n" + "\n".join(f"- {p}" for p in problems) + "\n")
    return "\n".join(parts)


def _counts(values: dict) -> str:
    return ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in values.items()) or "nothing"


def sweep_table(runs: list[SweepRun]) -> str:
    """The sweep on every database: data set, the two runs, what each made."""
    lines = ["| Database | Open cases | Steps | Due on the day | Run | Seconds | Queries | "
             "Reminders | Letters drafted | Cases marked overdue | Digests | Rows added |",
             "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for run in runs:
        d = run.dataset
        for label, timing in (("first", run.first), ("re-run", run.rerun)):
            c = timing.counts
            lines.append(
                f"| {run.name} | {d.open_cases:,} | {d.steps:,} | {run.due:,} | "
                f"{label} | {timing.seconds:.2f} | {timing.queries:,} | "
                f"{c.get('reminders_created', 0):,} | {c.get('letters_drafted', 0):,} | "
                f"{c.get('cases_overdue', 0):,} | {c.get('digests', 0):,} | "
                f"{_counts({k: v for k, v in timing.rows_added.items() if v})} |")
    lines.append("")
    for run in runs:
        lines.append(f"{run.name} {run.version}: sweep day {run.day.isoformat()} "
                     f"({run.day:%A}); data set "
                     f"generated in {run.dataset.load_seconds:.0f} s; open cases due that day by "
                     f"next rung: {_counts(run.due_by_rung)}; weekly summaries "
                     f"{run.first.counts.get('weekly', 0)} (first run).")
    return "\n".join(lines)


def printing_table(run: PrintingRun) -> str:
    """Raw WeasyPrint, the app on one core and on every core."""
    lines = ["| Round | Way | Workers | Seconds | Letters/s | CPU s (this process and workers) "
             "| Merging (s) | Pages | Others' share of the machine | Waited for quiet (s) |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    best = {id(run.raw), id(run.one), id(run.every)}
    for t in run.timings:
        mark = "**" if id(t) in best else ""
        lines.append(f"| {t.round} | {t.label} | {t.workers} | {mark}{t.seconds:.1f}{mark} | "
                     f"{t.per_second(run.letters):.2f} | {t.cpu_seconds:.1f} | "
                     f"{t.merge_seconds:.1f} | {t.pages} | {t.others_share:.0%} | "
                     f"{t.waited:.0f} |")
    lines += ["", "In bold: the fastest round of each way, the one the ratios use.", "",
              f"{run.letters} letters ({_counts(run.templates)}), {run.html_kb:.1f} KB of "
              f"HTML each on average, built in {run.build_seconds:.1f} s; load average "
              f"{run.load_before:.2f} before the first timed way.", "",
              f"App on one core / raw WeasyPrint: **{run.raw_share:.0%}** (target at least "
              f"{printing.TARGET_RAW_SHARE:.0%}); app on {run.every.workers} workers / app on "
              f"one core: **{run.speedup:.2f}×** (target at least "
              f"{printing.TARGET_SPEEDUP:.1f}×)."]
    return "\n".join(lines)


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def targets_table(results: Results) -> str:
    """Every target with its figure and whether it was met."""
    lines = ["| Target | Where | Figure | |", "|---|---|---:|---|"]
    for run in results.pages + results.regional:
        for page in run.measurement.pages:
            if page.page in run.targets:
                target = run.targets[page.page]
                where = (f"{run.dataset.companies:,} companies, {run.dataset.branches} "
                         f"branches" if run.scope == "region"
                         else f"{run.dataset.companies:,} companies")
                lines.append(f"| {page.page}: p95 at most {target:.0f} ms ({where}) | "
                             f"{run.name} | {page.p95:.1f} ms | {_met(page.p95 <= target)} |")
        if run.scope == "region":
            continue
        sizes = run.measurement.queries_per_page_size
        lines.append(f"| Company list: same queries at 10 and 100 rows | {run.name} | "
                     f"{' / '.join(str(q) for _, q in sorted(sizes.items()))} | "
                     f"{_met(len(set(sizes.values())) == 1)} |")
    for target, name, figure, met in results.ratios():
        lines.append(f"| {target} | {name} | {figure} | {_met(met)} |")
    for run in results.sweeps:
        made = {k: v for k, v in {**run.rerun.counts, **run.rerun.rows_added}.items()
                if isinstance(v, int) and v}
        lines += [
            f"| Morning sweep, {run.dataset.open_cases:,} open cases: first run under "
            f"{sweep.TARGET_FIRST_S:.0f} s | {run.name} | {run.first.seconds:.2f} s | "
            f"{_met(run.first.seconds < sweep.TARGET_FIRST_S)} |",
            f"| Morning sweep: re-run on the same day under {sweep.TARGET_RERUN_S:.0f} s | "
            f"{run.name} | {run.rerun.seconds:.2f} s | "
            f"{_met(run.rerun.seconds < sweep.TARGET_RERUN_S)} |",
            f"| Morning sweep: the re-run creates nothing | {run.name} | {_counts(made)} | "
            f"{_met(not made)} |"]
    if results.printing is not None:
        run = results.printing
        lines += [
            f"| Printing {run.letters} letters: app on one core at least "
            f"{printing.TARGET_RAW_SHARE:.0%} of raw WeasyPrint | one process | "
            f"{run.raw_share:.0%} | {_met(run.raw_share >= printing.TARGET_RAW_SHARE)} |",
            f"| Printing: every core at least {printing.TARGET_SPEEDUP:.1f}× one core | "
            f"{run.every.workers} workers | {run.speedup:.2f}× | "
            f"{_met(run.every.workers > 1 and run.speedup >= printing.TARGET_SPEEDUP)} |"]
    if results.queue is not None:
        run = results.queue
        lines.append(f"| Queue: a print batch of {run.documents:,} forms, two workers at least "
                     f"{queue.TARGET_RATIO}× as fast as one | PostgreSQL, Redis | "
                     f"{run.ratio:.2f}× | {_met(run.ratio >= queue.TARGET_RATIO)} |")
    for run in results.imports:
        lines.append(f"| Import of the worst files: refused or read in at most "
                     f"{imports.TARGET_MB} MB and {imports.TARGET_S} s | {run.name} | "
                     f"{run.peak_mb:.0f} MB, {run.seconds:.1f} s | {_met(run.met)} |")
    if results.load is not None:
        run = results.load
        lines.append(f"| Load test, {run.users} users for {run.seconds} s: "
                     f"{load.TARGET_ERRORS} errors | PostgreSQL, {run.dataset.companies:,} "
                     f"companies | {run.errors:,} | {_met(run.errors <= load.TARGET_ERRORS)} |")
        if run.batch_overall is not None:
            ratio = run.batch_ratio(run.batch_overall)
            lines.append(f"| Load test while a print batch of {run.batch_forms:,} forms renders "
                         f"on the queue: p95 at most {load.TARGET_BATCH_RATIO}× the same test's "
                         f"with the queue idle | all requests | "
                         f"{'–' if ratio is None else f'{ratio:.2f}×'} | "
                         f"{_met(ratio is not None and ratio <= load.TARGET_BATCH_RATIO)} |")
    if results.quick_seconds is not None:
        lines.append(f"| Quick mode (`python -m bench --quick`) under {TARGET_QUICK_S / 60:.0f} "
                     f"minutes | SQLite | {results.quick_seconds:.0f} s | "
                     f"{_met(results.quick_seconds < TARGET_QUICK_S)} |")
    if results.total_seconds is not None:
        lines.append(f"| A full `make bench` under {TARGET_FULL_S / 60:.0f} minutes | "
                     f"every part | {results.total_seconds / 60:.1f} minutes | "
                     f"{_met(results.total_seconds < TARGET_FULL_S)} |")
    return "\n".join(lines)


def summary(results: Results) -> str:
    """Every measurement, as printed at the end of a run."""
    parts = []
    if results.pages or results.regional:
        runs = results.pages + results.regional
        parts.append(f"## Company list and company page\n\n{dataset_table(runs)}\n\n"
                     "Schema: the migrations. Data: generating and bulk-inserting the rows, "
                     f"then `ANALYZE`.\n\n{page_summary(runs, results)}")
    if results.sweeps:
        parts.append(f"## Morning sweep\n\n{sweep_table(results.sweeps)}\n")
    if results.printing is not None:
        parts.append(f"## Batch printing\n\n{printing_table(results.printing)}\n")
    if results.queue is not None:
        parts.append(f"## The job queue: a print batch on one worker and on two\n\n"
                     f"{queue_table(results.queue)}\n")
    if results.imports:
        parts.append(f"## Import files at the upload limit\n\n{imports_table(results.imports)}\n")
    if results.load is not None:
        parts.append(f"## Under load\n\n{load_table(results.load)}\n")
    parts.append(f"## Targets\n\n{targets_table(results)}\n")
    return "\n".join(parts)


PAGE_FINDINGS = """\
### Company list and company page

The first full run missed the target for the company list on PostgreSQL (median 219 ms,
p95 305 ms; SQLite 73 / 75 ms). Per query, with `EXPLAIN ANALYZE`:

- The **count** of the list (companies of the branch left-joined to their case that is not
  closed) took 89 ms on PostgreSQL: a parallel hash join of sequential scans of `companies`
  and `cases`. SQLite took 22 ms, looking up each case row to check its status.
- The **filter menus** (`SELECT DISTINCT sector` and `kecamatan` of the branch's companies)
  took 37 + 34 ms on PostgreSQL (a sequential scan of `companies`) and up to 34 ms on SQLite
  (a scan of the one-column index, reading the table row of every company to check its
  branch; kecamatan are per branch, so the other branch's 40,000 rows were read too).

Migration `c3c00b9ebd90` adds four indexes (also in the models' `__table_args__`):
`companies (branch_id, id)`, `companies (branch_id, sector)`, `companies (branch_id,
kecamatan)` and the partial `cases (company_id, status) WHERE status <> 'closed'`. The count
becomes a merge join of two index-only scans on PostgreSQL (about 10 ms) and index-only
lookups on SQLite (about 12 ms); the menus read only the branch's index entries (3 ms or
less). `services/companies.py` writes the `'closed'` of the open-case join into the SQL
(`literal_execute`) instead of sending it as a parameter, so that the query matches the
partial index's condition in every plan (a cached generic plan on PostgreSQL would not see
the parameter's value). The rows and their order are unchanged.
"""


REGIONAL_FINDINGS = """\
### The regional scope: a million companies

Before (issue 19, PostgreSQL, 1,000,000 companies, 10,000,000 steps, a busy machine): the
company list's p95 was 375 ms (70 ms at 100,000) and the dashboard's 1,101 ms (175 ms); both
grew with the data. Per statement (a `before_cursor_execute`/`after_cursor_execute` timer,
the regional user's pages on a generated region of 35 branches):

- **The list's count** (every company of the region joined to its open case) read the whole
  region on every page. It now counts up to `COMPANY_COUNT_CAP` (10,000) matches, `SELECT
  count(*) FROM (… LIMIT 10001)`, about 11 ms; past it the page says "lebih dari 10.000
  perusahaan" and numbers no pages past the counted ones. A figure shown exact is exact:
  under the cap the count and the page count are the real ones.
- **Deep pages**: an offset pages through the rows before it. The numbered pages stop at the
  counted matches; past them "Berikutnya" continues after the last company shown (keyset:
  `after=<id>`, the rows whose sort keys come after that company's, `before=<id>` back), in
  every sort of the list (each ends with the company's id, so every row has one place). A
  page so reached costs the same wherever it is in the list.
- **The rows**: sorted by name over 35 branches, PostgreSQL sorted the region's companies
  for every page. Migration `b7e3d91c5a20` adds `companies (name, id)` (and makes the
  branch's `(branch_id, name, id)`): the 50 rows are read in order from the index, about 1 ms
  in `EXPLAIN ANALYZE`.
- **The filter menus** (`SELECT DISTINCT sector` and `kecamatan`) read every index entry of
  the region. They are now a skip scan written as a recursive query: per branch, the least
  value after the last one found (`min()` on the `(branch_id, sector)` and `(branch_id,
  kecamatan)` indexes), a few hundred index probes whatever the number of companies, about
  10 ms each at 35 branches.
- **The dashboard** is not done: at 1,000,000 companies its queries took 5.8 s on a busy
  machine (21 queries): the workers and contributions missing by sector and kecamatan 3.1 s
  (a `GROUP BY` of 850,000 companies with a `CASE` per wage cap), open cases by stage and
  category 0.4 s, the companies past warning II 0.4 s, the rungs reached 0.2 s, overdue by
  officer 0.1 s. Each is one pass over the region's rows; it needs figures kept per branch
  (summary rows written by the case and company services in the same transaction, or by
  the sweep for the figures that move with the day, read as of the sweep and labelled so).

`tests/companies/test_list_scale.py` walks every sort's pages forwards and back, numbered and
past the cap, and checks that each company shows once, in the order of the whole list; that
a capped count says "lebih dari"; that the menus cover the region's branches; and that the
list shows as many companies as the regional dashboard's figures behind it.
"""


SWEEP_FINDINGS = """\
### Morning sweep

The first version took, at 100,000 open cases on SQLite, 69.3 s for the first run and 22.7 s
for the re-run: it drafted letters one at a time (a query, a lazy load and two flushes per
case) and loaded every officer's tasks as model objects for the digests. Drafting in the
database (`INSERT … SELECT` per template, `policy.judge` on light rows) and tasks as named
tuples brought it to 12.3 / 4.2 s on SQLite and 17.6 / 3.2 s on PostgreSQL, still over the
targets. Per statement (a `before_cursor_execute`/`after_cursor_execute` timer) and cProfile
then showed, on PostgreSQL:

- **The digests rendered every task**: about 8,900 lines per officer in a text and an HTML
  template, 3.5 to 4.4 s of the first run. A digest now lists the oldest 25 tasks of each group
  (overdue, today) with the group's count, and "dan N lainnya" linked to the task page, which
  lists them all. Digests and weekly summaries check whether today's exists before reading
  any task (1.0 to 1.4 s of every re-run before).
- **Long id lists**: the steps `policy.judge` needs were read in 24 chunks of
  `case_id IN (2,000 parameters)`; rendering and converting those statements cost about 2 s of
  the sweep process's CPU on PostgreSQL. They are read in one statement with the ids bound as
  one value (`= ANY(array)` on PostgreSQL, `IN (SELECT value FROM json_each(?))` on SQLite:
  `services.among`), and the case rows read beside them (only for their status: every due
  case is open) are not read at all.
- **Writing 71,266 reminders**: 2.4 s as one INSERT per row (pipelined); COPY takes about
  half (the rest is the server: five indexes and four foreign keys per row).
- **Marking 58,225 cases overdue**: one UPDATE of 2.7 to 2.9 s on PostgreSQL, as most new
  row versions do not fit on their page and every index of `cases` gets an entry. Three
  indexes nothing reads any more were dropped with the dashboard's change (see below), and
  `cases` leaves a fifth of each page free (`fillfactor = 80`) so that most updates stay on
  their page without new index entries.

What is left is mostly the server writing the first run's rows on PostgreSQL: the
reminders, the overdue update, and 42,755 letters with as many audit events
(`INSERT … SELECT`, about 1.8 s). The machine's speed varied during the day: a fixed
pure-Python loop took from 1.65 s to 3.9 s, and PostgreSQL's first run between 6.8 and 10.1 s
before the `fillfactor` (8.8 to 9.0 s after it, measured while the machine was slow).
The re-run reads every due case, the occurrences of its rung and the reminder keys (about
0.4 s each on SQLite) to find nothing to do, and `policy.judge` still builds its translated
reasons for the about 3,000 cases it refuses on every run.
Between full runs the figures move by 10 to 30%.
"""

DASHBOARD_FINDINGS = """\
### Supervisor's dashboard

The first measurement: p95 517.6 ms on SQLite and 336.6 ms on PostgreSQL (16 queries) for the
bigger branch (57,259 cases, 60,182 companies). Each query timed alone, median of five,
SQLite / PostgreSQL in ms, before → after:

- open cases by stage, age and overdue: 36 / 24, and the category × stage table (cases
  joined to their category rows): 65 / 62 → one query for both, 18 / 16;
- the funnel, cases by rungs reached and then the companies with several cases: 4 + 24 /
  13 + 41, plus their de-duplication in Python → 5 / 4, nothing to de-duplicate;
- complied after each rung: 52 / 8 (SQLite scanned every case through the `stage` index)
  → 2 / 2;
- overdue by officer, 30,000 cases joined to their companies: 42 / 53 → 4 / 3;
- workers and contributions missing by sector and kecamatan, 51,000 companies joined to
  their open case, the contribution rule as a `CASE` per company and program: 78 / 123 →
  34 / 28 (4,735 rows, priced in Python in a few ms).

All queries: about 300 ms → 63 / 54 ms. SQLite sorted 51,000 rows for every `GROUP BY` that
did not follow an index; PostgreSQL spent most of its time in hash joins of the two tables.

What changed (migration `e41f7c2b9d55`):

- A case keeps its categories (`cases.category_list`, written on insert; categories never
  change), so stage, age, overdue and the category table are one `GROUP BY stage,
  category_list` with the ages and the overdue count as sums, in the order of
  `ix_cases_dashboard` (SQLite needs no sort).
- A company keeps copies of its cases, written with the case's own copies by their one
  writer, `outreach.cases.service.project`, whenever a case changes: the status and due date
  of its case that is not closed, and the rungs any of its cases reached. Overdue by
  officer, the gaps and the funnel read `companies` alone; the funnel needs no
  de-duplication (a company counts once), and the company list's "rung reached" filter reads
  the same copy, so the list still agrees with the number.
- The contributions not paid are summed by the database per kind of company (size, risk
  class, programs) as capped wage × workers, and priced in Python once per kind by
  `compliance.owed_weights`, the same rule `compliance.assess` applies to one company (the
  SQL copy of the rule is gone; the exports price their rows the same way).
- A partial index of the closed cases serves "complied after" and the weeks won, with the
  `'closed'` written into the SQL so that SQLite uses it.

`tests/reports/test_dashboard.py` checks every figure against hand-computed values and follows a
case through the case service from opening to closing.
"""

PRINTING_FINDINGS = """\
### Batch printing

- On one core the app's path costs less than WeasyPrint alone, merging included: per letter
  the raw loop used about a fifth more CPU, and its memory grew by about 10 MB per 50
  letters, because WeasyPrint given no font configuration makes one per document; the app
  reuses one per process. Merging 500 one-page PDFs with pypdf took about 2.5 s (each letter
  carries its own font subsets: 8.5 MB in all); qpdf (pikepdf) copies the pages in about a
  sixth of that, which the queue's split batches need: the merge is the one step of a batch
  that a second worker cannot share.
- With two workers the pool handed out chunks of up to 16 letters: with 500 letters one worker
  could be left rendering the last chunk alone for up to 1.5 s. Now at most 4
  (`outreach/letters/batch.py`); `tests/letters/test_letters.py` passes on both databases.
- Nothing else in the renderer was found slow: harfbuzz-subset is loaded (no fontTools
  fallback), forked workers start warm (fonts and stylesheet), and the two workers used the
  same CPU time in all as the one-core run.
- **The two-worker figure needs an otherwise idle machine.** This machine has two cores
  shared with other engineers' test runs, and Linux's autogroup scheduling is on
  (`/proc/sys/kernel/sched_autogroup_enabled` = 1): every session gets an equal share of the
  CPUs, so while another session keeps one core busy, two workers of this benchmark get no
  more CPU time than one. An earlier full run, with others using 47 to 71% of the machine
  during the one-core and raw timings, measured 6.3 letters/s raw, 12.4 on one core and 23.1
  on two workers. The benchmark waits (up to `--quiet-wait` seconds in all) for the others to
  use less than 15% of the machine before each timing, and the table shows the share they used
  during it: a speed-up below 1.6× with a high share says more about the machine than about
  the renderer.
"""


def document(results: Results, arguments: str, today: date, total_seconds: float,
             loads: list[tuple[str, tuple[float, float, float]]]) -> str:
    """docs/benchmarks.md."""
    requests = len(results.pages[0].measurement.pages[0].times_ms) if results.pages else 50
    command = f"python -m bench {arguments}".strip()
    load_lines = "\n".join(f"- {stage}: {a:.2f} / {b:.2f} / {c:.2f}" for stage, (a, b, c) in loads)
    return f"""# Benchmarks

`make bench` (or `.venv/bin/python -m bench`) measures, on generated branch-sized data sets, on
SQLite and PostgreSQL:

1. **The two pages officers spend their day on**: the company list (`/companies/`, default
   filters, sorted by name, 50 rows a page) and the company page (`/companies/<id>`: profile,
   compliance estimate, open case with what the ladder allows next, timeline), and **the
   supervisor's dashboard** (`/dashboard/` of the bigger branch, signed in as its supervisor).
   Targets at 100,000 companies and 1,000,000 steps (branch scope), on both databases: p95
   server time at most 30 ms for the list, 100 ms for the company page and 100 ms for the
   dashboard, and the same number of queries for 10 and 100 rows per page. **The regional
   scope** (issue 19): the same pages read by regional staff over 1,000,000 companies and
   10,000,000 steps in 35 branches (`--regional-companies`, `--regional-steps`,
   `--regional-branches`), on PostgreSQL: p95 at most 50 ms for the list, 20 ms for the
   company page and 150 ms for the dashboard, and each at most 1.5 times the branch scope's
   figure. Next to each page's time, the time of its SQL alone (the floor the page can
   reach).
2. **The morning sweep over 100,000 open cases** (issue 5): what `flask --app wsgi reminders
   run --date DAY` runs, `jobs.morning_sweep(DAY)`, recorded (reminders, letter drafts,
   overdue marks, the officers' digests, on the first working day of a week the supervisors'
   weekly summaries), on a fresh data set and again on the same day. Targets: first run under
   {sweep.TARGET_FIRST_S:.0f} s, re-run under {sweep.TARGET_RERUN_S:.0f} s, and the re-run
   creates nothing.
3. **Batch printing of 500 letters** (issue 4): the app's batch renderer
   (`outreach.letters.batch.render_many` and `merge`, as `batch_pdf` uses them) against
   WeasyPrint rendering the same HTML directly, in one run. Targets: the app on one core reaches
   at least {printing.TARGET_RAW_SHARE:.0%} of raw WeasyPrint's throughput, and on both cores
   at least {printing.TARGET_SPEEDUP:.1f}× its one-core figure.
4. **The worst import files at the upload limit** (issue 14): each read in a child process of
   its own as an upload reads it (`reading.read_sheet`, and the rows kept as JSON): a workbook
   unzipping to 1 GB in one cell, one with a value in the sheet's last column on every row,
   10 MB of separators, one 10 MB cell, and the largest ordinary CSV and workbook. Target: each
   refused or read in at most {imports.TARGET_MB} MB of memory (the child's peak resident size,
   `VmHWM`, about 70 MB of it the interpreter and the app's modules) and {imports.TARGET_S} s.
5. **Under load, with a real client** (issue 19, PostgreSQL only): gunicorn with
   {load.WORKERS} workers and the production settings, {load.USERS} signed-in users driven by
   locust for two minutes (`--load-seconds`), each with an account of its own, reading the
   company list, company pages and their tasks and logging phone calls through the step form
   (CSRF token and all); supervisors also open the dashboard. Throughput, p95 per page and
   overall and the errors, beside each page's idle figures; then the same again while a print
   batch of {queue.BATCH_FORMS:,} forms renders on the job queue (`--without-batch` leaves it
   out). Targets: {load.TARGET_ERRORS} errors, and the p95 while the batch renders within
   {load.TARGET_BATCH_RATIO}× the same test's p95 with the queue idle ("its idle figure": the
   same load, the queue idle, not one user alone).
6. **The job queue** (issue 19, PostgreSQL and Redis): a print batch of {queue.BATCH_FORMS:,}
   visit forms rendered by real worker processes (`flask --app wsgi worker`), by one worker
   and then by two. Target: two workers at least {queue.TARGET_RATIO}× as fast as one.
7. **The benchmark itself** (issue 19): the quick mode (`python -m bench --quick`, small
   data sets on SQLite, no report), run as a process of its own and timed, under
   {TARGET_QUICK_S / 60:.0f} minutes; the whole `make bench` under {TARGET_FULL_S / 60:.0f}
   minutes.

How it works:

- It creates databases of its own, SQLite files under `bench/results/` and PostgreSQL
  databases `bench_outreach_*` on the server of `BENCH_DATABASE_URL` (default
  `postgresql+psycopg://postgres@127.0.0.1:5432/test`; only the server is used), builds the
  schema with the migrations, fills it with bulk inserts (`bench/generate.py`), runs
  `ANALYZE` and writes the load out (`VACUUM ANALYZE` and `CHECKPOINT` on PostgreSQL, a WAL
  checkpoint on SQLite), and drops the databases at the end.
- The pages' data: two branches of one region, a supervisor and four officers each, the
  companies split 60/40 between the branches. About 85% of the companies have a case that is
  not closed (3% of those paused), some have an older closed case. The steps, about ten a
  case and unevenly spread, walk up the default ladder with phone calls in between, with
  response windows, delivery and approval states; each case's copies (stage, next rung and
  due date, rungs reached) and each company's copies of its cases (its open case's status and
  due date, the rungs any case reached) are computed by `policy.case_copies` and
  `policy.company_copies`, as the case service's `project` writes them.
- The regional scope's data: one region of 35 branches (the two above and Central Java's and
  Yogyakarta's other regencies and cities), the companies spread evenly, the same mix of
  cases and steps, written with COPY on PostgreSQL (executemany batches of 10,000 rows on
  SQLite); about 8 minutes for 1,000,000 companies and 10,000,000 steps on this machine.
- Pages: it signs in through the real sign-in form (CSRF token and all) with Flask's test
  client, as an officer of the bigger branch (regional scope: as regional staff of the
  region, for every page), and times {requests} requests of each page after warm-up requests
  (a slow page at least 10, then until a minute has gone by). The server time is the wall
  time of the in-process request (session, queries, template rendering) without network or
  browser. Queries are counted with a `before_cursor_execute` listener on the app's engine,
  which also keeps each request's statements: right after the request they are sent again
  through the driver on a connection of their own, every row fetched, and rolled back; that
  time is the "SQL alone" column. The company page is timed on different companies whose
  open case has between the mean and twice the mean number of steps; the branch's busiest
  case is shown for information. The company page writes a data-access log row per view
  (`core.views.log_access`): its INSERT and COMMIT are timed alone too.
- Sweep (`bench/sweep.py`): a second database per engine, generated the same way but with an
  open case for every company (`--sweep-cases`, default 100,000; ten steps a case), so that
  the cases' windows have elapsed in the generator's mix of rungs. The sweep day is the first
  working day (national calendar, `WorkingCalendar`) on or after the day the data describes.
  Each run is `outreach.scheduler.jobs.morning_sweep(day)` in its own
  app context, timed from the call to its return (its commits included); "rows added" counts
  the rows of `reminders`, `letters`, `notifications` and `audit_events` before and after.
- Printing (`bench/printing.py`): the next letter of open cases of a small data set of its own
  (SQLite), built as issuing builds it (`letter_data`, a number, a verify code and its QR
  code, `build_html`); the HTML documents are made before the clock starts and the database is
  closed. Raw: `weasyprint.HTML(string=html, url_fetcher=...).write_pdf(stylesheets=[css])`
  one after the other in this process, with the app's `letter.css` parsed once and a fetcher
  that serves the bundled logo (so both render the same document; WeasyPrint then makes its
  own font configuration per document, as it does when given none). App: `render_many(htmls,
  workers=1)` (in process) and `render_many(htmls, workers=N)` (a process pool, N = cores),
  each followed by `merge` into one PDF, as `batch_pdf` does. One untimed document each first
  (fonts, stylesheet). The three ways run one after the other, in two rounds, the second in
  reverse order (`--print-rounds`); the fastest round of each way counts. Before each timing
  the benchmark waits for other processes to leave the machine (`--quiet-wait`, in all at most
  0.6 s a letter, 300 s for 500), and it shows next to the wall time the CPU seconds of this
  process and its workers and the share of the machine other processes used meanwhile (from
  `/proc/stat`), so that a slow figure caused by other work on the machine can be told apart
  from a slow renderer.
- Load test (`bench/load.py`, `bench/locustfile.py`, `bench/load_client.py`): the pages' data
  set in a database `{load.DATABASE}` of its own (dropped first if left over, and at the end
  unless `--keep`), with {load.USERS} accounts of the bigger branch added ({load.SUPERVISORS}
  supervisors, the rest officers, with the generated password), the branch's companies shared
  out between its officers and the morning sweep run once, so that every officer has tasks.
  gunicorn runs `wsgi:app` with `OUTREACH_ENV=production`, a random `SECRET_KEY`,
  `DATABASE_URL` and `OUTREACH_REQUIRE_2FA=0` (the accounts have no authenticator). The
  sign-in throttle stays on: it counts only failed sign-ins, and the {load.USERS} sign-ins
  stay under `LOGIN_RATE_LIMIT`. The clients send the production app's `Secure` cookies over
  plain HTTP to 127.0.0.1, where a browser would talk to the TLS proxy. First one officer
  (and one supervisor for the dashboard) makes {load.IDLE_REQUESTS} requests of each page one
  after the other (the idle figures); then `locust --headless -u {load.USERS} -r
  {load.SPAWN_RATE} --reset-stats` runs, every user pausing {load.THINK[0]:g} to
  {load.THINK[1]:g} s between actions; its figures start once every user has started (the
  sign-ins' password hashing is left out). Any answer but the expected one (200 for a page,
  a redirect to the company for a logged step, no redirect to the sign-in page) counts as an
  error. The pause: an officer reads a company's page (its profile, estimate and timeline) or
  the task list, then makes the phone call the step records and types its notes; 1 to 3 s
  (the first runs) had fifty users ask about 25 requests a second of a two-core machine that
  served 5.5, so the p95 measured only the queue in front of gunicorn (11 to 14 s). 5 to 15 s
  (10 on average, about 6 requests a second from fifty users) is still a busy office: every
  officer acting six times a minute without a break. The second run (the batch): the other
  branch's {queue.BATCH_FORMS:,} open cases are made due for a visit on the next working day
  before the first run (both runs see the same data), and right before the second run a
  worker process with the production settings (its two workers at the default
  `OUTREACH_QUEUE_NICE`) starts on the same database and a Redis queue (`BENCH_QUEUE_URL`,
  default db 15, only the app's queue flushed), and that branch's print batch is handed to
  it; the table says how far the batch got while the users worked.
- The job queue (`bench/queue.py`): a small data set of its own (PostgreSQL, open cases only),
  {queue.BATCH_FORMS:,} open cases of the bigger branch due for a visit on the next working
  day; the day's print batch is asked for as the print page asks (`queue.ask`, then
  `worker.dispatch` to a Redis queue), and timed from handing it over until its row says done
  (the job's `finished_at`), by `flask --app wsgi worker --workers 1`, then `--workers 2`
  (the production settings). The batch renders its forms in parts of
  {queue.PART_FORMS} (`outreach.queue.work.PART_FORMS`), jobs of their own; the last part to
  finish merges the cover, the letters and the parts' forms into the one PDF. The forms are
  what a print batch renders: the day's letters were rendered when they were issued and are
  merged as stored. `--quick`: 40 forms in parts of 10.

Rerun with `make bench` (see the last run's duration below). A quicker run (about a
minute, small data sets on SQLite, no report): `.venv/bin/python -m bench --quick`;
`--only pages,regional,sweep,printing,queue,imports` picks the measurements, `--help` lists the
options, `--keep` keeps the databases to look at query plans.

## Last run

{today.isoformat()}: `{command}`, {total_seconds / 60:.1f} minutes in all.

Machine: {machine()}.

Load average (1 / 5 / 15 minutes) at each stage. The machine has two cores and is shared with
other engineers' test runs, so a load above about 1 means this benchmark did not have the
machine to itself:

{load_lines}

{summary(results)}
## What the benchmark found

{PAGE_FINDINGS}
{REGIONAL_FINDINGS}
{DASHBOARD_FINDINGS}
{SWEEP_FINDINGS}
{PRINTING_FINDINGS}
{queue.QUEUE_FINDINGS}
{LOAD_FINDINGS}"""
