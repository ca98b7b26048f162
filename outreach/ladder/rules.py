"""The escalation ladder as data, and what it allows next on a case.

The default ladder (rows of `ladder_rungs` without a branch) follows UU 24/2011 and
PP 86/2013 as practised by branches: notification letters, visits, a summons or joint visit,
two written warnings ten working days apart, a fine, then (with a supervisor's approval) a
TMP2T recommendation and a legal referral. A branch may override any rung by code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, or_, select

from outreach.calendar.rules import WorkingCalendar
from outreach.cases.models import Approval, Case, CaseStatus, Delivery, Step
from outreach.core.labels import label
from outreach.extensions import db
from outreach.ladder.models import LadderRung

#: how many working days a new case has before its first letter is due
FIRST_STEP_DAYS = 5


@dataclass(frozen=True)
class Rung:
    """One rung as the rules see it."""

    code: str
    position: int
    requires: tuple[str, ...] = ()
    requires_delivery: bool = False
    requires_window: bool = False
    window_days: int | None = None
    max_count: int = 1
    needs_approval: bool = False
    is_letter: bool = False
    template_code: str = ""
    optional: bool = False

    @property
    def name(self) -> str:
        """The rung's name in the user's language."""
        return label(self.code, "rung")

    @classmethod
    def from_row(cls, row: LadderRung) -> Rung:
        return cls(
            code=row.code, position=row.position,
            requires=tuple(c for c in row.requires.split(",") if c),
            requires_delivery=row.requires_delivery, requires_window=row.requires_window,
            window_days=row.window_days, max_count=row.max_count,
            needs_approval=row.needs_approval, is_letter=row.is_letter,
            template_code=row.template_code, optional=row.optional,
        )


def ladder_rows(branch_id: int | None) -> list[LadderRung]:
    """The default rungs with the branch's overrides (switched-off ones too), by position."""
    rows = db.session.scalars(select(LadderRung).where(
        or_(LadderRung.branch_id.is_(None), LadderRung.branch_id == branch_id)))
    chosen: dict[str, LadderRung] = {}
    for row in rows:
        if row.code not in chosen or row.branch_id is not None:
            chosen[row.code] = row
    return sorted(chosen.values(), key=lambda r: (r.position, r.code))


def ladder_for(branch_id: int | None) -> list[Rung]:
    """The branch's ladder in force: the rungs it uses, by position."""
    return [Rung.from_row(row) for row in ladder_rows(branch_id) if row.active]


# --- when a step counts: each rule in Python and in SQL, side by side (a test holds them equal)

#: a supervisor sent the step back, or the case closed before anyone decided
_LAPSED_APPROVALS = (Approval.RETURNED, Approval.WITHDRAWN)
#: the letter came back undelivered, or it was withdrawn (voided, or withdrawn as a draft)
_LAPSED_DELIVERIES = (Delivery.RETURNED, Delivery.WITHDRAWN)


def counts(step: Any) -> bool:
    """A step counts on the ladder (its occurrences: no second one while it stands) unless a
    supervisor sent it back, its request lapsed, or its letter came back undelivered or was
    withdrawn. Anything with a step's attributes will do (the morning sweep passes light
    rows)."""
    return (step.approval_status not in _LAPSED_APPROVALS
            and step.delivery_status not in _LAPSED_DELIVERIES)


def counts_sql(step: Any = Step) -> ColumnElement[bool]:
    """`counts` as a SQL condition on `step` (the Step model or an alias of it)."""
    return and_(step.approval_status.not_in(_LAPSED_APPROVALS),
                step.delivery_status.not_in(_LAPSED_DELIVERIES))


def in_force(step: Any) -> bool:
    """A step that counts and is in force, the one that unlocks rungs and makes the stage: not
    waiting for a supervisor's approval, and, for a letter, issued (a step whose letter is
    still a draft counts for nothing: the letter is the legal act)."""
    return (counts(step) and step.approval_status != Approval.REQUESTED
            and step.delivery_status != Delivery.UNSENT)


def in_force_sql(step: Any = Step) -> ColumnElement[bool]:
    """`in_force` as a SQL condition on `step`."""
    return and_(counts_sql(step), step.approval_status != Approval.REQUESTED,
                step.delivery_status != Delivery.UNSENT)


def counting_steps(steps: Sequence[Step]) -> list[Step]:
    """The steps that count on the ladder."""
    return [s for s in steps if counts(s)]


def effective_steps(steps: Sequence[Step]) -> list[Step]:
    """The steps that count and are in force."""
    return [s for s in steps if in_force(s)]


def reached_codes(steps: Sequence[Step]) -> str:
    """Codes of the rungs with a step in force, sorted and comma-separated (`Case.reached`)."""
    return ",".join(sorted({s.kind for s in effective_steps(steps)}))


@dataclass
class Verdict:
    """Whether a rung may be taken on a case today, and why not."""

    rung: Rung
    reasons: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.reasons


def _latest(steps: list[Step], code: str) -> Step | None:
    matching = [s for s in steps if s.kind == code]
    return max(matching, key=lambda s: (s.occurred_on, s.id or 0)) if matching else None


def judge(case: Case, rung: Rung, ladder: dict[str, Rung], calendar: WorkingCalendar,
          today: date, steps: Sequence[Step] | None = None) -> Verdict:
    """Decide whether `rung` may be taken on `case` on `today` (given its steps)."""
    verdict = Verdict(rung)
    if case.status != CaseStatus.OPEN:
        verdict.reasons.append(_("The case is not open."))
        return verdict
    counting = counting_steps(case.steps if steps is None else steps)
    taken = sum(1 for s in counting if s.kind == rung.code)
    if rung.max_count and taken >= rung.max_count:
        verdict.reasons.append(_("%(rung)s has already been taken %(n)d time(s); at most %(max)d.",
                                 rung=rung.name, n=taken, max=rung.max_count))
    if any(s.kind == rung.code and s.approval_status == Approval.REQUESTED for s in counting):
        verdict.reasons.append(_("%(rung)s is waiting for a supervisor's approval.",
                                 rung=rung.name))
    elif any(s.kind == rung.code and s.delivery_status == Delivery.UNSENT for s in counting):
        verdict.reasons.append(_("The letter of %(rung)s is still a draft: issue it first.",
                                 rung=rung.name))
    effective = [s for s in counting if in_force(s)]
    for code in rung.requires:
        prerequisite = ladder.get(code)
        if prerequisite is None:  # the branch switched that rung off
            continue
        verdict.reasons.extend(_prerequisite_problems(rung, prerequisite, effective, counting,
                                                      calendar, today))
    return verdict


def _prerequisite_problems(rung: Rung, prerequisite: Rung, effective: list[Step],
                           counting: list[Step], calendar: WorkingCalendar,
                           today: date) -> list[str]:
    step = _latest(effective, prerequisite.code)
    if step is None:
        pending = _latest(counting, prerequisite.code)
        if pending is not None and pending.approval_status == Approval.REQUESTED:
            return [_("%(rung)s needs %(prereq)s approved by a supervisor.",
                      rung=rung.name, prereq=prerequisite.name)]
        if pending is not None:
            return [_("%(rung)s needs the letter of %(prereq)s issued.",
                      rung=rung.name, prereq=prerequisite.name)]
        return [_("%(rung)s needs %(prereq)s first.", rung=rung.name, prereq=prerequisite.name)]
    needs_delivery = rung.requires_delivery and prerequisite.is_letter
    delivered = step.delivery_status == Delivery.DELIVERED
    window = prerequisite.window_days if rung.requires_window else None
    window_open = window is not None and step.due_on is not None and today <= step.due_on
    if needs_delivery and not delivered:
        if window:
            return [_("%(rung)s needs %(prereq)s delivered and %(days)d working days elapsed.",
                      rung=rung.name, prereq=prerequisite.name, days=window)]
        return [_("%(rung)s needs %(prereq)s delivered.", rung=rung.name,
                  prereq=prerequisite.name)]
    if window_open:
        left = calendar.working_days_left(today, step.due_on)
        return [_("%(rung)s needs %(prereq)s delivered and %(days)d working days elapsed: "
                  "%(left)d left.", rung=rung.name, prereq=prerequisite.name, days=window,
                  left=left)]
    return []


def options(case: Case, today: date, calendar: WorkingCalendar | None = None) -> list[Verdict]:
    """Every rung of the case's ladder with whether it may be taken today and why not."""
    calendar = calendar or WorkingCalendar.for_branch(case.branch_id)
    rungs = ladder_for(case.branch_id)
    ladder = {r.code: r for r in rungs}
    return [judge(case, rung, ladder, calendar, today) for rung in rungs]


def due_date(rung: Rung, start: date, calendar: WorkingCalendar) -> date | None:
    """End of the rung's response window for a step taken (or delivered) on `start`."""
    if not rung.window_days:
        return None
    return calendar.add_working_days(start, rung.window_days)


@dataclass
class Progress:
    """Where a case stands on its ladder."""

    stage: str
    next_rung: str
    next_due_on: date | None


def progress(case: Case, calendar: WorkingCalendar, rungs: list[Rung] | None = None) -> Progress:
    """The highest rung reached, the rung expected next, and the day it is due."""
    rungs = rungs if rungs is not None else ladder_for(case.branch_id)
    by_code = {r.code: r for r in rungs}
    in_force = [s for s in effective_steps(case.steps) if s.kind in by_code]
    reached = max((by_code[s.kind] for s in in_force if by_code[s.kind].position > 0),
                  key=lambda r: r.position, default=None)
    stage_position = reached.position if reached else 0
    upcoming = [r for r in rungs if r.position > stage_position and not r.optional]
    next_rung = upcoming[0].code if upcoming else ""
    windows = [s.due_on for s in in_force if s.due_on is not None]
    if windows:
        next_due = calendar.next_working_day(max(windows))
    elif not in_force:
        next_due = calendar.add_working_days(case.opened_on, FIRST_STEP_DAYS)
    else:
        next_due = None
    if not next_rung:
        next_due = None
    return Progress(reached.code if reached else "", next_rung, next_due)


# --- the values copied from a case for speed ------------------------------------------------

@dataclass(frozen=True)
class CaseCopies:
    """The columns of a case copied from its status and steps (`Case.stage`, `next_rung`,
    `next_due_on`, `reached`), as they should be."""

    stage: str
    next_rung: str
    next_due_on: date | None
    reached: str


def case_copies(case: Case, calendar: WorkingCalendar,
                rungs: list[Rung] | None = None) -> CaseCopies:
    """The case's copies computed from its steps: the stage reached (also of a paused or closed
    case), the rungs with a step in force, and the next rung and its due date while the case is
    open (nothing is due on a paused or closed case)."""
    state = progress(case, calendar, rungs)
    reached = reached_codes(case.steps)
    if (case.status or CaseStatus.OPEN) != CaseStatus.OPEN:  # None: a new case, open
        return CaseCopies(state.stage, "", None, reached)
    return CaseCopies(state.stage, state.next_rung, state.next_due_on, reached)


def overdue_mark(status: str | None, next_due_on: date | None, *, was_due_on: date | None,
                 was_marked: date | None, swept_on: date | None = None) -> date | None:
    """`Case.overdue_since`: the first morning the sweep found the next step overdue.

    It is kept while the due date stays what it was (`was_due_on`), cleared when the due date
    moves or the case is no longer open (paused, closed), and set by the sweep of `swept_on`
    when the due date is past and no mark is kept.
    """
    if (status or CaseStatus.OPEN) != CaseStatus.OPEN or next_due_on is None:
        return None
    mark = was_marked if next_due_on == was_due_on else None
    if mark is None and swept_on is not None and next_due_on < swept_on:
        mark = swept_on
    return mark


@dataclass(frozen=True)
class CompanyCopies:
    """The columns of a company copied from its cases (`Company.open_case_status`,
    `open_case_due_on`, `reached`)."""

    open_case_status: str
    open_case_due_on: date | None
    reached: str


def company_copies(cases: Sequence[Case]) -> CompanyCopies:
    """The company's copies of its cases: the status and next due date of its case that is not
    closed ("" and None when it has none; a company has at most one), and the rungs any of its
    cases reached."""
    current = next((c for c in cases if (c.status or CaseStatus.OPEN) != CaseStatus.CLOSED),
                   None)
    codes = {code for case in cases for code in (case.reached or "").split(",")} - {""}
    if current is None:
        return CompanyCopies("", None, ",".join(sorted(codes)))
    return CompanyCopies(current.status or CaseStatus.OPEN, current.next_due_on,
                         ",".join(sorted(codes)))
