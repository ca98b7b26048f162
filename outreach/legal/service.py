"""The employer's answer and the legal track: replies, commitments, and the entries after the
referral to the prosecutor. Every function checks the branch (`core.access.require`), records
an audit event and flushes; a commitment's hold on the ladder is written by
`outreach.cases.service.project`, the one writer of a case's copied values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from outreach.cases.models import Case, CaseStatus
from outreach.cases.proofs import DEFAULT_MAX_BYTES, Upload, checked_upload
from outreach.cases.service import project
from outreach.core.access import Permission, branch_condition, may, require
from outreach.core.audit import keep_branch_setting, record
from outreach.core.errors import ServiceError
from outreach.core.formatting import rupiah
from outreach.extensions import db
from outreach.ladder import rules as policy
from outreach.legal import rules
from outreach.legal.models import (
    Channel,
    Commitment,
    CommitmentStatus,
    Instalment,
    LegalEvent,
    LegalKind,
    LegalSetting,
    Reply,
)
from outreach.letters import numbering
from outreach.letters.render import page_pdf
from outreach.letters.service import in_indonesian
from outreach.money.models import Payment, PaymentKind
from outreach.money.service import ledger
from outreach.org.models import Branch, User
from outreach.tasks.models import Reminder, ReminderStatus

#: the reminder kinds of this feature (the task list shows their message)
COMMITMENT_TASK = "commitment"
LEGAL_TASK = "legal"
#: the classification printed in the number of a special power of attorney
SKK_CLASSIFICATION = "SKK"


# --- settings ---------------------------------------------------------------------------------

def grace_days(branch_id: int) -> int:
    """The branch's grace after a promised day, in working days (5 unless it set another)."""
    row = db.session.get(LegalSetting, branch_id)
    return row.commitment_grace_days if row is not None else 5


def save_grace_days(actor: User, branch_id: int, days: int | None) -> None:
    """A supervisor sets the branch's grace after a promised day (0 to 30 working days)."""
    require(actor, Permission.DECIDE, branch_id)
    if days is None or not 0 <= days <= 30:
        raise ServiceError(_("Enter 0 to 30 working days."), "grace_days")
    keep_branch_setting(actor, LegalSetting, branch_id, "commitment_grace_days", days,
                        before_default=None, action="legal.settings")


# --- tasks ------------------------------------------------------------------------------------

def _task(case: Case, key: str, kind: str, due_on: date, message: str) -> None:
    """A task for the company's officer on `due_on`, once per key."""
    if db.session.scalar(select(Reminder.id).where(Reminder.dedupe_key == key)) is not None:
        return
    db.session.add(Reminder(branch_id=case.branch_id, case_id=case.id,
                            officer_id=case.company.officer_id, rung_code=kind, kind=kind,
                            dedupe_key=key, due_on=due_on, status=ReminderStatus.OPEN,
                            message=message))


def _settle(key: str) -> None:
    reminder = db.session.scalars(select(Reminder).where(Reminder.dedupe_key == key)).first()
    if reminder is not None and reminder.status != ReminderStatus.DONE:
        reminder.status = ReminderStatus.DONE


def _check_day(day: date | None, today: date, field: str, *, future: bool = False) -> date:
    if day is None:
        raise ServiceError(_("Enter the date."), field)
    if not future and day > today:
        raise ServiceError(_("The date cannot be in the future."), field)
    return day


# --- replies ----------------------------------------------------------------------------------

def add_reply(actor: User, case: Case, *, received_on: date | None, channel: str, sender: str,
              content: str, upload: Upload | None, today: date,
              max_bytes: int = DEFAULT_MAX_BYTES, client_key: str = "") -> Reply:
    """Record the employer's reply (by letter, e-mail, WhatsApp or in person) with its content
    and, if any, its attachment (a photo or PDF, checked like a proof). A reply sent again with
    the `client_key` of one already recorded answers with that reply and changes nothing."""
    require(actor, Permission.WORK, case.branch_id)
    client_key = client_key.strip()
    if client_key:
        made = reply_by_key(actor, client_key)
        if made is not None:
            if made.case_id != case.id:
                raise ServiceError(_("This entry was already saved for another case."))
            return made
    received_on = _check_day(received_on, today, "received_on")
    if channel not in Channel.ALL:
        raise ServiceError(_("Choose how the reply came."), "channel")
    if not content.strip() and upload is None:
        raise ServiceError(_("Enter what the employer said, or attach the reply."), "content")
    reply = Reply(branch_id=case.branch_id, case=case, received_on=received_on,
                  channel=channel, sender=sender.strip()[:120], content=content.strip(),
                  recorded_by_id=actor.id, client_key=client_key[:64] or None)
    if upload is not None:
        accepted = checked_upload(upload, max_bytes, "attachment")
        reply.filename, reply.content_type = accepted.name, accepted.content_type
        reply.size, reply.data = len(accepted.data), accepted.data
        reply.sha256 = accepted.sha256
    db.session.add(reply)
    db.session.flush()
    record(actor, "reply.add", "case", case.id,
           {"reply": reply.id, "channel": channel, "received_on": received_on,
            "attachment": reply.filename}, branch_id=case.branch_id)
    return reply


def reply_by_key(actor: User, client_key: str) -> Reply | None:
    """The reply an entry with this idempotency key recorded, if the actor may write to its
    branch (another branch's key is refused without saying more)."""
    reply = db.session.scalar(select(Reply).where(Reply.client_key == client_key))
    if reply is not None and not may(actor, Permission.WORK, reply.branch_id):
        raise ServiceError(_("This entry's key is already used: it was not saved."))
    return reply


def visible_reply(user: User, reply_id: int) -> Reply | None:
    """A reply of a case the user may read, or None."""
    return db.session.scalars(select(Reply).join(Case, Reply.case_id == Case.id).where(
        Reply.id == reply_id, branch_condition(user, Case.branch_id))).first()


# --- commitments ------------------------------------------------------------------------------

def commitment_key(commitment: Commitment) -> str:
    """The key of a commitment's follow-up task."""
    return f"{commitment.case_id}:{COMMITMENT_TASK}:{commitment.id}"


def add_commitment(actor: User, case: Case, *, made_on: date | None, promised_on: date | None,
                   today: date, workers_promised: int | None = None,
                   wage_promised: int | None = None, arrears_promised: bool = False,
                   signatory_name: str = "", signatory_position: str = "",
                   notes: str = "") -> Commitment:
    """Record a signed commitment: what is promised by when. The case's next step then waits
    for the promised day plus the branch's grace, and the officer gets a task for that day."""
    require(actor, Permission.WORK, case.branch_id)
    if case.status != CaseStatus.OPEN:
        raise ServiceError(_("The case is not open."))
    made_on = _check_day(made_on, today, "made_on")
    if promised_on is None:
        raise ServiceError(_("Enter the promised date."), "promised_on")
    if promised_on <= made_on:
        raise ServiceError(_("The promised date must come after the day it was signed."),
                           "promised_on")
    if any(c.status == CommitmentStatus.OPEN for c in case.commitments):
        raise ServiceError(_("An earlier commitment is still open: judge it kept or broken "
                             "first."), "promised_on")
    if workers_promised is not None and workers_promised < 1:
        raise ServiceError(_("Enter the number of workers promised."), "workers_promised")
    if wage_promised is not None and wage_promised < 1:
        raise ServiceError(_("Enter the wage promised."), "wage_promised")
    if not (workers_promised or wage_promised or arrears_promised):
        raise ServiceError(_("Say what the employer promises: workers, wages or arrears."),
                           "workers_promised")
    if not signatory_name.strip():
        raise ServiceError(_("Enter who signed for the employer."), "signatory_name")
    commitment = Commitment(
        branch_id=case.branch_id, case=case, made_on=made_on, promised_on=promised_on,
        grace_days=grace_days(case.branch_id), workers_promised=workers_promised,
        wage_promised=wage_promised, arrears_promised=arrears_promised,
        signatory_name=signatory_name.strip(), signatory_position=signatory_position.strip(),
        notes=notes.strip(), recorded_by_id=actor.id)
    db.session.add(commitment)
    project(case)
    db.session.flush()
    _task(case, commitment_key(commitment), COMMITMENT_TASK, promised_on,
          _("Check the commitment promised for this day: kept or broken?"))
    record(actor, "commitment.add", "case", case.id,
           {"commitment": commitment.id, "promised_on": promised_on,
            "workers": workers_promised, "wage": wage_promised, "arrears": arrears_promised,
            "next_due_on": case.next_due_on}, branch_id=case.branch_id)
    return commitment


def judge_commitment(actor: User, commitment: Commitment, *, kept: bool, today: date,
                     note: str = "") -> Commitment:
    """Judge a commitment kept (the promised figures are reached: the case can close) or
    broken (the ladder resumes where it was)."""
    case = commitment.case
    require(actor, Permission.WORK, case.branch_id)
    if commitment.status != CommitmentStatus.OPEN:
        raise ServiceError(_("This commitment was already judged."))
    if kept:
        company = case.company
        book = ledger(company, today, case)
        missing = rules.unmet_promises(
            commitment, workers_registered=company.workers_registered,
            reported_wage=company.reported_wage, contribution_balance=book.contribution_balance)
        if missing:
            raise ServiceError(_("The promise is not kept yet: %(missing)s.",
                                 missing="; ".join(missing)))
    elif not note.strip():
        raise ServiceError(_("Say what was not done."), "note")
    commitment.status = CommitmentStatus.KEPT if kept else CommitmentStatus.BROKEN
    commitment.judged_on, commitment.judged_by_id = today, actor.id
    commitment.judgement_note = note.strip()
    _settle(commitment_key(commitment))
    project(case)
    db.session.flush()
    record(actor, "commitment.kept" if kept else "commitment.broken", "case", case.id,
           {"commitment": commitment.id, "note": commitment.judgement_note,
            "next_due_on": case.next_due_on}, branch_id=case.branch_id)
    return commitment


# --- the legal track --------------------------------------------------------------------------

def referred(case: Case) -> bool:
    """Whether the case's legal referral is in force (issued, approved, not withdrawn)."""
    return any(s.kind == policy.LEGAL_REFERRAL and policy.in_force(s) for s in case.steps)


def legal_key(event: LegalEvent) -> str:
    """The key of the task an entry's day makes."""
    return f"{event.case_id}:{LEGAL_TASK}:{event.id}"


def add_legal_event(actor: User, case: Case, *, kind: str, occurred_on: date | None,
                    today: date, due_on: date | None = None, number: str = "",
                    person: str = "", court: str = "", scope: str = "",
                    amount: int | None = None, outcome: str = "", notes: str = "",
                    instalments: list[tuple[date, int]] | None = None) -> LegalEvent:
    """Record an entry of the legal track of a referred case, in the order the track goes:
    the power of attorney (numbered, its amount from the ledger, signed by the head of the
    branch), the prosecutor's acceptance, summons and meetings, an instalment agreement, a
    small-claims suit and its hearings, the outcome. A day ahead makes a task."""
    require(actor, Permission.WORK, case.branch_id)
    if kind not in LegalKind.ALL:
        raise ServiceError(_("Unknown entry %(code)s.", code=kind), "kind")
    if not referred(case):
        raise ServiceError(_("The legal track starts once the legal referral is issued."))
    occurred_on = _check_day(occurred_on, today, "occurred_on")
    events = list(case.legal_events)
    name = rules.label_of(kind, rules.LEGAL_KINDS)
    if kind in rules.SINGLE and any(e.kind == kind for e in events):
        raise ServiceError(_("%(entry)s is already recorded.", entry=name), "kind")
    for need in rules.LEGAL_NEEDS[kind]:
        if not any(e.kind == need for e in events):
            raise ServiceError(_("%(entry)s needs %(first)s first.", entry=name,
                                 first=rules.label_of(need, rules.LEGAL_KINDS)), "kind")
    with db.session.no_autoflush:
        event = LegalEvent(branch_id=case.branch_id, case=case, kind=kind,
                           occurred_on=occurred_on, person=person.strip(), court=court.strip(),
                           scope=scope.strip(), outcome=outcome.strip(), notes=notes.strip(),
                           number=number.strip(), recorded_by_id=actor.id)
        try:
            _fill(event, case, today, due_on, amount, instalments or [])
        except ServiceError:
            case.legal_events.remove(event)
            raise
    db.session.add(event)
    db.session.flush()
    if event.due_on is not None:
        _task(case, legal_key(event), LEGAL_TASK, event.due_on,
              _("%(entry)s on this day.", entry=name))
    if kind == LegalKind.OUTCOME:
        for other in events:
            _settle(legal_key(other))
    record(actor, "legal.add", "case", case.id,
           {"entry": event.id, "kind": kind, "occurred_on": occurred_on, "number": event.number,
            "amount": event.amount, "due_on": event.due_on}, branch_id=case.branch_id)
    return event


def _fill(event: LegalEvent, case: Case, today: date, due_on: date | None,
          amount: int | None, instalments: list[tuple[date, int]]) -> None:
    """The checks and values of each kind of entry."""
    kind = event.kind
    if kind == LegalKind.POWER_OF_ATTORNEY:
        if not event.scope:
            raise ServiceError(_("Describe what the state lawyer is empowered to do."), "scope")
        branch = db.session.get(Branch, case.branch_id)
        if not branch.head_name:
            raise ServiceError(_("The branch has no head named in its settings: the head of "
                                 "the branch signs the power of attorney."))
        event.person = branch.head_name
        event.amount = ledger(case.company, today, case).balance
        # its own series per branch and year, so that the letters' numbers keep their dates'
        # order; the unique (branch, kind, year, seq) refuses a number taken twice at once
        year = event.occurred_on.year
        seq = 1 + (db.session.scalar(select(func.max(LegalEvent.seq)).where(
            LegalEvent.branch_id == branch.id, LegalEvent.kind == LegalKind.POWER_OF_ATTORNEY,
            LegalEvent.year == year)) or 0)
        event.year, event.seq = year, seq
        event.number = numbering.format_number(
            branch.letter_number_format, seq=seq, classification=SKK_CLASSIFICATION,
            unit=branch.letter_unit_code or branch.code, issued_on=event.occurred_on)
    elif kind == LegalKind.ACCEPTANCE:
        if not event.person:
            raise ServiceError(_("Enter the state lawyer's name."), "person")
    elif kind in (LegalKind.SUMMONS, LegalKind.HEARING):
        if due_on is None:
            raise ServiceError(_("Enter the day of the meeting or hearing."), "due_on")
        if due_on < event.occurred_on:
            raise ServiceError(_("The day cannot be before the entry's date."), "due_on")
        event.due_on = due_on
    elif kind == LegalKind.MEETING:
        if not event.outcome:
            raise ServiceError(_("Enter the meeting's outcome."), "outcome")
    elif kind == LegalKind.AGREEMENT:
        if not instalments:
            raise ServiceError(_("Enter the instalments: a date and an amount a line."),
                               "instalments")
        for seq, (day, value) in enumerate(sorted(instalments), start=1):
            if value <= 0 or day < event.occurred_on:
                raise ServiceError(_("Each instalment needs an amount above zero and a date on "
                                     "or after the agreement."), "instalments")
            event.instalments.append(Instalment(seq=seq, due_on=day, amount=value))
        event.amount = sum(value for _day, value in instalments)
    elif kind == LegalKind.SUIT:
        if not event.court or not event.number:
            raise ServiceError(_("Enter the court and the case number."), "court")
        if amount is None or amount <= 0:
            raise ServiceError(_("Enter the amount claimed."), "amount")
        if amount > rules.SMALL_CLAIMS_LIMIT:
            raise ServiceError(_("%(amount)s is more than a small-claims suit may claim. "
                                 "%(law)s", amount=rupiah(amount),
                                 law=str(rules.LAW_SMALL_CLAIMS)), "amount")
        event.amount = amount
    elif kind == LegalKind.OUTCOME:
        if not event.outcome:
            raise ServiceError(_("Enter the outcome."), "outcome")
        if amount is not None and amount < 0:
            raise ServiceError(_("Enter the amount recovered."), "amount")
        event.amount = amount or 0


def instalment_checks(event: LegalEvent, today: date) -> list[rules.InstalmentCheck]:
    """An agreement's instalments against the contribution payments recorded since it."""
    payments = db.session.execute(select(Payment.paid_on, Payment.amount).where(
        Payment.company_id == event.case.company_id, Payment.kind == PaymentKind.CONTRIBUTION,
        Payment.paid_on >= event.occurred_on)).all()
    return rules.check_instalments(event.instalments, [tuple(p) for p in payments], today)


@dataclass
class Answer:
    """A case's replies, commitments and legal track, as the case page and the dossier show
    them."""

    replies: list[Reply]
    commitments: list[Commitment]
    events: list[LegalEvent]
    checks: dict[int, list[rules.InstalmentCheck]]
    referred: bool

    @property
    def empty(self) -> bool:
        return not (self.replies or self.commitments or self.events)


def answer_of(case: Case, today: date) -> Answer:
    """Everything the employer answered and the legal track of the case."""
    events = list(case.legal_events)
    return Answer(list(case.replies), list(case.commitments), events,
                  {e.id: instalment_checks(e, today) for e in events
                   if e.kind == LegalKind.AGREEMENT}, referred(case))


@in_indonesian
def commitment_form_pdf(case: Case, today: date) -> bytes:
    """The commitment form (surat pernyataan kesanggupan) to sign on site: the company's data
    and what it owes today, with the promise, its date and the signatures left blank."""
    company = case.company
    book = ledger(company, today, case)
    return page_pdf("legal/commitment_form.html", case=case, company=company,
                    branch=db.session.get(Branch, case.branch_id), today=today,
                    missing=max(company.workers_estimated - company.workers_registered, 0),
                    balance=book.balance)


def answer_figures(in_scope, today: date) -> dict[str, int]:
    """The dashboard's figures of the answer and the legal track, for the branches
    `in_scope(column)` selects: commitments broken and still open, the tasks of the legal track
    and of commitments past their day and not done, and the agreements with an instalment
    overdue (checked against the payments recorded)."""
    by_status = dict(db.session.execute(
        select(Commitment.status, func.count()).where(in_scope(Commitment.branch_id))
        .group_by(Commitment.status)).all())
    late_tasks = db.session.scalar(select(func.count()).select_from(Reminder).where(
        in_scope(Reminder.branch_id), Reminder.kind.in_((LEGAL_TASK, COMMITMENT_TASK)),
        Reminder.status != ReminderStatus.DONE, Reminder.due_on < today)) or 0
    agreements = db.session.execute(select(LegalEvent, Case.company_id).join(
        Case, Case.id == LegalEvent.case_id).where(
        in_scope(LegalEvent.branch_id), LegalEvent.kind == LegalKind.AGREEMENT)
        .options(selectinload(LegalEvent.instalments))).all()
    paid: dict[int, list[tuple[date, int]]] = {}
    if agreements:
        for company_id, paid_on, amount in db.session.execute(
                select(Payment.company_id, Payment.paid_on, Payment.amount).where(
                    Payment.company_id.in_({company_id for _e, company_id in agreements}),
                    Payment.kind == PaymentKind.CONTRIBUTION)):
            paid.setdefault(company_id, []).append((paid_on, amount))
    behind = sum(1 for event, company_id in agreements if any(
        check.state == rules.InstalmentState.OVERDUE
        for check in rules.check_instalments(
            event.instalments, [p for p in paid.get(company_id, []) if p[0] >= event.occurred_on],
            today)))
    return {"broken": by_status.get(CommitmentStatus.BROKEN, 0),
            "open": by_status.get(CommitmentStatus.OPEN, 0),
            "legal_overdue": late_tasks, "instalments_overdue": behind}
