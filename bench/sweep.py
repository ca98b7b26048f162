"""The morning sweep over a branch-sized backlog of open cases (issue 5).

A data set of its own, in a database of its own: every company has one open case (some also
an older closed one), the steps walk up the ladder as in the page benchmark, so the response
windows of the cases have elapsed in the generator's mix of rungs. The sweep is timed the way
`flask reminders run --date DAY` runs it (`jobs.morning_sweep`): once on
a fresh database, then again on the same day, which must create nothing.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from bench.generate import Dataset, generate
from bench.measure import QueryCounter
from outreach.calendar.rules import WorkingCalendar
from outreach.cases.models import Case, CaseStatus
from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.letters.models import Letter
from outreach.notifications.models import Notification
from outreach.scheduler import jobs
from outreach.tasks.models import Reminder

#: wall time of the first sweep and of the re-run on the same day
TARGET_FIRST_S = 10.0
TARGET_RERUN_S = 3.0
#: steps generated per open case (the page benchmark has about 11)
STEPS_PER_CASE = 10
#: tables the re-run must leave as they are
CREATED = {"reminders": Reminder, "letters": Letter, "notifications": Notification,
           "audit_events": AuditEvent}


def sweep_day(reference: date) -> date:
    """The first working day on or after `reference` (the day the data set describes)."""
    calendar, day = WorkingCalendar(), reference
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


@dataclass
class SweepTiming:
    """One run of the morning job."""

    seconds: float
    queries: int
    #: the job's counts, as `flask reminders run --json` prints them (plus digests, weekly)
    counts: dict[str, Any]
    #: rows the run added to the tables of CREATED
    rows_added: dict[str, int]


@dataclass
class SweepRun:
    """The sweep on one database."""

    name: str
    version: str
    day: date
    dataset: Dataset
    #: open cases whose next step is due on or before the sweep day, by rung
    due_by_rung: dict[str, int] = field(default_factory=dict)
    first: SweepTiming | None = None
    rerun: SweepTiming | None = None

    @property
    def due(self) -> int:
        return sum(self.due_by_rung.values())

    def target_problems(self) -> list[str]:
        """What misses a target (empty when all are met)."""
        problems = []
        if self.first.seconds >= TARGET_FIRST_S:
            problems.append(f"{self.name}: first sweep {self.first.seconds:.1f} s")
        if self.rerun.seconds >= TARGET_RERUN_S:
            problems.append(f"{self.name}: re-run {self.rerun.seconds:.1f} s")
        made = {k: v for k, v in {**self.rerun.counts, **self.rerun.rows_added}.items()
                if isinstance(v, int) and v}
        if made:
            problems.append(f"{self.name}: the re-run made {made}")
        if not self.first.counts.get("reminders_created"):
            problems.append(f"{self.name}: the first sweep created no reminders")
        return problems


def _row_counts() -> dict[str, int]:
    return {name: db.session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in CREATED.items()}


def _timed_run(app: Flask, day: date) -> SweepTiming:
    """`flask reminders run --date DAY`, in process: a recorded job run of the morning job."""
    counter = QueryCounter(app)
    with app.app_context():
        before = _row_counts()
        db.session.remove()
        gc.collect()
        counter.count = 0
        started = time.perf_counter()
        run = jobs.morning_sweep(day)
        seconds = time.perf_counter() - started
        queries = counter.count
        counter.close()
        if run.outcome != "ok":
            raise RuntimeError(f"the sweep failed: {run.error}")
        counts = dict(run.counts)
        after = _row_counts()
        db.session.remove()
    return SweepTiming(seconds, queries, counts,
                       {name: after[name] - before[name] for name in CREATED})


def run_sweep(name: str, version: str, app: Flask, cases: int, steps: int, today: date,
              seed: int) -> SweepRun:
    """Fill the (migrated, empty) database of `app`, then time the first sweep and a re-run."""
    with app.app_context():
        dataset = generate(cases, steps, today, seed, open_share=1.0, paused_share=0.0)
        day = sweep_day(today)
        due = Counter(dict(db.session.execute(
            select(Case.next_rung, func.count()).where(
                Case.status == CaseStatus.OPEN, Case.next_rung != "",
                Case.next_due_on <= day).group_by(Case.next_rung)).all()))
        db.session.remove()
    run = SweepRun(name, version, day, dataset, dict(due.most_common()))
    print(f"{name}: {dataset.open_cases:,} open cases, {dataset.steps:,} steps in "
          f"{dataset.load_seconds:.1f} s; {run.due:,} due on {day}; sweeping …", flush=True)
    run.first = _timed_run(app, day)
    print(f"{name}: first sweep {run.first.seconds:.2f} s {run.first.counts}", flush=True)
    run.rerun = _timed_run(app, day)
    print(f"{name}: re-run {run.rerun.seconds:.2f} s {run.rerun.counts}", flush=True)
    return run
