"""The Indonesian working-day calendar: weekends, national holidays and collective leave.

The national holidays and the collective leave days (*cuti bersama*) are set each year by a
joint decree of three ministers (Agama, Ketenagakerjaan, PANRB), for 2026 SKB No. 1497/2025,
2/2025 and 5/2025: 17 national holidays and 8 collective leave days. The `holidays` package
holds the collective leave in its GOVERNMENT category, not in the default PUBLIC one; both
count as days off. A branch changes its calendar with rows of `BranchHoliday`: days off of its
own, collective leave the package does not know yet (the decree for a year comes out in the
September before it), and national days it works after all (a later decree moved them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import select

from outreach.calendar.models import BranchHoliday, DayKind
from outreach.extensions import db

CATEGORIES = (holidays.PUBLIC, holidays.GOVERNMENT)


@lru_cache(maxsize=64)
def national_days_off(year: int) -> dict[date, str]:
    """Indonesia's holidays and collective leave days of a year, with their Indonesian names."""
    calendar = holidays.country_holidays("ID", years=year, categories=CATEGORIES, language="id")
    return dict(calendar.items())


@lru_cache(maxsize=64)
def collective_leave_days(year: int) -> dict[date, str]:
    """The collective leave days of a year the `holidays` package knows (none for a year
    whose decree it has not caught up with)."""
    calendar = holidays.country_holidays("ID", years=year, categories=(holidays.GOVERNMENT,),
                                         language="id")
    return dict(calendar.items())


def is_weekend(day: date) -> bool:
    """Saturday or Sunday."""
    return day.weekday() >= 5


class WorkingCalendar:
    """Working days of one branch."""

    def __init__(self, extra_days_off: Iterable[date] = (), *,
                 collective_leave: Mapping[date, str] | None = None,
                 working_days: Iterable[date] = ()) -> None:
        self.extra_days_off = frozenset(extra_days_off)
        self.collective_leave = dict(collective_leave or {})
        self.working_days = frozenset(working_days)

    @classmethod
    def for_branch(cls, branch_id: int | None) -> WorkingCalendar:
        """The calendar of a branch, with the changes it made itself."""
        if branch_id is None:
            return cls()
        rows = db.session.execute(select(BranchHoliday.day, BranchHoliday.kind,
                                         BranchHoliday.name).where(
            BranchHoliday.branch_id == branch_id)).all()
        return cls([row.day for row in rows if row.kind == DayKind.OWN],
                   collective_leave={row.day: row.name for row in rows
                                     if row.kind == DayKind.COLLECTIVE},
                   working_days=[row.day for row in rows if row.kind == DayKind.WORKING])

    def day_off_name(self, day: date) -> str | None:
        """Why `day` is not a working day, or None: "weekend", "branch" (a day off of the
        branch's own) or the national holiday's or collective leave's name."""
        if is_weekend(day):
            return "weekend"
        if day in self.extra_days_off:
            return "branch"
        if day in self.collective_leave:
            return self.collective_leave[day]
        if day in self.working_days:
            return None
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
