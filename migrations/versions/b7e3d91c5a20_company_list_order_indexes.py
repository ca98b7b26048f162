"""indexes in the company list's order, for a branch and for a region

The list is sorted by name and id (the id makes every row's place unique, which keyset
pagination compares): `(branch_id, name, id)` serves a branch's list, `(name, id)` a region's
(its branches' companies read in order and filtered, rather than all sorted).

Revision ID: b7e3d91c5a20
Revises: b7e1c4d9a2f0
Create Date: 2026-12-01 18:00:00.000000

"""
from alembic import op

revision = "b7e3d91c5a20"
down_revision = "b7e1c4d9a2f0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("companies") as batch:
        batch.drop_index("ix_companies_branch_name")
        batch.create_index("ix_companies_branch_name", ["branch_id", "name", "id"])
        batch.create_index("ix_companies_name_id", ["name", "id"])


def downgrade():
    with op.batch_alter_table("companies") as batch:
        batch.drop_index("ix_companies_name_id")
        batch.drop_index("ix_companies_branch_name")
        batch.create_index("ix_companies_branch_name", ["branch_id", "name"])
