"""Branch adjustments of the ladder: windows, limits and which optional rungs are in use."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from outreach.core.access import Permission, require
from outreach.core.audit import record
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.ladder.models import LadderRung
from outreach.org.models import User


def adjust_rung(actor: User, code: str, *, window_days: int | None, max_count: int,
                active: bool) -> LadderRung:
    """Override one rung of the default ladder for the supervisor's branch."""
    require(actor, Permission.DECIDE, actor.branch_id)
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




