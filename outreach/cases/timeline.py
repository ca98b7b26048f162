"""A company's history, newest first: steps, inspections, case events and reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, inspect, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from outreach.cases.models import Case, Step
from outreach.companies.models import Company
from outreach.core.audit import AuditEvent, is_access
from outreach.extensions import db
from outreach.inspections.models import Inspection
from outreach.joint_visits import rules as joint
from outreach.joint_visits.models import JointVisit
from outreach.legal import rules as legal
from outreach.legal.models import Commitment, LegalEvent, Reply
from outreach.org.models import User
from outreach.reports.models import Directive
from outreach.tasks.models import Reminder


@dataclass
class Entry:
    """One line of the timeline."""

    day: date
    kind: str  # "step", "inspection", "reminder", "directive", "opened", "closed", "reply",
    #   "commitment", "legal", "joint_visit"
    item: Any
    case: Case
    #: what the line says of an answer or legal entry, in the reader's language; for a joint
    #: visit's step, the partner office it was made with
    title: str = ""


#: what a timeline shows beside the steps: most companies have none of most of them, so one
#: query asks which there are (`_present`) before any is read
BESIDE_STEPS = (JointVisit, Reminder, Directive, Inspection, Reply, Commitment, LegalEvent)


def _present(case_ids: list[int], models: tuple[type, ...]) -> set[type]:
    """Of these models (each with a `case_id`), those the cases have rows of: one query of
    EXISTS, each an index's probe."""
    if not models:
        return set()
    found = db.session.execute(select(*[
        exists().where(model.case_id.in_(case_ids)).label(model.__tablename__)
        for model in models])).one()
    return {model for model, there in zip(models, found, strict=True) if there}


def company_timeline(company: Company, *, inspections: list[Inspection] | None = None,
                     joint_visits: list[JointVisit] | None = None) -> list[Entry]:
    """Everything that happened to the company's cases, newest first. A page that has read
    the cases' inspections or joint visits already gives them."""
    cases = {c.id: c for c in company.cases}
    if not cases:
        return []
    entries: list[Entry] = []
    present = _present(list(cases), tuple(
        m for m in BESIDE_STEPS if not (m is Inspection and inspections is not None
                                        or m is JointVisit and joint_visits is not None)))
    steps = list(db.session.scalars(
        select(Step).where(Step.case_id.in_(cases)).order_by(Step.occurred_on, Step.id)
        .options(selectinload(Step.proofs), selectinload(Step.officer),
                 selectinload(Step.letter))))
    _keep_steps(cases, steps)
    if joint_visits is None:
        joint_visits = list(db.session.scalars(
            select(JointVisit).where(JointVisit.case_id.in_(cases))
            .options(selectinload(JointVisit.letter), selectinload(JointVisit.office)))) \
            if JointVisit in present else []
    partner_of = {jv.step_id: jv.office.name for jv in joint_visits if jv.step_id is not None}
    for step in steps:
        entries.append(Entry(step.occurred_on, "step", step, cases[step.case_id],
                             partner_of.get(step.id, "")))
    for jv in joint_visits:
        # dated by the partner's response, else by its invitation
        day = jv.responded_on or (jv.letter.issued_on if jv.letter else None) \
            or jv.created_at.date()
        entries.append(Entry(day, "joint_visit", jv, cases[jv.case_id],
                             joint.label_of(jv.status, joint.STATUSES)))
    for reminder in _rows(Reminder, cases, present):
        entries.append(Entry(reminder.due_on, "reminder", reminder, cases[reminder.case_id]))
    for directive in _rows(Directive, cases, present, selectinload(Directive.author)):
        entries.append(Entry(directive.given_on, "directive", directive,
                             cases[directive.case_id]))
    if inspections is None:
        inspections = list(_rows(Inspection, cases, present, selectinload(Inspection.letter)))
    for inspection in inspections:
        # dated by its latest event: approved, inspected, or planned
        day = inspection.approved_on or inspection.inspected_on or inspection.planned_on
        entries.append(Entry(day, "inspection", inspection, cases[inspection.case_id]))
    entries += _answer_entries(cases, present)
    for case in cases.values():
        entries.append(Entry(case.opened_on, "opened", case, case))
        if case.closed_on:
            entries.append(Entry(case.closed_on, "closed", case, case))
    order = {"closed": 0, "legal": 1, "commitment": 1, "reply": 1, "directive": 1,
             "joint_visit": 1,
             "reminder": 2, "step": 3, "inspection": 4, "opened": 5}
    entries.sort(key=lambda e: (e.day, -order[e.kind], getattr(e.item, "id", 0)), reverse=True)
    return entries


def _keep_steps(cases: dict[int, Case], steps: list[Step]) -> None:
    """Give each case whose steps were not read yet the steps just read (in the order of
    `Case.steps`), so that what reads them next (the ladder's next step) reads no more."""
    by_case: dict[int, list[Step]] = {case_id: [] for case_id in cases}
    for step in steps:
        by_case[step.case_id].append(step)
    for case_id, case in cases.items():
        if "steps" in inspect(case).unloaded:
            set_committed_value(case, "steps", by_case[case_id])


def _rows(model: Any, cases: dict[int, Case], present: set[type], *options: Any) -> list[Any]:
    """The rows of `model` of the cases (none read when `_present` found none)."""
    if model not in present:
        return []
    return list(db.session.scalars(select(model).where(model.case_id.in_(cases))
                                   .options(*options)))


def _answer_entries(cases: dict[int, Case], present: set[type]) -> list[Entry]:
    """The employer's replies and commitments and the legal track of the cases."""
    entries = []
    for reply in _rows(Reply, cases, present):
        entries.append(Entry(reply.received_on, "reply", reply, cases[reply.case_id],
                             legal.label_of(reply.channel, legal.CHANNELS)))
    for promise in _rows(Commitment, cases, present):
        entries.append(Entry(promise.made_on, "commitment", promise, cases[promise.case_id],
                             legal.label_of(promise.status, legal.COMMITMENT_STATUSES)))
    for event in _rows(LegalEvent, cases, present):
        entries.append(Entry(event.occurred_on, "legal", event, cases[event.case_id],
                             legal.label_of(event.kind, legal.LEGAL_KINDS)))
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
