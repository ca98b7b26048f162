"""The branch clock: what day it is where the office is."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def now() -> datetime:
    """The current moment, timezone-aware (UTC)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the configured timezone (Asia/Jakarta by default)."""
    return datetime.now(ZoneInfo(current_app.config["OUTREACH_TIMEZONE"])).date()
