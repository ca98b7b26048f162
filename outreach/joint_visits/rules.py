"""What the joint visit rules answer from data alone: the partners a branch visits with, the
law the invitation rests on, and the labels of a response."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from outreach.core.labels import JOINT_VISIT_RESPONSES, JOINT_VISIT_STATUSES
from outreach.joint_visits.models import JointVisit, JointVisitStatus
from outreach.org.models import PartnerKind

#: the rung a joint visit is logged as
JOINT_VISIT = "joint_visit"
#: the partners a branch visits a company with: the labour office and the district prosecutor
PARTNER_KINDS = (PartnerKind.DISNAKER, PartnerKind.KEJARI)
#: how the invitation names each partner (in Indonesian: it is printed in the letter)
PARTNER_NAMES_ID = {PartnerKind.DISNAKER: "Dinas Tenaga Kerja",
                    PartnerKind.KEJARI: "Kejaksaan Negeri"}

LAW_JOINT_VISIT = _l("PP 86/2013 article 13(1) and (5): sanctions rest on the supervision and "
                     "inspection of compliance, and the agency reports non-compliance to the "
                     "labour office; UU 24/2011 article 11: the agency supervises compliance "
                     "and works with other agencies.")
LAW_AREA = _l("The partner is the one of the company's own city or regency.")

RESPONSES = JOINT_VISIT_RESPONSES
#: the statuses' labels (`core.labels`, where every code's label is)
STATUSES = JOINT_VISIT_STATUSES


def label_of(code: str, table: dict) -> str:
    """The label of a code in one of the tables above (the code when it has none)."""
    return str(table.get(code, code))


def waiting(status: str) -> bool:
    """Whether a joint visit still waits for its response or its visit."""
    return status in (JointVisitStatus.INVITED, JointVisitStatus.ACCEPTED,
                      JointVisitStatus.OTHER_DATE)


def loggable_from(joint_visit: JointVisit) -> date | None:
    """The first day the joint visit may be logged: the day agreed with the partner (not
    before the partner's response); None while no day is agreed."""
    if joint_visit.agreed_on is None:
        return None
    return max(joint_visit.agreed_on, joint_visit.responded_on or joint_visit.agreed_on)
