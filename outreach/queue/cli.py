"""`flask worker`: a worker process of the job queue (start as many, on as many machines, as
the work needs; they share the queue's storage, `OUTREACH_QUEUE_URL`)."""

from __future__ import annotations

import logging
import os

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from outreach.core.cli import fail
from outreach.queue.worker import queue_of, recover_lost


@click.command("worker")
@click.option("--workers", "-w", type=click.IntRange(1, 64), default=None,
              help="Jobs run at once (default OUTREACH_QUEUE_WORKERS).")
@click.option("--type", "worker_type", type=click.Choice(["process", "thread"]),
              default="process", show_default=True,
              help="Workers as processes (one core each: letters render in parallel) or "
                   "threads.")
@click.option("--nice", type=click.IntRange(0, 19), default=None,
              help="Lower the workers' CPU priority by this much, so that on a machine shared "
                   "with the web the pages come first (default OUTREACH_QUEUE_NICE).")
@with_appcontext
def worker(workers: int | None, worker_type: str, nice: int | None) -> None:
    """Run the queue's jobs (imports, print batches, bulk issuing) until stopped; jobs whose
    worker was lost are taken up as it starts, and each minute."""
    huey = queue_of(current_app)
    if huey.immediate:
        fail("OUTREACH_QUEUE_URL is 'immediate': jobs run where they are asked for, there is "
             "no queue for a worker to read")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.nice(current_app.config["QUEUE_NICE"] if nice is None else nice)  # the workers inherit it
    recover_lost(current_app._get_current_object())
    # periodic: each minute the consumer queues `lost_jobs` (several workers may: the first
    # to take a lost job takes it)
    consumer = huey.create_consumer(workers=workers or current_app.config["QUEUE_WORKERS"],
                                    worker_type=worker_type, periodic=True)
    consumer.run()


def init_app(app: Flask) -> None:
    app.cli.add_command(worker)
