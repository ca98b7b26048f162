"""a running job's heartbeat, and the import's dry-run job

`background_jobs.heartbeat_at`: when the worker running the job last gave a sign of life (each
progress write, and every few seconds besides); a running job without one for longer than
`OUTREACH_JOB_STALE_SECONDS` is taken as lost with its worker. `company_imports.check_job_id`:
the job that reads the uploaded file and runs the dry run, whose page the wizard shows.

Revision ID: 1d327d7ec1ba
Revises: b7e3d91c5a20
Create Date: 2026-12-01 21:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "1d327d7ec1ba"
down_revision = "b7e3d91c5a20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("background_jobs") as batch:
        batch.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("company_imports") as batch:
        batch.add_column(sa.Column("check_job_id", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("company_imports") as batch:
        batch.drop_column("check_job_id")
    with op.batch_alter_table("background_jobs") as batch:
        batch.drop_column("heartbeat_at")
