"""The escalation ladder as data, and what it allows next on a case.

The default ladder (rows of `ladder_rungs` without a branch) follows UU 24/2011 and
PP 86/2013 as practised by branches: notification letters, visits, a summons or joint visit,
two written warnings ten working days apart, a fine, then (with a supervisor's approval) a
TMP2T recommendation and a legal referral.

Persuasion (letters, visits, summons, the rungs a branch adds) is branch policy: a branch may
override those rungs by code. The legal rungs are the law's (`LEGAL_RUNGS`): the limits below
hold in these rules whatever the rows say (`lawful`), and a branch row that breaks them is
ignored (`ladder_for`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import ColumnElement, and_, or_, select

from outreach.calendar.rules import WorkingCalendar
from outreach.cases.models import Approval, Case, CaseStatus, Delivery, Step
from outreach.core.db import among
from outreach.core.formatting import long_date
from outreach.core.labels import label
from outreach.extensions import db
from outreach.inspections.models import Inspection, InspectionStatus
from outreach.inspections.rules import INSPECTED_CATEGORIES, needs_inspection
from outreach.ladder.models import LadderRung
from outreach.money.service import fine_state

#: how many working days a new case has before its first letter is due
FIRST_STEP_DAYS = 5

# --- the law (PP 86/2013 on administrative sanctions, under UU 24/2011 art. 17) ---------------

WARNING_1, WARNING_2, FINE, TMP2T, LEGAL_REFERRAL = (
    "warning_1", "warning_2", "fine", "tmp2t", "legal_referral")
#: PP 86/2013 art. 6(1): written warnings, at most two (warning I once, warning II once)
WARNINGS = (WARNING_1, WARNING_2)
#: the rungs the law sets: a branch cannot switch them off, stretch them or drop what they need
LEGAL_RUNGS = (WARNING_1, WARNING_2, FINE, TMP2T, LEGAL_REFERRAL)
#: where the legal rungs stand; persuasion rungs come before the first warning
LEGAL_POSITIONS = {WARNING_1: 4, WARNING_2: 5, FINE: 6, TMP2T: 7, LEGAL_REFERRAL: 8}
#: what each legal rung needs first, whatever a branch row says
LEGAL_REQUIRES: dict[str, tuple[str, ...]] = {
    WARNING_1: (), WARNING_2: (WARNING_1,), FINE: (WARNING_2,), TMP2T: (FINE,),
    LEGAL_REFERRAL: (WARNING_1, WARNING_2, FINE)}
#: PP 86/2013 art. 6(1): each written warning lasts at most 10 working days
WARNING_MAX_DAYS = 10
#: PP 86/2013 art. 7(1): the fine is imposed within 30 days (calendar days: art. 6 says "hari
#: kerja" where it means working days, art. 7 says "hari") after warning II ends; counted from
#: the day after warning II's last day
FINE_DEADLINE_DAYS = 30
#: rungs the ladder asks for on a deadline rather than on the day they may be taken: the sweep
#: makes their task and draft from the first day, the case is overdue after the deadline
DEADLINE_RUNGS = {FINE: FINE_DEADLINE_DAYS}
#: rungs after which the ladder sets no due date (the fine's payment date decides TMP2T)
NO_DUE_AFTER = (FINE, TMP2T)
#: rungs whose approval a branch cannot switch off: requests to the city (PP 86/2013 art. 8(1):
#: TMP2T is imposed by the government at the agency's request) and to the prosecutor
APPROVAL_REQUIRED = (TMP2T, LEGAL_REFERRAL)
#: what written warning I may wait for that is not a rung: an inspection report a supervisor
#: approved (PP 86/2013 art. 13(1)); an officer starts it by assigning inspectors
INSPECTION = "inspection"

LAW_WARNINGS = _l("PP 86/2013 article 6: at most 2 written warnings, each for at most 10 "
                  "working days.")
LAW_FINE = _l("PP 86/2013 article 7: the fine is imposed within 30 days after written warning "
              "II ends.")
LAW_SANCTIONS = _l("PP 86/2013 article 5: written warnings, the fine and the withholding of "
                   "public services (TMP2T) are sanctions the law sets, in that order.")
LAW_INSPECTION = _l("PP 86/2013 article 13(1): administrative sanctions are imposed on the basis "
                    "of the supervision and inspection of compliance.")
LAW_APPROVAL = _l("PP 86/2013 article 8: TMP2T is requested from the government in the "
                  "agency's name, and the legal referral gives the prosecutor a special power "
                  "of attorney: a supervisor approves them.")


def law_of(code: str) -> str:
    """The rule and source that fix a legal rung, as users read it."""
    if code in WARNINGS:
        return str(LAW_WARNINGS)
    if code == FINE:
        return str(LAW_FINE)
    return str(LAW_SANCTIONS)


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
    legal: bool = False
    #: steps of this (persuasion) rung the first written warning needs
    min_count: int = 0
    #: a branch rung's own name
    own_name: str = ""

    @property
    def name(self) -> str:
        """The rung's name in the user's language (a branch rung's own name)."""
        return self.own_name or label(self.code, "rung")

    @classmethod
    def from_row(cls, row: LadderRung) -> Rung:
        return cls(
            code=row.code, position=row.position,
            requires=tuple(c for c in row.requires.split(",") if c),
            requires_delivery=row.requires_delivery, requires_window=row.requires_window,
            window_days=row.window_days, max_count=row.max_count,
            needs_approval=row.needs_approval, is_letter=row.is_letter,
            template_code=row.template_code, optional=row.optional,
            legal=bool(row.legal) or row.code in LEGAL_RUNGS, min_count=row.min_count or 0,
            own_name=row.name or "",
        )


def legal_fallback(code: str) -> Rung:
    """A legal rung as the law has it, for a ladder whose rows lack it."""
    return lawful(Rung(code=code, position=LEGAL_POSITIONS[code], is_letter=True,
                       template_code=code, requires_delivery=True,
                       requires_window=code != TMP2T, legal=True))


@lru_cache(maxsize=4096)
def lawful(rung: Rung) -> Rung:
    """The rung within the law's limits: a legal rung needs what the law says it needs, once, a
    warning lasts 1 to 10 working days (PP 86/2013 art. 6), the fine has no window but a
    deadline (art. 7), TMP2T and the referral need a supervisor's approval; a persuasion rung
    stands before the first warning and never counts as legal. The identity on a rung within
    the limits."""
    if rung.code not in LEGAL_RUNGS:
        if rung.legal or rung.position >= LEGAL_POSITIONS[WARNING_1]:
            return replace(rung, legal=False, position=min(rung.position,
                                                            LEGAL_POSITIONS[WARNING_1] - 1))
        return rung
    window = rung.window_days
    if rung.code in WARNINGS:
        window = window if window and 0 < window <= WARNING_MAX_DAYS else WARNING_MAX_DAYS
    elif rung.code == FINE:
        window = None
    requires = tuple(dict.fromkeys((*LEGAL_REQUIRES[rung.code],
                                    *(c for c in rung.requires if c in LEGAL_RUNGS))))
    return replace(
        rung, legal=True, position=LEGAL_POSITIONS[rung.code], requires=requires,
        requires_delivery=True, requires_window=rung.requires_window or rung.code != TMP2T,
        window_days=window, max_count=1, optional=False, is_letter=True, min_count=0,
        needs_approval=rung.needs_approval or rung.code in APPROVAL_REQUIRED, own_name="")


def breaches(row: LadderRung, default: LadderRung | None) -> list[tuple[str, str]]:
    """What a branch row would change of the law's limits (empty when it keeps them): the
    setting it concerns and what the rule and its source say."""
    problems: list[tuple[str, str]] = []
    if row.code in LEGAL_RUNGS:
        law = law_of(row.code)
        if not row.active:
            problems.append(("active", _("A branch cannot switch this step off. %(law)s",
                                         law=law)))
        if row.code in WARNINGS and not (row.window_days
                                         and 0 < row.window_days <= WARNING_MAX_DAYS):
            problems.append(("window_days", _("A written warning lasts 1 to 10 working days. "
                                              "%(law)s", law=law)))
        if row.code == FINE and row.window_days:
            problems.append(("window_days", _("The fine has no response window: its deadline "
                                              "runs from the end of written warning II. "
                                              "%(law)s", law=law)))
        if row.max_count != 1:
            problems.append(("max_count", _("This step is taken once on a case. %(law)s",
                                            law=law)))
        requires = {c for c in row.requires.split(",") if c}
        if not set(LEGAL_REQUIRES[row.code]) <= requires or default is not None and (
                row.position != default.position
                or row.requires_delivery < default.requires_delivery
                or row.requires_window < default.requires_window):
            problems.append(("active", _("A branch cannot drop what this step needs first. "
                                         "%(law)s", law=law)))
        if row.code in APPROVAL_REQUIRED and not row.needs_approval:
            problems.append(("needs_approval", str(LAW_APPROVAL)))
    elif row.legal or row.position >= LEGAL_POSITIONS[WARNING_1]:
        problems.append(("position", _("A branch's own steps are persuasion and come before "
                                       "written warning I. %(law)s", law=LAW_SANCTIONS)))
    return problems


def ladder_rows(branch_id: int | None) -> list[LadderRung]:
    """The default rungs with the branch's overrides and its own rungs (switched-off ones
    too), by position. A branch row that breaks the law's limits (`breaches`: one written
    before they were enforced) is left out: the default row stands in its place."""
    rows = db.session.scalars(select(LadderRung).where(
        or_(LadderRung.branch_id.is_(None), LadderRung.branch_id == branch_id)))
    defaults: dict[str, LadderRung] = {}
    branch_rows: list[LadderRung] = []
    for row in rows:
        if row.branch_id is None:
            defaults[row.code] = row
        else:
            branch_rows.append(row)
    chosen = dict(defaults)
    for row in branch_rows:
        if not breaches(row, defaults.get(row.code)):
            chosen[row.code] = row
    return sorted(chosen.values(), key=lambda r: (r.position, r.code))


def ladder_for(branch_id: int | None) -> list[Rung]:
    """The branch's ladder in force: the rungs it uses, by position, each within the law's
    limits (`lawful`), the legal rungs always among them."""
    rungs = {row.code: lawful(Rung.from_row(row)) for row in ladder_rows(branch_id)
             if row.active or row.code in LEGAL_RUNGS}
    for code in LEGAL_RUNGS:
        rungs.setdefault(code, legal_fallback(code))
    return sorted(rungs.values(), key=lambda r: (r.position, r.code))


def requirements(rung: Rung, ladder: dict[str, Rung]) -> list[tuple[Rung, int]]:
    """What `rung` needs first, each with how many steps of it: a legal rung what the law says
    (`LEGAL_REQUIRES`, whatever the ladder holds), the first warning also every persuasion rung
    of the branch with a required count (`min_count`: "two letters before a warning"); a
    persuasion rung the rungs it lists that the branch uses."""
    if rung.code in LEGAL_RUNGS:
        needed = [(lawful(ladder.get(code) or legal_fallback(code)), 1)
                  for code in LEGAL_REQUIRES[rung.code]]
        if rung.code == WARNING_1:
            needed += [(r, r.min_count) for r in ladder.values()
                       if r.code not in LEGAL_RUNGS and r.min_count > 0]
        return needed
    return [(ladder[code], 1) for code in rung.requires if code in ladder]


def required_codes(rung: Rung, ladder: dict[str, Rung]) -> set[str]:
    """The codes of the rungs whose steps `judge` reads for `rung`."""
    return {rung.code, *(r.code for r, _n in requirements(rung, ladder))}


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
    #: why not, each translated (and its rungs named) only when read, as `reasons`: the
    #: morning sweep judges tens of thousands of cases and reads only `allowed`
    refusals: list[LazyString] = field(default_factory=list)
    #: what the rung waits for that an officer can start today (`INSPECTION`: none is under
    #: way), when the rung is refused; "" when nothing of the kind
    first: str = ""

    @property
    def allowed(self) -> bool:
        return not self.refusals

    @property
    def reasons(self) -> list[str]:
        """Why not, in the user's language."""
        return [str(refusal) for refusal in self.refusals]


def _named(rung: Rung) -> str | LazyString:
    """A rung's name in a refusal, looked up when the refusal is read."""
    return rung.own_name or LazyString(label, rung.code, "rung")


def _latest(steps: list[Step], code: str) -> Step | None:
    matching = [s for s in steps if s.kind == code]
    return max(matching, key=lambda s: (s.occurred_on, s.id or 0)) if matching else None


def judge(case: Case, rung: Rung, ladder: dict[str, Rung], calendar: WorkingCalendar,
          today: date, steps: Sequence[Step] | None = None) -> Verdict:
    """Decide whether `rung` may be taken on `case` on `today` (given its steps). The law's
    limits hold whatever `ladder` says (`lawful`, `requirements`): a third warning, or a fine
    before warning II was delivered and its window elapsed, is refused."""
    rung = lawful(rung)
    verdict = Verdict(rung)
    if case.status != CaseStatus.OPEN:
        verdict.refusals.append(_l("The case is not open."))
        return verdict
    counting = counting_steps(case.steps if steps is None else steps)
    taken = sum(1 for s in counting if s.kind == rung.code)
    if rung.code in WARNINGS and taken:
        verdict.refusals.append(_l("%(rung)s has already been given. %(law)s",
                                   rung=_named(rung), law=LAW_WARNINGS))
    elif rung.max_count and taken >= rung.max_count:
        verdict.refusals.append(_l("%(rung)s has already been taken %(n)d time(s); at most "
                                   "%(max)d.", rung=_named(rung), n=taken,
                                   max=rung.max_count))
    if any(s.kind == rung.code and s.approval_status == Approval.REQUESTED for s in counting):
        verdict.refusals.append(_l("%(rung)s is waiting for a supervisor's approval.",
                                   rung=_named(rung)))
    elif any(s.kind == rung.code and s.delivery_status == Delivery.UNSENT for s in counting):
        verdict.refusals.append(_l("The letter of %(rung)s is still a draft: issue it first.",
                                   rung=_named(rung)))
    effective = [s for s in counting if in_force(s)]
    cite = False  # the law behind a legal prerequisite, said once after its problems
    for prerequisite, needed in requirements(rung, ladder):
        problems = _prerequisite_problems(rung, prerequisite, needed, effective, counting,
                                          calendar, today)
        cite = cite or bool(problems and prerequisite.legal)
        verdict.refusals.extend(problems)
    if cite:
        verdict.refusals.append(LazyString(law_of, rung.code))
    waiting = awaits_inspection(case, rung, today)
    if waiting is not None:
        verdict.refusals.extend(waiting.refusals)
        verdict.first = waiting.first
    if rung.code == TMP2T and not verdict.refusals:
        verdict.refusals.extend(_fine_unpaid_problems(case, today))
    return verdict


def awaits_inspection(case: Case, rung: Rung, today: date) -> Verdict | None:
    """Written warning I refused on its inspection alone, whatever the case's steps say
    (`judge` adds their reasons): the verdict with that reason, or None when the inspection does
    not stand in its way. The morning sweep asks this first and reads no steps for such a case."""
    if rung.code != WARNING_1:
        return None
    problems, startable = _inspection_problems(case, today)
    return Verdict(lawful(rung), problems, INSPECTION if startable else "") if problems else None


def _inspection_problems(case: Case, today: date) -> tuple[list[LazyString], bool]:
    """Written warning I on what a company under-reports or owes (the PDS categories and
    arrears) rests on an inspection report a supervisor approved (PP 86/2013 art. 13(1)),
    whatever the branch's settings; a case of an unregistered company (PWBD) alone does not
    need one. Also whether an officer can start that inspection now: the case has none under
    way (assigned, recorded, submitted or sent back)."""
    categories = list(getattr(case, "categories", ()))  # a light row of the sweep has them too
    if not needs_inspection(categories):
        return [], False
    case_id = getattr(case, "id", None)
    # the sweep's light rows carry their inspections, read for all its cases at once
    inspections = getattr(case, "inspection_states", None)
    if inspections is None:
        inspections = inspection_states([case_id]).get(case_id, []) \
            if case_id is not None else []
    if any(status == InspectionStatus.APPROVED and approved_on is not None
           and approved_on <= today for status, approved_on in inspections):
        return [], False
    named = ", ".join(c for c in categories if c in INSPECTED_CATEGORIES)
    return [_l("%(rung)s on %(categories)s needs an inspection report approved by a "
               "supervisor. %(law)s", rung=LazyString(label, WARNING_1, "rung"),
               categories=named,
              law=LAW_INSPECTION)], not inspections


def inspection_states(case_ids: Sequence[int]) -> dict[int, list[tuple[str, date | None]]]:
    """(status, day approved) of each inspection of the cases, by case, in one query: what
    written warning I's prerequisite reads (`_inspection_problems`)."""
    states: dict[int, list[tuple[str, date | None]]] = {}
    for case_id, status, approved_on in db.session.execute(
            select(Inspection.case_id, Inspection.status, Inspection.approved_on)
            .where(among(Inspection.case_id, case_ids))):
        states.setdefault(case_id, []).append((status, approved_on))
    return states


def _fine_unpaid_problems(case: Case, today: date) -> list[LazyString]:
    """TMP2T is requested only for a fine imposed and not paid by its due date (PP 86/2013
    pasal 10 ayat (6)); the ledger says when it was due and what is still owed."""
    state = fine_state(case, today)
    if state.imposed_on is None:
        return []  # the fine's own prerequisite (delivered) says so
    if state.amount <= 0:
        return [_l("The fine comes to Rp0: enter the company's workers and wages so that its "
                  "ledger computes the fine; TMP2T is requested only for a fine not paid "
                  "(PP 86/2013 article 10(6)).")]
    if state.outstanding <= 0:
        return [_l("The fine is paid: TMP2T is requested only for a fine not paid (PP 86/2013 "
                  "article 10(6)).")]
    if not state.unpaid_past_due:
        return [_l("TMP2T may be requested only once the fine is unpaid past its due date, "
                  "%(due)s (PP 86/2013 article 10(6)).", due=long_date(state.due_on))]
    return []


def _window_end(step: Any, prerequisite: Rung, calendar: WorkingCalendar) -> date | None:
    """The last day of the step's response window: its `due_on`; for a legal rung's step
    without one (written when a branch could leave a warning without a window), the law's
    window from its delivery."""
    if step.due_on is not None or not prerequisite.legal or not prerequisite.window_days:
        return step.due_on
    start = getattr(step, "delivered_on", None) or step.occurred_on
    return calendar.add_working_days(start, prerequisite.window_days)


def _prerequisite_problems(rung: Rung, prerequisite: Rung, needed: int, effective: list[Step],
                           counting: list[Step], calendar: WorkingCalendar,
                           today: date) -> list[LazyString]:
    done = sum(1 for s in effective if s.kind == prerequisite.code)
    step = _latest(effective, prerequisite.code)
    pending = _latest(counting, prerequisite.code) if step is None else None
    if pending is not None and pending.approval_status == Approval.REQUESTED:
        return [_l("%(rung)s needs %(prereq)s approved by a supervisor.",
                   rung=_named(rung), prereq=_named(prerequisite))]
    if pending is not None:
        return [_l("%(rung)s needs the letter of %(prereq)s issued.",
                   rung=_named(rung), prereq=_named(prerequisite))]
    if done < needed and needed > 1:
        return [_l("%(rung)s needs %(prereq)s %(n)d times: %(done)d so far.", rung=_named(rung),
                   prereq=_named(prerequisite), n=needed, done=done)]
    if step is None:
        return [_l("%(rung)s needs %(prereq)s first.", rung=_named(rung),
                   prereq=_named(prerequisite))]
    needs_delivery = rung.requires_delivery and prerequisite.is_letter
    delivered = step.delivery_status == Delivery.DELIVERED
    window = prerequisite.window_days if rung.requires_window else None
    window_end = _window_end(step, prerequisite, calendar) if window else None
    window_open = window_end is not None and today <= window_end
    if needs_delivery and not delivered:
        if window:
            return [_l("%(rung)s needs %(prereq)s delivered and %(days)d working days elapsed.",
                       rung=_named(rung), prereq=_named(prerequisite), days=window)]
        return [_l("%(rung)s needs %(prereq)s delivered.", rung=_named(rung),
                   prereq=_named(prerequisite))]
    if window_open:
        left = calendar.working_days_left(today, window_end)
        return [_l("%(rung)s needs %(prereq)s delivered and %(days)d working days elapsed: "
                   "%(left)d left.", rung=_named(rung), prereq=_named(prerequisite), days=window,
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


def fine_deadline(warning_2: Any) -> date | None:
    """The last day to impose the fine: 30 days after warning II's window ends (its step's
    `due_on`, counted from delivery), the day after that last day being the first of the 30
    (PP 86/2013 art. 7(1))."""
    if warning_2 is None or warning_2.due_on is None:
        return None
    return warning_2.due_on + timedelta(days=FINE_DEADLINE_DAYS)


def action_opens_on(next_rung: str, next_due_on: date | None) -> date | None:
    """The first day the sweep asks for the case's next step: its due date, or for a rung with
    a deadline (the fine) the first day of the deadline's period."""
    if next_due_on is None:
        return None
    days = DEADLINE_RUNGS.get(next_rung)
    return next_due_on - timedelta(days=days - 1) if days else next_due_on


def action_due(next_rung: str, next_due_on: date | None, day: date) -> bool:
    """The sweep makes the task (and the draft letter) of the case's next step on `day`."""
    opens = action_opens_on(next_rung, next_due_on)
    return bool(next_rung) and opens is not None and opens <= day


def action_due_sql(day: date, case: Any = Case) -> ColumnElement[bool]:
    """`action_due` as a SQL condition on the case's copied columns."""
    deadline = [and_(case.next_rung == code, case.next_due_on <= day + timedelta(days=days - 1))
                for code, days in DEADLINE_RUNGS.items()]
    return and_(case.next_rung != "", case.next_due_on.is_not(None),
                or_(case.next_due_on <= day, *deadline))


@dataclass
class Progress:
    """Where a case stands on its ladder."""

    stage: str
    next_rung: str
    next_due_on: date | None


def _next_rung(rungs: list[Rung], in_force: list[Step], stage_position: int) -> str:
    """The rung expected next: the first rung past the stage that is not optional, or before it
    a persuasion rung the first warning needs more of ("two letters before a warning")."""
    done: dict[str, int] = {}
    for step in in_force:
        done[step.kind] = done.get(step.kind, 0) + 1
    for rung in rungs:
        if rung.position > stage_position and not rung.optional:
            return rung.code
        if (not rung.legal and 0 < rung.position <= stage_position
                and done.get(rung.code, 0) < rung.min_count):
            return rung.code
    return ""


def progress(case: Case, calendar: WorkingCalendar, rungs: list[Rung] | None = None) -> Progress:
    """The highest rung reached, the rung expected next, and the day it is due: the day after
    the last response window in force ends; for the fine, its deadline (`fine_deadline`);
    none once the fine is imposed."""
    rungs = [lawful(r) for r in (rungs if rungs is not None else ladder_for(case.branch_id))]
    by_code = {r.code: r for r in rungs}
    in_force = [s for s in effective_steps(case.steps) if s.kind in by_code]
    reached = max((by_code[s.kind] for s in in_force if by_code[s.kind].position > 0),
                  key=lambda r: r.position, default=None)
    stage_position = reached.position if reached else 0
    next_rung = _next_rung(rungs, in_force, stage_position)
    windows = [s.due_on for s in in_force if s.due_on is not None]
    if next_rung == FINE and fine_deadline(_latest(in_force, WARNING_2)) is not None:
        next_due = fine_deadline(_latest(in_force, WARNING_2))
    elif reached is not None and reached.code in NO_DUE_AFTER:
        next_due = None
    elif windows:
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
    hold = commitment_hold(case, calendar)
    next_due_on = hold if hold is not None and state.next_rung else state.next_due_on
    return CaseCopies(state.stage, state.next_rung, next_due_on, reached)


def commitment_hold(case: Case, calendar: WorkingCalendar) -> date | None:
    """The day the case's next step waits for while the employer's commitment is open: the
    promised day plus the branch's grace in working days (the latest of its open commitments);
    None without one. A commitment kept or broken holds nothing: the ladder resumes where it
    was."""
    holds = [calendar.add_working_days(c.promised_on, c.grace_days) if c.grace_days
             else c.promised_on
             for c in getattr(case, "commitments", None) or () if c.status == "open"]
    return max(holds, default=None)


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
