"""Branch settings of the ladder: how persuasion runs (windows, limits, required counts, the
branch's own rungs) and which rungs need a supervisor's approval, within the law's limits on
the legal rungs (`rules.breaches`: PP 86/2013 art. 5-8)."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from outreach.core.access import Permission, require
from outreach.core.audit import record
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.ladder import rules
from outreach.ladder.models import LadderRung
from outreach.org.models import User

#: a branch rung's code: lower-case letters, digits and underscores
CODE = re.compile(r"[a-z][a-z0-9_]{1,29}")
#: the most steps of one rung a branch may ask for, or allow, on a case
MOST_TIMES = 10
#: the longest response window a branch may give a persuasion step, in working days
MOST_DAYS = 120


def _default(code: str) -> LadderRung | None:
    return db.session.scalars(select(LadderRung).where(
        LadderRung.branch_id.is_(None), LadderRung.code == code)).first()


def _branch_row(branch_id: int | None, code: str) -> LadderRung | None:
    return db.session.scalars(select(LadderRung).where(
        LadderRung.branch_id == branch_id, LadderRung.code == code)).first()


def _check_counts(window_days: int | None, max_count: int, min_count: int) -> None:
    if window_days is not None and not 0 <= window_days <= MOST_DAYS:
        raise ServiceError(_("A response window is 0 to %(n)d working days.", n=MOST_DAYS),
                           "window_days")
    if not 0 <= max_count <= MOST_TIMES:
        raise ServiceError(_("At most 0 (no limit) to %(n)d times.", n=MOST_TIMES), "max_count")
    if not 0 <= min_count <= MOST_TIMES:
        raise ServiceError(_("Required 0 (optional) to %(n)d times.", n=MOST_TIMES),
                           "min_count")
    if max_count and min_count > max_count:
        raise ServiceError(_("A step cannot be required more times than it is allowed."),
                           "min_count")


def _refuse_breaches(row: LadderRung, default: LadderRung | None) -> None:
    """Refuse a row that breaks the law's limits, at the setting it concerns."""
    problems = rules.breaches(row, default)
    if problems:
        field, message = problems[0]
        raise ServiceError(message, field)


def adjust_rung(actor: User, code: str, *, window_days: int | None, max_count: int,
                active: bool, needs_approval: bool | None = None,
                min_count: int | None = None, name: str | None = None,
                position: int | None = None, is_letter: bool | None = None) -> LadderRung:
    """Set one rung for the supervisor's branch. A persuasion rung: its response window, how
    many times it may be taken, how many times the first warning needs it (0: optional), its
    approval, whether it is used; a branch rung also its name, position and letter. A legal
    rung keeps the law's limits: a warning's window (1-10 working days) and the approval of the
    warnings and the fine are the branch's; switching it off, taking it more than once, other
    windows and dropping the approval of TMP2T or the referral are refused."""
    require(actor, Permission.DECIDE, actor.branch_id)
    default = _default(code)
    row = _branch_row(actor.branch_id, code)
    if default is None and row is None:
        raise ServiceError(_("Unknown step %(code)s.", code=code))
    window_days = window_days or None
    min_count = (row or default).min_count if min_count is None else min_count
    _check_counts(window_days, max_count, min_count)
    new = row is None
    if row is None:
        row = LadderRung(branch_id=actor.branch_id, code=code, position=default.position,
                         requires=default.requires, requires_delivery=default.requires_delivery,
                         requires_window=default.requires_window,
                         needs_approval=default.needs_approval, is_letter=default.is_letter,
                         template_code=default.template_code, optional=default.optional,
                         legal=default.legal, name="", min_count=default.min_count)
    was = default if new else row
    before = {"window_days": was.window_days, "max_count": was.max_count,
              "min_count": was.min_count, "active": was.active,
              "needs_approval": was.needs_approval}
    with db.session.no_autoflush:
        row.window_days, row.max_count, row.active = window_days, max_count, active
        if needs_approval is not None:
            row.needs_approval = needs_approval
        if code in rules.LEGAL_RUNGS:
            row.legal = True
        else:
            row.min_count = min_count
            # not required before a warning: offered, never expected next
            row.optional = min_count == 0
        if default is None:  # the branch's own rung
            _own_details(row, name=row.name if name is None else name,
                         position=row.position if position is None else position,
                         is_letter=row.is_letter if is_letter is None else is_letter)
        _refuse_breaches(row, default)
    if new:
        db.session.add(row)
    db.session.flush()
    after = {"window_days": row.window_days, "max_count": row.max_count,
             "min_count": row.min_count, "active": row.active,
             "needs_approval": row.needs_approval}
    record(actor, "ladder.adjust", "ladder_rung", row.id,
           {"code": code, **{k: [before[k], v] for k, v in after.items() if before[k] != v}},
           branch_id=actor.branch_id)
    return row


def _own_details(row: LadderRung, *, name: str, position: int, is_letter: bool) -> None:
    """The name, position and letter of a branch's own rung, checked."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ServiceError(_("Enter the step's name (at most 100 characters)."), "name")
    last = rules.LEGAL_POSITIONS[rules.WARNING_1] - 1
    if not 0 <= position <= last:
        raise ServiceError(_("A branch's own steps are persuasion and come before written "
                             "warning I (position 0 to %(last)d). %(law)s", last=last,
                             law=rules.LAW_SANCTIONS), "position")
    row.name, row.position, row.is_letter = name, position, is_letter


def add_rung(actor: User, *, code: str, name: str, position: int, is_letter: bool,
             window_days: int | None, min_count: int, max_count: int,
             needs_approval: bool) -> LadderRung:
    """Add a persuasion rung of the supervisor's branch (before the first warning), with its
    own name; never a legal one."""
    require(actor, Permission.DECIDE, actor.branch_id)
    code = code.strip().lower()
    if not CODE.fullmatch(code):
        raise ServiceError(_("A code is 2 to 30 lower-case letters, digits or underscores, "
                             "starting with a letter."), "code")
    if code in (*rules.LEGAL_RUNGS, "new") or _default(code) is not None \
            or _branch_row(actor.branch_id, code) is not None:
        raise ServiceError(_("The ladder already has a step %(code)s.", code=code), "code")
    window_days = window_days or None
    _check_counts(window_days, max_count, min_count)
    row = LadderRung(branch_id=actor.branch_id, code=code, position=0, requires="",
                     requires_delivery=False, requires_window=False, window_days=window_days,
                     max_count=max_count, needs_approval=needs_approval, template_code="",
                     active=True, optional=min_count == 0, legal=False, min_count=min_count)
    _own_details(row, name=name, position=position, is_letter=is_letter)
    db.session.add(row)
    db.session.flush()
    record(actor, "ladder.add", "ladder_rung", row.id,
           {"code": code, "name": row.name, "position": position, "is_letter": is_letter,
            "window_days": window_days, "min_count": min_count, "max_count": max_count,
            "needs_approval": needs_approval}, branch_id=actor.branch_id)
    return row
