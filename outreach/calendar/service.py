"""A branch's changes to the national calendar: its own days off, collective leave the
`holidays` package does not know yet, and national days it works after all.

Due dates already set on logged steps are not recomputed when the calendar changes: a change
counts for the windows counted from then on (the pages say so when they confirm a change).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from outreach.calendar.models import BranchHoliday, DayKind
from outreach.calendar.rules import collective_leave_days, is_weekend, national_days_off
from outreach.core.access import Permission, require
from outreach.core.audit import record
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.org.models import User

NAME_MAX = 120
SOURCE_MAX = 200


def _row(branch_id: int, day: date) -> BranchHoliday | None:
    return db.session.scalars(select(BranchHoliday).where(
        BranchHoliday.branch_id == branch_id, BranchHoliday.day == day)).first()


def _required(value: str, field_name: str, message: str, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ServiceError(message, field_name)
    if len(text) > limit:
        raise ServiceError(_("At most %(num)d characters.", num=limit), field_name)
    return text


def _source_needed() -> str:
    return _("Say where this comes from: the decree and its year, e.g. "
             "\"SKB 3 Menteri 2026 (No. 1497/2025, 2/2025, 5/2025)\".")


def add_holiday(actor: User, day: date, name: str, *, kind: str = DayKind.OWN,
                source: str = "") -> BranchHoliday:
    """Add a day off to the supervisor's branch: one of its own, or collective leave (*cuti
    bersama*) of a year the `holidays` package does not know yet (then with its source)."""
    require(actor, Permission.DECIDE, actor.branch_id)
    if kind not in DayKind.DAYS_OFF:
        raise ServiceError(_("Choose a day off of the branch or collective leave."), "kind")
    if day is None:
        raise ServiceError(_("Give the date."), "day")
    name = _required(name, "name", _("Give the day a name."), NAME_MAX)
    source = (source or "").strip()
    if kind == DayKind.COLLECTIVE:
        source = _required(source, "source", _source_needed(), SOURCE_MAX)
    elif len(source) > SOURCE_MAX:
        raise ServiceError(_("At most %(num)d characters.", num=SOURCE_MAX), "source")
    exists = _row(actor.branch_id, day)
    if exists is not None and exists.kind == DayKind.WORKING:
        raise ServiceError(_("The branch made this national day a working day (%(reason)s): "
                             "undo that instead.", reason=exists.source), "day")
    if exists is not None:
        raise ServiceError(_("This day is already a day off of the branch."), "day")
    if is_weekend(day):
        raise ServiceError(_("This day is a Saturday or a Sunday: already a day off."), "day")
    national = national_days_off(day.year).get(day)
    if national is not None:
        raise ServiceError(_("This day is already a national day off: %(name)s.",
                             name=national), "day")
    holiday = BranchHoliday(branch_id=actor.branch_id, day=day, name=name, kind=kind,
                            source=source)
    db.session.add(holiday)
    db.session.flush()
    action = "holiday.add" if kind == DayKind.OWN else "holiday.collective_add"
    record(actor, action, "branch_holiday", holiday.id,
           {"day": day, "name": name, "kind": kind, "source": source},
           branch_id=actor.branch_id)
    return holiday


def make_working_day(actor: User, day: date, reason: str) -> BranchHoliday:
    """Make a national holiday or collective leave day a working day of the supervisor's
    branch, e.g. when a later joint decree of the three ministers moves collective leave."""
    require(actor, Permission.DECIDE, actor.branch_id)
    if day is None:
        raise ServiceError(_("Give the date."), "working_day")
    if is_weekend(day):
        raise ServiceError(_("Only a national holiday or a collective leave day can be made a "
                             "working day: Saturdays and Sundays stay days off."), "working_day")
    national = national_days_off(day.year).get(day)
    exists = _row(actor.branch_id, day)
    if exists is not None and exists.kind == DayKind.WORKING:
        raise ServiceError(_("This day is already a working day of the branch."), "working_day")
    if exists is not None:
        raise ServiceError(_("The branch added this day off itself: remove it instead."),
                           "working_day")
    if national is None:
        raise ServiceError(_("This day is not a national holiday or collective leave day "
                             "(SKB 3 Menteri on national holidays and collective leave): it is "
                             "already a working day."), "working_day")
    reason = _required(reason, "reason", _source_needed(), SOURCE_MAX)
    holiday = BranchHoliday(branch_id=actor.branch_id, day=day, name=national,
                            kind=DayKind.WORKING, source=reason)
    db.session.add(holiday)
    db.session.flush()
    record(actor, "holiday.working_day", "branch_holiday", holiday.id,
           {"day": day, "name": national, "kind": DayKind.WORKING, "source": reason},
           branch_id=actor.branch_id)
    return holiday


def remove_holiday(actor: User, holiday: BranchHoliday) -> None:
    """Undo a change of the supervisor's branch: remove its day off or collective leave day,
    or make its working day a national day off again."""
    require(actor, Permission.DECIDE, actor.branch_id)
    if holiday.branch_id != actor.branch_id:
        raise ServiceError(_("This day belongs to another branch."))
    record(actor, "holiday.remove", "branch_holiday", holiday.id,
           {"day": holiday.day, "name": holiday.name, "kind": holiday.kind,
            "source": holiday.source}, branch_id=actor.branch_id)
    db.session.delete(holiday)


def own_day_off(branch_id: int, holiday_id: int) -> BranchHoliday | None:
    """One of the branch's changes to the calendar, or None."""
    return db.session.scalars(select(BranchHoliday).where(
        BranchHoliday.id == holiday_id, BranchHoliday.branch_id == branch_id)).first()


@dataclass(frozen=True)
class CalendarDay:
    """One day of the days-off page."""

    day: date
    name: str
    #: "national", "collective" or "own"
    kind: str
    #: where a day the branch added comes from ("" for the `holidays` package)
    source: str = ""
    #: the branch's row behind the day: removing it undoes the branch's change
    row: BranchHoliday | None = None

    @property
    def working(self) -> bool:
        """A national day the branch works."""
        return self.row is not None and self.row.kind == DayKind.WORKING


@dataclass
class CalendarYear:
    """A year's days off of a branch, by kind."""

    year: int
    national: list[CalendarDay] = field(default_factory=list)
    collective: list[CalendarDay] = field(default_factory=list)
    own: list[CalendarDay] = field(default_factory=list)


def calendar_year(branch_id: int, year: int) -> CalendarYear:
    """The national holidays, collective leave (the package's and the branch's) and the
    branch's own days off of a year, with the national days the branch works marked."""
    rows = {row.day: row for row in db.session.scalars(select(BranchHoliday).where(
        BranchHoliday.branch_id == branch_id,
        BranchHoliday.day.between(date(year, 1, 1), date(year, 12, 31))))}
    working = {day: row for day, row in rows.items() if row.kind == DayKind.WORKING}
    collective = collective_leave_days(year)
    result = CalendarYear(year)
    for day, name in sorted(national_days_off(year).items()):
        entry = CalendarDay(day, name, "collective" if day in collective else "national",
                            row=working.pop(day, None))
        (result.collective if day in collective else result.national).append(entry)
    for day, row in working.items():  # a national day the package no longer lists
        result.national.append(CalendarDay(day, row.name, "national", row=row))
    for row in rows.values():
        if row.kind == DayKind.COLLECTIVE:
            result.collective.append(CalendarDay(row.day, row.name, "collective",
                                                 source=row.source, row=row))
        elif row.kind == DayKind.OWN:
            result.own.append(CalendarDay(row.day, row.name, "own", source=row.source,
                                          row=row))
    for days in (result.national, result.collective, result.own):
        days.sort(key=lambda entry: entry.day)
    return result


def years_without_collective_leave(branch_id: int, today: date) -> list[int]:
    """The years of the next twelve months for which no collective leave is recorded, neither
    in the `holidays` package nor added by the branch: their deadlines would be counted as
    if the government had set none."""
    years = (today.year, today.year + 1)  # twelve months from any day reach the next year
    added_years = {day.year for day in db.session.scalars(select(BranchHoliday.day).where(
        BranchHoliday.branch_id == branch_id, BranchHoliday.kind == DayKind.COLLECTIVE,
        BranchHoliday.day >= date(today.year, 1, 1)))}
    return [year for year in years
            if not collective_leave_days(year) and year not in added_years]
