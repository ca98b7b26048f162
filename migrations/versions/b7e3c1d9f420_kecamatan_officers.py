"""the branch's assignment rules: an officer per kecamatan for imported companies

Revision ID: b7e3c1d9f420
Revises: a4d8e2f61c37
Create Date: 2026-12-01 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "b7e3c1d9f420"
down_revision = "a4d8e2f61c37"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kecamatan_officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("kecamatan", sa.String(length=80), nullable=False),
        sa.Column("name_form", sa.String(length=80), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branches.id"]),
        sa.ForeignKeyConstraint(["officer_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("branch_id", "name_form"),
    )


def downgrade():
    op.drop_table("kecamatan_officers")
