"""The morning sweep and the officer's task list.

The sweep is driven by database state only and is idempotent: every reminder has a key made of
its case, rung, kind and occurrence, so a second sweep of the same day creates nothing. Sweeps
are serialised by a lock row written first in the sweep's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload

from outreach import policy
from outreach.extensions import db
from outreach.models import (
    Approval,
    Case,
    CaseStatus,
    Company,
    Delivery,
    Reminder,
    ReminderKind,
    ReminderStatus,
    Role,
    SchedulerLease,
    Step,
    User,
)
from outreach.models.base import utcnow
from outreach.services import ServiceError, letters
from outreach.services.audit import record
from outreach.workdays import WorkingCalendar

SWEEP_LOCK = "sweep"
CHUNK = 2000


@dataclass
class SweepResult:
    """What one sweep did."""

    date: str
    reminders_created: int = 0
    letters_drafted: int = 0
    cases_overdue: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _upsert(model):
    return (pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert)(model)


def lock_sweeps(holder: str, now: datetime) -> None:
    """Write the sweep lock row: a second sweep waits here until the first commits."""
    stmt = _upsert(SchedulerLease).values(name=SWEEP_LOCK, holder=holder, expires_at=now)
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
        .join(Company, Company.id == Case.company_id)
        .where(Case.status == CaseStatus.OPEN, Case.next_rung != "",
               Case.next_due_on.is_not(None), Case.next_due_on <= day)).all()
    occurrences = _occurrences(day)
    existing = set(db.session.scalars(select(Reminder.dedupe_key).join(Case).where(
        Case.status == CaseStatus.OPEN)))
    rows = []
    for case_id, branch_id, rung, due_on, officer_id in due:
        key = action_key(case_id, rung, occurrences.get((case_id, rung), 0) + 1)
        if key not in existing:
            existing.add(key)
            rows.append({"branch_id": branch_id, "case_id": case_id, "officer_id": officer_id,
                         "rung_code": rung, "kind": ReminderKind.ACTION_DUE, "dedupe_key": key,
                         "due_on": due_on, "status": ReminderStatus.OPEN, "message": "",
                         "created_at": now})
    rows += _undelivered_rows(day, now, existing, undelivered_after_days)
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(Reminder), rows[start:start + CHUNK])
    result.reminders_created = len(rows)
    result.letters_drafted = _prepare_drafts(due, day)
    result.cases_overdue = db.session.execute(
        update(Case).where(Case.status == CaseStatus.OPEN, Case.next_due_on < day,
                           Case.overdue_since.is_(None))
        .values(overdue_since=day).execution_options(synchronize_session=False)).rowcount
    return result


def _occurrences(day: date) -> dict[tuple[int, str], int]:
    """How many counting steps of its next rung each due case already has."""
    stmt = (select(Step.case_id, Step.kind, func.count())
            .join(Case, Case.id == Step.case_id)
            .where(Case.status == CaseStatus.OPEN, Case.next_due_on <= day,
                   Step.kind == Case.next_rung, Step.approval_status != Approval.RETURNED,
                   Step.delivery_status != Delivery.RETURNED)
            .group_by(Step.case_id, Step.kind))
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


def _prepare_drafts(due: list, day: date) -> int:
    """Draft the next letter of each due case where the ladder allows it today."""
    ladders: dict[int, dict[str, policy.Rung]] = {}
    calendars: dict[int, WorkingCalendar] = {}
    candidates = []
    for case_id, branch_id, rung_code, _due_on, _officer in due:
        if branch_id not in ladders:
            ladders[branch_id] = {r.code: r for r in policy.ladder_for(branch_id)}
            calendars[branch_id] = WorkingCalendar.for_branch(branch_id)
        rung = ladders[branch_id].get(rung_code)
        if rung is not None and rung.is_letter and rung.template_code:
            candidates.append((case_id, branch_id, rung))
    drafted = 0
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start:start + CHUNK]
        ids = [case_id for case_id, _, _ in chunk]
        prepared = letters.prepared_drafts(ids)
        steps = defaultdict(list)
        for row in db.session.execute(
                select(Step.case_id, Step.id, Step.kind, Step.occurred_on, Step.due_on,
                       Step.delivery_status, Step.approval_status)
                .where(Step.case_id.in_(ids))):
            steps[row.case_id].append(row)
        cases = {c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_(ids)))}
        for case_id, branch_id, rung in chunk:
            if (case_id, rung.code) in prepared:
                continue
            verdict = policy.judge(cases[case_id], rung, ladders[branch_id],
                                   calendars[branch_id], day, steps=steps[case_id])
            if verdict.allowed:
                letters.prepare_draft(cases[case_id], rung, day)
                drafted += 1
    return drafted


# --- the officer's tasks ------------------------------------------------------------------

def open_tasks_query(user: User, today: date):
    """The user's reminders that need attention today: due, not done, not snoozed past today."""
    return (select(Reminder).where(
        Reminder.officer_id == user.id, Reminder.due_on <= today,
        (Reminder.status == ReminderStatus.OPEN)
        | ((Reminder.status == ReminderStatus.SNOOZED) & (Reminder.snoozed_until <= today))))


def task_count(user: User, today: date) -> int:
    """How many tasks the navigation badge shows."""
    stmt = open_tasks_query(user, today).with_only_columns(func.count(Reminder.id))
    return db.session.scalar(stmt) or 0


def tasks(user: User, today: date) -> dict[str, list[Reminder]]:
    """Today's and overdue tasks, oldest first."""
    stmt = (open_tasks_query(user, today)
            .options(joinedload(Reminder.case).joinedload(Case.company))
            .order_by(Reminder.due_on, Reminder.id))
    groups: dict[str, list[Reminder]] = {"overdue": [], "today": []}
    for reminder in db.session.scalars(stmt):
        groups["overdue" if reminder.due_on < today else "today"].append(reminder)
    return groups


def _own(actor: User, reminder: Reminder) -> None:
    if actor.role not in Role.BRANCH_ROLES or actor.branch_id != reminder.branch_id:
        raise ServiceError(_("Only officers and supervisors of this branch may change it."))


def complete(actor: User, reminder: Reminder, now: datetime) -> None:
    """Mark a task done."""
    _own(actor, reminder)
    reminder.status, reminder.done_at = ReminderStatus.DONE, now
    record(actor, "reminder.done", "reminder", reminder.id, {}, branch_id=reminder.branch_id)


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


def settle_delivery(step: Step, now: datetime) -> None:
    """Recording a delivery settles the reminder about it."""
    db.session.execute(
        update(Reminder).where(Reminder.step_id == step.id,
                               Reminder.status != ReminderStatus.DONE)
        .values(status=ReminderStatus.DONE, done_at=now)
        .execution_options(synchronize_session=False))
