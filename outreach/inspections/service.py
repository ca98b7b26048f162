"""Inspections: assigning inspectors with a letter, recording what they found on site, the
report and its approval by a second person, whose findings update the company's figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from outreach.cases.models import Case, CaseStatus
from outreach.companies.models import FigureSource, Program, Source
from outreach.companies.service import record_figures
from outreach.core.access import Permission, require
from outreach.core.audit import diff, record
from outreach.core.db import utcnow
from outreach.core.errors import ServiceError
from outreach.core.formatting import long_date
from outreach.extensions import db
from outreach.imports.models import CompanySourceValue
from outreach.inspections.models import Checked, Inspection, InspectionStatus
from outreach.inspections.rules import findings_for_company
from outreach.letters import service as letters
from outreach.letters.models import LetterStatus
from outreach.letters.render import page_pdf
from outreach.org.models import User
from outreach.tasks import service as tasks

#: the letter template of the assignment letter (surat tugas)
ASSIGNMENT_TEMPLATE = "assignment"
#: what can still be corrected: a record entered and not yet submitted, or a report sent back
EDITABLE = (InspectionStatus.ASSIGNED, InspectionStatus.RECORDED, InspectionStatus.RETURNED)


def inspections_of(case_ids: list[int]) -> list[Inspection]:
    """The inspections of these cases, oldest first."""
    if not case_ids:
        return []
    return list(db.session.scalars(select(Inspection).where(Inspection.case_id.in_(case_ids))
                                   .order_by(Inspection.planned_on, Inspection.id)))


def assign(actor: User, case: Case, *, inspectors: str, planned_on: date,
           today: date) -> Inspection:
    """Assign inspectors to a case's company: the inspection and the draft of its assignment
    letter (surat tugas) naming them, issued the usual way (`cases.service.issue_letter`);
    the task asking for the inspection is done."""
    require(actor, Permission.WORK, case.branch_id)
    if case.status != CaseStatus.OPEN:
        raise ServiceError(_("The case is not open."))
    names = [line.strip() for line in inspectors.splitlines() if line.strip()]
    if not names:
        raise ServiceError(_("Name the inspectors, one a line."), "inspectors")
    if planned_on < today:
        raise ServiceError(_("The inspection cannot be planned in the past."), "planned_on")
    inspection = Inspection(branch_id=case.branch_id, case_id=case.id,
                            company_id=case.company_id, inspectors="\n".join(names),
                            planned_on=planned_on, created_by_id=actor.id)
    db.session.add(inspection)
    db.session.flush()
    letter = letters.draft_letter(actor, case, ASSIGNMENT_TEMPLATE, today)
    letter.data = {**letter.data, "assignment": {
        "inspection_id": inspection.id, "inspectors": names,
        "planned_on": long_date(planned_on)}}
    inspection.letter_id = letter.id
    tasks.settle_inspection(case, utcnow())
    db.session.flush()
    record(actor, "inspection.assign", "inspection", inspection.id,
           {"case": case.id, "inspectors": names, "planned_on": planned_on.isoformat(),
            "letter": letter.id}, branch_id=case.branch_id)
    return inspection


def _clean_programs(programs: list[str] | str | None) -> str:
    chosen = set(programs.split(",") if isinstance(programs, str) else programs or [])
    return ",".join(p for p in Program.ALL if p in chosen)


def record_findings(actor: User, inspection: Inspection, *, inspected_on: date,
                    checked: list[str], workers_found: int | None, wages_found: int | None,
                    programs_found: list[str] | str | None, representative_name: str,
                    representative_position: str, today: date) -> Inspection:
    """Enter the inspection record (Berita Acara Pemeriksaan) signed on site: what was checked,
    what was found, and who signed for the employer. The one who enters it is the report's
    author. Only after the assignment letter is issued, and not on or before its date."""
    require(actor, Permission.WORK, inspection.branch_id)
    if inspection.status not in EDITABLE:
        raise ServiceError(_("The report has been submitted: it can no longer be changed."))
    letter = inspection.letter
    if letter is None or letter.status != LetterStatus.ISSUED:
        raise ServiceError(_("Issue the assignment letter first: inspectors act on an "
                             "issued assignment letter."))
    if inspected_on > today:
        raise ServiceError(_("The inspection cannot be recorded before it took place."),
                           "inspected_on")
    if letter.issued_on is not None and inspected_on < letter.issued_on:
        raise ServiceError(_("The inspection took place before its assignment letter was "
                             "issued (%(day)s).", day=long_date(letter.issued_on)),
                           "inspected_on")
    checked_codes = [c for c in Checked.ALL if c in set(checked or [])]
    if not checked_codes:
        raise ServiceError(_("Say what was checked."), "checked")
    for key, value in (("workers_found", workers_found), ("wages_found", wages_found)):
        if value is not None and value < 0:
            raise ServiceError(_("The number cannot be negative."), key)
    if not representative_name.strip() or not representative_position.strip():
        raise ServiceError(_("Enter the name and position of the employer's representative "
                             "who signed the record."), "representative_name")
    changes = diff(inspection, {
        "inspected_on": inspected_on, "checked": ",".join(checked_codes),
        "workers_found": workers_found, "wages_found": wages_found,
        "programs_found": _clean_programs(programs_found),
        "representative_name": representative_name.strip(),
        "representative_position": representative_position.strip(),
        "status": InspectionStatus.RECORDED, "reported_by_id": actor.id})
    db.session.flush()
    record(actor, "inspection.record", "inspection", inspection.id, _plain(changes),
           branch_id=inspection.branch_id)
    return inspection


def _plain(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {k: [v.isoformat() if isinstance(v, date) else v for v in pair]
            for k, pair in changes.items()}


def submit_report(actor: User, inspection: Inspection, *, conclusions: str,
                  today: date) -> Inspection:
    """Submit the inspection report (Laporan Hasil Pemeriksaan) for a supervisor's approval.
    Its author stays the one who entered the findings: a supervisor who submits a colleague's
    record may decide it, the one who entered it may not."""
    require(actor, Permission.WORK, inspection.branch_id)
    if inspection.status not in (InspectionStatus.RECORDED, InspectionStatus.RETURNED):
        raise ServiceError(_("Record the inspection first.") if inspection.status
                           == InspectionStatus.ASSIGNED
                           else _("The report has been submitted already."))
    if not conclusions.strip():
        raise ServiceError(_("Write the report's conclusions."), "conclusions")
    inspection.conclusions = conclusions.strip()
    inspection.status = InspectionStatus.SUBMITTED
    inspection.submitted_on = today
    inspection.reported_by_id = inspection.reported_by_id or actor.id
    db.session.flush()
    record(actor, "inspection.submit", "inspection", inspection.id,
           {"conclusions": inspection.conclusions}, branch_id=inspection.branch_id)
    return inspection


def decide_report(actor: User, inspection: Inspection, *, approve: bool, note: str,
                  now: datetime, today: date) -> dict[str, list[Any]]:
    """A supervisor who did not write the report approves it or sends it back with a reason.
    On approval its findings become the company's figures, each kept with the source
    "inspection" and the day, and in the company's history: the ledger reads them from then
    on. Returns the company's figures that changed."""
    require(actor, Permission.DECIDE, inspection.branch_id)
    if inspection.status != InspectionStatus.SUBMITTED:
        raise ServiceError(_("Only a submitted report can be decided."))
    if problem := letters.four_eyes_problem(actor, requested_by_id=inspection.reported_by_id):
        raise ServiceError(problem)
    if not approve and not note.strip():
        raise ServiceError(_("Say why the report is sent back."), "note")
    inspection.decided_by_id, inspection.decided_at = actor.id, now
    inspection.decision_note = note.strip()
    if not approve:
        inspection.status = InspectionStatus.RETURNED
        db.session.flush()
        record(actor, "inspection.return", "inspection", inspection.id,
               {"note": inspection.decision_note}, branch_id=inspection.branch_id)
        return {}
    inspection.status = InspectionStatus.APPROVED
    inspection.approved_on = today
    company = inspection.company
    changes = diff(company, findings_for_company(inspection))
    _keep_sources(company.id, findings_for_company(inspection))
    record_figures(company, changes, FigureSource.INSPECTION, today, actor=actor,
                   inspection_id=inspection.id)
    db.session.flush()
    record(actor, "inspection.approve", "inspection", inspection.id,
           {"note": inspection.decision_note}, branch_id=inspection.branch_id)
    if changes:
        record(actor, "update", "company", company.id,
               {**changes, "source": Source.INSPECTION, "inspection": inspection.id},
               branch_id=company.branch_id)
    return changes


def _keep_sources(company_id: int, values: dict[str, Any]) -> None:
    """Keep each figure the report set with the source "inspection" and the moment: the
    company page shows where each figure came from, and an import keeps it against a list."""
    if not values:
        return
    kept = {row.field: row for row in db.session.scalars(
        select(CompanySourceValue).where(CompanySourceValue.company_id == company_id,
                                         CompanySourceValue.source == Source.INSPECTION,
                                         CompanySourceValue.field.in_(list(values))))}
    now = utcnow()
    for field_name, value in values.items():
        text = "" if value is None else str(value)[:255]
        row = kept.get(field_name)
        if row is None:
            db.session.add(CompanySourceValue(company_id=company_id, field=field_name,
                                              value=text, source=Source.INSPECTION,
                                              recorded_at=now))
        else:
            row.value, row.recorded_at = text, now
    db.session.flush()


@letters.in_indonesian
def record_form_pdf(inspection: Inspection, officer: User, today: date) -> bytes:
    """The blank inspection record (Berita Acara Pemeriksaan) to take on the visit and sign on
    site, with the company's known figures and the inspectors named."""
    company = inspection.company
    return page_pdf("inspections/record_form.html", company=company,
                    branch=letters.branch_data(company.branch), inspection=inspection,
                    officer=officer, today=today, checks=Checked.ALL, programs=Program.ALL)
