"""transferred cases take their work along; closed cases are not overdue

No schema change: data written before the fix is brought in line with what the services now
write. The reminders, close suggestions and directives of a case go to the branch that holds
the case (open reminders to the company's officer there), and its draft letters too, made
from that branch's version in force of their template and without an approval given in the
old branch (issued letters stay with the branch that issued them). The overdue mark of a case
that is paused or closed is cleared.

Revision ID: f3b9a6c1d2e8
Revises: f7a3c9e21b06
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f3b9a6c1d2e8'
down_revision = 'f7a3c9e21b06'
branch_labels = None
depends_on = None

#: the branch that holds the case of the row being updated
CASE_BRANCH = "(SELECT cases.branch_id FROM cases WHERE cases.id = {table}.case_id)"


def upgrade():
    op.execute("UPDATE cases SET overdue_since = NULL "
               "WHERE status <> 'open' AND overdue_since IS NOT NULL")

    held = CASE_BRANCH.format(table="reminders")
    officer = ("(SELECT companies.officer_id FROM cases JOIN companies "
               "ON companies.id = cases.company_id WHERE cases.id = reminders.case_id)")
    op.execute(f"UPDATE reminders SET branch_id = {held}, officer_id = CASE "
               f"WHEN status = 'done' THEN officer_id ELSE {officer} END "
               f"WHERE branch_id <> {held}")
    for table in ("close_suggestions", "directives"):
        held = CASE_BRANCH.format(table=table)
        op.execute(f"UPDATE {table} SET branch_id = {held} WHERE branch_id <> {held}")

    # current_template(): the branch's own latest version of the code, else the agency's
    held = CASE_BRANCH.format(table="letters")
    template = ("(SELECT t2.id FROM letter_templates t1 JOIN letter_templates t2 "
                "ON t2.code = t1.code WHERE t1.id = letters.template_id "
                f"AND (t2.branch_id = {held} OR t2.branch_id IS NULL) "
                "ORDER BY CASE WHEN t2.branch_id IS NULL THEN 1 ELSE 0 END, t2.version DESC "
                "LIMIT 1)")
    op.execute(f"UPDATE letters SET template_id = COALESCE({template}, template_id), "
               f"approved_by_id = NULL, branch_id = {held} "
               f"WHERE status = 'draft' AND case_id IS NOT NULL AND branch_id <> {held}")


def downgrade():
    # the rows stay where they are now: they were in the wrong branch before
    pass
