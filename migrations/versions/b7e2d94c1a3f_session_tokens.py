"""a session token per account, part of every session and remember cookie

Sign-out, a password change or reset, deactivation and "sign out everywhere" give the account
a new token, which ends every session and remember cookie made with the old one. Existing
accounts get a random token each; sessions from before the upgrade sign in again.

Revision ID: b7e2d94c1a3f
Revises: 44c825d27c07
Create Date: 2026-12-10 09:00:00.000000

"""
import secrets

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7e2d94c1a3f'
down_revision = '44c825d27c07'
branch_labels = None
depends_on = None


def upgrade():
    # a plain ALTER TABLE: rebuilding users (a batch operation on SQLite) would trip the
    # foreign keys that point at it
    op.add_column('users', sa.Column('session_token', sa.String(length=64), nullable=False,
                                     server_default=''))
    conn = op.get_bind()
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('session_token'))
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(users.update().where(users.c.id == user_id)
                     .values(session_token=secrets.token_urlsafe(32)))


def downgrade():
    op.drop_column('users', 'session_token')
