"""Joint visits to a company with a partner office of the branch: the labour office (Disnaker)
or the district prosecutor (Kejari). PP 86/2013 art. 13(1) and (5): sanctions rest on the
supervision and inspection of compliance, and the agency reports non-compliance to the office
responsible for labour affairs; a joint visit does both at the company's door."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from outreach.core.db import utcnow
from outreach.extensions import db

if TYPE_CHECKING:
    from outreach.cases.models import Case, Step
    from outreach.letters.models import Letter
    from outreach.org.models import PartnerOffice


class Response:
    """The partner's answer to an invitation."""

    ACCEPTED = "accepted"
    DECLINED = "declined"
    #: the partner proposes another day, which is then the agreed day
    OTHER_DATE = "other_date"
    ALL = (ACCEPTED, DECLINED, OTHER_DATE)


class JointVisitStatus:
    """Where a joint visit stands (from its invitation, response and step)."""

    INVITED = "invited"
    ACCEPTED = Response.ACCEPTED
    DECLINED = Response.DECLINED
    OTHER_DATE = Response.OTHER_DATE
    VISITED = "visited"
    #: the invitation letter was withdrawn (voided, or its draft when the case closed) before
    #: the partner answered
    WITHDRAWN = "withdrawn"


class JointVisit(db.Model):
    """One joint visit of a case's company with a partner office: invited by letter, answered,
    then logged as a `joint_visit` step."""

    __tablename__ = "joint_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    #: the partner office invited, from the branch's registry
    partner_office_id: Mapped[int] = mapped_column(ForeignKey("partner_offices.id"))
    #: the day the invitation proposes
    proposed_on: Mapped[date] = mapped_column(Date)
    #: the invitation letter, a letter of the case
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))
    # --- the partner's response
    #: one of Response, empty until it is recorded
    response: Mapped[str] = mapped_column(String(12), default="")
    responded_on: Mapped[date | None] = mapped_column(Date)
    #: who answered for the partner office, and their position
    responder_name: Mapped[str] = mapped_column(String(120), default="")
    responder_position: Mapped[str] = mapped_column(String(120), default="")
    #: the day agreed for the visit: the proposed day, or the partner's other day
    agreed_on: Mapped[date | None] = mapped_column(Date)
    response_note: Mapped[str] = mapped_column(Text, default="")
    #: the response's attachment (a letter or message, scanned), checked like a proof
    filename: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(80), default="")
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    #: the attachment itself, kept in the database so that backups carry it
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # --- the visit
    #: the `joint_visit` step logged for the visit
    step_id: Mapped[int | None] = mapped_column(ForeignKey("steps.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __scope_through__ = "case"

    case: Mapped[Case] = relationship()
    office: Mapped[PartnerOffice] = relationship()
    letter: Mapped[Letter | None] = relationship()
    step: Mapped[Step | None] = relationship()

    @property
    def status(self) -> str:
        """Visited once its step is logged; else the response, withdrawn with its letter, or
        invited."""
        if self.step_id is not None:
            return JointVisitStatus.VISITED
        if not self.response and self.letter is not None and self.letter.status == "void":
            return JointVisitStatus.WITHDRAWN
        return self.response or JointVisitStatus.INVITED
