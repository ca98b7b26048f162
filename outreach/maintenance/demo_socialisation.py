"""Demo socialisation: events in the four kecamatan of Pekalongan's demo branch this year,
with the city's labour office and an association, attended by part of the companies in scope not
reached otherwise, so that the coverage stands part of the way to the target (every company in
scope)."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import func, select

from outreach.calendar.rules import WorkingCalendar
from outreach.extensions import db
from outreach.org import service as org
from outreach.org.models import Role
from outreach.socialisation import service as social
from outreach.socialisation.models import SocialisationEvent

BRANCH = "KC-PKL"
#: (kecamatan, place, kind of place, partner kind, partner)
EVENTS = [
    ("Pekalongan Utara", "Aula Kecamatan Pekalongan Utara", "kecamatan_hall", "disnaker",
     "Dinas Tenaga Kerja Kota Pekalongan"),
    ("Pekalongan Barat", "Gedung Paguyuban Batik Pekalongan", "association", "association",
     "Paguyuban Pengusaha Batik Pekalongan"),
    ("Pekalongan Timur", "Aula Kecamatan Pekalongan Timur", "kecamatan_hall", "pemkot",
     "Pemerintah Kota Pekalongan"),
    ("Pekalongan Selatan", "Ruang Rapat Setda Kota Pekalongan", "city_office", "pemkot",
     "Pemerintah Kota Pekalongan"),
]
#: the share of each kecamatan's companies in scope that attend its event
ATTENDING = 0.3


def seed(today: date) -> None:
    """Add the year's events of the Pekalongan demo branch, once."""
    branch = org.find_branch(BRANCH)
    if branch is None:
        return
    year_start = date(today.year, 1, 1)
    if db.session.scalar(select(func.count(SocialisationEvent.id)).where(
            SocialisationEvent.branch_id == branch.id,
            SocialisationEvent.held_on >= year_start)):
        return
    staff = org.branch_staff(branch.id)
    officers = [u for u in staff if u.role == Role.OFFICER] or staff
    if not officers:
        return
    rng = random.Random(f"{BRANCH}-{today.year}")  # noqa: S311 - repeatable demo data
    calendar = WorkingCalendar.for_branch(branch.id)
    coverage = social.coverage(branch, today.year, today)
    not_reached = social.not_reached(coverage)
    span = (today - year_start).days
    for index, (kecamatan, place, kind, partner_kind, partner) in enumerate(EVENTS):
        held_on = year_start.fromordinal(year_start.toordinal() + span * (index + 1) // 5)
        while not calendar.is_working_day(held_on) and held_on < today:
            held_on = held_on.fromordinal(held_on.toordinal() + 1)
        officer = officers[index % len(officers)]
        event = social.create_event(officer, branch.id, {
            "held_on": held_on, "place": place, "place_kind": kind, "kecamatan": kecamatan,
            "partner_kind": partner_kind, "partner_name": partner,
            "notes": "Sosialisasi kewajiban pendaftaran pekerja (UU 24/2011 pasal 15)."})
        here = [c.id for c in not_reached if c.kecamatan == kecamatan]
        attending = rng.sample(here, min(len(here), max(1, round(len(here) * ATTENDING))))
        if attending:
            social.add_attendance(officer, event, attending, today)
    db.session.flush()
