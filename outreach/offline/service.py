"""The officer's day as plain data for the phone: today's and overdue tasks and, for each of
their cases, the company's profile, the open case, the steps the ladder allows today and the
last steps, read without a connection from the phone's IndexedDB."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from outreach.calendar.rules import WorkingCalendar
from outreach.cases.models import Case, Step
from outreach.core.access import scoped
from outreach.core.db import among
from outreach.core.formatting import long_date, short_date
from outreach.core.labels import label
from outreach.extensions import db
from outreach.ladder import rules as policy
from outreach.org.models import User
from outreach.tasks import service as reminders
from outreach.tasks.models import ReminderKind

#: how many of a case's latest steps the phone keeps
LAST_STEPS = 5
#: the longest note kept of a step (the phone shows a summary; the page has the rest)
NOTE_CHARS = 300


def officer_day(actor: User, today: date, now: datetime) -> dict[str, Any]:
    """The actor's own tasks of `today` (overdue first) and the cases they are on, within the
    actor's branch: another branch's company never appears, even on a task of the actor's."""
    groups = reminders.tasks(actor, today)
    tasks = groups["overdue"] + groups["today"]
    case_ids = {t.case_id for t in tasks}
    cases = {c.id: c for c in db.session.scalars(
        scoped(Case, actor).where(among(Case.id, case_ids))
        .options(selectinload(Case.company), selectinload(Case.steps)))} if case_ids else {}
    ladders: dict[int, dict[str, policy.Rung]] = {}
    calendars: dict[int, WorkingCalendar] = {}
    for case in cases.values():
        if case.branch_id not in ladders:
            ladders[case.branch_id] = {r.code: r for r in policy.ladder_for(case.branch_id)}
            calendars[case.branch_id] = WorkingCalendar.for_branch(case.branch_id)
    return {
        "made_at": now.isoformat(),
        "day": today.isoformat(),
        "day_label": long_date(today),
        "tasks": [_task(t, ladders[cases[t.case_id].branch_id], today)
                  for t in tasks if t.case_id in cases],
        "cases": [_case(case, ladders[case.branch_id], calendars[case.branch_id], today)
                  for case in sorted(cases.values(), key=lambda c: c.company.name)],
    }


def _rung_name(code: str, ladder: dict[str, policy.Rung]) -> str:
    rung = ladder.get(code)
    return rung.name if rung is not None else label(code, "rung")


def _task(task: reminders.Task, ladder: dict[str, policy.Rung], today: date) -> dict[str, Any]:
    rung_name = _rung_name(task.rung_code, ladder)
    message = (_("Assign inspectors before %(rung)s.", rung=rung_name)
               if task.kind == ReminderKind.INSPECTION else task.message)
    return {"id": task.id, "case_id": task.case_id, "company": task.case.company.name,
            "kecamatan": task.case.company.kecamatan, "rung": task.rung_code,
            "rung_name": rung_name, "message": message,
            "due_on": task.due_on.isoformat(), "due_label": short_date(task.due_on),
            "overdue": task.due_on < today}


def _case(case: Case, ladder: dict[str, policy.Rung], calendar: WorkingCalendar,
          today: date) -> dict[str, Any]:
    company = case.company
    allowed = [v.rung for v in (policy.judge(case, rung, ladder, calendar, today)
                                for rung in ladder.values()) if v.allowed]
    steps = sorted(case.steps, key=lambda s: (s.occurred_on, s.id), reverse=True)[:LAST_STEPS]
    return {
        "id": case.id, "version": case.version, "status": label(case.status, "case_status"),
        "stage": _rung_name(case.stage, ladder) if case.stage else "",
        "next_rung": _rung_name(case.next_rung, ladder) if case.next_rung else "",
        "next_due": long_date(case.next_due_on) if case.next_due_on else "",
        "categories": [label(code, "category") for code in case.categories],
        "allowed": [{"code": r.code, "name": r.name} for r in allowed],
        "steps": [_step(s, ladder) for s in steps],
        "company": {
            "id": company.id, "name": company.name, "director": company.director_name,
            "address": company.address, "kelurahan": company.kelurahan,
            "kecamatan": company.kecamatan, "city": company.city, "phone": company.phone,
            "email": company.email, "sector": company.sector,
            "workers_estimated": company.workers_estimated,
            "workers_registered": company.workers_registered,
        },
    }


def _step(step: Step, ladder: dict[str, policy.Rung]) -> dict[str, Any]:
    return {"id": step.id, "on": long_date(step.occurred_on),
            "kind": _rung_name(step.kind, ladder), "outcome": label(step.outcome, "outcome"),
            "met": step.met_name, "notes": step.notes[:NOTE_CHARS]}


def case_now(case: Case, today: date) -> dict[str, Any]:
    """The case as it is now on the server, to set beside an entry the phone kept while it
    changed: the officer compares both and decides."""
    ladder = {r.code: r for r in policy.ladder_for(case.branch_id)}
    return _case(case, ladder, WorkingCalendar.for_branch(case.branch_id), today)

