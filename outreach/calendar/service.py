"""A branch's own days off, beside the national holidays and collective leave."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from outreach.calendar.models import BranchHoliday
from outreach.core.access import Permission, require
from outreach.core.audit import record
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.org.models import User


def add_holiday(actor: User, day: date, name: str) -> BranchHoliday:
    """Add a day off of the supervisor's branch."""
    require(actor, Permission.DECIDE, actor.branch_id)
    exists = db.session.scalars(select(BranchHoliday).where(
        BranchHoliday.branch_id == actor.branch_id, BranchHoliday.day == day)).first()
    if exists is not None:
        raise ServiceError(_("This day is already a day off of the branch."), "day")
    holiday = BranchHoliday(branch_id=actor.branch_id, day=day, name=name.strip())
    db.session.add(holiday)
    db.session.flush()
    record(actor, "holiday.add", "branch_holiday", holiday.id,
           {"day": day, "name": holiday.name}, branch_id=actor.branch_id)
    return holiday


def remove_holiday(actor: User, holiday: BranchHoliday) -> None:
    """Remove a day off of the supervisor's branch."""
    require(actor, Permission.DECIDE, actor.branch_id)
    if holiday.branch_id != actor.branch_id:
        raise ServiceError(_("This day belongs to another branch."))
    record(actor, "holiday.remove", "branch_holiday", holiday.id,
           {"day": holiday.day, "name": holiday.name}, branch_id=actor.branch_id)
    db.session.delete(holiday)


def own_days_off(branch_id: int) -> list[BranchHoliday]:
    """The branch's own days off, by date."""
    return list(db.session.scalars(select(BranchHoliday).where(
        BranchHoliday.branch_id == branch_id).order_by(BranchHoliday.day)))


def own_day_off(branch_id: int, holiday_id: int) -> BranchHoliday | None:
    """One of the branch's own days off, or None."""
    return db.session.scalars(select(BranchHoliday).where(
        BranchHoliday.id == holiday_id, BranchHoliday.branch_id == branch_id)).first()
