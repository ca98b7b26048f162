"""steps record the person met and their position

A visit, a call or a summons names who the officer spoke to and in what capacity (the owner,
the HR manager), as the visit report (Berita Acara Kunjungan) does.

Revision ID: a4d8e2f61c37
Revises: a9c4e7d21f30
Create Date: 2026-12-01 15:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "a4d8e2f61c37"
down_revision = "a9c4e7d21f30"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("steps") as batch:
        batch.add_column(sa.Column("met_name", sa.String(length=120), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("met_position", sa.String(length=80), nullable=False,
                                   server_default=""))


def downgrade():
    with op.batch_alter_table("steps") as batch:
        batch.drop_column("met_position")
        batch.drop_column("met_name")
