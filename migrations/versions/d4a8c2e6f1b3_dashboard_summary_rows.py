"""the dashboard's summary rows per branch

Created empty: `flask reports rebuild-summary` fills it (the dashboard also rebuilds a branch
whose summary is missing the first time it is read, and the morning sweep checks it).

Revision ID: d4a8c2e6f1b3
Revises: 1d327d7ec1ba
Create Date: 2026-12-01 21:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "d4a8c2e6f1b3"
down_revision = "1d327d7ec1ba"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dashboard_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("figure", sa.String(10), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("k1", sa.String(300), nullable=False),
        sa.Column("k2", sa.String(120), nullable=False),
        sa.Column("k3", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("day2", sa.Date(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("missing", sa.BigInteger(), nullable=False),
        sa.Column("owed", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branches.id"],
                                name=op.f("fk_dashboard_counts_branch_id_branches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_counts")),
        sa.UniqueConstraint("figure", "branch_id", "k1", "k2", "k3", "day", "day2",
                            name="uq_dashboard_counts_key"),
    )
    op.create_index("ix_dashboard_counts_branch_id", "dashboard_counts", ["branch_id"])


def downgrade():
    op.drop_index("ix_dashboard_counts_branch_id", table_name="dashboard_counts")
    op.drop_table("dashboard_counts")
