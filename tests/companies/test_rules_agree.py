"""Workers not registered: one rule, the same in Python and in SQL."""

from __future__ import annotations

from sqlalchemy import select

from outreach.companies.models import Company
from outreach.extensions import db


def test_workers_not_registered_agree_in_python_and_sql(make_branch, make_company):
    """The company page (Python), the dashboard and the exports (SQL) count the same workers
    not registered, never below zero when more are registered than were estimated."""
    branch = make_branch()
    figures = [(25, 10), (10, 10), (8, 12), (0, 0)]
    companies = [make_company(branch, workers_estimated=estimated, workers_registered=registered)
                 for estimated, registered in figures]
    in_sql = dict(db.session.execute(select(Company.id, Company.workers_missing).where(
        Company.id.in_([c.id for c in companies]))).all())
    assert [c.workers_missing for c in companies] == [15, 0, 0, 0]
    assert [in_sql[c.id] for c in companies] == [15, 0, 0, 0]
