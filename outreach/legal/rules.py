"""The rules of the employer's answer and the legal track: pure functions of their data.

Legal basis (checked against the regulation texts and court guidance):
- UU 24/2011 art. 15 and 19: the employer registers itself and its workers and pays the
  contributions; a commitment promises exactly that, by a date.
- PP 86/2013 art. 8 (and the referral rung of the ladder): the agency may give the prosecutor a
  special power of attorney (Surat Kuasa Khusus) to act as state lawyer (Jaksa Pengacara
  Negara): summons, clarification meeting, agreement or instalment plan, a suit.
- PERMA 2/2015 as amended by PERMA 4/2019 (art. 3(1)): a small-claims suit (gugatan
  sederhana) claims at most Rp500,000,000 of material loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

# the channels' and the entries' labels are `core.labels`' (where every code's label is)
from outreach.core.labels import CHANNELS as CHANNELS
from outreach.core.labels import LEGAL_KINDS as LEGAL_KINDS
from outreach.legal.models import CommitmentStatus, LegalKind

#: PERMA 2/2015 art. 3(1) as amended by PERMA 4/2019: the most a small-claims suit may claim
SMALL_CLAIMS_LIMIT = 500_000_000
LAW_SMALL_CLAIMS = _l("PERMA 4/2019 (amending PERMA 2/2015, article 3(1)): a small-claims "
                      "suit claims at most Rp500,000,000.")
LAW_POWER_OF_ATTORNEY = _l("PP 86/2013 article 8 and UU 24/2011 article 55: after the legal "
                           "referral the head of the branch gives the state lawyer a special "
                           "power of attorney.")

COMMITMENT_STATUSES = {
    CommitmentStatus.OPEN: _l("Waiting for the promised day"),
    CommitmentStatus.KEPT: _l("Kept"),
    CommitmentStatus.BROKEN: _l("Broken"),
}
#: what each entry of the legal track needs first
LEGAL_NEEDS = {
    LegalKind.POWER_OF_ATTORNEY: (),
    LegalKind.ACCEPTANCE: (LegalKind.POWER_OF_ATTORNEY,),
    LegalKind.SUMMONS: (LegalKind.ACCEPTANCE,),
    LegalKind.MEETING: (LegalKind.ACCEPTANCE,),
    LegalKind.AGREEMENT: (LegalKind.ACCEPTANCE,),
    LegalKind.SUIT: (LegalKind.ACCEPTANCE,),
    LegalKind.HEARING: (LegalKind.SUIT,),
    LegalKind.OUTCOME: (LegalKind.ACCEPTANCE,),
}
#: entries a case has at most one of
SINGLE = (LegalKind.POWER_OF_ATTORNEY, LegalKind.ACCEPTANCE, LegalKind.SUIT, LegalKind.OUTCOME)


def label_of(code: str, table: dict) -> str:
    """The label of a code in one of the tables above (the code when it has none)."""
    return str(table.get(code, code))


def unmet_promises(commitment: Any, *, workers_registered: int, reported_wage: int | None,
                   contribution_balance: int) -> list[str]:
    """Which promised figures are not reached yet (empty: the commitment can be judged kept)."""
    missing = []
    if commitment.workers_promised and workers_registered < commitment.workers_promised:
        missing.append(str(_l("%(n)d of %(promised)d workers registered",
                              n=workers_registered, promised=commitment.workers_promised)))
    if commitment.wage_promised and (reported_wage or 0) < commitment.wage_promised:
        missing.append(str(_l("wage reported below the promised wage")))
    if commitment.arrears_promised and contribution_balance > 0:
        missing.append(str(_l("arrears not paid in full")))
    return missing


class InstalmentState:
    """How an instalment stands against the payments recorded."""

    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"
    PENDING = "pending"


INSTALMENT_STATES = {
    InstalmentState.ON_TIME: _l("Paid on time"),
    InstalmentState.LATE: _l("Paid late"),
    InstalmentState.OVERDUE: _l("Overdue"),
    InstalmentState.PENDING: _l("Not due yet"),
}


@dataclass(frozen=True)
class InstalmentCheck:
    """One instalment and when the payments covered it."""

    seq: int
    due_on: date
    amount: int
    state: str
    paid_on: date | None


def check_instalments(instalments: Sequence[Any], payments: Sequence[tuple[date, int]],
                      today: date) -> list[InstalmentCheck]:
    """Each instalment against the payments (day, amount) made since the agreement, in order:
    an instalment is paid on the day the payments' running total reaches the instalments'
    running total up to it; on time if that day is not after its due day."""
    paid = sorted(payments)
    checks, owed, total, index = [], 0, 0, 0
    for item in sorted(instalments, key=lambda i: (i.due_on, i.seq)):
        owed += item.amount
        covered_on = None
        while total < owed and index < len(paid):
            total += paid[index][1]
            covered_on = paid[index][0]
            index += 1
        if total >= owed:
            covered_on = covered_on or (paid[index - 1][0] if index else None)
            state = InstalmentState.ON_TIME if covered_on and covered_on <= item.due_on \
                else InstalmentState.LATE
        else:
            covered_on = None
            state = InstalmentState.OVERDUE if item.due_on < today else InstalmentState.PENDING
        checks.append(InstalmentCheck(item.seq, item.due_on, item.amount, state, covered_on))
    return checks
