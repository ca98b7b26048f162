"""The supervisor's review: the approvals queue, the still-non-compliant list, reassigning a
case's company to another officer, and directives left on a case for its officer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import joinedload

from outreach.cases.models import Approval, Case, CaseStatus, ClosingRequest, ClosingStatus, Step
from outreach.cases.timeline import Entry, company_timeline
from outreach.companies import rules as compliance
from outreach.companies.models import Company
from outreach.companies.service import NOT_CLOSED
from outreach.core.access import scoped
from outreach.core.audit import record
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.letters.models import Letter, LetterStatus, LetterTemplate
from outreach.notifications import service as notifications
from outreach.org.models import Role, User
from outreach.reports.dashboard import Scope
from outreach.reports.models import Directive
from outreach.tasks.models import Reminder, ReminderStatus

DIRECTIVE_MAX = 2000
#: the orders of the still-non-compliant list: oldest case first, most workers not enrolled
#: first, most contributions not paid a month first
REVIEW_SORTS = ("opened", "missing", "owed")
#: cases one reassignment or directive may cover at once (two pages of the list)
BULK_MAX = 100
#: timeline entries shown with each item of the approvals queue
TIMELINE_AT_HAND = 6
#: how long approved legal referrals stay in the queue's "dossiers ready" list
DOSSIER_DAYS = 60


def _require_supervisor(actor: User, branch_id: int) -> None:
    if actor.role != Role.SUPERVISOR or actor.branch_id != branch_id:
        raise ServiceError(_("Only a supervisor of this branch may decide."))


# --- the approvals queue ------------------------------------------------------------------

@dataclass
class ApprovalQueue:
    """What waits for the supervisor, each item with its company's recent timeline."""

    steps: list[Step]
    letters: list[Letter]
    #: approved legal referrals whose dossier can be printed
    dossiers: list[Step]
    #: requests to close a case other than as fully compliant
    closings: list[ClosingRequest] = field(default_factory=list)
    timelines: dict[int, list[Entry]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.steps and not self.letters and not self.closings


def letters_awaiting_approval(actor: User) -> list[Letter]:
    """Draft letters of the supervisor's branch whose template needs the supervisor's approval
    (those of steps waiting for approval are decided with the step)."""
    stmt = (scoped(Letter, actor).join(LetterTemplate, LetterTemplate.id == Letter.template_id)
            .join(Step, Step.letter_id == Letter.id)
            .where(Letter.branch_id == actor.branch_id, Letter.status == LetterStatus.DRAFT,
                   LetterTemplate.needs_approval, Letter.approved_by_id.is_(None),
                   Step.approval_status == Approval.NOT_NEEDED)
            .options(joinedload(Letter.case).joinedload(Case.company))
            .order_by(Letter.created_at, Letter.id))
    return list(db.session.scalars(stmt).unique())


def approval_queue(actor: User, today: date) -> ApprovalQueue:
    """Escalations (TMP2T, legal referral) and letters waiting for the supervisor, oldest first,
    and the legal referrals approved lately whose dossier is ready."""
    steps = list(db.session.scalars(
        select(Step).join(Case, Case.id == Step.case_id)
        .where(Case.branch_id == actor.branch_id, Step.approval_status == Approval.REQUESTED)
        .options(joinedload(Step.case).joinedload(Case.company), joinedload(Step.officer))
        .order_by(Step.occurred_on, Step.id)).unique())
    waiting_letters = letters_awaiting_approval(actor)
    since = today - timedelta(days=DOSSIER_DAYS)
    dossiers = list(db.session.scalars(
        select(Step).join(Case, Case.id == Step.case_id)
        .join(Letter, Letter.id == Step.letter_id)
        .where(Case.branch_id == actor.branch_id, Step.kind == "legal_referral",
               Step.approval_status == Approval.APPROVED, Letter.status == LetterStatus.ISSUED,
               Letter.issued_on >= since)
        .options(joinedload(Step.case).joinedload(Case.company), joinedload(Step.letter))
        .order_by(Letter.issued_on.desc(), Step.id.desc())).unique())
    closings = list(db.session.scalars(
        select(ClosingRequest).join(Case, Case.id == ClosingRequest.case_id)
        .where(Case.branch_id == actor.branch_id,
               ClosingRequest.status == ClosingStatus.REQUESTED)
        .options(joinedload(ClosingRequest.case).joinedload(Case.company))
        .order_by(ClosingRequest.requested_on, ClosingRequest.id)).unique())
    queue = ApprovalQueue(steps, waiting_letters, dossiers, closings)
    for case in ([s.case for s in steps] + [lt.case for lt in waiting_letters if lt.case]
                 + [c.case for c in closings]):
        if case.id not in queue.timelines:
            queue.timelines[case.id] = company_timeline(case.company)[:TIMELINE_AT_HAND]
    return queue


# --- still non-compliant ------------------------------------------------------------------

@dataclass
class ReviewRow:
    """One case for the monthly review meeting."""

    case: Case
    company: Company
    officer_name: str
    days_open: int
    #: days the next step is overdue (0 when not overdue)
    overdue_days: int
    last_step_on: date | None
    directive: Directive | None
    #: the company's estimated contributions not paid a month (`companies.rules.assess`)
    monthly_owed: int = 0


@dataclass
class ReviewPage:
    """One page of the still-non-compliant list."""

    rows: list[ReviewRow]
    total: int
    page: int
    pages: int
    older_than_days: int
    stalled_days: int
    sort: str = "opened"


#: what the estimate of contributions not paid reads of a company
_OWED_FIELDS = ("business_size", "risk_class", "programs", "average_wage", "workers_missing",
                "workers_registered")


def _owed(rates: dict, size: str, risk_class: int, programs: str, wage: int, missing: int,
          registered: int) -> int:
    return int(compliance.monthly_owed(rates, size, risk_class, programs, wage, missing,
                                       registered).quantize(Decimal(1)))


def _page_ids_by_owed(condition: ColumnElement[bool], rates: dict, page: int,
                      per_page: int) -> list[int]:
    """The case ids of one page, most contributions not paid first. The estimate is computed
    per company as `companies.rules.assess` does (nothing of it is stored): one narrow query
    over the matching cases, sorted here."""
    rows = db.session.execute(
        select(Case.id, Case.opened_on, *(getattr(Company, f) for f in _OWED_FIELDS))
        .join(Company, Company.id == Case.company_id).where(condition)).all()
    ranked = sorted(rows, key=lambda r: (-_owed(rates, *r[2:]), r.opened_on, r.id))
    return [r.id for r in ranked[(page - 1) * per_page: page * per_page]]


def still_non_compliant(scope: Scope, today: date, *, older_than_days: int = 90,
                        stalled_days: int = 30, page: int = 1, per_page: int = 50,
                        sort: str = "opened") -> ReviewPage:
    """Cases not closed that were opened more than `older_than_days` ago, or whose next step
    has been overdue more than `stalled_days` (stalled at a rung), in the order `sort` names
    (`REVIEW_SORTS`: oldest first, most workers not enrolled first, most owed first)."""
    sort = sort if sort in REVIEW_SORTS else "opened"
    condition = and_(NOT_CLOSED, scope.condition(Case.branch_id), or_(
        Case.opened_on < today - timedelta(days=older_than_days),
        and_(Case.status == CaseStatus.OPEN,
             Case.next_due_on < today - timedelta(days=stalled_days))))
    total = db.session.scalar(select(func.count()).select_from(Case).where(condition)) or 0
    pages = max((total + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    rates = compliance.rates_in_force(today)
    stmt = (select(Case, Company, User.name).join(Company, Company.id == Case.company_id)
            .outerjoin(User, User.id == Company.officer_id))
    if sort == "owed":
        order = _page_ids_by_owed(condition, rates, page, per_page)
        by_id = {row[0].id: row for row in db.session.execute(
            stmt.where(Case.id.in_(order))).all()} if order else {}
        found = [by_id[i] for i in order if i in by_id]
    else:
        ordering = ([Company.workers_missing.desc(), Case.opened_on] if sort == "missing"
                    else [Case.opened_on])
        found = db.session.execute(stmt.where(condition).order_by(*ordering, Case.id)
                                   .limit(per_page).offset((page - 1) * per_page)).all()
    ids = [case.id for case, _company, _name in found]
    last_steps = dict(db.session.execute(
        select(Step.case_id, func.max(Step.occurred_on)).where(Step.case_id.in_(ids))
        .group_by(Step.case_id)).all()) if ids else {}
    directives: dict[int, Directive] = {}
    if ids:
        for directive in db.session.scalars(select(Directive).where(Directive.case_id.in_(ids))
                                            .order_by(Directive.created_at, Directive.id)):
            directives[directive.case_id] = directive
    rows = []
    for case, company, officer_name in found:
        late = (today - case.next_due_on).days if (
            case.status == CaseStatus.OPEN and case.next_due_on and case.next_due_on < today) else 0
        owed = _owed(rates, *(getattr(company, f) for f in _OWED_FIELDS))
        rows.append(ReviewRow(case, company, officer_name or "", (today - case.opened_on).days,
                              late, last_steps.get(case.id), directives.get(case.id), owed))
    return ReviewPage(rows, total, page, pages, older_than_days, stalled_days, sort)


def chosen_cases(actor: User, case_ids: list[int]) -> list[Case]:
    """The cases ticked on the review that the user may read, in the order given; refuses an
    empty choice or more than `BULK_MAX`."""
    ids = list(dict.fromkeys(case_ids))
    if not ids:
        raise ServiceError(_("Tick at least one case."), "case")
    if len(ids) > BULK_MAX:
        raise ServiceError(_("Choose at most %(n)d cases at once.", n=BULK_MAX), "case")
    found = {c.id: c for c in db.session.scalars(
        scoped(Case, actor).where(Case.id.in_(ids)).options(joinedload(Case.company)))}
    return [found[i] for i in ids if i in found]


def reassign_cases(actor: User, cases: list[Case], officer: User | None) -> int:
    """Give the companies of many cases to one officer (as `reassign_case`, each audited);
    returns how many changed hands. One refusal refuses them all."""
    changed = 0
    for case in cases:
        before = case.company.officer_id
        reassign_case(actor, case, officer)
        changed += before != case.company.officer_id
    return changed


def leave_directives(actor: User, cases: list[Case], text: str, today: date, *,
                     public_base_url: str) -> list[Directive]:
    """The same directive on many cases (as `leave_directive`, each on its own timeline and
    sent to its officer)."""
    return [leave_directive(actor, case, text, today, public_base_url=public_base_url)
            for case in cases]


def branch_officers(branch_id: int) -> list[User]:
    """Active officers and supervisors of a branch, by name."""
    return list(db.session.scalars(select(User).where(
        User.branch_id == branch_id, User.active, User.role.in_(Role.BRANCH_ROLES))
        .order_by(User.name)))


def reassign_case(actor: User, case: Case, officer: User | None) -> None:
    """Give the case's company (and its open reminders) to another officer of the branch."""
    _require_supervisor(actor, case.branch_id)
    if case.status == CaseStatus.CLOSED:
        raise ServiceError(_("The case is already closed."))
    if officer is None or officer.branch_id != case.branch_id or not officer.active \
            or officer.role not in Role.BRANCH_ROLES:
        raise ServiceError(_("Choose an officer of this branch."), "officer")
    company = case.company
    before = company.officer_id
    if before == officer.id:
        return
    company.officer_id = officer.id
    db.session.execute(
        update(Reminder).where(Reminder.case_id == case.id,
                               Reminder.status != ReminderStatus.DONE)
        .values(officer_id=officer.id).execution_options(synchronize_session=False))
    db.session.flush()
    record(actor, "company.reassign", "company", company.id,
           {"officer_id": [before, officer.id]}, branch_id=case.branch_id)


def leave_directive(actor: User, case: Case, text: str, today: date, *,
                    public_base_url: str) -> Directive:
    """A supervisor's instruction on a case: on the company's timeline, and sent to the
    company's officer as a notification (mailed too when SMTP is configured) that links to
    the company's page under `public_base_url`."""
    _require_supervisor(actor, case.branch_id)
    text = text.strip()
    if not text:
        raise ServiceError(_("Write the directive."), "text")
    if len(text) > DIRECTIVE_MAX:
        raise ServiceError(_("A directive has at most %(n)d characters.", n=DIRECTIVE_MAX),
                           "text")
    officer = case.company.officer
    directive = Directive(branch_id=case.branch_id, case_id=case.id, author_id=actor.id,
                          officer_id=officer.id if officer else None, given_on=today, text=text)
    db.session.add(directive)
    db.session.flush()
    if officer is not None and officer.id != actor.id:
        _notify(officer, directive, case, actor, public_base_url)
    record(actor, "case.directive", "case", case.id,
           {"text": text, "officer_id": directive.officer_id}, branch_id=case.branch_id)
    return directive


def _notify(officer: User, directive: Directive, case: Case, author: User,
            public_base_url: str) -> None:
    notifications.notify(officer, "directive", f"directive:{directive.id}",
                         "reports/mail/directive", directive=directive, company=case.company,
                         author=author,
                         base_url=public_base_url.rstrip("/"))
