"""a branch's calendar rows have a kind: own day off, collective leave, working day

A row of `branch_holidays` was a day off of the branch's own. It now says what it does: `own`
(as before, so every existing row stays what it was), `collective` (collective leave the
`holidays` package does not know yet) or `working` (a national day the branch works), and
where the change comes from (`source`, e.g. "SKB 3 Menteri 2026").

Revision ID: 35eac35be150
Revises: f3b9a6c1d2e8
Create Date: 2026-12-01 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '35eac35be150'
down_revision = 'f3b9a6c1d2e8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('branch_holidays', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=12), server_default='own',
                                      nullable=False))
        batch_op.add_column(sa.Column('source', sa.String(length=200), server_default='',
                                      nullable=False))


def downgrade():
    # collective leave and working days have no meaning without their kind
    op.execute("DELETE FROM branch_holidays WHERE kind <> 'own'")
    with op.batch_alter_table('branch_holidays', schema=None) as batch_op:
        batch_op.drop_column('source')
        batch_op.drop_column('kind')
