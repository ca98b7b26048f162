"""partner offices per branch and city or regency; a phone for each account

Late-stage letters go to the permit office (DPMPTSP) and the prosecutor (Kejari) of the
company's own city or regency, and copies to its labour office (Disnaker): a registry of those
offices per branch. Letters name the company's officer as the contact, with a phone.

Revision ID: f5b664d0e94e
Revises: a9d4e7c3b2f1
Create Date: 2026-12-02 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f5b664d0e94e'
down_revision = 'a9d4e7c3b2f1'
branch_labels = None
depends_on = None


def upgrade():
    # a plain ALTER TABLE: rebuilding users (a batch operation on SQLite) would trip the
    # foreign keys that point at it
    op.add_column('users', sa.Column('phone', sa.String(length=40), nullable=False,
                                     server_default=''))
    op.create_table(
        'partner_offices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('area', sa.String(length=80), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('head_title', sa.String(length=200), nullable=False),
        sa.Column('head_name', sa.String(length=120), nullable=False),
        sa.Column('address', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['branch_id'], ['branches.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('branch_id', 'kind', 'area',
                            name='uq_partner_offices_branch_kind_area'),
    )
    with op.batch_alter_table('partner_offices') as batch_op:
        batch_op.create_index('ix_partner_offices_branch_id', ['branch_id'], unique=False)


def downgrade():
    with op.batch_alter_table('partner_offices') as batch_op:
        batch_op.drop_index('ix_partner_offices_branch_id')
    op.drop_table('partner_offices')
    op.drop_column('users', 'phone')
