"""What a company owes, month by month, and the fine: the arithmetic, with no database.

The law behind each figure:
- Contributions are monthly and due by the 15th of the following month (PP 44/2015 and
  PP 46/2015, the 15th of the next month; PP 49/2020 moved it to the 30th for August 2020 to
  January 2021 only, which this ledger does not model). A month counts whole: there is no
  proration of a month's contribution.
- Mandatory programs by business size: Perpres 109/2013 art. 6 (`companies.rules.MANDATORY`).
- Late payment of contributions (Menunggak): a surcharge per program and month late, from
  `LatePaymentRate` rows (2% for JKK, JKM — PP 44/2015 — and JHT — PP 46/2015; 0.5% for JP —
  PP 45/2015).
- The fine: PP 86/2013 pasal 10 ayat (4): "0,1% setiap bulan dari iuran yang seharusnya
  dibayar yang dihitung sejak teguran tertulis kedua berakhir", paid with the next month's
  contributions (ayat 5).

Choices this ledger makes, said in the page too:
- The fine's base is the contributions due on or before the day warning II ended (the months
  whose 15th-of-next-month due date had come), not those that fell due later.
- A month of the fine counts once begun: from the day after warning II ended, each month
  begun (on the same day of the month) until the fine is paid in full, or the contributions
  of the base are paid, or today, counts as a whole month.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from outreach.companies.models import ContributionRate, Program
from outreach.companies.rules import MANDATORY, capped, rates_for, rates_in_force
from outreach.money.models import LatePaymentRate

#: PP 86/2013 pasal 10 ayat (4): percent of the contributions that should have been paid,
#: for each month from the end of warning II
FINE_PERCENT_PER_MONTH = Decimal("0.1")
FINE_BASIS = "PP 86/2013 pasal 10 ayat (4)"
#: contributions of a month are due by this day of the following month (PP 44/2015)
DUE_DAY = 15
#: what each category means in money (the components of a month)
UNREGISTERED = "unregistered"  # PWBD, PDS-TK: workers not registered, every mandatory program
MISSING_PROGRAMS = "missing_programs"  # PDS-Program: registered workers, programs not taken
WAGE_GAP = "wage_gap"  # PDS-Upah: registered workers, the wage not reported
ARREARS = "arrears"  # Menunggak: registered workers, the programs taken, months not paid
COMPONENT_OF = {"PWBD": UNREGISTERED, "PDS-TK": UNREGISTERED, "PDS-Program": MISSING_PROGRAMS,
                "PDS-Upah": WAGE_GAP, "Menunggak": ARREARS}
PROGRAM_ORDER = (Program.JKK, Program.JKM, Program.JHT, Program.JP)


def rupiah_round(value: Decimal) -> int:
    """Whole Rupiah, halves up (as the agency's invoices round)."""
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))


def month_start(day: date) -> date:
    """The first day of the day's month."""
    return day.replace(day=1)


def next_month(month: date) -> date:
    """The first day of the month after `month` (a first day)."""
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def due_on(month: date) -> date:
    """The day the contributions of `month` are due: the 15th of the following month."""
    return next_month(month).replace(day=DUE_DAY)


def months_begun(after: date, until: date) -> int:
    """Months begun from the day after `after` up to `until` (inclusive), each begun month
    counting whole: 14 Mar -> 15 Mar is 1, -> 14 Apr is 1, -> 15 Apr is 2."""
    if until <= after:
        return 0
    months = (until.year - after.year) * 12 + until.month - after.month
    return months + 1 if until.day > after.day else months


def late_rates_in_force(day: date, rows: Iterable[LatePaymentRate]) -> dict[str, LatePaymentRate]:
    """The late-payment rate of each program in force on `day` (`rows` oldest first)."""
    chosen: dict[str, LatePaymentRate] = {}
    for row in rows:
        if row.effective_from <= day:
            chosen[row.program] = row
    return chosen


@dataclass(frozen=True)
class Profile:
    """What the ledger needs to know of a company (copied from it, so the rules stay pure)."""

    business_size: str
    risk_class: int
    programs: tuple[str, ...]
    workers_estimated: int
    workers_registered: int
    #: the actual average wage
    wage: int
    reported_wage: int | None
    #: the components to count (from the case's categories)
    components: frozenset[str]
    #: first month counted, and the first unpaid month for arrears
    start: date
    arrears_start: date


@dataclass(frozen=True)
class Line:
    """One program of one component in one month: workers x wage base x percent."""

    component: str
    program: str
    workers: int
    #: the wage the percent applies to, after the JP cap (for a wage gap: the gap)
    wage_base: int
    percent: Decimal
    amount: int


@dataclass
class MonthRow:
    """One month of contributions owed."""

    month: date
    due_on: date
    #: the JP wage cap in force that month (None when JP is not owed)
    jp_cap: int | None
    lines: list[Line]
    #: late-payment surcharge per program (arrears), Rupiah
    late: dict[str, int] = field(default_factory=dict)
    late_months: int = 0
    #: counted in the fine's base (due on or before the end of warning II)
    in_base: bool = False

    @property
    def by_program(self) -> dict[str, int]:
        """Contributions of the month per program."""
        totals: dict[str, int] = {}
        for line in self.lines:
            totals[line.program] = totals.get(line.program, 0) + line.amount
        return {p: totals[p] for p in PROGRAM_ORDER if p in totals}

    @property
    def total(self) -> int:
        """Contributions of the month."""
        return sum(line.amount for line in self.lines)

    @property
    def late_total(self) -> int:
        """Late-payment surcharge of the month."""
        return sum(self.late.values())


Rates = dict[tuple[str, int | None], ContributionRate]


def month_lines(profile: Profile, month: date, rates: Rates) -> tuple[list[Line], int | None]:
    """The contribution lines of one month with the rates in force on its first day."""
    company_rates = rates_for(rates, profile.risk_class)
    mandatory = MANDATORY.get(profile.business_size, MANDATORY["small"])
    missing = max(profile.workers_estimated - profile.workers_registered, 0)
    registered = profile.workers_registered
    lines: list[Line] = []
    jp_cap: int | None = None

    def add(component: str, program: str, workers: int, wage_base: int) -> None:
        nonlocal jp_cap
        rate = company_rates[program]
        if program == Program.JP:
            jp_cap = rate.wage_cap or None
        percent = rate.employer_percent + rate.worker_percent
        if workers and wage_base > 0:
            lines.append(Line(component, program, workers, wage_base, percent,
                              rupiah_round(Decimal(workers * wage_base) * percent / 100)))

    for program in mandatory:
        if program not in company_rates:
            continue
        cap = company_rates[program].wage_cap or None
        taken = program in profile.programs
        if UNREGISTERED in profile.components:
            add(UNREGISTERED, program, missing, capped(profile.wage, cap))
        if MISSING_PROGRAMS in profile.components and not taken:
            add(MISSING_PROGRAMS, program, registered, capped(profile.wage, cap))
        if WAGE_GAP in profile.components and taken and profile.reported_wage is not None:
            gap = capped(profile.wage, cap) - capped(profile.reported_wage, cap)
            add(WAGE_GAP, program, registered, gap)
        if ARREARS in profile.components and taken and month >= profile.arrears_start:
            wage = profile.reported_wage if profile.reported_wage is not None else profile.wage
            add(ARREARS, program, registered, capped(wage, cap))
    return lines, jp_cap


def month_rows(profile: Profile, today: date, rate_rows: list[ContributionRate],
               late_rows: list[LatePaymentRate], late_until: date) -> list[MonthRow]:
    """Every month from the start whose contributions were due by `today`, with the arrears
    surcharge counted per month begun from the due date to `late_until`."""
    rows: list[MonthRow] = []
    month = month_start(profile.start)
    while due_on(month) <= today:
        lines, jp_cap = month_lines(profile, month, rates_in_force(month, rate_rows))
        row = MonthRow(month, due_on(month), jp_cap, lines)
        arrears = [line for line in lines if line.component == ARREARS]
        if arrears:
            row.late_months = months_begun(row.due_on, late_until)
            late = late_rates_in_force(row.due_on, late_rows)
            for line in arrears:
                if line.program in late:
                    row.late[line.program] = row.late.get(line.program, 0) + rupiah_round(
                        Decimal(line.amount) * late[line.program].percent_per_month / 100
                        * row.late_months)
        rows.append(row)
        month = next_month(month)
    return rows


def first_covered(payments: Iterable[tuple[date, int]], owed: int) -> date | None:
    """The day payments (day, amount; in day order) first added up to `owed`, if they did."""
    if owed <= 0:
        return None
    paid = 0
    for day, amount in payments:
        paid += amount
        if paid >= owed:
            return day
    return None


def fine_amount(base: int, months: int) -> int:
    """The fine: 0.1% of the base for each month counted (PP 86/2013 pasal 10 ayat 4)."""
    return rupiah_round(Decimal(base) * FINE_PERCENT_PER_MONTH / 100 * months)


def fine_stop(warning_end: date, base: int, today: date, contributions_paid_on: date | None,
              fine_payments: list[tuple[date, int]]) -> date:
    """The last day the fine runs: today, or earlier the day the base's contributions were paid
    or the day fine payments first covered the fine accrued to that day."""
    stop = min(today, contributions_paid_on) if contributions_paid_on else today
    paid = 0
    for day, amount in fine_payments:
        paid += amount
        if day > stop:
            break
        if day > warning_end and paid >= fine_amount(base, months_begun(warning_end, day)):
            return day
    return stop
