"""The queue's benchmark, small: a print batch of 8 visit forms (parts of 2) rendered by real
worker processes on PostgreSQL and Redis (db 13, only the app's queue flushed), by one worker
and then by two, with the figures the report shows."""

from __future__ import annotations

import argparse
from datetime import date

import pytest
import redis

from bench.queue import QueueRun, queue_table, run_queue
from outreach.extensions import db

REDIS_URL = "redis://127.0.0.1:6379/13"


def test_the_queue_bench_times_a_small_batch_on_one_worker_then_two(app, database_url,
                                                                    monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the queue's benchmark runs on PostgreSQL")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    monkeypatch.setenv("BENCH_DATABASE_URL", database_url)
    args = argparse.Namespace(queue_forms=8, keep=False, seed=1)
    run = run_queue(args, date(2026, 3, 2), REDIS_URL)
    assert isinstance(run, QueueRun) and run.documents == 8 and run.part_forms == 2
    assert [t.workers for t in run.timings] == [1, 2]
    # the cover, then a page per form, both times
    assert all(t.parts == 4 and t.pages >= 9 for t in run.timings)
    assert run.timings[0].pages == run.timings[1].pages
    assert run.ratio > 0
    table = queue_table(run)
    assert "| 1 |" in table and "| 2 |" in table and "Two workers / one" in table
