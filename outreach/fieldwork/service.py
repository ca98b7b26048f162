"""Work in the field: a visit's position kept with its warnings, the company's location set from
a good one, the points of the maps, the branch's accuracy limit, and a message sent by WhatsApp
logged as a contact step."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func

from outreach.cases import service as cases
from outreach.cases.models import Case, Step
from outreach.companies.models import Company
from outreach.core.access import Permission, require, scoped
from outreach.core.audit import keep_branch_setting, record
from outreach.core.errors import ServiceError
from outreach.core.formatting import long_date
from outreach.extensions import db
from outreach.fieldwork import rules
from outreach.fieldwork.models import DEFAULT_ACCURACY_LIMIT_M, FieldSettings
from outreach.letters.models import Letter
from outreach.org.models import Branch, User
from outreach.tasks import service as tasks

#: the most points one map shows (a branch has a few thousand companies at most)
MAX_POINTS = 5000
#: where a company's location came from
LOCATION_FROM_VISIT = "visit"


# --- the branch's settings -----------------------------------------------------------------

def accuracy_limit(branch_id: int) -> int:
    """The branch's accuracy limit in metres (the default without a row)."""
    row = db.session.get(FieldSettings, branch_id)
    return row.accuracy_limit_m if row is not None else DEFAULT_ACCURACY_LIMIT_M


def save_accuracy_limit(actor: User, branch_id: int, limit_m: int) -> None:
    """A supervisor sets the branch's accuracy limit (metres, 5 to 5,000)."""
    require(actor, Permission.DECIDE, branch_id)
    if not 5 <= limit_m <= 5000:
        raise ServiceError(_("Enter a limit from 5 to 5,000 metres."), "accuracy_limit_m")
    keep_branch_setting(actor, FieldSettings, branch_id, "accuracy_limit_m", limit_m,
                        before_default=DEFAULT_ACCURACY_LIMIT_M, action="field_settings.update")


# --- a visit's position --------------------------------------------------------------------

def record_position(actor: User, step: Step, position: rules.Position, *,
                    use_for_company: bool, today: date) -> list[str]:
    """Keep the position the officer's phone gave on the step; when it is good (taken on the
    visit's day, within the branch's accuracy limit) and asked for, it becomes the company's
    location. A bad one is kept with its warning and does not. Returns the warnings. A step
    keeps the first position recorded: an entry sent again (the same key answering with the
    step already made) records nothing a second time."""
    case = step.case
    require(actor, Permission.WORK, case.branch_id)
    if step.position_at is not None:
        return []
    if problem := rules.coordinates_problem(position.latitude, position.longitude):
        raise ServiceError(problem, "latitude")
    if position.accuracy_m < 0:
        raise ServiceError(_("The position's accuracy cannot be negative."), "latitude")
    branch = db.session.get(Branch, case.branch_id)
    problems = rules.position_problems(position, step.occurred_on, branch.timezone,
                                       accuracy_limit(case.branch_id))
    step.latitude, step.longitude = position.latitude, position.longitude
    step.position_accuracy_m, step.position_at = position.accuracy_m, position.taken_at
    step.position_warning = " ".join(problems)[:300]
    db.session.flush()
    record(actor, "step.position", "step", step.id,
           {"latitude": position.latitude, "longitude": position.longitude,
            "accuracy_m": position.accuracy_m, "taken_at": position.taken_at.isoformat(),
            **({"warning": step.position_warning} if problems else {})},
           branch_id=case.branch_id)
    warnings = list(problems)
    if use_for_company and not problems:
        if step.kind in rules.VISIT_KINDS:
            locate_company(actor, step, today)
        else:
            warnings.append(_("Only a visit's position can be the company's location."))
    return warnings


def location_problem(step: Step) -> str | None:
    """Why the step's position cannot be made its company's location, if it cannot."""
    if step.latitude is None or step.longitude is None:
        return _("This step has no position.")
    if step.kind not in rules.VISIT_KINDS:
        return _("Only a visit's position can be the company's location.")
    if step.position_warning:
        return step.position_warning
    return None


def locate_company(actor: User, step: Step, today: date) -> Company:
    """Make a visit's good position the company's location, with its source and day."""
    case = step.case
    require(actor, Permission.WORK, case.branch_id)
    if problem := location_problem(step):
        raise ServiceError(problem)
    company = case.company
    before = [company.latitude, company.longitude]
    company.latitude, company.longitude = step.latitude, step.longitude
    company.location_source, company.located_on = LOCATION_FROM_VISIT, today
    db.session.flush()
    record(actor, "company.location", "company", company.id,
           {"location": [before, [step.latitude, step.longitude]], "step": step.id},
           branch_id=company.branch_id)
    return company


# --- the maps --------------------------------------------------------------------------------

class MapPoint(NamedTuple):
    """A company on a map: where it is, what its label says, its status and its page."""

    company_id: int
    name: str
    latitude: float | None
    longitude: float | None
    #: overdue, open, paused, none (no open case)
    status: str
    kecamatan: str
    address: str


def _status(company: Company, today: date) -> str:
    if company.open_case_status == "open" and company.open_case_due_on is not None \
            and company.open_case_due_on < today:
        return "overdue"
    return company.open_case_status or "none"


def _point(company: Company, today: date) -> MapPoint:
    address = ", ".join(p for p in (company.address, company.kelurahan, company.kecamatan,
                                    company.city) if p)
    return MapPoint(company.id, company.name, company.latitude, company.longitude,
                    _status(company, today), company.kecamatan, address)


def task_points(actor: User, today: date) -> list[MapPoint]:
    """The companies of the user's tasks for today (overdue ones too), each once, in the order
    of the task list; those without a location too (the page lists them)."""
    groups = tasks.tasks(actor, today)
    ids = list(dict.fromkeys(t.case.company_id for t in groups["overdue"] + groups["today"]))
    if not ids:
        return []
    found = {c.id: c for c in db.session.scalars(
        scoped(Company, actor).where(Company.id.in_(ids[:MAX_POINTS])))}
    return [_point(found[i], today) for i in ids if i in found]


def company_points(actor: User, today: date) -> list[MapPoint]:
    """The companies the user reads that have a location, with their status."""
    stmt = (scoped(Company, actor).where(Company.latitude.is_not(None),
                                         Company.longitude.is_not(None))
            .order_by(Company.name, Company.id).limit(MAX_POINTS))
    return [_point(c, today) for c in db.session.scalars(stmt)]


def unlocated_count(actor: User) -> int:
    """How many companies the user reads have no location yet."""
    stmt = scoped(Company, actor).where(Company.latitude.is_(None)).with_only_columns(
        func.count(Company.id))
    return db.session.scalar(stmt) or 0


# --- messages by WhatsApp --------------------------------------------------------------------

def visit_message(company: Company, officer: User) -> str:
    """The message announcing a visit, in Indonesian whatever language the officer reads."""
    with force_locale("id"):
        return _("Dear %(person)s of %(company)s, I am %(officer)s of BPJS Ketenagakerjaan, "
                 "branch office %(branch)s. We would like to visit you to discuss registering "
                 "your workers in the social security programmes. Please let us know when a "
                 "visit suits you. Thank you.",
                 person=company.director_name or _("Sir/Madam"), company=company.name,
                 officer=officer.name, branch=company.branch.name)


def letter_message(letter: Letter, verify_url: str) -> str:
    """The message telling the company of an issued letter, its number and where to check it,
    in Indonesian."""
    with force_locale("id"):
        return _("Dear %(addressee)s, BPJS Ketenagakerjaan branch office %(branch)s has sent "
                 "you letter number %(number)s of %(date)s. You can check that the letter is "
                 "genuine at %(url)s. Thank you.",
                 addressee=letter.addressee_name, branch=letter.branch.name,
                 number=letter.number, date=long_date(letter.issued_on), url=verify_url)


def confirm_message(actor: User, case: Case, *, text: str, today: date,
                    letter: Letter | None = None) -> Step:
    """The officer confirms a WhatsApp message was sent: a contact step of `MESSAGE_RUNG`,
    logged through `cases.service.log_step` (refused, with the ladder's reason, when the
    ladder does not allow it), marked as sent by WhatsApp."""
    notes = _("WhatsApp message: %(text)s", text=text.strip())[:4000]
    step = cases.log_step(actor, case, kind=rules.MESSAGE_RUNG, occurred_on=today,
                          today=today, notes=notes)
    step.channel = rules.WHATSAPP
    db.session.flush()
    record(actor, "step.whatsapp", "step", step.id,
           {"case": case.id, **({"letter": letter.id} if letter is not None else {})},
           branch_id=case.branch_id)
    return step

