"""The ledger of a company (contributions owed, the fine, payments, the balance), the fine's
state for the ladder, the figures of the letters, payments and the JP wage caps.

`ledger(company, today)` is the one computation: the company page, the ledger page, the letters
(`letter_money`), the ladder (`fine_state`) and the exports all read it. Nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from outreach.cases.models import Case, CaseStatus, Delivery
from outreach.cases.proofs import DEFAULT_MAX_BYTES, Upload, checked_upload
from outreach.companies.models import Company, ContributionRate, Program
from outreach.companies.rules import all_rates, rates_in_force
from outreach.core.access import Permission, read_condition, require
from outreach.core.audit import record
from outreach.core.errors import ServiceError
from outreach.core.formatting import long_date, rupiah
from outreach.extensions import db
from outreach.money import rules
from outreach.money.models import LatePaymentRate, Payment, PaymentKind
from outreach.org.models import Role, User

WARNING_2 = "warning_2"
FINE = "fine"


@dataclass
class Fine:
    """The fine of PP 86/2013 pasal 10 ayat (4), as computed on a day."""

    #: the end of warning II (the latest delivered warning II's response window); None: none yet
    warning_end: date | None
    #: contributions due on or before the end of warning II
    base: int = 0
    percent_per_month: Decimal = rules.FINE_PERCENT_PER_MONTH
    #: months begun from the end of warning II to `runs_until`
    months: int = 0
    runs_until: date | None = None
    amount: int = 0
    basis: str = rules.FINE_BASIS


@dataclass
class Ledger:
    """What a company owes, was fined and paid, on a day."""

    company_id: int
    today: date
    #: the first month counted, and whether it is the case's opening (the obliged date unknown)
    start: date | None
    start_assumed: bool
    components: list[str]
    rows: list[rules.MonthRow]
    fine: Fine
    payments: list[Payment]
    notes: list[str] = field(default_factory=list)

    @property
    def contributions_owed(self) -> int:
        """Contributions of every month due by today."""
        return sum(row.total for row in self.rows)

    @property
    def late_owed(self) -> int:
        """Late-payment surcharges of the unpaid months (arrears)."""
        return sum(row.late_total for row in self.rows)

    @property
    def owed(self) -> int:
        """Contributions and surcharges owed."""
        return self.contributions_owed + self.late_owed

    def paid(self, kind: str) -> int:
        """Payments of one kind."""
        return sum(p.amount for p in self.payments if p.kind == kind)

    @property
    def contribution_balance(self) -> int:
        """Contributions and surcharges owed less the contributions paid."""
        return self.owed - self.paid(PaymentKind.CONTRIBUTION)

    @property
    def fine_balance(self) -> int:
        """The fine less the fine paid."""
        return self.fine.amount - self.paid(PaymentKind.FINE)

    @property
    def balance(self) -> int:
        """Owed + fine − paid."""
        return self.contribution_balance + self.fine_balance

    @property
    def programs(self) -> list[str]:
        """The programs with a contribution in some month, in their usual order."""
        seen = {line.program for row in self.rows for line in row.lines}
        return [p for p in rules.PROGRAM_ORDER if p in seen]


def case_for(company: Company) -> Case | None:
    """The case the ledger follows: the one not closed, else the latest."""
    cases = sorted(company.cases, key=lambda c: (c.opened_on, c.id))
    open_cases = [c for c in cases if c.status != CaseStatus.CLOSED]
    return (open_cases or cases or [None])[-1]


def warning_end(case: Case | None) -> date | None:
    """The end of warning II: the response window of the latest delivered warning II step."""
    if case is None:
        return None
    ends = [s.due_on for s in case.steps if s.kind == WARNING_2
            and s.delivery_status == Delivery.DELIVERED and s.due_on is not None]
    return max(ends) if ends else None


def components_of(company: Company, case: Case | None) -> list[str]:
    """What the company owes for: its case's categories, or what its figures show."""
    if case is not None and case.categories:
        found = [rules.COMPONENT_OF[c] for c in case.categories if c in rules.COMPONENT_OF]
    else:
        found = []
        if company.workers_missing:
            found.append(rules.UNREGISTERED)
        found.append(rules.MISSING_PROGRAMS)
        if company.reported_wage is not None and company.reported_wage < company.average_wage:
            found.append(rules.WAGE_GAP)
        if company.unpaid_since:
            found.append(rules.ARREARS)
    return list(dict.fromkeys(found))


def late_rates() -> list[LatePaymentRate]:
    """Every late-payment rate, oldest first."""
    return list(db.session.scalars(select(LatePaymentRate)
                                   .order_by(LatePaymentRate.effective_from, LatePaymentRate.id)))


def payments_of(company: Company) -> list[Payment]:
    """The company's payments in the order they were paid."""
    return list(db.session.scalars(select(Payment).where(Payment.company_id == company.id)
                                   .order_by(Payment.paid_on, Payment.id)))


def ledger(company: Company, today: date, case: Case | None = None) -> Ledger:
    """The company's ledger on `today`: per month from the obliged date (or, unknown, its
    case's opening) the contributions owed with the rates and JP cap of that month, the
    arrears surcharges, the fine from the end of warning II, the payments and the balance."""
    case = case or case_for(company)
    components = components_of(company, case)
    payments = payments_of(company)
    notes: list[str] = []
    start, assumed = company.obliged_on, False
    if start is None and case is not None:
        start, assumed = case.opened_on, True
    end = warning_end(case)
    if start is None:
        notes.append(_("Neither the date the company became obliged nor a case is known: "
                       "no month is counted."))
        return Ledger(company.id, today, None, False, components, [], Fine(end), payments, notes)
    if rules.ARREARS in components and company.unpaid_since is None:
        notes.append(_("The first unpaid month is not recorded: arrears are counted from the "
                       "first month of the ledger."))
    if rules.WAGE_GAP in components and company.reported_wage is None:
        notes.append(_("The wage the company reports is not recorded: the wage gap "
                       "(PDS-Upah) counts nothing."))
    profile = rules.Profile(
        business_size=company.business_size, risk_class=company.risk_class,
        programs=tuple(company.program_list), workers_estimated=company.workers_estimated,
        workers_registered=company.workers_registered, wage=company.average_wage,
        reported_wage=company.reported_wage, components=frozenset(components), start=start,
        arrears_start=rules.month_start(company.unpaid_since or start))
    rate_rows, late_rows = all_rates(), late_rates()
    contributions = [(p.paid_on, p.amount) for p in payments
                     if p.kind == PaymentKind.CONTRIBUTION]
    # first pass without the surcharge's end, to know the contributions owed; the surcharge
    # runs until contribution payments cover them
    rows = rules.month_rows(profile, today, rate_rows, late_rows, today)
    paid_up = rules.first_covered(contributions, sum(r.total for r in rows))
    if paid_up is not None and any(r.late for r in rows):
        rows = rules.month_rows(profile, today, rate_rows, late_rows, paid_up)
    fine = Fine(end)
    if end is not None:
        for row in rows:
            row.in_base = row.due_on <= end
        fine.base = sum(row.total for row in rows if row.in_base)
        base_paid = rules.first_covered(contributions, fine.base)
        fine.runs_until = rules.fine_stop(
            end, fine.base, today, base_paid,
            [(p.paid_on, p.amount) for p in payments if p.kind == PaymentKind.FINE])
        fine.months = rules.months_begun(end, fine.runs_until)
        fine.amount = rules.fine_amount(fine.base, fine.months)
    return Ledger(company.id, today, start, assumed, components, rows, fine, payments, notes)


# --- the fine for the ladder, the figures for the letters ----------------------------------


@dataclass(frozen=True)
class FineState:
    """Where a case's fine stands: imposed (the fine letter delivered), due, paid."""

    #: the delivery day of the latest delivered fine letter; None: no fine imposed
    imposed_on: date | None
    #: paid with the next contributions: the 15th of the month after it was imposed
    due_on: date | None
    amount: int
    paid: int
    outstanding: int
    unpaid_past_due: bool


def fine_imposed_on(case: Case) -> date | None:
    """The day the latest fine letter of the case was delivered."""
    days = [s.delivered_on for s in case.steps if s.kind == FINE
            and s.delivery_status == Delivery.DELIVERED and s.delivered_on is not None]
    return max(days) if days else None


def fine_state(case: Case, today: date) -> FineState:
    """The case's fine on `today`: imposed on its letter's delivery, due with the next month's
    contributions (PP 86/2013 pasal 10 ayat 5; contributions are due by the 15th of the
    following month, PP 44/2015), its amount, what was paid, and whether it is unpaid past due."""
    book = ledger(case.company, today, case)
    imposed = fine_imposed_on(case)
    due = rules.due_on(rules.month_start(imposed)) if imposed else None
    paid = book.paid(PaymentKind.FINE)
    outstanding = max(book.fine.amount - paid, 0)
    return FineState(imposed, due, book.fine.amount, paid, outstanding,
                     bool(imposed and due and outstanding > 0 and today > due))


COMPONENT_LABELS = {
    rules.UNREGISTERED: "Pekerja belum didaftarkan",
    rules.MISSING_PROGRAMS: "Program belum diikuti",
    rules.WAGE_GAP: "Selisih upah dilaporkan",
    rules.ARREARS: "Tunggakan iuran",
}
ID_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")


def month_name(month: date) -> str:
    """A month as "Maret 2025" (letters are in Indonesian)."""
    return f"{ID_MONTHS[month.month - 1]} {month.year}"


def percent_text(value: Decimal) -> str:
    """A percent the Indonesian way: 0,1%."""
    return f"{value.normalize():f}".replace(".", ",") + "%"


def letter_money(case: Case, today: date) -> dict:
    """The money of a case as plain data for the letters, every amount already formatted:
    contributions owed, the fine (base, rate, months), a row per month and program for the
    fine letter's attachment (Lampiran), and the total claimed for the referral letter."""
    book = ledger(case.company, today, case)
    fine = book.fine
    rows = []
    for row in book.rows:
        for line in row.lines:
            rows.append({
                "month": month_name(row.month), "due_on": long_date(row.due_on),
                "component": COMPONENT_LABELS[line.component], "program": line.program,
                "workers": line.workers, "wage_base": rupiah(line.wage_base),
                "percent": percent_text(line.percent), "amount": rupiah(line.amount),
                "in_base": row.in_base})
    return {
        "start": long_date(book.start), "start_assumed": book.start_assumed,
        "months_owed": len(book.rows),
        "contributions_owed": rupiah(book.contributions_owed),
        "late_owed": rupiah(book.late_owed),
        "contributions_paid": rupiah(book.paid(PaymentKind.CONTRIBUTION)),
        "warning_end": long_date(fine.warning_end),
        "fine_base": rupiah(fine.base), "fine_rate": percent_text(fine.percent_per_month),
        "fine_months": fine.months, "fine_until": long_date(fine.runs_until),
        "fine_amount": rupiah(fine.amount), "fine_basis": fine.basis,
        "fine_paid": rupiah(book.paid(PaymentKind.FINE)),
        "rows": rows,
        "total_claimed": rupiah(max(book.balance, 0)),
    }


# --- payments ------------------------------------------------------------------------------


def add_payment(actor: User, company: Company, *, kind: str, paid_on: date | None,
                amount: int | None, reference: str, upload: Upload | None, today: date,
                max_bytes: int = DEFAULT_MAX_BYTES) -> Payment:
    """Record a payment of contributions or of the fine, with its proof file."""
    require(actor, Permission.WORK, company.branch_id)
    if kind not in PaymentKind.ALL:
        raise ServiceError(_("Choose what the payment pays: contributions or the fine."), "kind")
    if paid_on is None:
        raise ServiceError(_("Enter the day it was paid."), "paid_on")
    if paid_on > today:
        raise ServiceError(_("A payment cannot be dated after today."), "paid_on")
    if amount is None or amount <= 0:
        raise ServiceError(_("The amount must be more than Rp0."), "amount")
    if upload is None or not upload.filename:
        raise ServiceError(_("Attach the proof of payment (a photo or a PDF scan)."), "proof")
    accepted = checked_upload(upload, max_bytes)
    payment = Payment(branch_id=company.branch_id, company_id=company.id, kind=kind,
                      paid_on=paid_on, amount=amount, reference=reference.strip()[:80],
                      filename=accepted.name, content_type=accepted.content_type,
                      size=len(accepted.data), sha256=accepted.sha256, data=accepted.data,
                      recorded_by_id=actor.id)
    db.session.add(payment)
    db.session.flush()
    record(actor, "payment.recorded", "company", company.id,
           {"payment_id": payment.id, "kind": kind, "paid_on": paid_on, "amount": amount,
            "reference": payment.reference, "file": accepted.name}, branch_id=company.branch_id)
    return payment


def visible_payment(user: User, payment_id: int) -> Payment | None:
    """A payment the user may read (its branch's, or the company's branch's), or None."""
    return db.session.scalars(select(Payment).where(
        Payment.id == payment_id, read_condition(Payment, user))).first()


def payments_total(in_scope_condition) -> dict[str, int]:
    """Payments per kind of the companies of the branches in `in_scope_condition(column)`."""
    rows = db.session.execute(
        select(Payment.kind, func.sum(Payment.amount))
        .join(Company, Company.id == Payment.company_id)
        .where(in_scope_condition(Company.branch_id)).group_by(Payment.kind))
    return {kind: int(total or 0) for kind, total in rows}


# --- the JP wage caps ------------------------------------------------------------------------


def wage_caps() -> list[ContributionRate]:
    """The JP rows, newest first: each holds the wage cap in force from its date."""
    return list(db.session.scalars(
        select(ContributionRate).where(ContributionRate.program == Program.JP)
        .order_by(ContributionRate.effective_from.desc())))


def add_wage_cap(actor: User, *, amount: int | None, effective_from: date | None,
                 source: str) -> ContributionRate:
    """Add the JP wage cap in force from a date (PP 45/2015 pasal 29: set every year by the
    agency from the previous year's GDP growth), keeping the JP percentages then in force."""
    if actor.role != Role.ADMIN:
        raise ServiceError(_("The JP wage cap applies to every branch: only an administrator "
                             "adds one."))
    if effective_from is None:
        raise ServiceError(_("Enter the day the cap applies from."), "effective_from")
    if amount is None or amount <= 0:
        raise ServiceError(_("PP 45/2015 pasal 29: the wage cap is an amount of Rupiah "
                             "above zero."), "amount")
    source = " ".join((source or "").split())
    if not source:
        raise ServiceError(_("Name the source of the cap (the agency's announcement or the "
                             "regulation): the ledger cites it."), "source")
    if db.session.scalar(select(ContributionRate.id).where(
            ContributionRate.program == Program.JP,
            ContributionRate.effective_from == effective_from)):
        raise ServiceError(_("A JP wage cap from %(day)s is already recorded.",
                             day=long_date(effective_from)), "effective_from")
    current = rates_in_force(effective_from).get((Program.JP, None))
    if current is None:
        raise ServiceError(_("PP 45/2015: the pension program starts on 1 July 2015; a cap "
                             "before it has no rate to apply to."), "effective_from")
    row = ContributionRate(program=Program.JP, risk_class=None,
                           employer_percent=current.employer_percent,
                           worker_percent=current.worker_percent, wage_cap=amount,
                           effective_from=effective_from, legal_basis="PP 45/2015 pasal 29",
                           source=source)
    db.session.add(row)
    db.session.flush()
    record(actor, "wage_cap.added", "contribution_rate", row.id,
           {"amount": amount, "effective_from": effective_from, "source": source})
    return row

