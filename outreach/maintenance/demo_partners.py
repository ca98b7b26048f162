"""Demo joint visits: a demo case that reaches its joint visit invites the labour office or the
prosecutor of the company's city by letter, records the partner's answer (now and then another
day) and logs the visit on the agreed day, through the services. A day still ahead leaves the
invitation waiting, with its task for the agreed day."""

from __future__ import annotations

from collections.abc import Generator
from datetime import date

from outreach.calendar.rules import WorkingCalendar
from outreach.cases import service as cases
from outreach.cases.models import Case, Step
from outreach.joint_visits import service as joint_visits
from outreach.joint_visits.models import Response
from outreach.org.models import User

RESPONDERS = (("Sri Wahyuni, S.H.", "Kepala Bidang Pengawasan Ketenagakerjaan"),
              ("Andi Nugroho, S.H.", "Jaksa Pengacara Negara"))


def joint_visit(case: Case, officer: User, day: date, today: date,
                public_base_url: str) -> Generator[date, None, Step | None]:
    """The case's joint visit from `day`: yields each later day it acts on, returns the step
    logged (None while the partner's answer or the agreed day is still ahead). Without a
    labour office or prosecutor for the company's city, the visit is logged as before."""
    choices = joint_visits.partner_choices(case)
    if not choices:
        return cases.log_step(officer, case, kind="joint_visit", occurred_on=day, today=day)
    calendar = WorkingCalendar.for_branch(case.branch_id)
    office = choices[case.id % len(choices)]
    invitation = joint_visits.invite(officer, case, office_id=office.id,
                                     proposed_on=calendar.add_working_days(day, 3), today=day)
    cases.issue_letter(officer, invitation.letter, day, public_base_url)
    answered = calendar.next_working_day(day)
    if answered > today:
        return None
    yield answered
    name, position = RESPONDERS[0 if office.kind == "disnaker" else 1]
    other_day = case.id % 4 == 0
    joint_visits.respond(
        officer, invitation, response=Response.OTHER_DATE if other_day else Response.ACCEPTED,
        responded_on=answered, responder_name=name, responder_position=position,
        agreed_on=calendar.add_working_days(invitation.proposed_on, 2) if other_day else None,
        note="Dijawab melalui telepon dan surat." if other_day else "", today=answered)
    agreed = invitation.agreed_on
    if agreed is None or agreed > today:
        return None
    yield agreed
    return joint_visits.log_visit(
        officer, invitation, occurred_on=agreed, today=agreed, outcome="promised",
        met_name=case.company.director_name, met_position="Direktur",
        notes=f"Kunjungan bersama {office.name}: perusahaan diminta segera mendaftar.")
