"""The morning sweep and the officer's task list.

The sweep is driven by database state only and is idempotent: every reminder has a key made of
its case, rung, kind and occurrence, so a second sweep of the same day creates nothing. Sweeps
are serialised by a lock row written first in the sweep's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from flask_babel import gettext as _
from sqlalchemy import ScalarSelect, func, insert, literal, null, select, update

from outreach.calendar.rules import WorkingCalendar
from outreach.cases.models import Case, CaseStatus, Delivery, Step
from outreach.companies.models import Company
from outreach.core.access import Permission, may, require
from outreach.core.audit import AuditEvent, record
from outreach.core.db import among, upsert, utcnow
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.ladder import rules as policy
from outreach.letters import service as letters
from outreach.letters.models import Letter, LetterStatus
from outreach.org.models import Role, User
from outreach.programme import service as programme
from outreach.scheduler.models import SchedulerLease
from outreach.tasks.models import Reminder, ReminderKind, ReminderStatus

SWEEP_LOCK = "sweep"
CHUNK = 2000


@dataclass
class SweepResult:
    """What one sweep did."""

    date: str
    reminders_created: int = 0
    letters_drafted: int = 0
    cases_overdue: int = 0
    #: sponsors told that their workers' coverage ends next month
    renewals_created: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def lock_sweeps(holder: str, now: datetime) -> None:
    """Write the sweep lock row: a second sweep waits here until the first commits."""
    stmt = upsert(SchedulerLease).values(name=SWEEP_LOCK, holder=holder, expires_at=now)
    db.session.execute(stmt.on_conflict_do_update(
        index_elements=[SchedulerLease.name],
        set_={"holder": holder, "expires_at": now}))


def action_key(case_id: int, rung: str, occurrence: int) -> str:
    """The reminder key of the `occurrence`-th time `rung` is due on a case."""
    return f"{case_id}:{rung}:{ReminderKind.ACTION_DUE}:{occurrence}"


def undelivered_key(case_id: int, rung: str, step_id: int) -> str:
    """The reminder key of a letter step not marked delivered."""
    return f"{case_id}:{rung}:{ReminderKind.UNDELIVERED}:{step_id}"


def sweep(day: date, *, now: datetime | None = None, holder: str = "sweep",
          undelivered_after_days: int = 7) -> SweepResult:
    """Turn the database state of `day` into reminders, letter drafts and overdue marks."""
    now = now or utcnow()
    lock_sweeps(holder, now)
    result = SweepResult(date=day.isoformat())
    due = db.session.execute(
        select(Case.id, Case.branch_id, Case.next_rung, Case.next_due_on, Company.officer_id)
        .join(Company, Company.id == Case.company_id).where(*_due(day))
        .order_by(Case.id)).all()
    occurrences = _occurrences(day)
    existing = set(db.session.scalars(select(Reminder.dedupe_key).join(Case).where(
        Case.status == CaseStatus.OPEN)))
    fresh = {case_id: key for case_id, _b, rung, _d, _o in due
             if (key := action_key(case_id, rung, occurrences.get((case_id, rung), 0) + 1))
             not in existing}
    ladder = _Ladders()
    # Cases that have their draft already (from an earlier sweep of the day) are left out
    # before their steps are read: on a re-run that is nearly every case.
    prepared = _prepared_drafts(day)
    drafting = {case_id for case_id, branch_id, rung, _d, _o in due
                if ladder.drafts(branch_id, rung) and (case_id, rung) not in prepared}
    verdicts = _verdicts([row for row in due if row[0] in fresh or row[0] in drafting],
                         ladder, day)
    rows = _action_rows(due, fresh, verdicts, existing, now)
    rows += _undelivered_rows(day, now, existing, undelivered_after_days)
    _insert_rows(Reminder.__table__, rows)
    result.reminders_created = len(rows)
    result.letters_drafted = _prepare_drafts(
        [(case_id, branch_id, ladder.rung(branch_id, rung))
         for case_id, branch_id, rung, _d, _o in due
         if case_id in drafting and verdicts[case_id].allowed], day)
    # The overdue marks in one UPDATE rather than `outreach.cases.service.project(case,
    # swept_on=day)` for each open case: with the steps unchanged the projection keeps every
    # other copy and sets the mark exactly where this does (`policy.overdue_mark`: an open case
    # due before `day` with no mark kept); tests/cases/test_projection.py holds them equal.
    result.cases_overdue = db.session.execute(
        update(Case).where(Case.status == CaseStatus.OPEN, Case.next_due_on < day,
                           Case.overdue_since.is_(None))
        .values(overdue_since=day).execution_options(synchronize_session=False)).rowcount
    result.renewals_created = programme.make_renewals(day)
    return result


def _action_rows(due: list, fresh: dict[int, str], verdicts: dict[int, policy.Verdict],
                 existing: set[str], now: datetime) -> list[dict]:
    """The tasks of the due cases that have none yet for their next rung (`_task_for`)."""
    rows = []
    for case_id, branch_id, rung, due_on, officer_id in due:
        task = _task_for(case_id, verdicts.get(case_id), fresh[case_id]) \
            if case_id in fresh else None
        if task is not None and task[1] not in existing:
            existing.add(task[1])
            rows.append({"branch_id": branch_id, "case_id": case_id, "officer_id": officer_id,
                         "rung_code": rung, "kind": task[0], "step_id": None,
                         "dedupe_key": task[1], "due_on": due_on,
                         "status": ReminderStatus.OPEN, "message": "", "created_at": now})
    return rows


def _insert_rows(table, rows: list[dict]) -> None:
    """Insert many rows that all have the same keys: with COPY on PostgreSQL (a first sweep
    writes tens of thousands of reminders; COPY takes half the time of an INSERT per row), in
    chunks of multi-row INSERTs elsewhere."""
    if not rows:
        return
    columns = list(rows[0])
    if db.engine.dialect.name == "postgresql":
        cursor = db.session.connection().connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])
        return
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start:start + CHUNK])


def _due(day: date) -> list:
    """The conditions of a case whose next step is asked for on `day`: due, or for the fine
    from the day after warning II's window ends until its deadline (`policy.action_due`).

    The queries with them read the cases in id order: SQLite then reads the table through
    instead of searching its due-date index once per side of the OR, 4 times as fast when
    most open cases are due."""
    return [Case.status == CaseStatus.OPEN, policy.action_due_sql(day)]


def _occurrences(day: date) -> dict[tuple[int, str], int]:
    """How many counting steps of its next rung each due case already has."""
    stmt = (select(Case.id, Case.next_rung, func.count())
            .join(Step, Step.case_id == Case.id)
            .where(*_due(day), Step.kind == Case.next_rung, policy.counts_sql())
            .group_by(Case.id))
    return {(case_id, kind): n for case_id, kind, n in db.session.execute(stmt)}


def _undelivered_rows(day: date, now: datetime, existing: set[str], after_days: int) -> list:
    cutoff = day - timedelta(days=after_days)
    stmt = (select(Step.id, Step.case_id, Step.kind, Case.branch_id, Company.officer_id,
                   Step.occurred_on)
            .join(Case, Case.id == Step.case_id).join(Company, Company.id == Case.company_id)
            .where(Case.status == CaseStatus.OPEN, Step.delivery_status == Delivery.PENDING,
                   Step.occurred_on <= cutoff))
    rows = []
    for step_id, case_id, kind, branch_id, officer_id, occurred_on in db.session.execute(stmt):
        key = undelivered_key(case_id, kind, step_id)
        if key not in existing:
            existing.add(key)
            rows.append({"branch_id": branch_id, "case_id": case_id, "officer_id": officer_id,
                         "rung_code": kind, "kind": ReminderKind.UNDELIVERED, "step_id": step_id,
                         "dedupe_key": key, "due_on": occurred_on + timedelta(days=after_days),
                         "status": ReminderStatus.OPEN, "message": "", "created_at": now})
    return rows


class _Ladders:
    """The ladder and the working calendar of each branch of a sweep, read once a branch."""

    def __init__(self) -> None:
        self.ladders: dict[int, dict[str, policy.Rung]] = {}
        self.calendars: dict[int, WorkingCalendar] = {}

    def of(self, branch_id: int) -> dict[str, policy.Rung]:
        if branch_id not in self.ladders:
            self.ladders[branch_id] = {r.code: r for r in policy.ladder_for(branch_id)}
            self.calendars[branch_id] = WorkingCalendar.for_branch(branch_id)
        return self.ladders[branch_id]

    def rung(self, branch_id: int, code: str) -> policy.Rung | None:
        return self.of(branch_id).get(code)

    def drafts(self, branch_id: int, code: str) -> bool:
        """Whether the sweep drafts the letter of this rung."""
        rung = self.rung(branch_id, code)
        return rung is not None and rung.is_letter and bool(rung.template_code)


def _verdicts(due: list, ladder: _Ladders, day: date) -> dict[int, policy.Verdict]:
    """The ladder's verdict on the next rung of each of these due cases on `day`: the rule the
    step form refuses a step by (`policy.judge`), read from the steps it looks at."""
    candidates = [(case_id, branch_id, rung) for case_id, branch_id, code, _d, _o in due
                  if (rung := ladder.rung(branch_id, code)) is not None]
    if not candidates:
        return {}
    # warning I reads the case's categories (and, for the PDS categories and arrears, its
    # inspections): refused on them alone, the case's steps need not be read
    warned = [candidate[0] for candidate in candidates if candidate[2].code == policy.WARNING_1]
    categories = dict(db.session.execute(select(Case.id, Case.category_list).where(
        among(Case.id, warned))).all()) if warned else {}
    inspected = policy.inspection_states(list(categories)) if categories else {}
    cases = {case_id: _DueCase(CaseStatus.OPEN, case_id, tuple(categories[case_id].split(",")),
                               tuple(inspected.get(case_id, ())))
             for case_id in categories}
    verdicts = {case_id: verdict for case_id, _b, rung in candidates if case_id in cases
                and (verdict := policy.awaits_inspection(cases[case_id], rung, day))}
    candidates = [candidate for candidate in candidates if candidate[0] not in verdicts]
    # `policy.judge` looks only at the steps of the rung and of the rungs it requires, and
    # at the case's status: every due case is open.
    kinds = {code for _, branch_id, rung in candidates
             for code in policy.required_codes(rung, ladder.of(branch_id))}
    steps = defaultdict(list)
    if candidates:
        for row in db.session.execute(
                select(Step.case_id, Step.id, Step.kind, Step.occurred_on, Step.due_on,
                       Step.delivered_on, Step.delivery_status, Step.approval_status)
                .where(among(Step.case_id, [candidate[0] for candidate in candidates]),
                       Step.kind.in_(sorted(kinds)))):
            steps[row.case_id].append(row)
    for case_id, branch_id, rung in candidates:
        verdicts[case_id] = policy.judge(cases.get(case_id, _OPEN_CASE), rung,
                                         ladder.of(branch_id), ladder.calendars[branch_id],
                                         day, steps=steps[case_id])
    return verdicts


def inspection_key(case_id: int) -> str:
    """The reminder key of the inspection written warning I waits for on a case."""
    return f"{case_id}:{policy.WARNING_1}:{ReminderKind.INSPECTION}:1"


def _task_for(case_id: int, verdict: policy.Verdict | None,
              key: str) -> tuple[str, str] | None:
    """The kind and key of the task a due case gets: its next rung when the ladder allows it
    today, the inspection when warning I waits for one that nobody has started, none
    otherwise (a task the step form would refuse is a wrong deadline: the case page says
    why, from the same verdict)."""
    if verdict is None or verdict.allowed:
        return ReminderKind.ACTION_DUE, key
    if verdict.first == policy.INSPECTION:
        return ReminderKind.INSPECTION, inspection_key(case_id)
    return None


def _prepare_drafts(allowed: list, day: date) -> int:
    """Draft the next letter of each due case the ladder allows it on today."""
    templates: dict[tuple[str, int], int] = {}
    drafts = []
    for case_id, branch_id, rung in allowed:
        key = (rung.template_code, branch_id)
        if key not in templates:
            templates[key] = letters.template_in_use(*key).id
        drafts.append((case_id, rung.code, templates[key]))
    return _insert_drafts(drafts, day)


class _DueCase(NamedTuple):
    status: str
    id: int | None = None
    categories: tuple[str, ...] = ()
    #: (status, day approved) of its inspections, for warning I (`policy.inspection_states`)
    inspection_states: tuple[tuple[str, date | None], ...] = ()


#: what `policy.judge` reads of a due case (its id and categories for warning I)
_OPEN_CASE = _DueCase(CaseStatus.OPEN)


def _prepared_drafts(day: date) -> set[tuple[int, str]]:
    """(case, rung) pairs due on `day` that already have a draft, in one query, with the rung
    read from the letter's data by the database (parsing every draft's JSON in Python took
    most of a re-run's time)."""
    rung = Letter.data["rung"].as_string()
    rows = db.session.execute(
        select(Letter.case_id, rung).join(Case, Case.id == Letter.case_id)
        .where(Letter.status == LetterStatus.DRAFT, *_due(day)).order_by(Case.id))
    return {(case_id, code) for case_id, code in rows if code}


def _insert_drafts(drafts: list, day: date) -> int:
    """The draft letters the sweep prepares and their audit events ("letter.prepare"), made by
    the database from the cases (INSERT … SELECT), a statement for each template instead of a
    flush per letter."""
    now = utcnow()
    letters_table, audit_table = Letter.__table__, AuditEvent.__table__
    data_type, stamp_type = letters_table.c.data.type, letters_table.c.created_at.type
    by_template: dict[tuple[int, str], list[int]] = defaultdict(list)
    for case_id, code, template_id in drafts:
        by_template[(template_id, code)].append(case_id)
    made = 0
    for (template_id, code), case_ids in by_template.items():
        letter_ids = db.session.scalars(
            insert(letters_table).from_select(
                ["branch_id", "case_id", "template_id", "status", "addressee_name", "data",
                 "created_at", "updated_at"],
                select(Case.branch_id, Case.id, literal(template_id), literal(LetterStatus.DRAFT),
                       Company.name,
                       literal({"rung": code, "prepared_on": day.isoformat()}, data_type),
                       literal(now, stamp_type), literal(now, stamp_type))
                .join(Company, Company.id == Case.company_id).where(among(Case.id, case_ids)))
            .returning(letters_table.c.id)).all()
        db.session.execute(insert(audit_table).from_select(
            ["at", "user_id", "branch_id", "entity_type", "entity_id", "action", "changes"],
            select(literal(now, stamp_type), null(), letters_table.c.branch_id, literal("letter"),
                   letters_table.c.id, literal("letter.prepare"),
                   literal({"rung": code}, audit_table.c.changes.type))
            .where(among(letters_table.c.id, letter_ids))))
        made += len(letter_ids)
    return made


# --- the officer's tasks ------------------------------------------------------------------

def open_tasks_query(user: User, today: date):
    """The user's reminders that need attention today: due (the fine's from the day the sweep
    asks for it: its `due_on` is its deadline), not done, not snoozed past today."""
    deadline = (Reminder.kind == ReminderKind.ACTION_DUE) & Reminder.rung_code.in_(
        sorted(policy.DEADLINE_RUNGS))
    return (select(Reminder).where(
        Reminder.officer_id == user.id, (Reminder.due_on <= today) | deadline,
        (Reminder.status == ReminderStatus.OPEN)
        | ((Reminder.status == ReminderStatus.SNOOZED) & (Reminder.snoozed_until <= today))))


def task_count(user: User, today: date, plus: ScalarSelect[int] | None = None) -> int:
    """How many tasks the navigation badge shows, plus the count of `plus` (the cases to
    verify and close) read in the same query."""
    count = open_tasks_query(user, today).with_only_columns(func.count(Reminder.id))
    if plus is None:
        return db.session.scalar(count) or 0
    return db.session.scalar(select(count.scalar_subquery() + plus)) or 0


class TaskCompany(NamedTuple):
    """The company of a task: what the task list and the digest show of it."""

    id: int
    name: str
    kecamatan: str


class TaskCase(NamedTuple):
    """The case of a task."""

    id: int
    company_id: int
    company: TaskCompany


class Task(NamedTuple):
    """A reminder as the task list and the morning digest show it: read-only plain data with
    the reminder's columns and `case.company`. (Loading each reminder with its case and
    company as model objects took a second per 10,000 tasks, and the morning digests load
    every officer's tasks.)"""

    id: int
    branch_id: int
    case_id: int
    officer_id: int | None
    rung_code: str
    kind: str
    step_id: int | None
    dedupe_key: str
    due_on: date
    status: str
    snoozed_until: date | None
    done_at: datetime | None
    message: str
    created_at: datetime
    case: TaskCase


#: the reminder's columns of a task, in order (the case is made of the company's columns)
_TASK_COLUMNS = [getattr(Reminder, name) for name in Task._fields[:-1]]
_CASE_ID = Task._fields.index("case_id")


def _task_rows(stmt) -> list[Task]:
    rows = []
    for *values, company_id, company_name, kecamatan in db.session.execute(stmt).all():
        values.append(TaskCase(values[_CASE_ID], company_id,
                               TaskCompany(company_id, company_name, kecamatan or "")))
        rows.append(Task._make(values))
    return rows


def tasks(user: User, today: date, limit: int | None = None) -> dict[str, list[Task]]:
    """Today's and overdue tasks (as `Task` records), oldest first; with `limit`, at most that
    many of each group (the oldest)."""
    stmt = (open_tasks_query(user, today)
            .with_only_columns(*_TASK_COLUMNS, Company.id, Company.name, Company.kecamatan)
            .join(Case, Case.id == Reminder.case_id)
            .join(Company, Company.id == Case.company_id)
            .order_by(Reminder.due_on, Reminder.id))
    if limit is not None:
        return {"overdue": _task_rows(stmt.where(Reminder.due_on < today).limit(limit)),
                "today": _task_rows(stmt.where(Reminder.due_on == today).limit(limit))}
    groups: dict[str, list[Task]] = {"overdue": [], "today": []}
    for task in _task_rows(stmt):
        groups["overdue" if task.due_on < today else "today"].append(task)
    return groups


def by_kecamatan(groups: dict[str, list[Task]]) -> list[tuple[str, list[Task]]]:
    """The tasks of `groups` (overdue first, then today's) by their company's kecamatan, in
    the kecamatan's alphabetical order, companies without one last."""
    grouped: dict[str, list[Task]] = defaultdict(list)
    for task in groups["overdue"] + groups["today"]:
        grouped[task.case.company.kecamatan].append(task)
    return sorted(grouped.items(), key=lambda item: (not item[0], item[0].casefold()))


def task_counts(user: User, today: date) -> dict[str, int]:
    """How many tasks are overdue and how many are due today."""
    stmt = (open_tasks_query(user, today)
            .with_only_columns(Reminder.due_on, func.count(Reminder.id))
            .group_by(Reminder.due_on))
    counts = {"overdue": 0, "today": 0}
    for due_on, n in db.session.execute(stmt):
        counts["overdue" if due_on < today else "today"] += n
    return counts


def _own(actor: User, reminder: Reminder) -> None:
    """Only the officer a task is assigned to, or a supervisor of its branch, may close,
    snooze or reassign it: a colleague would hide work that is not theirs. A task assigned to
    nobody (e.g. moved with its case from another branch) is the branch's to take up."""
    require(actor, Permission.WORK, reminder.branch_id)
    if reminder.officer_id not in (None, actor.id) \
            and not may(actor, Permission.DECIDE, reminder.branch_id):
        raise ServiceError(_("Only the officer this task is assigned to, or a supervisor of "
                             "the branch, may change it."))


def step_logged_since(reminder: Reminder) -> bool:
    """Whether a step of the task's rung was logged on its case since the task was made."""
    return db.session.scalar(select(func.count(Step.id)).where(
        Step.case_id == reminder.case_id, Step.kind == reminder.rung_code,
        Step.created_at >= reminder.created_at)) > 0


def complete(actor: User, reminder: Reminder, now: datetime, reason: str = "") -> None:
    """Mark a task done: a task is done when its step was logged; otherwise the officer says
    why it needs no step (the company paid, moved away, the task was a duplicate)."""
    _own(actor, reminder)
    reason = reason.strip()
    if not reason and not step_logged_since(reminder):
        raise ServiceError(_("No step was logged for this task: log the step, or say why "
                             "the task is done without one."), "reason")
    reminder.status, reminder.done_at = ReminderStatus.DONE, now
    record(actor, "reminder.done", "reminder", reminder.id,
           {"reason": reason} if reason else {}, branch_id=reminder.branch_id)


def snooze(actor: User, reminder: Reminder, until: date, today: date) -> None:
    """Hide a task until a later day."""
    _own(actor, reminder)
    if until <= today:
        raise ServiceError(_("Choose a day after today."), "until")
    reminder.status, reminder.snoozed_until = ReminderStatus.SNOOZED, until
    record(actor, "reminder.snooze", "reminder", reminder.id, {"until": until},
           branch_id=reminder.branch_id)


def reassign(actor: User, reminder: Reminder, officer: User | None) -> None:
    """Give a task to another officer of the branch."""
    _own(actor, reminder)
    if officer is None or officer.branch_id != reminder.branch_id or not officer.active \
            or officer.role not in Role.BRANCH_ROLES:
        raise ServiceError(_("Choose an officer of this branch."), "officer")
    before = reminder.officer_id
    reminder.officer_id = officer.id
    reminder.status = ReminderStatus.OPEN
    record(actor, "reminder.reassign", "reminder", reminder.id,
           {"officer_id": [before, officer.id]}, branch_id=reminder.branch_id)


def settle_for_step(case: Case, kind: str, now: datetime) -> None:
    """A logged step settles the open reminders that asked for it."""
    db.session.execute(
        update(Reminder).where(Reminder.case_id == case.id, Reminder.rung_code == kind,
                               Reminder.kind == ReminderKind.ACTION_DUE,
                               Reminder.status != ReminderStatus.DONE)
        .values(status=ReminderStatus.DONE, done_at=now)
        .execution_options(synchronize_session=False))


def settle_inspection(case: Case, now: datetime) -> None:
    """Inspectors assigned settle the task that asked for the inspection (the inspection's page
    follows it from there)."""
    db.session.execute(
        update(Reminder).where(Reminder.dedupe_key == inspection_key(case.id),
                               Reminder.status != ReminderStatus.DONE)
        .values(status=ReminderStatus.DONE, done_at=now)
        .execution_options(synchronize_session=False))


def settle_delivery(step: Step, now: datetime) -> None:
    """Recording a delivery settles the reminder about it."""
    db.session.execute(
        update(Reminder).where(Reminder.step_id == step.id,
                               Reminder.status != ReminderStatus.DONE)
        .values(status=ReminderStatus.DONE, done_at=now)
        .execution_options(synchronize_session=False))
