"""The migrations and the models describe the same schema."""

from __future__ import annotations

from datetime import date

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from outreach.cases.models import Case, CaseCategory
from outreach.companies.models import Company
from outreach.companies.service import name_key
from outreach.core.audit import record
from outreach.extensions import db
from outreach.imports.models import CompanySourceValue


def test_migrations_match_models():
    """After `flask db upgrade`, would autogenerate find anything left to migrate?"""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_constraints_are_named():
    """Every constraint carries a name from the naming convention (SQLite batch needs them)."""
    for table in db.metadata.sorted_tables:
        for constraint in table.constraints:
            assert constraint.name, f"unnamed constraint on {table.name}"


def old_company(branch, name: str, *, case: bool = False, **values) -> Company:
    """A company as the app kept it before the revision: raw rows, so that the audit trail
    holds only the events the test writes (the company service would add its own)."""
    company = Company(branch_id=branch.id, name=name, name_key=name_key(name), **values)
    db.session.add(company)
    db.session.flush()
    if case:
        db.session.add(Case(branch_id=branch.id, company_id=company.id, status="open",
                            opened_on=date(2026, 1, 5),
                            category_rows=[CaseCategory(category="PWBD")]))
    db.session.commit()
    return company


def test_values_entered_by_hand_before_the_upgrade_are_kept_as_such(make_branch):
    """The revision that keeps hand entries as values finds the earlier ones in the audit trail:
    the latest change of a field by a person (not an import), and an NPP entered at closing."""
    branch = make_branch()
    typed = old_company(branch, "PT Diketik", phone="0285-2", director_name="Budi")
    closed = old_company(branch, "PT Ditutup", case=True, npp="12345678")
    confirmed = old_company(branch, "PT Dikonfirmasi", case=True, npp="22345678")
    replaced = old_company(branch, "PT Diganti", case=True, npp="32345678")
    case_of = {c.company_id: c.id for c in db.session.scalars(select(Case))}
    record(None, "update", "company", typed.id, {"phone": ["0285-1", "0285-9"],
                                                 "director_name": ["", "Budi"]})
    record(None, "import.update", "company", typed.id, {"phone": ["0285-9", "0285-2"]})
    record(None, "case.close", "case", case_of[closed.id], {"outcome": "compliant",
                                                           "npp": "12345678"})
    record(None, "import.update", "company", confirmed.id, {"npp": [None, "22345678"]})
    record(None, "case.close", "case", case_of[confirmed.id], {"outcome": "compliant",
                                                              "npp": "22345678"})
    record(None, "case.close", "case", case_of[replaced.id], {"outcome": "compliant",
                                                             "npp": "30000000"})
    record(None, "import.update", "company", replaced.id, {"npp": ["30000000", "32345678"]})
    db.session.commit()
    flask_migrate.downgrade(revision="e41f7c2b9d55")
    try:
        assert db.session.scalars(select(CompanySourceValue)).all() == []
    finally:
        flask_migrate.upgrade()
    entered = {(row.company_id, row.field, row.value, row.source, row.import_id)
               for row in db.session.scalars(select(CompanySourceValue))}
    assert entered == {(typed.id, "director_name", "Budi", "manual", None),
                       (closed.id, "npp", "12345678", "manual", None)}
