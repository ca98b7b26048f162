"""Builders of test data through the app's own services.

Every builder calls the service a person's action would (creating a branch, an account or a
company, opening a case, logging a step, recording a delivery, issuing a letter, closing a
case), so that the values the services copy (a case's stage, next rung and due date, its
company's copies of its cases, the audit trail, the hand-entered values) are exactly what the
app writes. They take the day explicitly (`today`, `on`), as the services do, and commit.

A builder that needs someone to act and is given nobody acts as `clerk(branch)`: an officer of
the branch who is not saved, so that no account is added to the branch's staff and the audit
events it leaves name nobody (as those of a command-line import do).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from itertools import count
from typing import Any

from PIL import Image
from sqlalchemy import delete

from outreach.cases import service as cases
from outreach.cases.models import Approval, Case, Category, Step
from outreach.cases.proofs import Upload
from outreach.companies import service as companies
from outreach.companies.models import Company, Source
from outreach.extensions import db
from outreach.imports.models import CompanySourceValue
from outreach.inspections import service as inspections
from outreach.inspections.models import Checked, Inspection, InspectionStatus
from outreach.inspections.rules import needs_inspection
from outreach.letters import service as letters
from outreach.letters.models import Letter
from outreach.money import service as money
from outreach.org import service as org
from outreach.org.models import Branch, Region, Role, User

PASSWORD = "correct-horse-9"
#: the day a company's case is opened unless a test says otherwise (a Monday)
OPENED_ON = date(2026, 1, 5)
PUBLIC_BASE_URL = "https://outreach.example.id"

_serial = count(1)


def clerk(branch: Branch | int) -> User:
    """An officer of the branch, not saved: the actor of a builder given none."""
    branch_id = branch if isinstance(branch, int) else branch.id
    return User(role=Role.OFFICER, branch_id=branch_id, name="", email="")


def deputy(branch: Branch | int) -> User:
    """A supervisor of the branch, not saved: the second pair of eyes of a builder that sends a
    letter needing approval."""
    branch_id = branch if isinstance(branch, int) else branch.id
    return User(role=Role.SUPERVISOR, branch_id=branch_id, name="", email="")


# --- org ------------------------------------------------------------------------------------------


def branch(code: str = "KC-PKL", name: str = "Pekalongan", region: str = "JATENG",
           **details: str) -> Branch:
    """A branch in a region (the region made when missing), with a head of branch to sign its
    letters unless `head_name` says otherwise: `org.service.create_branch`."""
    details.setdefault("head_name", f"Kepala {name}")
    created = org.create_branch(None, code=code, name=name,
                                region=org.get_or_create_region(region), **details)
    db.session.commit()
    return created


def user(role: str = Role.OFFICER, branch: Branch | None = None, region: Region | None = None,
         *, email: str | None = None, name: str | None = None, active: bool = True,
         locale: str = "id", password: str = PASSWORD) -> User:
    """An account with the test password: `org.service.create_user`."""
    n = next(_serial)
    created = org.create_user(None, email=email or f"{role}.{n}@example.org",
                              name=name or f"{role.title()} {n}", role=role, branch=branch,
                              region=region, password=password, locale=locale)
    # an account switched off (there is no service for it but the admin's whole-form update)
    created.active = active
    db.session.commit()
    return created


# --- companies and cases ------------------------------------------------------------------


def company(branch: Branch, name: str | None = None, *, actor: User | None = None,
            categories: Iterable[str] = (), opened_on: date = OPENED_ON,
            hand_entered: bool = True, **values: Any) -> Company:
    """A company entered in the branch (`companies.service.create_company`), with an open case
    of these categories opened on `opened_on` when categories are given (`open_case`).

    `values` are the company form's fields; `programs` may be a comma-separated string.
    `hand_entered=False` makes a company whose values came from a list rather than the form:
    the marks of values typed by a person that `create_company` leaves are deleted (raw rows:
    only the import enters a company without a person, and it needs a whole file).
    """
    unknown = set(values) - set(companies.COMPANY_FIELDS)
    if unknown:
        raise TypeError(f"not a company field: {', '.join(sorted(unknown))}")
    if isinstance(values.get("programs"), str):
        values["programs"] = [p for p in values["programs"].split(",") if p]
    actor = actor or clerk(branch)
    created = companies.create_company(actor, branch.id,
                                       {"name": name or f"PT Contoh {next(_serial)}", **values},
                                       today=opened_on)
    if not hand_entered:
        db.session.execute(delete(CompanySourceValue).where(
            CompanySourceValue.company_id == created.id,
            CompanySourceValue.source == Source.MANUAL))
    db.session.commit()
    categories = tuple(categories)
    if categories:
        open_case(created, categories, actor=actor, today=opened_on)
    return created


def open_case(company: Company, categories: Iterable[str] = (Category.PWBD,), *,
              today: date = OPENED_ON, actor: User | None = None) -> Case:
    """A case opened on `today`: `cases.service.open_case`."""
    case = cases.open_case(actor or clerk(company.branch_id), company, list(categories), today)
    db.session.commit()
    return case


def photo(image_format: str = "JPEG", size: tuple[int, int] = (96, 64),
          exif: Image.Exif | None = None) -> bytes:
    """A small real photo (JPEG, PNG or WEBP), with the EXIF block given, as a phone sends it."""
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, (25, 135, 84)).save(buffer, format=image_format, **options)
    return buffer.getvalue()


def proof_upload(filename: str = "bukti.png") -> Upload:
    """A small PNG scan, as a proof of a step or a payment."""
    return Upload(filename, photo("PNG"))


#: the days of a case walked to a legal referral from a notification on 1 September 2025
REFERRAL_WALK = {"notification": date(2025, 9, 1), "visit": date(2025, 9, 3),
                 "warning_1": date(2025, 9, 22), "warning_2": date(2025, 10, 8),
                 "fine": date(2025, 10, 24)}


def requested_referral(case: Case, on: date, *, actor: User | None = None,
                       approver: User | None = None) -> Step:
    """A case walked up the ladder on `REFERRAL_WALK`'s days (the visit refused, every letter
    approved where needed, issued and delivered by hand), then a legal referral requested on
    `on` and waiting for approval."""
    for kind, day in REFERRAL_WALK.items():
        if kind == "visit":
            step(case, kind, day, actor=actor, outcome="refused")
        else:
            delivered_step(case, kind, day, actor=actor, approver=approver)
    return drafted_step(case, "legal_referral", on, actor=actor)


def drafted_step(case: Case, kind: str, on: date, *, today: date | None = None,
                 actor: User | None = None, outcome: str = "", notes: str = "") -> Step:
    """A step the ladder allows, logged on `on` (a letter step gets its draft letter and
    counts for nothing until the letter is issued): `cases.service.log_step`. Written warning
    I on a case whose categories need an inspection is preceded by one (`inspected`) when the
    case has no approved report yet."""
    if kind == "warning_1":
        inspected_before_warning(case, on, actor=actor)
    logged = cases.log_step(actor or clerk(case.branch_id), case, kind=kind, occurred_on=on,
                            today=today or on, outcome=outcome, notes=notes)
    db.session.commit()
    return logged


def step(case: Case, kind: str, on: date, *, today: date | None = None,
         actor: User | None = None, outcome: str = "", notes: str = "") -> Step:
    """A step the ladder allows, taken on `on`: `drafted_step`, and a letter step's letter
    issued that day (a working day) unless the step waits for a supervisor's approval."""
    logged = drafted_step(case, kind, on, today=today or on, actor=actor, outcome=outcome,
                          notes=notes)
    if logged.letter is not None and logged.approval_status != Approval.REQUESTED:
        issued_letter(logged.letter, on, actor=actor)
    return logged


def sent_step(case: Case, kind: str, on: date, *, actor: User | None = None,
              approver: User | None = None) -> Step:
    """A letter step whose letter was issued on `on`: logged, approved by a second person
    when the rung needs it (`approver`, else an unsaved supervisor of the branch), issued."""
    logged = step(case, kind, on, actor=actor)
    if logged.approval_status == Approval.REQUESTED:
        decision(logged, approver or deputy(case.branch_id), approve=True,
                 now=datetime.combine(on, time(9)))
        issued_letter(logged.letter, on, actor=actor)
    return logged


def delivery(letter_step: Step, on: date, *, delivered: bool = True, today: date | None = None,
             actor: User | None = None, recipient: str = "Pak Joko") -> Step:
    """A letter handed to the company on `on` (or, `delivered=False`, returned undelivered):
    `cases.service.record_delivery`."""
    cases.record_delivery(actor or clerk(letter_step.case.branch_id), letter_step,
                          delivered=delivered, on=on, today=today or on,
                          method="hand" if delivered else "", recipient=recipient)
    db.session.commit()
    return letter_step


def delivered_step(case: Case, kind: str, on: date, *, delivered_on: date | None = None,
                   today: date | None = None, actor: User | None = None,
                   recipient: str = "Pak Joko", approver: User | None = None) -> Step:
    """A letter step issued on `on` (approved first when the rung needs it) and delivered by
    hand on `delivered_on` (the same day unless told): `sent_step`, then `record_delivery`."""
    delivered_on = delivered_on or on
    today = today or delivered_on
    logged = sent_step(case, kind, on, actor=actor, approver=approver)
    return delivery(logged, delivered_on, today=today, actor=actor, recipient=recipient)


def returned_step(case: Case, kind: str, on: date, *, returned_on: date | None = None,
                  today: date | None = None, actor: User | None = None) -> Step:
    """A letter step whose letter came back undelivered: `sent_step`, then `record_delivery`."""
    returned_on = returned_on or on
    today = today or returned_on
    logged = sent_step(case, kind, on, actor=actor)
    return delivery(logged, returned_on, delivered=False, today=today, actor=actor)


def decision(approval_step: Step, supervisor: User, *, approve: bool, note: str = "",
             now: datetime | None = None) -> Step:
    """A supervisor's decision on a step waiting for approval: `cases.service.decide_approval`."""
    cases.decide_approval(supervisor, approval_step, approve=approve,
                          note=note or ("" if approve else "Lengkapi bukti."),
                          now=now or datetime(2026, 3, 2, 9, 0))
    db.session.commit()
    return approval_step


def pause(case: Case, today: date, *, reason: str = "dispute",
          actor: User | None = None) -> Case:
    """A case paused on `today`: `cases.service.pause_case`."""
    cases.pause_case(actor or clerk(case.branch_id), case, reason, today)
    db.session.commit()
    return case


def close(case: Case, today: date, *, outcome: str = "compliant", npp: str = "",
          actor: User | None = None, approver: User | None = None) -> Case:
    """A case closed on `today`: as compliant, with an NPP, a note of the evidence, every
    estimated worker registered and its fine paid that day (`money.service.add_payment`);
    otherwise asked for with a reason and approved by a second person (`approver`, else an
    unsaved supervisor of the branch): `cases.service.close_case`, then `decide_closing`."""
    npp = npp or (case.company.npp or f"{90_000_000 + case.company_id}")
    compliant = outcome == "compliant"
    outstanding = money.fine_state(case, today).outstanding if compliant else 0
    if outstanding:
        money.add_payment(actor or clerk(case.branch_id), case.company, kind="fine",
                          paid_on=today, amount=outstanding, reference="Setoran denda",
                          upload=proof_upload("bukti-setor.png"), today=today)
    request = cases.close_case(actor or clerk(case.branch_id), case, outcome=outcome,
                               today=today, npp=npp if compliant else "",
                               evidence="Sertifikat kepesertaan" if compliant else "",
                               registered=case.company.workers_estimated if compliant else None,
                               reason="" if compliant else "Perusahaan tidak beroperasi lagi.")
    if request is not None:
        cases.decide_closing(approver or deputy(case.branch_id), request, approve=True,
                             note="", now=datetime.combine(today, time(9)), today=today)
    db.session.commit()
    return case


# --- inspections -------------------------------------------------------------------------------


def _working_day_until(case: Case, day: date) -> date:
    from outreach.calendar.rules import WorkingCalendar

    calendar = WorkingCalendar.for_branch(case.branch_id)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return day


def assigned_inspection(case: Case, on: date, *, actor: User | None = None,
                        inspectors: str = "Agus Prasetyo\nRina Kusumawati") -> Inspection:
    """Inspectors assigned on `on` and their assignment letter issued that day (a working
    day): `inspections.service.assign`, then `issued_letter`."""
    inspection = inspections.assign(actor or clerk(case.branch_id), case, inspectors=inspectors,
                                    planned_on=on, today=on)
    db.session.commit()
    issued_letter(inspection.letter, on, actor=actor)
    return inspection


def reported_inspection(case: Case, on: date, *, actor: User | None = None,
                        workers_found: int | None = None, wages_found: int | None = None,
                        programs_found: str | None = None,
                        inspection: Inspection | None = None) -> Inspection:
    """An inspection done on `on` and its report submitted: `assigned_inspection` (unless
    given), `record_findings` signed by the company's director, `submit_report`. The findings
    are the company's figures unless told."""
    company = case.company
    actor = actor or clerk(case.branch_id)
    inspection = inspection or assigned_inspection(case, on, actor=actor)
    inspections.record_findings(
        actor, inspection, inspected_on=on, checked=list(Checked.ALL),
        workers_found=company.workers_estimated if workers_found is None else workers_found,
        wages_found=company.average_wage if wages_found is None else wages_found,
        programs_found=company.programs if programs_found is None else programs_found,
        representative_name=company.director_name or "Pak Joko",
        representative_position="Manajer HRD", today=on)
    inspections.submit_report(actor, inspection, conclusions="Pekerja belum terdaftar seluruhnya.",
                              today=on)
    db.session.commit()
    return inspection


def inspected(case: Case, on: date, *, actor: User | None = None,
              approver: User | None = None, **findings: Any) -> Inspection:
    """An inspection done and its report approved on `on` by a second person (`approver`, else
    an unsaved supervisor of the branch): `reported_inspection`, then `decide_report`."""
    inspection = reported_inspection(case, on, actor=actor, **findings)
    inspections.decide_report(approver or deputy(case.branch_id), inspection, approve=True,
                              note="", now=datetime.combine(on, time(10)), today=on)
    db.session.commit()
    return inspection


def inspected_before_warning(case: Case, on: date, *,
                             actor: User | None = None) -> Inspection | None:
    """What written warning I on `on` needs first (PP 86/2013 art. 13): an inspection approved
    on the last working day up to `on` (`inspected`) when the case's categories need one and
    it has no approved report yet; nothing otherwise."""
    if not needs_inspection(case.categories) or any(
            i.status == InspectionStatus.APPROVED for i in inspections.inspections_of([case.id])):
        return None
    return inspected(case, _working_day_until(case, on), actor=actor)


# --- letters ------------------------------------------------------------------------------------


def issued_letter(letter: Letter, today: date, *, actor: User | None = None,
                  public_base_url: str = PUBLIC_BASE_URL) -> Letter:
    """A draft letter issued on `today` (a working day): numbered, rendered, stored, and its
    step dated by it: `cases.service.issue_letter`. A summons without its meeting gets one a
    week later at the branch (`letters.service.set_meeting`)."""
    actor = actor or clerk(letter.branch_id)
    if letter.template.code == "summons" and not letter.data.get("meeting"):
        letters.set_meeting(actor, letter, on=today + timedelta(days=7), at="09:00",
                            place="Kantor Cabang BPJS Ketenagakerjaan", contact="Petugas",
                            today=today)
    cases.issue_letter(actor, letter, today, public_base_url)
    db.session.commit()
    return letter


def partner_offices(branch: Branch, *areas: str) -> list:
    """The permit office, labour office and district prosecutor of each city or regency (e.g.
    "Kota Pekalongan") in the branch's registry: `org.partners.save_office`."""
    from outreach.org import partners
    from outreach.org.models import PartnerKind

    supervisor = User(role=Role.SUPERVISOR, branch_id=branch.id, name="", email="")
    names = {PartnerKind.DPMPTSP: "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu",
             PartnerKind.DISNAKER: "Dinas Tenaga Kerja", PartnerKind.KEJARI: "Kejaksaan Negeri"}
    made = [partners.save_office(supervisor, None, kind=kind, area=area,
                                 name=f"{name} {area}", head_title=f"Kepala {name} {area}",
                                 address=f"Jl. Pemuda No. {n}, {area}")
            for area in areas for n, (kind, name) in enumerate(names.items(), start=1)]
    db.session.commit()
    return made


#: the rungs whose steps wait for a supervisor by default and that tests walking the ladder
#: approve on the way (TMP2T and the referral are left to the tests about approvals)
APPROVED_ON_THE_WAY = ("warning_1", "warning_2", "fine")


def approval(taken: Step, supervisor: User | None = None, *,
             now: datetime | None = None) -> Step:
    """A warning or fine step approved when it waits for a supervisor (the ladder asks for it by
    default): `cases.service.decide_approval` by `supervisor`, or an unsaved supervisor of the
    branch; any other step is returned as it is."""
    if taken.kind not in APPROVED_ON_THE_WAY or taken.approval_status != "requested":
        return taken
    supervisor = supervisor or User(role=Role.SUPERVISOR, branch_id=taken.case.branch_id,
                                    name="", email="")
    return decision(taken, supervisor, approve=True,
                    now=now or datetime(taken.occurred_on.year, taken.occurred_on.month,
                                        taken.occurred_on.day, 9, 0))
