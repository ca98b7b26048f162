"""The migrations and the models describe the same schema."""

from __future__ import annotations

import flask_migrate
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from outreach.cases.models import Case
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


def test_values_entered_by_hand_before_the_upgrade_are_kept_as_such(make_branch, make_company):
    """The revision that keeps hand entries as values finds the earlier ones in the audit trail:
    the latest change of a field by a person (not an import), and an NPP entered at closing."""
    branch = make_branch()
    typed = make_company(branch, "PT Diketik", phone="0285-2", director_name="Budi")
    closed = make_company(branch, "PT Ditutup", categories=("PWBD",), npp="12345678")
    confirmed = make_company(branch, "PT Dikonfirmasi", categories=("PWBD",), npp="22345678")
    replaced = make_company(branch, "PT Diganti", categories=("PWBD",), npp="32345678")
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
