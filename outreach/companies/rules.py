"""What a company must take and what it is estimated to owe each month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from outreach.companies.models import BusinessSize, Company, ContributionRate, Program
from outreach.extensions import db

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


@dataclass(frozen=True)
class OwedTerm:
    """One program a company must pay for, as the estimate of what it owes counts it."""

    #: employer + worker shares, percent of the wage
    percent: Decimal
    #: the wage the contribution is capped at (JP), if any
    wage_cap: int | None
    #: the program is not taken, so registered workers owe it too (not only unregistered ones)
    registered_too: bool


def all_rates() -> list[ContributionRate]:
    """Every contribution rate row, oldest first: for `rates_in_force` over many days."""
    return list(db.session.scalars(select(ContributionRate)
                                   .order_by(ContributionRate.effective_from, ContributionRate.id)))


def rates_in_force(day: date, rows: list[ContributionRate] | None = None
                   ) -> dict[tuple[str, int | None], ContributionRate]:
    """The contribution rate in force on `day` per (program, risk class for JKK, else None):
    the one place a rate or the JP wage cap in force on a day is read. `rows` (from
    `all_rates`) spares a query per day when a ledger walks many months."""
    if rows is None:
        rows = list(db.session.scalars(
            select(ContributionRate).where(ContributionRate.effective_from <= day)
            .order_by(ContributionRate.effective_from, ContributionRate.id)))
    chosen: dict[tuple[str, int | None], ContributionRate] = {}
    for row in rows:
        if row.effective_from > day:
            break
        key = (row.program, row.risk_class if row.program == Program.JKK else None)
        chosen[key] = row  # later effective dates replace earlier ones
    return chosen


def rates_for(rates: dict[tuple[str, int | None], ContributionRate],
              risk_class: int) -> dict[str, ContributionRate]:
    """The rate of each program for a company of `risk_class` (JKK depends on it)."""
    return {program: rate for (program, risk), rate in rates.items()
            if program != Program.JKK or risk == risk_class}


def owed_terms(business_size: str, taken: list[str],
               rates: dict[str, ContributionRate]) -> list[OwedTerm]:
    """The programs a company owes contributions for: the mandatory ones for its size (unknown
    sizes count as small) that have a rate."""
    mandatory = MANDATORY.get(business_size, MANDATORY[BusinessSize.SMALL])
    return [OwedTerm(rate.employer_percent + rate.worker_percent, rate.wage_cap or None,
                     program not in taken)
            for program in mandatory if (rate := rates.get(program)) is not None]


def capped(wage: int, cap: int | None) -> int:
    """The wage a contribution is computed on."""
    return min(wage, cap) if cap else wage


def owed_weights(terms: list[OwedTerm]) -> dict[int | None, tuple[Decimal, Decimal]]:
    """What a Rupiah of (capped) wage costs a month, per worker not registered and per worker
    registered, by wage cap (None: no cap): unregistered workers owe every term, registered
    workers the programs not taken. The estimate is linear, so it applies as well to sums of
    wage times workers over many companies that share `terms`."""
    weights: dict[int | None, tuple[Decimal, Decimal]] = {}
    for term in terms:
        missing, registered = weights.get(term.wage_cap, (Decimal(0), Decimal(0)))
        share = term.percent / 100
        weights[term.wage_cap] = (missing + share,
                                  registered + share if term.registered_too else registered)
    return weights


def kind_weights(rates: dict[tuple[str, int | None], ContributionRate], business_size: str,
                 risk_class: int, programs: str) -> dict[int | None, tuple[Decimal, Decimal]]:
    """`owed_weights` of a kind of company (size, risk class, programs taken): the same for
    every company of the kind, so pricing many companies may compute it once per kind."""
    return owed_weights(owed_terms(business_size, [p for p in programs.split(",") if p],
                                   rates_for(rates, risk_class)))


def priced(weights: dict[int | None, tuple[Decimal, Decimal]], wage: int, missing: int,
           registered: int) -> Decimal:
    """One company's monthly contributions not paid, from the `kind_weights` of its kind."""
    return sum((capped(wage, cap) * (per_missing * missing + per_registered * registered)
                for cap, (per_missing, per_registered) in weights.items()), Decimal(0))


def monthly_owed(rates: dict[tuple[str, int | None], ContributionRate], business_size: str,
                 risk_class: int, programs: str, wage: int, missing: int,
                 registered: int) -> Decimal:
    """One company's monthly contributions not paid (`rates` from `rates_in_force`)."""
    return priced(kind_weights(rates, business_size, risk_class, programs), wage, missing,
                  registered)


def assess(company: Company, today: date) -> Compliance:
    """Programs taken against those mandatory, and the monthly contributions not paid."""
    mandatory = MANDATORY.get(company.business_size, MANDATORY[BusinessSize.SMALL])
    taken = company.program_list
    rates = rates_in_force(today)
    owed = monthly_owed(rates, company.business_size, company.risk_class, company.programs,
                        company.average_wage, company.workers_missing,
                        company.workers_registered)
    company_rates = rates_for(rates, company.risk_class)
    return Compliance(
        mandatory=mandatory, taken=taken,
        missing_programs=[p for p in mandatory if p not in taken],
        workers_missing=company.workers_missing, monthly_owed=int(owed.quantize(Decimal(1))),
        rates={p: r.employer_percent + r.worker_percent for p, r in company_rates.items()
               if p in mandatory},
    )
