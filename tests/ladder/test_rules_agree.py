"""Each rule spelled in Python and in SQL says the same of every step."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

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


def test_python_and_sql_agree_on_when_the_sweep_asks_for_the_next_step(make_branch):
    """Cases due before, on and after the sweep's day, with the fine (asked for from the first
    day of its 30 days) or another rung next, or none: the sweep's SQL condition selects
    exactly the cases `action_due` names, and the fine is asked for from the day after warning
    II's window ends (deadline minus 29 days)."""
    branch = make_branch()
    company = Company(branch_id=branch.id, name="PT Uji", name_key="uji")
    db.session.add(company)
    db.session.flush()
    day = date(2026, 4, 24)
    cases = {}
    for rung, offset in itertools.product(["fine", "warning_1", ""], [None, -1, 0, 1, 28, 29,
                                                                      30, 31]):
        due = None if offset is None else day + timedelta(days=offset)
        case = Case(branch_id=branch.id, company_id=company.id, opened_on=date(2026, 1, 5),
                    next_rung=rung, next_due_on=due)
        db.session.add(case)
        cases[rung, offset] = case
    db.session.flush()
    ids = [c.id for c in cases.values()]
    selected = set(db.session.scalars(select(Case.id).where(Case.id.in_(ids),
                                                            rules.action_due_sql(day))))
    named = {c.id for c in cases.values() if rules.action_due(c.next_rung, c.next_due_on, day)}
    assert selected == named
    assert {offset for (rung, offset), c in cases.items() if c.id in selected and
            rung == "fine"} == {-1, 0, 1, 28, 29}
    assert {offset for (rung, offset), c in cases.items() if c.id in selected and
            rung == "warning_1"} == {-1, 0}
    # a warning II window ending 23 April: the fine's deadline is 23 May, asked for from 24 April
    assert rules.action_opens_on("fine", date(2026, 5, 23)) == date(2026, 4, 24)
