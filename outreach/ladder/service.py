"""Branch adjustments of the ladder and of the working-day calendar."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from outreach.calendar.models import BranchHoliday
from outreach.core.access import Permission, require
from outreach.core.audit import record
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.ladder.models import LadderRung
from outreach.org.models import User


def _require_supervisor(actor: User) -> None:
    require(actor, Permission.DECIDE, actor.branch_id)


def adjust_rung(actor: User, code: str, *, window_days: int | None, max_count: int,
                active: bool) -> LadderRung:
    """Override one rung of the default ladder for the supervisor's branch."""
    _require_supervisor(actor)
    default = db.session.scalars(select(LadderRung).where(
        LadderRung.branch_id.is_(None), LadderRung.code == code)).first()
    if default is None:
        raise ServiceError(_("Unknown step %(code)s.", code=code))
    row = db.session.scalars(select(LadderRung).where(
        LadderRung.branch_id == actor.branch_id, LadderRung.code == code)).first()
    if row is None:
        row = LadderRung(branch_id=actor.branch_id, code=code, position=default.position,
                         requires=default.requires, requires_delivery=default.requires_delivery,
                         requires_window=default.requires_window,
                         needs_approval=default.needs_approval, is_letter=default.is_letter,
                         template_code=default.template_code, optional=default.optional)
        db.session.add(row)
    # Legal steps keep their approval and prerequisites; a branch tunes windows and use.
    row.window_days = window_days or None
    row.max_count = max_count
    row.active = active
    db.session.flush()
    record(actor, "ladder.adjust", "ladder_rung", row.id,
           {"code": code, "window_days": window_days, "max_count": max_count, "active": active},
           branch_id=actor.branch_id)
    return row


def add_holiday(actor: User, day: date, name: str) -> BranchHoliday:
    """Add a day off of the supervisor's branch."""
    _require_supervisor(actor)
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
    _require_supervisor(actor)
    if holiday.branch_id != actor.branch_id:
        raise ServiceError(_("This day belongs to another branch."))
    record(actor, "holiday.remove", "branch_holiday", holiday.id,
           {"day": holiday.day, "name": holiday.name}, branch_id=actor.branch_id)
    db.session.delete(holiday)
