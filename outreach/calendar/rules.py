"""The Indonesian working-day calendar: weekends, national holidays and collective leave.

Collective leave days (*cuti bersama*) are in the `holidays` package's GOVERNMENT category,
not in the default PUBLIC one; both count as days off. A branch may add days of its own
(a local holiday, an office closure).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import select

from outreach.calendar.models import BranchHoliday
from outreach.extensions import db

CATEGORIES = (holidays.PUBLIC, holidays.GOVERNMENT)


@lru_cache(maxsize=64)
def national_days_off(year: int) -> dict[date, str]:
    """Indonesia's holidays and collective leave days of a year, with their Indonesian names."""
    calendar = holidays.country_holidays("ID", years=year, categories=CATEGORIES, language="id")
    return dict(calendar.items())


class WorkingCalendar:
    """Working days of one branch."""

    def __init__(self, extra_days_off: Iterable[date] = ()) -> None:
        self.extra_days_off = frozenset(extra_days_off)

    @classmethod
    def for_branch(cls, branch_id: int | None) -> WorkingCalendar:
        """The calendar of a branch, with the days it added itself."""
        if branch_id is None:
            return cls()
        days = db.session.scalars(select(BranchHoliday.day).where(
            BranchHoliday.branch_id == branch_id))
        return cls(days)

    def day_off_name(self, day: date) -> str | None:
        """Why `day` is not a working day, or None: "weekend", "branch" (a day off of the
        branch's own) or the national holiday's name."""
        if day.weekday() >= 5:
            return "weekend"
        if day in self.extra_days_off:
            return "branch"
        return national_days_off(day.year).get(day)

    def is_working_day(self, day: date) -> bool:
        """Whether the office works on `day`."""
        return self.day_off_name(day) is None

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (start itself does not count)."""
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`."""
        return self.add_working_days(day, 1)

    def working_days_left(self, today: date, until: date) -> int:
        """Working days from `today` to `until`, both included (0 once `until` has passed)."""
        count = 0
        current = today
        while current <= until:
            if self.is_working_day(current):
                count += 1
            current += timedelta(days=1)
        return count
