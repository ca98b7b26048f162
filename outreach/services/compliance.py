"""What a company must take and what it is estimated to owe each month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from outreach.extensions import db
from outreach.models import BusinessSize, Company, ContributionRate, Program

#: mandatory programs by business size (Perpres 109/2013 art. 6)
MANDATORY = {
    BusinessSize.LARGE: (Program.JKK, Program.JKM, Program.JHT, Program.JP),
    BusinessSize.MEDIUM: (Program.JKK, Program.JKM, Program.JHT, Program.JP),
    BusinessSize.SMALL: (Program.JKK, Program.JKM, Program.JHT),
    BusinessSize.MICRO: (Program.JKK, Program.JKM),
}


@dataclass
class Compliance:
    """A company's compliance figures."""

    mandatory: tuple[str, ...]
    taken: list[str]
    missing_programs: list[str]
    workers_missing: int
    #: estimated monthly contributions not being paid, Rupiah (employer + worker shares)
    monthly_owed: int
    #: percent of the wage per program used for the estimate
    rates: dict[str, Decimal]


def rates_on(day: date, risk_class: int) -> dict[str, ContributionRate]:
    """The rate in force on `day` for each program (JKK by risk class)."""
    rows = db.session.scalars(select(ContributionRate).where(ContributionRate.effective_from <= day)
                              .order_by(ContributionRate.effective_from))
    chosen: dict[str, ContributionRate] = {}
    for row in rows:
        if row.program == Program.JKK and row.risk_class != risk_class:
            continue
        chosen[row.program] = row  # later effective dates replace earlier ones
    return chosen


def _monthly(rate: ContributionRate, wage: int) -> Decimal:
    base = min(wage, rate.wage_cap) if rate.wage_cap else wage
    return Decimal(base) * (rate.employer_percent + rate.worker_percent) / 100


def assess(company: Company, today: date) -> Compliance:
    """Programs taken against those mandatory, and the monthly contributions not paid."""
    mandatory = MANDATORY.get(company.business_size, MANDATORY[BusinessSize.SMALL])
    taken = company.program_list
    missing_programs = [p for p in mandatory if p not in taken]
    rates = rates_on(today, company.risk_class)
    wage = company.average_wage
    owed = Decimal(0)
    # Workers not registered owe every mandatory program; registered ones the missing programs.
    for program in mandatory:
        rate = rates.get(program)
        if rate is None:
            continue
        workers = company.workers_missing
        if program in missing_programs:
            workers += company.workers_registered
        owed += _monthly(rate, wage) * workers
    return Compliance(
        mandatory=mandatory, taken=taken, missing_programs=missing_programs,
        workers_missing=company.workers_missing, monthly_owed=int(owed.quantize(Decimal(1))),
        rates={p: r.employer_percent + r.worker_percent for p, r in rates.items()
               if p in mandatory},
    )
