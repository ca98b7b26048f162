"""One scheduler at a time: PostgreSQL advisory lock, or a lease row on SQLite.

A second scheduler started by mistake waits as a standby and takes over when the first dies:
its advisory lock goes with its connection, its lease expires when no longer renewed.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import timedelta

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from outreach.core.db import utcnow
from outreach.extensions import db
from outreach.scheduler.models import SchedulerLease

logger = logging.getLogger("outreach.scheduler")
ADVISORY_KEY = 0x0A7E_AC5E  # "outreach scheduler"
LEASE_NAME = "scheduler"
LEASE_SECONDS = 30


def holder_name() -> str:
    """This process, as shown in the lease."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Leadership:
    """Acquire and keep the right to run the scheduler."""

    def __init__(self, holder: str | None = None) -> None:
        self.holder = holder or holder_name()
        self.connection: Connection | None = None
        self.postgres = db.engine.dialect.name == "postgresql"

    def try_acquire(self) -> bool:
        """Take leadership if nobody holds it."""
        if self.postgres:
            if self.connection is None:
                self.connection = db.engine.connect()
            got = self.connection.execute(select(func.pg_try_advisory_lock(ADVISORY_KEY)))
            self.connection.commit()
            return bool(got.scalar())
        return self.renew()

    def renew(self) -> bool:
        """Extend the lease (SQLite); False when another process holds it."""
        if self.postgres:
            return self.connection is not None and not self.connection.closed
        now = utcnow()
        expires = now + timedelta(seconds=LEASE_SECONDS)
        if db.session.get(SchedulerLease, LEASE_NAME) is None:
            db.session.execute(sqlite_insert(SchedulerLease).values(
                name=LEASE_NAME, holder="", expires_at=now).on_conflict_do_nothing())
        taken = db.session.execute(
            update(SchedulerLease).where(
                SchedulerLease.name == LEASE_NAME,
                (SchedulerLease.expires_at <= now) | (SchedulerLease.holder == self.holder))
            .values(holder=self.holder, expires_at=expires)
            .execution_options(synchronize_session=False)).rowcount
        db.session.commit()
        return taken == 1

    def wait(self, poll_seconds: float = 10.0, stop=lambda: False) -> bool:
        """Block as a standby until leadership is ours (or `stop()` says to give up)."""
        announced = False
        while not stop():
            if self.try_acquire():
                if announced:
                    logger.warning("the other scheduler is gone: this one takes over")
                return True
            if not announced:
                logger.warning("another scheduler is running: waiting as a standby")
                announced = True
            time.sleep(poll_seconds)
        return False

    def release(self) -> None:
        """Give leadership up."""
        if self.postgres:
            if self.connection is not None:
                self.connection.execute(select(func.pg_advisory_unlock(ADVISORY_KEY)))
                self.connection.close()
                self.connection = None
            return
        db.session.execute(update(SchedulerLease).where(
            SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == self.holder)
            .values(expires_at=utcnow()).execution_options(synchronize_session=False))
        db.session.commit()
