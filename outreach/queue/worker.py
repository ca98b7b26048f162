"""The queue: Huey, with its storage named by `OUTREACH_QUEUE_URL` — a SQLite file under
`instance/` by default (nothing to install or start), Redis in production (`redis://…`), or
`immediate` (the tests: a job runs in the process that asks for it, through the same
`run_job`).

A page asks for a job (`outreach.queue.service.ask`), commits, and hands its id to the queue
with `dispatch`; a worker process (`flask --app wsgi worker`) takes it and calls `run_job`,
which runs the work of its kind (`outreach.queue.work.KINDS`) as the person who asked, in
their language, and records each attempt on the job's row. A failed attempt is retried by
Huey (`QUEUE_RETRIES` times, `QUEUE_RETRY_DELAY` seconds apart); the last one marks the job
failed with its reason. A service's refusal is not retried (it would be refused again): the
job fails at once with the refusal as its reason.

A running job gives a sign of life (`heartbeat_at`) with each progress write and every fifth of
`JOB_STALE_SECONDS` besides, from a thread of the worker. A job silent for longer lost its
worker (killed, its machine gone): `recover_lost`, run by `flask worker` as it starts and by
every worker's consumer each minute (`lost_jobs_task`), queues it again while attempts remain
(attempts are counted on the job's row, across Huey's retries and the recoveries), else fails
it with the reason.
"""

from __future__ import annotations

import logging
import mimetypes
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from flask import Flask, current_app
from flask_babel import force_locale
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.exceptions import CancelExecution
from sqlalchemy.exc import SQLAlchemyError

from outreach.core import clock
from outreach.core.db import progress_writer
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.org.models import User
from outreach.queue import service
from outreach.queue.models import BackgroundJob, JobState
from outreach.queue.work import KINDS, WAITING, Handed, gave_up

logger = logging.getLogger("outreach.queue")
QUEUE_NAME = "outreach"


def make_huey(url: str) -> Huey:
    """The Huey of a storage URL: `sqlite:///path`, `redis://host:port/db` or `immediate`."""
    if url == "immediate":
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, results=False)
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=path, results=False)
    raise ValueError(f"OUTREACH_QUEUE_URL must be sqlite:///path, redis://… or immediate, "
                     f"not {url!r}")


def init_app(app: Flask) -> None:
    """The app's queue and its one task, `run_job`, registered with the app's retries."""
    huey = make_huey(app.config["QUEUE_URL"])

    @huey.task(retries=app.config["QUEUE_RETRIES"], retry_delay=app.config["QUEUE_RETRY_DELAY"],
               context=True, name="run_job")
    def run_job_task(job_id: int, task=None) -> None:
        run_job(app, job_id, final=not task.retries)

    @huey.periodic_task(crontab(minute="*"), name="lost_jobs")
    def lost_jobs_task() -> None:
        recover_lost(app)

    app.extensions["huey"] = huey
    app.extensions["huey_run_job"] = run_job_task


def queue_of(app: Flask) -> Huey:
    """The app's Huey."""
    return app.extensions["huey"]


def dispatch(job: BackgroundJob) -> None:
    """Hand a committed job to the workers (in immediate mode: run it now)."""
    current_app.extensions["huey_run_job"](job.id)


def start(job: BackgroundJob) -> int:
    """What a page does once it asked for a job: commit it and hand it over. Returns its id
    (the page redirects to the job's page)."""
    db.session.commit()
    job_id = job.id
    dispatch(job)
    return job_id


def _progress_writer(job_id: int) -> Callable[[int, int], None]:
    """Progress written on a connection of its own, so the job's page sees it at once; the
    work calls it only between its own transactions (or while it only reads)."""
    return progress_writer(BackgroundJob, job_id, heartbeat="heartbeat_at")


@contextmanager
def heartbeat(app: Flask, job_id: int) -> Iterator[None]:
    """While the work runs, a thread writes the job's sign of life every fifth of
    `JOB_STALE_SECONDS` (work that writes no progress for a while still shows it is alive).
    A sign that cannot be written (SQLite busy with the work's own transaction) is skipped."""
    every = max(app.config["JOB_STALE_SECONDS"] / 5, 0.2)
    stop = threading.Event()

    def beat() -> None:
        with app.app_context():
            while not stop.wait(every):
                try:
                    service.beat(job_id, clock.now())
                except SQLAlchemyError as error:
                    logger.info("job %s: sign of life not written: %s", job_id, error)

    thread = threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()


def recover_lost(app: Flask) -> list[int]:
    """The running jobs silent for longer than `JOB_STALE_SECONDS`, taken from their lost
    worker: queued again and handed over while attempts remain, else failed with the reason
    (and what their work leaves to undo, undone). Returns the ids of the jobs taken."""
    with app.app_context():
        now = clock.now()
        stale = timedelta(seconds=app.config["JOB_STALE_SECONDS"])
        again, taken = [], []
        for job in service.silent_jobs(now, stale):
            if job.kind in WAITING and WAITING[job.kind](job):
                continue
            final = job.attempts > app.config["QUEUE_RETRIES"]
            kind, locale = job.kind, job.locale
            with force_locale(locale):
                if not service.lost(job, now, stale, final=final):
                    continue
            if final:
                gave_up(job, job.error, now)
            db.session.commit()
            taken.append(job.id)
            logger.warning("job %s (%s) lost its worker: %s", job.id, kind,
                           "failed" if final else "queued again")
            if not final:
                again.append(job.id)
        for job_id in again:
            app.extensions["huey_run_job"](job_id)
        return taken


_process: dict[str, int] = {}


def fresh_process() -> None:
    """In a worker process forked from the consumer: connections of its own (the pool's were
    the parent's), and leave to fork children (letters are rendered in a forked process with
    limits, a batch on a pool): Huey marks its process workers daemonic only so that they end
    with the consumer, which `run_limited` does not need, since it ends every child it starts."""
    if _process.get("pid") == os.getpid():
        return
    _process["pid"] = os.getpid()
    if multiprocessing.parent_process() is not None:
        db.engine.dispose(close=False)
        multiprocessing.current_process()._config["daemon"] = False  # type: ignore[attr-defined]


def content_type_of(name: str) -> str:
    """The type of a job's file by its name (a PDF, a CSV or XLSX export)."""
    if name.endswith(".xlsx"):  # not known to every system's mime table
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def run_job(app: Flask, job_id: int, *, final: bool) -> None:
    """One attempt at a job: its work as the person who asked, in their language, each step
    recorded on the job's row. A failed attempt is recorded with its reason and raised again
    so that Huey retries it; the `final` one, or a refusal, marks the job failed."""
    with app.app_context():
        fresh_process()
        job = db.session.get(BackgroundJob, job_id)
        if job is None or job.state in (JobState.DONE, JobState.FAILED):
            return
        locale = job.locale
        service.begin(job, clock.now())
        # the attempts are counted on the row: a job queued again after its worker was lost
        # comes back with Huey's retries afresh
        final = final or job.attempts > app.config["QUEUE_RETRIES"]
        db.session.commit()
        try:
            with force_locale(locale), heartbeat(app, job_id):
                actor = db.session.get(User, job.user_id)
                made = KINDS[job.kind](job, actor, _progress_writer(job_id),
                                       db.session.commit, clock.now())
                if isinstance(made, Handed):  # its parts finish it
                    db.session.commit()
                    for part in made.parts:
                        dispatch(part)
                    logger.info("job %s (%s) handed to %s parts", job_id, job.kind,
                                len(made.parts))
                    return
                outcome, result, name = made
                job = db.session.get(BackgroundJob, job_id)
                service.finish(job, outcome, clock.now(), result=result, name=name,
                               content_type=content_type_of(name))
                db.session.commit()
        except Exception as error:
            db.session.rollback()
            # a refusal (the import has rejected rows, the day is not a working day) would be
            # refused again: it ends the job; anything else is retried
            refused = isinstance(error, ServiceError)
            with force_locale(locale):
                reason = service.reason_of(error)
            job = db.session.get(BackgroundJob, job_id)
            service.failed(job, reason, clock.now(), final=final or refused)
            if final or refused:
                gave_up(job, reason, clock.now())
            db.session.commit()
            logger.warning("job %s (%s) attempt %s failed%s: %s", job_id, job.kind,
                           job.attempts, "" if final or refused else ", to be retried", reason)
            if refused or final:
                raise CancelExecution(retry=False) from error
            raise
        logger.info("job %s (%s) done: %s", job_id, job.kind, outcome)
