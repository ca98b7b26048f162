"""companies get an optimistic-lock version, as cases have

A company saved from an edit page opened before someone else's save is refused instead of
silently overwriting that save.

Revision ID: 2fc3ef45aca4
Revises: b7e2d94c1a3f
Create Date: 2026-12-01 13:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "2fc3ef45aca4"
down_revision = "b7e2d94c1a3f"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("companies") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade():
    with op.batch_alter_table("companies") as batch:
        batch.drop_column("version")
