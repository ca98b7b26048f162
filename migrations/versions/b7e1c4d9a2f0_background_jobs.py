"""background jobs: long work run by the queue's workers, with its progress and result

Revision ID: b7e1c4d9a2f0
Revises: c7e1f4a9b203
Create Date: 2026-12-01 17:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "b7e1c4d9a2f0"
down_revision = "c7e1f4a9b203"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "background_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("outcome", sa.JSON(), nullable=False),
        sa.Column("result", sa.LargeBinary(), nullable=True),
        sa.Column("result_name", sa.String(length=120), nullable=False),
        sa.Column("result_type", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["branch_id"], ["branches.id"],
                                name=op.f("fk_background_jobs_branch_id_branches")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_background_jobs_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_jobs")),
    )
    with op.batch_alter_table("background_jobs") as batch:
        batch.create_index(batch.f("ix_background_jobs_branch_id"), ["branch_id"])
        batch.create_index(batch.f("ix_background_jobs_kind"), ["kind"])
        batch.create_index(batch.f("ix_background_jobs_state"), ["state"])


def downgrade():
    op.drop_table("background_jobs")
