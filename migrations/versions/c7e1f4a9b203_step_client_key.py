"""steps and replies carry the idempotency key of an entry made on the phone

A visit, a call or a reply logged without a connection is kept on the phone and sent when the
connection returns, again until the server's answer arrives: the key makes the second send
answer with the step or reply the first one made instead of making another.

Revision ID: c7e1f4a9b203
Revises: c5e1f8a2b7d4
Create Date: 2026-12-01 17:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "c7e1f4a9b203"
down_revision = "c5e1f8a2b7d4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("steps") as batch:
        batch.add_column(sa.Column("client_key", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_steps_client_key", ["client_key"])
    with op.batch_alter_table("replies") as batch:
        batch.add_column(sa.Column("client_key", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_replies_client_key", ["client_key"])


def downgrade():
    with op.batch_alter_table("replies") as batch:
        batch.drop_constraint("uq_replies_client_key", type_="unique")
        batch.drop_column("client_key")
    with op.batch_alter_table("steps") as batch:
        batch.drop_constraint("uq_steps_client_key", type_="unique")
        batch.drop_column("client_key")
