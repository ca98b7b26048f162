"""Cases and their steps: opening, logging, delivery, approval, pausing, closing, transfer.

Every function checks the ladder itself (a step the ladder does not allow is refused here,
not only hidden in the page), records an audit event, and ends with `project`, the one
writer of the values copied from a case and its steps (on the case and on its company).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import flag_modified

from outreach.calendar.rules import WorkingCalendar
from outreach.cases.models import (
    Approval,
    Case,
    CaseCategory,
    CaseStatus,
    ClosingRequest,
    ClosingStatus,
    Delivery,
    Proof,
    Step,
)
from outreach.cases.proofs import DEFAULT_MAX_BYTES, Upload, make_proof
from outreach.companies.models import Company, FigureSource
from outreach.companies.service import record_figures, remember_hand_entries
from outreach.core.access import Permission, branch_condition, may, require
from outreach.core.audit import record
from outreach.core.db import utcnow
from outreach.core.errors import ServiceError
from outreach.core.formatting import long_date, rupiah
from outreach.core.labels import (
    CATEGORIES,
    CLOSE_OUTCOMES,
    DELIVERY_METHODS,
    OUTCOMES,
    PAUSE_REASONS,
)
from outreach.extensions import db
from outreach.imports.models import CloseSuggestion
from outreach.ladder import rules as policy
from outreach.letters import service as letters
from outreach.letters.models import Letter, LetterStatus
from outreach.money.service import fine_state
from outreach.org.models import Branch, User
from outreach.reports.models import Directive
from outreach.tasks import service as reminders
from outreach.tasks.models import Reminder, ReminderStatus


def _require_writer(actor: User, branch_id: int) -> None:
    require(actor, Permission.WORK, branch_id)


#: the longest idempotency key a phone may give an entry (a UUID takes 36)
CLIENT_KEY_MAX = 64


def step_by_key(actor: User, client_key: str) -> Step | None:
    """The step an entry with this idempotency key made, if the actor may read it (a key of
    another branch's step is not revealed: it is refused as a different entry)."""
    step = db.session.scalar(select(Step).where(Step.client_key == client_key))
    if step is not None and not may(actor, Permission.WORK, step.case.branch_id):
        raise ServiceError(_("This entry's key is already used: it was not saved."))
    return step


def check_version(case: Case, expected_version: int | None) -> None:
    """Refuse a change made from an outdated page (someone else saved the case meanwhile)."""
    if expected_version is not None and expected_version != case.version:
        raise ServiceError(_("Someone else changed this case while you were editing. "
                             "Your entry was not saved; please check the case and try again."))


def open_case_of(company: Company) -> Case | None:
    """The company's case that is not closed, if any."""
    return next((c for c in company.cases if c.status != CaseStatus.CLOSED), None)


def project(case: Case, calendar: WorkingCalendar | None = None, *,
            swept_on: date | None = None) -> None:
    """Write every value copied from the case for speed, from its status and steps: the case's
    stage, next rung, next due date, rungs reached and overdue mark, and its company's copies
    of its cases (the status and due date of its case that is not closed, the rungs any of its
    cases reached). The one writer of those columns: every change of a case or its steps calls
    it, after the change. `swept_on` is the morning sweep's day (the one that sets overdue
    marks; `outreach.tasks.service.sweep` does the same in one UPDATE).

    It always touches the case row, so that the case's version moves and a save from an
    outdated page is refused.
    """
    calendar = calendar or WorkingCalendar.for_branch(case.branch_id)
    copies = policy.case_copies(case, calendar)
    case.overdue_since = policy.overdue_mark(
        case.status, copies.next_due_on, was_due_on=case.next_due_on,
        was_marked=case.overdue_since, swept_on=swept_on)
    case.stage, case.next_rung = copies.stage, copies.next_rung
    case.next_due_on, case.reached = copies.next_due_on, copies.reached
    case.updated_at = utcnow()
    flag_modified(case, "updated_at")  # an UPDATE even when the clock has not moved
    with db.session.no_autoflush:
        company = case.company or db.session.get(Company, case.company_id)
        if company is None:
            return
        cases = [case, *(other for other in company.cases if other is not case)]
        held = policy.company_copies(cases)
    company.open_case_status = held.open_case_status
    company.open_case_due_on = held.open_case_due_on
    company.reached = held.reached


def reproject_all(chunk: int, commit) -> int:
    """`project` every case, `chunk` cases per transaction (`commit` ends each). Returns how
    many."""
    done, last = 0, 0
    while True:
        batch = db.session.scalars(select(Case).where(Case.id > last).order_by(Case.id)
                                   .limit(chunk)).all()
        if not batch:
            return done
        for case in batch:
            project(case)
        last, done = batch[-1].id, done + len(batch)
        commit()


def open_case(actor: User | None, company: Company, categories: list[str], today: date) -> Case:
    """Open a case of non-compliance with one or more categories; `actor` None is an import
    from the command line or the API (a list's category column)."""
    if actor is not None:
        _require_writer(actor, company.branch_id)
    chosen = [c for c in CATEGORIES if c in set(categories)]
    if not chosen or len(chosen) != len(set(categories)):
        raise ServiceError(_("Choose one or more categories."), "categories")
    if open_case_of(company) is not None:
        raise ServiceError(_("This company already has an open case."), "categories")
    case = Case(branch_id=company.branch_id, company=company, status=CaseStatus.OPEN,
                opened_on=today, opened_by_id=actor.id if actor is not None else None,
                category_rows=[CaseCategory(category=c) for c in chosen])
    db.session.add(case)
    project(case)
    db.session.flush()
    record(actor, "case.open", "case", case.id, {"categories": chosen},
           branch_id=case.branch_id)
    return case


def log_step(actor: User, case: Case, *, kind: str, occurred_on: date, today: date,
             outcome: str = "", notes: str = "", uploads: list[Upload] | None = None,
             expected_version: int | None = None, max_proof_bytes: int = DEFAULT_MAX_BYTES,
             met_name: str = "", met_position: str = "", client_key: str = "") -> Step:
    """Record a step the ladder allows; refuse it, with the reason, when it does not. A letter
    step is dated by its letter: logging it makes the draft (the step counts for nothing yet),
    issuing dates and numbers it, delivery starts its window. An entry sent again with the
    `client_key` of a step already made answers with that step and changes nothing."""
    _require_writer(actor, case.branch_id)
    client_key = client_key.strip()
    if client_key:
        if len(client_key) > CLIENT_KEY_MAX:
            raise ServiceError(_("This entry's key is too long."))
        made = step_by_key(actor, client_key)
        if made is not None:
            if made.case_id != case.id:
                raise ServiceError(_("This entry was already saved for another case."))
            return made  # before the version check: the first send moved the version on
    check_version(case, expected_version)
    if occurred_on > today:
        raise ServiceError(_("The date cannot be in the future."), "occurred_on")
    if occurred_on < case.opened_on:
        raise ServiceError(_("The date cannot be before the case was opened."), "occurred_on")
    if outcome and outcome not in OUTCOMES:
        raise ServiceError(_("Unknown outcome %(code)s.", code=outcome), "outcome")
    calendar = WorkingCalendar.for_branch(case.branch_id)
    rungs = policy.ladder_for(case.branch_id)
    ladder = {r.code: r for r in rungs}
    rung = ladder.get(kind)
    if rung is None:
        raise ServiceError(_("Unknown step %(code)s.", code=kind), "kind")
    drafts_letter = rung.is_letter and bool(rung.template_code)
    if drafts_letter:
        occurred_on = today  # until its letter is issued, and then by its letter
    verdict = policy.judge(case, rung, ladder, calendar, occurred_on)
    if not verdict.allowed:
        raise ServiceError(" ".join(verdict.reasons), "kind")
    proofs = [make_proof(u, actor, max_proof_bytes) for u in (uploads or []) if u.filename]
    if drafts_letter:
        delivery = Delivery.UNSENT
    else:
        delivery = Delivery.PENDING if rung.is_letter else Delivery.NOT_APPLICABLE
    step = Step(case=case, kind=kind, occurred_on=occurred_on, officer_id=actor.id,
                outcome=outcome, notes=notes.strip(), met_name=met_name.strip(),
                met_position=met_position.strip(),
                due_on=None if drafts_letter else policy.due_date(rung, occurred_on, calendar),
                delivery_status=delivery,
                approval_status=Approval.REQUESTED if rung.needs_approval
                else Approval.NOT_NEEDED,
                proofs=proofs, client_key=client_key or None)
    db.session.add(step)
    project(case, calendar)
    db.session.flush()
    if drafts_letter:
        letters.draft_for_step(actor, step, rung.template_code, today)
    reminders.settle_for_step(case, kind, utcnow())
    record(actor, "step.log", "step", step.id,
           {"case": case.id, "kind": kind, "occurred_on": occurred_on, "outcome": outcome,
            **({"met": [step.met_name, step.met_position]} if step.met_name else {}),
            "proofs": [p.filename for p in proofs]}, branch_id=case.branch_id)
    return step


def record_delivery(actor: User, step: Step, *, delivered: bool, on: date, today: date,
                    method: str = "", reference: str = "", recipient: str = "",
                    uploads: list[Upload] | None = None,
                    max_proof_bytes: int = DEFAULT_MAX_BYTES) -> Step:
    """Mark a letter delivered (with receipt, tracking number or recipient, and the signed
    receipt or courier slip as proof) or returned."""
    case = step.case
    _require_writer(actor, case.branch_id)
    if step.delivery_status == Delivery.NOT_APPLICABLE:
        raise ServiceError(_("Only letters are delivered."))
    if step.delivery_status == Delivery.WITHDRAWN:
        raise ServiceError(_("This letter was withdrawn."))
    if step.delivery_status == Delivery.UNSENT or (
            step.letter is not None and step.letter.status != LetterStatus.ISSUED):
        raise ServiceError(_("Only an issued letter can be recorded delivered or returned: "
                             "issue the letter first."))
    if on > today:
        raise ServiceError(_("The date cannot be in the future."), "delivered_on")
    if on < step.occurred_on:
        raise ServiceError(_("A letter cannot arrive before it was issued (%(date)s).",
                             date=long_date(step.occurred_on)), "delivered_on")
    before = {"delivery_status": step.delivery_status, "delivered_on": step.delivered_on}
    proofs = [make_proof(u, actor, max_proof_bytes) for u in (uploads or []) if u.filename]
    if delivered:
        if method not in DELIVERY_METHODS:
            raise ServiceError(_("Choose how the letter was delivered."), "method")
        if method in ("receipt", "courier") and not reference.strip():
            raise ServiceError(_("Enter the receipt or tracking number."), "reference")
        if method == "hand" and not recipient.strip():
            raise ServiceError(_("Enter the name of the person who received the letter."),
                               "recipient")
        calendar = WorkingCalendar.for_branch(case.branch_id)
        rung = {r.code: r for r in policy.ladder_for(case.branch_id)}.get(step.kind)
        step.delivery_status = Delivery.DELIVERED
        step.delivery_method = method
        step.delivery_reference = reference.strip()
        step.delivery_recipient = recipient.strip()
        # The response window runs from the day the company received the letter.
        if rung is not None:
            step.due_on = policy.due_date(rung, on, calendar)
    else:
        step.delivery_status = Delivery.RETURNED
        step.delivery_reference = reference.strip()
    step.delivered_on = on
    step.proofs.extend(proofs)
    reminders.settle_delivery(step, utcnow())
    project(case)
    db.session.flush()
    record(actor, "step.delivery", "step", step.id,
           {"delivery_status": [before["delivery_status"], step.delivery_status],
            "delivered_on": [before["delivered_on"], on], "method": method,
            **({"proofs": [p.filename for p in proofs]} if proofs else {})},
           branch_id=case.branch_id)
    return step


def decide_approval(actor: User, step: Step, *, approve: bool, note: str,
                    now: datetime) -> Step:
    """A supervisor approves a requested step or sends it back with a reason."""
    case = step.case
    require(actor, Permission.DECIDE, case.branch_id)
    if step.approval_status != Approval.REQUESTED:
        raise ServiceError(_("This step is not waiting for approval."))
    if case.status != CaseStatus.OPEN:
        raise ServiceError(_("The case is not open: nothing escalates on a paused or closed "
                             "case."))
    if approve and (problem := letters.four_eyes_problem(
            actor, requested_by_id=step.officer_id,
            drafted_by_id=step.letter.created_by_id if step.letter else None)):
        raise ServiceError(problem)
    if not approve and not note.strip():
        raise ServiceError(_("Say why the request is sent back."), "note")
    step.approval_status = Approval.APPROVED if approve else Approval.RETURNED
    step.approval_by_id = actor.id
    step.approval_at = now
    step.approval_note = note.strip()
    project(case)
    db.session.flush()
    record(actor, "step.approve" if approve else "step.return", "step", step.id,
           {"approval_status": [Approval.REQUESTED, step.approval_status], "note": note},
           branch_id=case.branch_id)
    return step


def pause_case(actor: User, case: Case, reason: str, today: date,
               expected_version: int | None = None) -> None:
    """Pause an open case (dispute, company closed, court)."""
    _require_writer(actor, case.branch_id)
    check_version(case, expected_version)
    if case.status != CaseStatus.OPEN:
        raise ServiceError(_("Only an open case can be paused."))
    if reason not in PAUSE_REASONS:
        raise ServiceError(_("Choose why the case is paused."), "reason")
    case.status, case.pause_reason, case.paused_on = CaseStatus.PAUSED, reason, today
    project(case)
    record(actor, "case.pause", "case", case.id, {"reason": reason}, branch_id=case.branch_id)


def resume_case(actor: User, case: Case, expected_version: int | None = None) -> None:
    """Take a paused case up again."""
    _require_writer(actor, case.branch_id)
    check_version(case, expected_version)
    if case.status != CaseStatus.PAUSED:
        raise ServiceError(_("Only a paused case can be resumed."))
    case.status, case.pause_reason, case.paused_on = CaseStatus.OPEN, "", None
    project(case)
    record(actor, "case.resume", "case", case.id, {}, branch_id=case.branch_id)


def close_case(actor: User, case: Case, *, outcome: str, today: date, npp: str = "",
               evidence: str = "", registered: int | None = None, reason: str = "",
               expected_version: int | None = None) -> ClosingRequest | None:
    """Close a case, or ask a supervisor to. Closing as compliant needs the NPP, a note of the
    evidence and every estimated worker registered; a compliant close with workers still
    missing (a partial close, with its reason) and any other outcome wait for a supervisor
    other than the requester (`decide_closing`). Returns the request when one is made."""
    _require_writer(actor, case.branch_id)
    check_version(case, expected_version)
    if case.status == CaseStatus.CLOSED:
        raise ServiceError(_("The case is already closed."))
    if outcome not in CLOSE_OUTCOMES:
        raise ServiceError(_("Choose how the case ends."), "outcome")
    npp = npp.strip()
    company = case.company
    if outcome == "compliant":
        if not npp.isdigit() or not 6 <= len(npp) <= 20:
            raise ServiceError(_("Enter the employer's NPP (digits only)."), "npp")
        if not evidence.strip():
            raise ServiceError(_("Describe the evidence of registration."), "evidence")
        if registered is not None and registered < 0:
            raise ServiceError(_("Enter the number of workers registered."), "registered")
        fine = fine_state(case, today)
        if fine.outstanding > 0:
            raise ServiceError(_("The fine of %(amount)s is not paid yet: a case closes as "
                                 "compliant once the fine is paid (PP 86/2013 article 10(7)).",
                                 amount=rupiah(fine.outstanding)), "outcome")
    if pending_closing(case) is not None:
        raise ServiceError(_("A request to close this case is already waiting for a "
                           "supervisor."))
    now_registered = company.workers_registered if registered is None else registered
    complete = outcome == "compliant" and now_registered >= company.workers_estimated
    if registered is not None and registered != company.workers_registered:
        record_figures(company, {"workers_registered": [company.workers_registered, registered]},
                       FigureSource.OFFICER, today, actor=actor)
        company.workers_registered = registered
        remember_hand_entries(company, ["workers_registered"])
    if complete:
        _close(actor, case, outcome, today, npp, evidence.strip())
        return None
    if not reason.strip():
        if outcome == "compliant":
            raise ServiceError(_("%(missing)d of %(estimated)d workers are not registered yet: "
                                 "say why the case may close anyway (a supervisor decides).",
                                 missing=company.workers_estimated - now_registered,
                                 estimated=company.workers_estimated), "reason")
        raise ServiceError(_("Say why the case should close this way (a supervisor decides)."),
                           "reason")
    request = ClosingRequest(case=case, outcome=outcome, npp=npp, evidence=evidence.strip(),
                             reason=reason.strip(), requested_by_id=actor.id,
                             requested_on=today)
    db.session.add(request)
    project(case)
    db.session.flush()
    record(actor, "case.close_request", "case", case.id,
           {"outcome": outcome, "reason": request.reason, "registered": now_registered},
           branch_id=case.branch_id)
    return request


def pending_closing(case: Case) -> ClosingRequest | None:
    """The case's request to close waiting for a supervisor, if any."""
    return db.session.scalars(select(ClosingRequest).where(
        ClosingRequest.case_id == case.id,
        ClosingRequest.status == ClosingStatus.REQUESTED)).first()


def decide_closing(actor: User, request: ClosingRequest, *, approve: bool, note: str,
                   now: datetime, today: date) -> None:
    """A supervisor other than the requester closes the case as asked, or sends the request
    back with a reason."""
    case = request.case
    require(actor, Permission.DECIDE, case.branch_id)
    if request.status != ClosingStatus.REQUESTED:
        raise ServiceError(_("This request is not waiting for a decision."))
    if approve and (problem := letters.four_eyes_problem(
            actor, requested_by_id=request.requested_by_id)):
        raise ServiceError(problem)
    if not approve and not note.strip():
        raise ServiceError(_("Say why the request is sent back."), "note")
    request.status = ClosingStatus.APPROVED if approve else ClosingStatus.RETURNED
    request.decided_by_id, request.decided_at = actor.id, now
    request.decision_note = note.strip()
    if approve and case.status != CaseStatus.CLOSED:
        _close(actor, case, request.outcome, today, request.npp, request.evidence,
               approved_request=request.id)
    else:
        project(case)
    db.session.flush()
    record(actor, "case.close_approve" if approve else "case.close_return", "case", case.id,
           {"request": request.id, "note": request.decision_note}, branch_id=case.branch_id)


def _close(actor: User, case: Case, outcome: str, today: date, npp: str, evidence: str, *,
           approved_request: int | None = None) -> None:
    """Close the case: nothing escalates on it any more, so its drafts and the approvals it was
    waiting for are withdrawn."""
    if outcome == "compliant" and case.company.npp != npp:
        case.company.npp = npp
        remember_hand_entries(case.company, ["npp"])
    withdrawn = _withdraw_pending(actor, case, _("Withdrawn: the case was closed."), utcnow())
    case.status, case.outcome, case.closed_on = CaseStatus.CLOSED, outcome, today
    case.closing_npp, case.closing_evidence = npp, evidence
    project(case)  # nothing is due any more, nor overdue; the company has no open case
    drafted = [letters.draft_letter(actor, case, code, today).id
               for kind, code in CLOSING_LETTERS if _issued_step(case, kind)]
    record(actor, "case.close", "case", case.id,
           {"outcome": outcome, "npp": npp, "withdrawn": withdrawn,
            "request": approved_request, "closing_letters": drafted},
           branch_id=case.branch_id)


#: the letters a close drafts after a sanction was issued on the case: the request to the
#: permit office to lift TMP2T (PP 86/2013 pasal 10 ayat (7)-(8)), the notice to the prosecutor
CLOSING_LETTERS = (("tmp2t", "tmp2t_lift"), ("legal_referral", "referral_notice"))


def _issued_step(case: Case, kind: str) -> bool:
    """Whether the case has a step of `kind` whose letter was issued and stands."""
    return any(s.kind == kind and policy.in_force(s) and s.letter is not None
               and s.letter.status == LetterStatus.ISSUED for s in case.steps)


def _withdraw_pending(actor: User, case: Case, reason: str, now: datetime) -> dict[str, int]:
    """Withdraw the case's draft letters and the steps waiting for a supervisor or for their
    letter. Returns how many of each."""
    drafts = letters.withdraw_drafts(actor, case.id, str(reason), now)
    waiting = 0
    for step in case.steps:
        if step.approval_status == Approval.REQUESTED:
            step.approval_status, step.approval_at = Approval.WITHDRAWN, now
            step.approval_note = str(reason)
            waiting += 1
        if step.delivery_status == Delivery.UNSENT:
            step.delivery_status = Delivery.WITHDRAWN
    return {"draft_letters": len(drafts), "approvals": waiting}


def reopen_case(actor: User, case: Case, expected_version: int | None = None) -> None:
    """Reopen a closed case (for example when registration turns out incomplete)."""
    _require_writer(actor, case.branch_id)
    check_version(case, expected_version)
    if case.status != CaseStatus.CLOSED:
        raise ServiceError(_("Only a closed case can be reopened."))
    if open_case_of(case.company) is not None:
        raise ServiceError(_("This company already has an open case."))
    case.status, case.outcome, case.closed_on = CaseStatus.OPEN, "", None
    project(case)
    record(actor, "case.reopen", "case", case.id, {}, branch_id=case.branch_id)


def issue_letter(actor: User, letter: Letter, today: date, public_base_url: str) -> Letter:
    """Issue a draft letter: the one way to. Letters are issued on working days; a letter of a
    step is issued only while its case is open and the ladder still allows the step, and the
    step is dated by its letter (its window runs from delivery). A second call issues nothing
    more."""
    require(actor, Permission.WORK, letter.branch_id)
    if letter.status == LetterStatus.ISSUED:
        return letter
    calendar = WorkingCalendar.for_branch(letter.branch_id)
    if not calendar.is_working_day(today):
        raise ServiceError(_("Letters are issued on working days: %(day)s is not one (%(why)s).",
                             day=long_date(today), why=_day_off(calendar, today)))
    step = letters.step_of(letter)
    rung = None
    if step is not None:
        case = step.case
        if case.status != CaseStatus.OPEN:
            raise ServiceError(_("The case is not open: nothing escalates on a paused or "
                                 "closed case."))
        ladder = {r.code: r for r in policy.ladder_for(case.branch_id)}
        rung = ladder.get(step.kind)
        if rung is not None:
            others = [s for s in case.steps if s is not step]
            verdict = policy.judge(case, rung, ladder, calendar, today, steps=others)
            if not verdict.allowed:
                raise ServiceError(" ".join(verdict.reasons))
    if letters.seal_letter(actor, letter, today, public_base_url) and step is not None:
        step.occurred_on = today
        step.delivery_status = Delivery.PENDING
        step.due_on = policy.due_date(rung, today, calendar) if rung is not None else None
        project(step.case, calendar)
        db.session.flush()
    return letter


def _day_off(calendar: WorkingCalendar, day: date) -> str:
    name = calendar.day_off_name(day) or ""
    return {"weekend": _("a weekend"), "branch": _("a day off of the branch")}.get(name, name)


def void_letter(actor: User, letter: Letter, reason: str, now: datetime) -> None:
    """A supervisor withdraws an issued letter, with a reason: its number stays used, its PDF
    stored, and its step stops counting on the ladder."""
    letters.void_letter(actor, letter, reason, now)
    step = letters.step_of(letter)
    if step is not None:
        step.delivery_status = Delivery.WITHDRAWN
        project(step.case)
    db.session.flush()


def transfer_company(actor: User, company: Company, target: Branch) -> None:
    """Move a company to another branch (a supervisor of the current branch), with its cases and
    every row of their ongoing work: reminders, close suggestions, directives and draft letters
    (made again from the new branch's template, so that they are issued with its letterhead and
    number). Issued letters stay the record of the branch that issued them; both branches read
    them (`Letter.__scope_through__`)."""
    require(actor, Permission.DECIDE, company.branch_id)
    if target.id == company.branch_id:
        raise ServiceError(_("The company is already in this branch."), "branch")
    source = company.branch_id
    calendar = WorkingCalendar.for_branch(target.id)
    company.branch_id = target.id
    company.officer_id = None
    for case in company.cases:
        case.branch_id = target.id
        project(case, calendar)  # the new branch's ladder and calendar
    db.session.flush()
    case_ids = [case.id for case in company.cases]
    moved = _move_case_rows(case_ids, target.id)
    moved["draft_letters"] = letters.move_drafts(actor, case_ids, target.id)
    changes = {"branch_id": [source, target.id], **moved}
    record(actor, "company.transfer", "company", company.id, changes, branch_id=source)
    record(actor, "company.transfer", "company", company.id, changes, branch_id=target.id)


#: rows of other features that belong to a case and carry their own branch
_CASE_ROWS = (("reminders", Reminder), ("close_suggestions", CloseSuggestion),
              ("directives", Directive))


def _move_case_rows(case_ids: list[int], branch_id: int) -> dict[str, int]:
    """Give the cases' reminders, close suggestions and directives to the branch; the tasks
    not done go to nobody (the company has no officer there yet), not to the old branch's
    officers. Returns how many rows of each moved."""
    if not case_ids:
        return {name: 0 for name, _model in _CASE_ROWS}
    moved = {name: db.session.execute(
        update(model).where(model.case_id.in_(case_ids), model.branch_id != branch_id)
        .values(branch_id=branch_id)).rowcount for name, model in _CASE_ROWS}
    db.session.execute(update(Reminder).where(Reminder.case_id.in_(case_ids),
                                              Reminder.status != ReminderStatus.DONE)
                       .values(officer_id=None))
    return moved


def visible_step(user: User, step_id: int) -> Step | None:
    """A step of a case the user may read, or None."""
    return db.session.scalars(select(Step).join(Case, Step.case_id == Case.id).where(
        Step.id == step_id, branch_condition(user, Case.branch_id))).first()


def visible_proof(user: User, proof_id: int) -> Proof | None:
    """A proof file of a step of a case the user may read, or None."""
    return db.session.scalars(
        select(Proof).join(Step, Proof.step_id == Step.id).join(Case, Step.case_id == Case.id)
        .where(Proof.id == proof_id, branch_condition(user, Case.branch_id))).first()
