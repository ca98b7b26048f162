"""The rungs of the escalation ladder: the default rows and a branch's overrides."""

from __future__ import annotations

from sqlalchemy import (
    ForeignKey,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from outreach.extensions import db


class LadderRung(db.Model):
    """One rung of the escalation ladder; rows without a branch are the default ladder."""

    __tablename__ = "ladder_rungs"
    __table_args__ = (UniqueConstraint("branch_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    position: Mapped[int]
    #: rung codes that must have been taken before this one, comma-separated
    requires: Mapped[str] = mapped_column(String(200), default="")
    #: prerequisite letters must be marked delivered
    requires_delivery: Mapped[bool] = mapped_column(default=False)
    #: prerequisites' response windows must have elapsed
    requires_window: Mapped[bool] = mapped_column(default=False)
    #: response window in working days after this step, if any
    window_days: Mapped[int | None]
    #: how many times the rung may be taken on one case
    max_count: Mapped[int] = mapped_column(default=1)
    needs_approval: Mapped[bool] = mapped_column(default=False)
    #: this step is a letter sent to the company (has a delivery state)
    is_letter: Mapped[bool] = mapped_column(default=False)
    #: letter template code the rung issues
    template_code: Mapped[str] = mapped_column(String(40), default="")
    active: Mapped[bool] = mapped_column(default=True)
    #: offered but never expected next (a summons or joint visit, when the branch sees fit)
    optional: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: a sanction the law sets (PP 86/2013 art. 5-8: the warnings, the fine, TMP2T) or the
    #: referral that rests on them: no branch may switch it off, stretch it or drop what it needs
    legal: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: how many steps of this persuasion rung the first written warning needs (0: none)
    min_count: Mapped[int] = mapped_column(default=0, server_default="0")
    #: the name of a rung a branch added (the app's rungs are named by `labels.RUNGS`)
    name: Mapped[str] = mapped_column(String(100), default="", server_default="")
