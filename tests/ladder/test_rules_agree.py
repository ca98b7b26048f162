"""Each rule spelled in Python and in SQL says the same of every step."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import select

from outreach.cases.models import Approval, Case, Delivery, Step
from outreach.companies.models import Company
from outreach.extensions import db
from outreach.ladder import rules


@pytest.mark.parametrize(("python", "sql"), [(rules.counts, rules.counts_sql),
                                             (rules.in_force, rules.in_force_sql)],
                         ids=["counts", "in force"])
def test_python_and_sql_agree_on_every_state_of_a_step(make_branch, python, sql):
    """Every approval state with every delivery state: the SQL condition selects exactly the
    steps the Python rule accepts (the ladder, the sweep and the dashboard use one each)."""
    branch = make_branch()
    company = Company(branch_id=branch.id, name="PT Uji", name_key="uji")
    db.session.add(company)
    db.session.flush()
    case = Case(branch_id=branch.id, company_id=company.id, opened_on=date(2026, 1, 5))
    db.session.add(case)
    db.session.flush()
    steps = {}  # raw rows: no service path makes every combination of states
    for approval, delivery in itertools.product(Approval.ALL, Delivery.ALL):
        step = Step(case_id=case.id, kind="notification", occurred_on=date(2026, 1, 6),
                    approval_status=approval, delivery_status=delivery)
        db.session.add(step)
        steps[approval, delivery] = step
    db.session.flush()
    selected = set(db.session.scalars(select(Step.id).where(Step.case_id == case.id, sql())))
    accepted = {step.id for step in steps.values() if python(step)}
    assert selected == accepted
    # the rules are not trivially true or false
    assert steps[Approval.NOT_NEEDED, Delivery.DELIVERED].id in selected
    assert steps[Approval.RETURNED, Delivery.DELIVERED].id not in selected
    assert steps[Approval.NOT_NEEDED, Delivery.RETURNED].id not in selected
    assert (steps[Approval.REQUESTED, Delivery.PENDING].id in selected) == (sql is rules.counts_sql)
