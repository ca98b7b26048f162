"""the law's limits on the ladder; branches shape persuasion

The written warnings, the fine, TMP2T and the legal referral become legal rungs (PP 86/2013
art. 5-8: at most two warnings of at most 10 working days each, the fine within 30 days after
warning II ends): a branch can no longer switch them off or stretch them. They need a
supervisor's approval by default. The fine has no response window any more: its deadline is
counted from the end of warning II. What the first warning needs of the persuasion rungs
(a notification letter and a visit) is now a required count on those rungs, which a branch
may raise ("two letters before a warning") or set to none; a branch may add persuasion rungs
of its own, with their own name.

Revision ID: 4b53578303ff
Revises: f5b664d0e94e
Create Date: 2026-12-02 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

revision = "4b53578303ff"
down_revision = 'f5b664d0e94e'
branch_labels = None
depends_on = None

#: the rungs the law sets, written out (not imported from the application)
LEGAL = "('warning_1', 'warning_2', 'fine', 'tmp2t', 'legal_referral')"


def upgrade():
    with op.batch_alter_table("ladder_rungs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column("min_count", sa.Integer(), server_default="0",
                                      nullable=False))
        batch_op.add_column(sa.Column("name", sa.String(length=100), server_default="",
                                      nullable=False))
    # Branch rows of these rungs copied the default when a window was adjusted; their
    # approval was never a branch's choice, so they follow the new default too.
    op.execute(f"UPDATE ladder_rungs SET legal = true, needs_approval = true WHERE code IN {LEGAL}")
    # The fine is imposed within 30 days after warning II ends (PP 86/2013 art. 7): a deadline
    # of the case, not a response window after the fine letter.
    op.execute("UPDATE ladder_rungs SET window_days = NULL WHERE code = 'fine'")
    # Warning I needed a notification letter and a visit: now a count on each of them.
    op.execute("UPDATE ladder_rungs SET min_count = 1 WHERE code IN ('notification', 'visit')")
    op.execute("UPDATE ladder_rungs SET requires = '' WHERE code = 'warning_1'")


def downgrade():
    op.execute("UPDATE ladder_rungs SET requires = 'notification,visit' WHERE code = 'warning_1'")
    op.execute("UPDATE ladder_rungs SET window_days = 30 WHERE code = 'fine'")
    op.execute("UPDATE ladder_rungs SET needs_approval = false "
               "WHERE code IN ('warning_1', 'warning_2', 'fine')")
    op.execute("DELETE FROM ladder_rungs WHERE branch_id IS NOT NULL AND code NOT IN "
               "('phone_call', 'notification', 'visit', 'summons', 'joint_visit', 'warning_1', "
               "'warning_2', 'fine', 'tmp2t', 'legal_referral')")
    with op.batch_alter_table("ladder_rungs", schema=None) as batch_op:
        batch_op.drop_column("name")
        batch_op.drop_column("min_count")
        batch_op.drop_column("legal")
