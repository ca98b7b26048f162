"""reference data: the default escalation ladder and contribution rates

Revision ID: b7d2c41e9a10
Revises: a2fc486f5d76
Create Date: 2026-11-21 19:30:00

The rows are written out here (not imported from the application) so that this migration
means the same thing forever; later changes come as new migrations or branch overrides.
"""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = "b7d2c41e9a10"
down_revision = "a2fc486f5d76"
branch_labels = None
depends_on = None

# code, position, requires, requires_delivery, requires_window, window_days, max_count,
# needs_approval, is_letter, template_code
LADDER = [
    ("phone_call", 0, "", False, False, None, 0, False, False, ""),
    ("notification", 1, "", False, False, 10, 2, False, True, "notification"),
    ("visit", 2, "notification", False, False, 5, 2, False, False, "visit_report"),
    ("summons", 3, "visit", False, False, 5, 1, False, True, "summons"),
    ("joint_visit", 3, "visit", False, False, 5, 1, False, False, ""),
    ("warning_1", 4, "notification,visit", True, True, 10, 1, False, True, "warning_1"),
    ("warning_2", 5, "warning_1", True, True, 10, 1, False, True, "warning_2"),
    ("fine", 6, "warning_2", True, True, 30, 1, False, True, "fine"),
    ("tmp2t", 7, "fine", True, False, None, 1, True, True, "tmp2t"),
    ("legal_referral", 8, "warning_1,warning_2,fine", True, True, None, 1, True, True,
     "legal_referral"),
]

# program, risk_class, employer %, worker %, wage cap, effective from, legal basis
RATES = [
    ("JKK", 1, "0.24", "0", None, date(2015, 7, 1), "PP 44/2015"),
    ("JKK", 2, "0.54", "0", None, date(2015, 7, 1), "PP 44/2015"),
    ("JKK", 3, "0.89", "0", None, date(2015, 7, 1), "PP 44/2015"),
    ("JKK", 4, "1.27", "0", None, date(2015, 7, 1), "PP 44/2015"),
    ("JKK", 5, "1.74", "0", None, date(2015, 7, 1), "PP 44/2015"),
    ("JKM", None, "0.30", "0", None, date(2015, 7, 1), "PP 44/2015"),
    ("JHT", None, "3.7", "2", None, date(2015, 7, 1), "PP 46/2015"),
    ("JP", None, "2", "1", 7_000_000, date(2015, 7, 1), "PP 45/2015"),
    ("JP", None, "2", "1", 10_042_300, date(2024, 3, 1), "PP 45/2015; wage cap 2024"),
]


def upgrade():
    ladder = sa.table(
        "ladder_rungs", sa.column("branch_id", sa.Integer), sa.column("code", sa.String),
        sa.column("position", sa.Integer), sa.column("requires", sa.String),
        sa.column("requires_delivery", sa.Boolean), sa.column("requires_window", sa.Boolean),
        sa.column("window_days", sa.Integer), sa.column("max_count", sa.Integer),
        sa.column("needs_approval", sa.Boolean), sa.column("is_letter", sa.Boolean),
        sa.column("template_code", sa.String), sa.column("active", sa.Boolean),
    )
    keys = ["code", "position", "requires", "requires_delivery", "requires_window",
            "window_days", "max_count", "needs_approval", "is_letter", "template_code"]
    op.bulk_insert(ladder, [dict(zip(keys, row, strict=True), branch_id=None, active=True)
                            for row in LADDER])
    rates = sa.table(
        "contribution_rates", sa.column("program", sa.String), sa.column("risk_class", sa.Integer),
        sa.column("employer_percent", sa.Numeric), sa.column("worker_percent", sa.Numeric),
        sa.column("wage_cap", sa.Integer), sa.column("effective_from", sa.Date),
        sa.column("legal_basis", sa.String),
    )
    keys = ["program", "risk_class", "employer_percent", "worker_percent", "wage_cap",
            "effective_from", "legal_basis"]
    op.bulk_insert(rates, [
        {**dict(zip(keys, row, strict=True)), "employer_percent": Decimal(row[2]),
         "worker_percent": Decimal(row[3])} for row in RATES])


def downgrade():
    op.execute("DELETE FROM ladder_rungs WHERE branch_id IS NULL")
    op.execute("DELETE FROM contribution_rates")
