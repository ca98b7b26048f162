"""the index the dashboard reads its summary rows by

One figure of the branches in scope, by date range; on PostgreSQL it holds every column the
dashboard sums, so the read is an index-only scan instead of a scan of the whole table per
figure.

Revision ID: e2c7f4a9b1d6
Revises: d4a8c2e6f1b3
Create Date: 2026-12-02 01:00:00.000000

"""
from alembic import op

revision = "e2c7f4a9b1d6"
down_revision = "d4a8c2e6f1b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_dashboard_counts_read", "dashboard_counts",
                    ["figure", "branch_id", "day"],
                    postgresql_include=["k1", "k2", "k3", "day2", "n", "missing", "owed"])


def downgrade():
    op.drop_index("ix_dashboard_counts_read", table_name="dashboard_counts")
