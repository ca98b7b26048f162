"""the dashboard reads cases and companies without joining them

Each case keeps its categories (cases.category_list), each company the status and next due
date of its case that is not closed (companies.open_case_status, open_case_due_on) and the
rungs any of its cases reached (companies.reached); an index of the closed cases. Also drops the indexes of cases.branch_id and cases.stage alone (the composite indexes start
with branch_id, and every stage filter is within a branch) and of the rungs cases reached (now
read from the companies): fewer indexes make the morning sweep's update of 60,000 overdue cases
cheaper.

Revision ID: e41f7c2b9d55
Revises: 758cbdea597d
Create Date: 2026-11-21 23:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e41f7c2b9d55'
down_revision = '758cbdea597d'
branch_labels = None
depends_on = None

#: categories in canonical order (models.Category.ALL when this revision was written)
CATEGORIES = ("PWBD", "PDS-TK", "PDS-Upah", "PDS-Program", "Menunggak")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # Cases are updated on every step and by the morning sweep (60,000 overdue marks in
        # one go on a first run): room on each page lets PostgreSQL update rows in place
        # without new index entries (HOT updates). Applies to pages written from now on.
        op.execute("ALTER TABLE cases SET (fillfactor = 80)")
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('category_list', sa.String(length=120), server_default='', nullable=False))

    position = "CASE c.category " + " ".join(
        f"WHEN '{code}' THEN {i}" for i, code in enumerate(CATEGORIES)) + " ELSE 99 END"
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE cases SET category_list = COALESCE((SELECT string_agg(c.category, ',' "
                   f"ORDER BY {position}, c.category) FROM case_categories c "
                   "WHERE c.case_id = cases.id), '')")
    else:
        op.execute("UPDATE cases SET category_list = COALESCE((SELECT group_concat(category, ',') "
                   f"FROM (SELECT c.category AS category FROM case_categories c "
                   f"WHERE c.case_id = cases.id ORDER BY {position}, c.category)), '')")

    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('open_case_status', sa.String(length=10), server_default='', nullable=False))
        batch_op.add_column(sa.Column('open_case_due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reached', sa.String(length=300), server_default='', nullable=False))
    open_case = "FROM cases WHERE cases.company_id = companies.id AND cases.status <> 'closed'"
    op.execute(f"UPDATE companies SET open_case_status = COALESCE((SELECT max(cases.status) {open_case}), ''), "
               f"open_case_due_on = (SELECT max(cases.next_due_on) {open_case})")
    # the union of the comma-separated rungs of the company's cases
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE companies SET reached = COALESCE((SELECT string_agg(DISTINCT code, ',' ORDER BY code) "
                   "FROM cases, unnest(string_to_array(cases.reached, ',')) AS code "
                   "WHERE cases.company_id = companies.id AND code <> ''), '')")
    else:
        op.execute("UPDATE companies SET reached = COALESCE((SELECT group_concat(code, ',') FROM "
                   "(SELECT DISTINCT j.value AS code FROM cases, "
                   "json_each('[\"' || replace(cases.reached, ',', '\",\"') || '\"]') AS j "
                   "WHERE cases.company_id = companies.id AND j.value <> '' ORDER BY j.value)), '')")
    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index('ix_companies_dashboard')
        batch_op.create_index('ix_companies_dashboard', ['branch_id', 'sector', 'kecamatan', 'business_size', 'risk_class', 'programs', 'workers_estimated', 'workers_registered', 'average_wage', 'open_case_status'], unique=False)
        batch_op.create_index('ix_companies_overdue', ['branch_id', 'open_case_status', 'open_case_due_on', 'officer_id'], unique=False)
        batch_op.create_index('ix_companies_reached', ['branch_id', 'reached'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_dashboard')
        batch_op.create_index('ix_cases_dashboard', ['branch_id', 'stage', 'category_list', 'status', 'opened_on', 'next_due_on'], unique=False)
        batch_op.create_index('ix_cases_won', ['branch_id', 'outcome', 'closed_on', 'stage', 'company_id'], unique=False, sqlite_where=sa.text("status = 'closed'"), postgresql_where=sa.text("status = 'closed'"))
        batch_op.drop_index('ix_cases_branch_id')
        batch_op.drop_index('ix_cases_stage')
        batch_op.drop_index('ix_cases_branch_reached')


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE cases RESET (fillfactor)")
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_branch_reached', ['branch_id', 'reached', 'company_id'], unique=False)
        batch_op.create_index('ix_cases_stage', ['stage'], unique=False)
        batch_op.create_index('ix_cases_branch_id', ['branch_id'], unique=False)
        batch_op.drop_index('ix_cases_won', sqlite_where=sa.text("status = 'closed'"), postgresql_where=sa.text("status = 'closed'"))
        batch_op.drop_index('ix_cases_dashboard')
        batch_op.create_index('ix_cases_dashboard', ['branch_id', 'status', 'next_due_on', 'stage', 'opened_on', 'company_id'], unique=False)
        batch_op.drop_column('category_list')

    with op.batch_alter_table('companies', schema=None) as batch_op:
        batch_op.drop_index('ix_companies_reached')
        batch_op.drop_index('ix_companies_overdue')
        batch_op.drop_index('ix_companies_dashboard')
        batch_op.create_index('ix_companies_dashboard', ['branch_id', 'sector', 'kecamatan', 'business_size', 'risk_class', 'programs', 'workers_estimated', 'workers_registered', 'average_wage', 'id'], unique=False)
        batch_op.drop_column('reached')
        batch_op.drop_column('open_case_due_on')
        batch_op.drop_column('open_case_status')
