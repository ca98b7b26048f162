"""Joint visits: the invitation to a partner office (a letter drafted with
`letters.service.draft_letter` and issued with `cases.service.issue_letter`), the partner's
response with its attachment and the task for the agreed day, and the visit logged as a
`joint_visit` step of the case (`cases.service.log_step`, which the ladder judges)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from outreach.cases import service as cases
from outreach.cases.models import Case, CaseStatus, Step
from outreach.cases.proofs import DEFAULT_MAX_BYTES, Upload, checked_upload
from outreach.core.access import Permission, branch_condition, require
from outreach.core.audit import record
from outreach.core.db import utcnow
from outreach.core.errors import ServiceError
from outreach.core.formatting import long_date
from outreach.extensions import db
from outreach.joint_visits import rules
from outreach.joint_visits.models import JointVisit, Response
from outreach.ladder import rules as policy
from outreach.letters import service as letters
from outreach.letters.models import LetterStatus
from outreach.org.models import PartnerOffice, User
from outreach.org.partners import canonical_area, offices
from outreach.tasks.models import Reminder, ReminderStatus

#: the reminder kind of the agreed day's task (the task list links it to the joint visit)
JOINT_VISIT_TASK = "joint_visit"


def joint_visits_of(case_ids: list[int]) -> list[JointVisit]:
    """The joint visits of these cases, oldest first."""
    if not case_ids:
        return []
    return list(db.session.scalars(select(JointVisit).where(JointVisit.case_id.in_(case_ids))
                                   .order_by(JointVisit.proposed_on, JointVisit.id)))


def visible(user: User, joint_visit_id: int) -> JointVisit | None:
    """A joint visit of a case the user may read, or None."""
    return db.session.scalars(select(JointVisit).join(Case, JointVisit.case_id == Case.id)
                              .where(JointVisit.id == joint_visit_id,
                                     branch_condition(user, Case.branch_id))).first()


def partner_choices(case: Case) -> list[PartnerOffice]:
    """The branch's labour offices and prosecutors a joint visit may be with: those of the
    company's own city or regency."""
    area = (canonical_area(case.company.city) or "").lower()
    return [o for o in offices(case.branch_id)
            if o.kind in rules.PARTNER_KINDS and o.area.lower() == area]


@letters.in_indonesian
def _invitation_data(office: PartnerOffice, proposed_on: date) -> dict[str, Any]:
    """What the invitation letter prints of the partner and the day, in Indonesian."""
    return {"partner": {"name": office.name, "area": office.area,
                        "head_title": office.head_title, "head_name": office.head_name,
                        "address": office.address},
            "partner_kind": rules.PARTNER_NAMES_ID.get(office.kind, office.name),
            "proposed_day": letters.WEEKDAYS[proposed_on.weekday()],
            "proposed_on": long_date(proposed_on)}


def invite(actor: User, case: Case, *, office_id: int | None, proposed_on: date | None,
           today: date) -> JointVisit:
    """Invite a partner office (the labour office or the prosecutor of the company's city or
    regency) to visit the company with the branch on a proposed day: the joint visit and the
    draft of its invitation letter, issued the usual way."""
    require(actor, Permission.WORK, case.branch_id)
    if case.status != CaseStatus.OPEN:
        raise ServiceError(_("The case is not open."))
    if rules.JOINT_VISIT not in {r.code for r in policy.ladder_for(case.branch_id)}:
        raise ServiceError(_("The branch's ladder has no joint visit."))
    office = db.session.get(PartnerOffice, office_id) if office_id else None
    if office is None or office.branch_id != case.branch_id \
            or office.kind not in rules.PARTNER_KINDS:
        raise ServiceError(_("Choose the labour office or the prosecutor from the branch's "
                             "partner offices."), "office")
    if office not in partner_choices(case):
        raise ServiceError(_("%(office)s is not the office of the company's city or regency "
                             "(%(city)s). %(rule)s", office=office.name,
                             city=case.company.city or "–", rule=str(rules.LAW_AREA)),
                           "office")
    if proposed_on is None:
        raise ServiceError(_("Enter the day proposed for the visit."), "proposed_on")
    if proposed_on <= today:
        raise ServiceError(_("The proposed day must be after today: the partner needs the "
                             "invitation first."), "proposed_on")
    if any(rules.waiting(jv.status) for jv in joint_visits_of([case.id])):
        raise ServiceError(_("An earlier invitation of this case is still waiting: record its "
                             "response or its visit first."), "office")
    joint_visit = JointVisit(branch_id=case.branch_id, case_id=case.id,
                             partner_office_id=office.id, proposed_on=proposed_on,
                             created_by_id=actor.id)
    db.session.add(joint_visit)
    db.session.flush()
    letter = letters.draft_letter(actor, case, letters.INVITATION_TEMPLATE, today)
    letter.data = {**letter.data, "invitation": {"joint_visit_id": joint_visit.id,
                                                 **_invitation_data(office, proposed_on)}}
    joint_visit.letter_id = letter.id
    db.session.flush()
    record(actor, "joint_visit.invite", "case", case.id,
           {"joint_visit": joint_visit.id, "office": office.name,
            "proposed_on": proposed_on, "letter": letter.id}, branch_id=case.branch_id)
    return joint_visit


def task_key(joint_visit: JointVisit) -> str:
    """The key of the agreed day's task."""
    return f"{joint_visit.case_id}:{JOINT_VISIT_TASK}:{joint_visit.id}"


def respond(actor: User, joint_visit: JointVisit, *, response: str, responded_on: date | None,
            responder_name: str, today: date, responder_position: str = "",
            agreed_on: date | None = None, note: str = "", upload: Upload | None = None,
            max_bytes: int = DEFAULT_MAX_BYTES) -> JointVisit:
    """Record the partner's response to an issued invitation: accepted (the proposed day is
    agreed), another day proposed (that day is agreed) or declined (with the reason), who
    answered and when, and its attachment. An agreed day makes a task for the officer."""
    case = joint_visit.case
    require(actor, Permission.WORK, case.branch_id)
    if joint_visit.response:
        raise ServiceError(_("The response is already recorded: invite again for another "
                             "visit."))
    letter = joint_visit.letter
    if letter is None or letter.status != LetterStatus.ISSUED:
        raise ServiceError(_("Issue the invitation letter first: the partner answers an "
                             "issued invitation."))
    if response not in Response.ALL:
        raise ServiceError(_("Choose the partner's response."), "response")
    if responded_on is None:
        raise ServiceError(_("Enter the date."), "responded_on")
    if responded_on > today:
        raise ServiceError(_("The date cannot be in the future."), "responded_on")
    if letter.issued_on is not None and responded_on < letter.issued_on:
        raise ServiceError(_("The response cannot come before the invitation was issued "
                             "(%(day)s).", day=long_date(letter.issued_on)), "responded_on")
    if not responder_name.strip():
        raise ServiceError(_("Enter who answered for the partner office."), "responder_name")
    if response == Response.ACCEPTED:
        agreed_on = joint_visit.proposed_on
    elif response == Response.OTHER_DATE:
        if agreed_on is None:
            raise ServiceError(_("Enter the day the partner proposes."), "agreed_on")
        if agreed_on < responded_on:
            raise ServiceError(_("The day proposed cannot be before the response."),
                               "agreed_on")
    else:
        agreed_on = None
        if not note.strip():
            raise ServiceError(_("Say why the partner declined."), "note")
    joint_visit.response, joint_visit.responded_on = response, responded_on
    joint_visit.responder_name = responder_name.strip()[:120]
    joint_visit.responder_position = responder_position.strip()[:120]
    joint_visit.agreed_on, joint_visit.response_note = agreed_on, note.strip()
    joint_visit.responded_by_id = actor.id
    if upload is not None:
        accepted = checked_upload(upload, max_bytes, "attachment")
        joint_visit.filename, joint_visit.content_type = accepted.name, accepted.content_type
        joint_visit.size, joint_visit.data = len(accepted.data), accepted.data
        joint_visit.sha256 = accepted.sha256
    db.session.flush()
    if agreed_on is not None and db.session.scalar(
            select(Reminder.id).where(Reminder.dedupe_key == task_key(joint_visit))) is None:
        db.session.add(Reminder(
            branch_id=case.branch_id, case_id=case.id, officer_id=case.company.officer_id,
            rung_code=rules.JOINT_VISIT, kind=JOINT_VISIT_TASK, dedupe_key=task_key(joint_visit),
            due_on=agreed_on, status=ReminderStatus.OPEN,
            message=_("Joint visit with %(office)s agreed for this day: log it.",
                      office=joint_visit.office.name)))
    record(actor, "joint_visit.respond", "case", case.id,
           {"joint_visit": joint_visit.id, "response": response, "responded_on": responded_on,
            "by": joint_visit.responder_name, "agreed_on": agreed_on,
            "note": joint_visit.response_note, "recorded_by": joint_visit.responded_by_id,
            "attachment": joint_visit.filename}, branch_id=case.branch_id)
    return joint_visit


def log_visit(actor: User, joint_visit: JointVisit, *, occurred_on: date, today: date,
              outcome: str = "", notes: str = "", met_name: str = "", met_position: str = "",
              uploads: list[Upload] | None = None,
              max_proof_bytes: int = DEFAULT_MAX_BYTES) -> Step:
    """Log the joint visit that took place as a `joint_visit` step of the case (the ladder
    judges it like any step, and refuses a day in the future), linked to its invitation, on
    the agreed day or after it (`rules.loggable_from`); the agreed day's task is done."""
    case = joint_visit.case
    require(actor, Permission.WORK, case.branch_id)
    if joint_visit.step_id is not None:
        raise ServiceError(_("This joint visit is already logged."))
    if joint_visit.response not in (Response.ACCEPTED, Response.OTHER_DATE):
        raise ServiceError(_("Record the partner's agreement to a day first."))
    first_day = rules.loggable_from(joint_visit)
    if first_day is not None and occurred_on < first_day:
        raise ServiceError(_("The joint visit was agreed with the partner for %(day)s: it is "
                             "logged on that day or after it, not before.",
                             day=long_date(first_day)), "occurred_on")
    step = cases.log_step(actor, case, kind=rules.JOINT_VISIT, occurred_on=occurred_on,
                          today=today, outcome=outcome, notes=notes, uploads=uploads,
                          max_proof_bytes=max_proof_bytes, met_name=met_name,
                          met_position=met_position)
    joint_visit.step_id = step.id
    reminder = db.session.scalars(select(Reminder).where(
        Reminder.dedupe_key == task_key(joint_visit))).first()
    if reminder is not None and reminder.status != ReminderStatus.DONE:
        reminder.status, reminder.done_at = ReminderStatus.DONE, utcnow()
    db.session.flush()
    record(actor, "joint_visit.visit", "case", case.id,
           {"joint_visit": joint_visit.id, "step": step.id, "office": joint_visit.office.name,
            "occurred_on": occurred_on}, branch_id=case.branch_id)
    return step


def latest_waiting(case_id: int) -> JointVisit | None:
    """The case's latest joint visit still waiting for its response or visit (a task's
    link)."""
    rows = [jv for jv in joint_visits_of([case_id]) if rules.waiting(jv.status)]
    return rows[-1] if rows else None
