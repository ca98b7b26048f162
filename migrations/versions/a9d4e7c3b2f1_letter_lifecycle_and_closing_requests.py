"""letters are the legal clock: withdrawn letters, closing requests

A letter step counts only once its letter is issued: steps whose letter is still a draft become
"unsent" (their response window has not started), whatever delivery was recorded on them. Voided
letters keep who withdrew them, when and why. A close other than as fully compliant waits in
`closing_requests` for a second person.

After upgrading, run `flask --app wsgi cases reproject` so that the copies kept on cases and
companies (stage, next step, due date) follow the steps again.

Revision ID: a9d4e7c3b2f1
Revises: 35eac35be150
Create Date: 2026-12-01 12:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "a9d4e7c3b2f1"
down_revision = "35eac35be150"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("voided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("void_reason", sa.Text(), server_default="",
                                      nullable=False))
        batch_op.create_foreign_key("fk_letters_voided_by_id_users", "users",
                                    ["voided_by_id"], ["id"])
    op.create_table(
        "closing_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("npp", sa.String(length=20), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("closing_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_closing_requests_case_id"), ["case_id"],
                              unique=False)
    op.execute("UPDATE steps SET delivery_status = 'unsent', due_on = NULL "
               "WHERE letter_id IN (SELECT id FROM letters WHERE status = 'draft') "
               "AND delivery_status IN ('pending', 'delivered', 'returned')")


def downgrade():
    op.execute("UPDATE steps SET delivery_status = 'pending' WHERE delivery_status = 'unsent'")
    with op.batch_alter_table("closing_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_closing_requests_case_id"))
    op.drop_table("closing_requests")
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_constraint("fk_letters_voided_by_id_users", type_="foreignkey")
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_by_id")
        batch_op.drop_column("voided_at")
