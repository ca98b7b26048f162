"""Demo data of work in the field, made through the services: most of a branch's visits keep
the officer's position (a few too old or too inaccurate, kept with their warning), and the good
ones locate their companies around the branch's city, so that the maps have points."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from outreach.cases.models import Case, Step
from outreach.companies.models import Company
from outreach.extensions import db
from outreach.fieldwork import rules
from outreach.fieldwork import service as fieldwork
from outreach.org.models import Branch, User

#: the middle of each demo branch's city (degrees): the demo companies lie within a few km
CENTRES = {"KC-PKL": (-6.8886, 109.6753), "KC-TGL": (-6.8694, 109.1402)}
#: at most this many visits get a position
VISITS = 150


def seed(branch_id: int, officer: User) -> None:
    """The positions of the branch's visits, once (nothing when a company has a location)."""
    branch = db.session.get(Branch, branch_id)
    centre = CENTRES.get(branch.code)
    if centre is None or db.session.scalar(select(Company.id).where(
            Company.branch_id == branch_id, Company.latitude.is_not(None)).limit(1)):
        return
    rng = random.Random(branch.code)  # noqa: S311 - repeatable demo data
    zone = ZoneInfo(branch.timezone)
    visits = db.session.scalars(
        select(Step).join(Case, Step.case_id == Case.id)
        .where(Case.branch_id == branch_id, Step.kind.in_(rules.VISIT_KINDS))
        .order_by(Step.occurred_on, Step.id).limit(VISITS)).all()
    for n, step in enumerate(visits):
        taken = datetime.combine(step.occurred_on, time(10, rng.randrange(60)), zone)
        accuracy = rng.uniform(4, 40)
        if n % 15 == 7:  # a position the phone kept from the day before
            taken -= timedelta(days=1)
        elif n % 15 == 11:  # indoors, no satellite: the network's guess
            accuracy = rng.uniform(400, 1500)
        position = rules.Position(centre[0] + rng.uniform(-0.03, 0.03),
                                  centre[1] + rng.uniform(-0.03, 0.03), accuracy, taken)
        fieldwork.record_position(step.officer or officer, step, position,
                                  use_for_company=True, today=step.occurred_on)
