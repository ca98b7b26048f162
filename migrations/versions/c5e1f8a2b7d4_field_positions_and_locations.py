"""a visit's position, the company's location, a step's channel, the branch's accuracy limit

A visit can keep the position of the officer's phone (degrees, accuracy, when it was taken)
with a warning when it cannot be the company's location; a company keeps its location with
its source and day; a contact step says it went by WhatsApp; a branch sets how accurate a
position must be.

Revision ID: c5e1f8a2b7d4
Revises: c5e1a7d93b42
Create Date: 2026-12-01 18:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "c5e1f8a2b7d4"
down_revision = "c5e1a7d93b42"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("steps") as batch:
        batch.add_column(sa.Column("latitude", sa.Double(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Double(), nullable=True))
        batch.add_column(sa.Column("position_accuracy_m", sa.Double(), nullable=True))
        batch.add_column(sa.Column("position_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("position_warning", sa.String(length=300), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("channel", sa.String(length=12), nullable=False,
                                   server_default=""))
    with op.batch_alter_table("companies") as batch:
        batch.add_column(sa.Column("latitude", sa.Double(), nullable=True))
        batch.add_column(sa.Column("longitude", sa.Double(), nullable=True))
        batch.add_column(sa.Column("location_source", sa.String(length=12), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("located_on", sa.Date(), nullable=True))
    op.create_table(
        "field_settings",
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("accuracy_limit_m", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branches.id"],
                                name=op.f("fk_field_settings_branch_id_branches")),
        sa.PrimaryKeyConstraint("branch_id", name=op.f("pk_field_settings")),
    )


def downgrade():
    op.drop_table("field_settings")
    with op.batch_alter_table("companies") as batch:
        for column in ("located_on", "location_source", "longitude", "latitude"):
            batch.drop_column(column)
    with op.batch_alter_table("steps") as batch:
        for column in ("channel", "position_warning", "position_at", "position_accuracy_m",
                       "longitude", "latitude"):
            batch.drop_column(column)
