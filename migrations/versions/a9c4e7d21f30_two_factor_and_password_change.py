"""accounts: two-factor sign-in (TOTP and recovery codes) and passwords to change

An account created with a password an admin chose must change it at its first sign-in; an
account may add an authenticator app (TOTP) with ten one-time recovery codes kept as hashes.

Revision ID: a9c4e7d21f30
Revises: 476685437d44
Create Date: 2026-12-01 14:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "a9c4e7d21f30"
down_revision = "476685437d44"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("recovery_codes", sa.Text(), nullable=False,
                                   server_default=""))


def downgrade():
    with op.batch_alter_table("users") as batch:
        for column in ("recovery_codes", "totp_last_step", "totp_enabled_at", "totp_secret",
                       "must_change_password"):
            batch.drop_column(column)
