"""Demo inspections: the cases of the demo that reach written warning I on what a company
under-reports or owes are inspected first, as the ladder requires (PP 86/2013 art. 13)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time

from outreach.cases import service as cases
from outreach.cases.models import Case
from outreach.companies.models import Program
from outreach.inspections import service as inspections
from outreach.inspections.models import Checked, Inspection
from outreach.inspections.rules import needs_inspection
from outreach.org.models import User

INSPECTORS = ("Agus Prasetyo", "Rina Kusumawati", "Bambang Setiawan", "Dewi Lestari")
POSITIONS = ("Manajer HRD", "Direktur", "Kepala Bagian Keuangan", "Staf Personalia")


def inspect_before_warning(case: Case, officer: User, supervisor: User, day: date,
                           rng: random.Random, public_base_url: str,
                           more_workers: int | None = None) -> Inspection | None:
    """When the case's next step is written warning I and its categories need an inspection,
    an inspection done on `day`: assigned, its letter issued, recorded (the inspectors often
    find more workers than estimated: `more_workers`, else a few at random), reported by the
    officer and approved by the supervisor. Nothing for a case that needs none."""
    if not needs_inspection(case.categories):
        return None
    company = case.company
    inspection = inspections.assign(officer, case, inspectors="\n".join(rng.sample(
        INSPECTORS, 2)), planned_on=day, today=day)
    cases.issue_letter(officer, inspection.letter, day, public_base_url)
    programs = [p for p in Program.ALL if p in company.program_list or rng.random() < 0.2]
    inspections.record_findings(
        officer, inspection, inspected_on=day, checked=list(Checked.ALL),
        workers_found=company.workers_estimated + (rng.choice((0, 0, 2, 5, 10))
                                                   if more_workers is None else more_workers),
        wages_found=company.average_wage + rng.choice((0, 0, 100_000, 250_000)),
        programs_found=programs, representative_name=company.director_name or "Budi Santoso",
        representative_position=rng.choice(POSITIONS), today=day)
    inspections.submit_report(officer, inspection, conclusions=(
        "Perusahaan belum mendaftarkan seluruh pekerja dan melaporkan upah yang sebenarnya; "
        "dapat diberikan teguran tertulis."), today=day)
    inspections.decide_report(supervisor, inspection, approve=True, note="",
                              now=datetime.combine(day, time(11), UTC), today=day)
    return inspection
