"""imports keep the rows read at the upload, and what the mapping page shows

The mapping, dry run and real run no longer read the file again. Imports from before this keep
reading their file.

Revision ID: c4d1e8a2b6f9
Revises: 2fc3ef45aca4
Create Date: 2026-12-01 15:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "c4d1e8a2b6f9"
down_revision = "2fc3ef45aca4"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("company_imports") as batch:
        batch.add_column(sa.Column("sheet", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("outline", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("company_imports") as batch:
        batch.drop_column("outline")
        batch.drop_column("sheet")
