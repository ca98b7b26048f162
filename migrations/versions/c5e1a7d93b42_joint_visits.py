"""joint visits with a partner office: invitation, response, visit

A case's company is visited with the labour office (Disnaker) or the district prosecutor
(Kejari): the invitation letter proposes a day, the partner's response (accepted, declined or
another day, who and when, with an attachment) agrees one, and the visit is logged as a step.

Revision ID: c5e1a7d93b42
Revises: b7e3c1d9f420
Create Date: 2026-12-01 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "c5e1a7d93b42"
down_revision = "b7e3c1d9f420"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "joint_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("partner_office_id", sa.Integer(), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("response", sa.String(length=12), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("responder_name", sa.String(length=120), nullable=False),
        sa.Column("responder_position", sa.String(length=120), nullable=False),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column("response_note", sa.Text(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=80), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("responded_by_id", sa.Integer(), nullable=True),
        sa.Column("step_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branches.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["partner_office_id"], ["partner_offices.id"]),
        sa.ForeignKeyConstraint(["letter_id"], ["letters.id"]),
        sa.ForeignKeyConstraint(["responded_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["step_id"], ["steps.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_joint_visits_branch_id", "joint_visits", ["branch_id"])
    op.create_index("ix_joint_visits_case_id", "joint_visits", ["case_id"])


def downgrade():
    op.drop_index("ix_joint_visits_case_id", table_name="joint_visits")
    op.drop_index("ix_joint_visits_branch_id", table_name="joint_visits")
    op.drop_table("joint_visits")
