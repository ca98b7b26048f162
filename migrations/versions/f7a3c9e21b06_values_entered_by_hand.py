"""values entered by hand are kept as company_source_values with the source "manual"

An import keeps a value a person entered instead of replacing it. Until now it found those
values by reading the audit trail of the company, which missed the NPP entered when a case is
closed as compliant (an event of the case). From now on the company form and the closing of a
case keep the value they wrote in company_source_values with the source "manual", and the
import reads that. No table changes; this revision writes those rows for the values entered
before it, as the audit trail shows them: a field whose latest change by a company event was
not an import's, and the NPP of a case closed as compliant that changed the company's NPP and
that no import has replaced since.

Revision ID: f7a3c9e21b06
Revises: e41f7c2b9d55
Create Date: 2026-12-02 10:00:00.000000

"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f7a3c9e21b06'
down_revision = 'e41f7c2b9d55'
branch_labels = None
depends_on = None

#: the company fields an imported list fills (imports COMPANY_FIELDS when this was written)
FIELDS = ("name", "nib", "npwp", "npp", "director_name", "address", "kelurahan", "kecamatan",
          "city", "postal_code", "phone", "email", "sector", "business_size", "risk_class",
          "workers_estimated", "workers_registered", "average_wage", "programs")

events = sa.table("audit_events", sa.column("id", sa.Integer),
                  sa.column("entity_type", sa.String), sa.column("entity_id", sa.Integer),
                  sa.column("action", sa.String), sa.column("changes", sa.JSON))
cases = sa.table("cases", sa.column("id", sa.Integer), sa.column("company_id", sa.Integer))
companies = sa.table("companies", sa.column("id", sa.Integer),
                     *(sa.column(name) for name in FIELDS))
values = sa.table("company_source_values", sa.column("company_id", sa.Integer),
                  sa.column("field", sa.String), sa.column("value", sa.String),
                  sa.column("source", sa.String), sa.column("import_id", sa.Integer),
                  sa.column("recorded_at", sa.DateTime(timezone=True)))


def _after(change):
    """The value an event gave a field: [before, after] for updates, the value for creations."""
    return change[-1] if isinstance(change, list) and change else change


def upgrade():
    bind = op.get_bind()
    company_of = dict(bind.execute(sa.select(cases.c.id, cases.c.company_id)).all())
    hand: dict[int, set[str]] = {}
    npp_of: dict[int, str] = {}
    stmt = (sa.select(events.c.entity_type, events.c.entity_id, events.c.action,
                      events.c.changes)
            .where(sa.or_(events.c.entity_type == "company",
                          sa.and_(events.c.entity_type == "case",
                                  events.c.action == "case.close")))
            .order_by(events.c.id).execution_options(stream_results=True))
    for entity_type, entity_id, action, changes in bind.execute(stmt):
        changes = changes or {}
        if entity_type == "case":
            company_id, npp = company_of.get(entity_id), changes.get("npp")
            if company_id is not None and npp and npp != npp_of.get(company_id):
                hand.setdefault(company_id, set()).add("npp")
                npp_of[company_id] = npp
            continue
        if entity_id is None:
            continue
        fields = hand.setdefault(entity_id, set())
        for key, change in changes.items():
            if key not in FIELDS:
                continue
            if key == "npp":
                npp_of[entity_id] = _after(change)
            if action.startswith("import."):
                fields.discard(key)
            else:
                fields.add(key)
    hand = {company_id: fields for company_id, fields in hand.items() if fields}
    if not hand:
        return
    kept = set(bind.execute(sa.select(values.c.company_id, values.c.field)
                            .where(values.c.source == "manual")).all())
    now = datetime.now(timezone.utc)
    rows = []
    ids = sorted(hand)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for company in bind.execute(sa.select(companies).where(companies.c.id.in_(chunk))):
            for name in sorted(hand[company.id]):
                if (company.id, name) in kept:
                    continue
                value = getattr(company, name)
                rows.append({"company_id": company.id, "field": name,
                             "value": "" if value is None else str(value)[:255],
                             "source": "manual", "import_id": None, "recorded_at": now})
    for start in range(0, len(rows), 2000):
        op.bulk_insert(values, rows[start:start + 2000])


def downgrade():
    op.execute("DELETE FROM company_source_values WHERE source = 'manual'")
