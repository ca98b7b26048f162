"""A company's history, newest first: steps, case events and reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from outreach.cases.models import Case, Step
from outreach.companies.models import Company
from outreach.core.audit import AuditEvent, is_access
from outreach.extensions import db
from outreach.org.models import User
from outreach.reports.models import Directive
from outreach.tasks.models import Reminder


@dataclass
class Entry:
    """One line of the timeline."""

    day: date
    kind: str  # "step", "reminder", "directive", "opened", "closed"
    item: Any
    case: Case


def company_timeline(company: Company) -> list[Entry]:
    """Everything that happened to the company's cases, newest first."""
    cases = {c.id: c for c in company.cases}
    if not cases:
        return []
    entries: list[Entry] = []
    steps = db.session.scalars(
        select(Step).where(Step.case_id.in_(cases))
        .options(selectinload(Step.proofs), selectinload(Step.officer),
                 selectinload(Step.letter)))
    for step in steps:
        entries.append(Entry(step.occurred_on, "step", step, cases[step.case_id]))
    for reminder in db.session.scalars(select(Reminder).where(Reminder.case_id.in_(cases))):
        entries.append(Entry(reminder.due_on, "reminder", reminder, cases[reminder.case_id]))
    for directive in db.session.scalars(select(Directive).where(Directive.case_id.in_(cases))
                                        .options(selectinload(Directive.author))):
        entries.append(Entry(directive.given_on, "directive", directive,
                             cases[directive.case_id]))
    for case in cases.values():
        entries.append(Entry(case.opened_on, "opened", case, case))
        if case.closed_on:
            entries.append(Entry(case.closed_on, "closed", case, case))
    order = {"closed": 0, "directive": 1, "reminder": 2, "step": 3, "opened": 4}
    entries.sort(key=lambda e: (e.day, -order[e.kind], getattr(e.item, "id", 0)), reverse=True)
    return entries


def audit_trail(company: Company, limit: int = 200) -> list[tuple[AuditEvent, User | None]]:
    """Audit events of the company, its cases and their steps, newest first."""
    case_ids = [c.id for c in company.cases]
    step_ids = select(Step.id).where(Step.case_id.in_(case_ids)) if case_ids else None
    conditions = [(AuditEvent.entity_type == "company") & (AuditEvent.entity_id == company.id)]
    if case_ids:
        conditions.append((AuditEvent.entity_type == "case")
                          & AuditEvent.entity_id.in_(case_ids))
        conditions.append((AuditEvent.entity_type == "step") & AuditEvent.entity_id.in_(step_ids))
    stmt = (select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.user_id)
            .where(or_(*conditions), ~is_access(AuditEvent.action))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit))
    return [(event, user) for event, user in db.session.execute(stmt)]
