"""Demo data of the employer's answer and the legal track, made through the services: replies
and commitments (one waiting, one kept and its case closed, one broken) on a branch's early
cases, and on its referred cases the legal track (the power of attorney, the prosecutor's
acceptance, a summons and meeting, an instalment agreement paid once on time and once late; a
small-claims suit to its outcome)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from outreach.calendar.rules import WorkingCalendar
from outreach.cases import service as cases
from outreach.cases.models import Case, CaseStatus
from outreach.cases.proofs import Upload
from outreach.companies.service import remember_hand_entries
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.ladder import rules as policy
from outreach.legal import service as legal
from outreach.legal.models import Commitment, LegalKind
from outreach.money import service as money
from outreach.org.models import User

#: a one-pixel PNG: the attachment of a demo reply and the proof of a demo payment
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


def seed(branch_id: int, officer: User, supervisor: User, today: date,
         public_base_url: str) -> None:
    """The answers and legal tracks of a few of the branch's cases, once. When no case of the
    branch reached its referral, two cases whose fine was imposed are referred on the last
    working day (so that the branch's letter numbers keep following their dates)."""
    if db.session.scalar(select(Commitment.id).where(Commitment.branch_id == branch_id)):
        return
    open_cases = list(db.session.scalars(
        select(Case).where(Case.branch_id == branch_id, Case.status == CaseStatus.OPEN)
        .order_by(Case.id)))
    early = [c for c in open_cases if c.stage in ("notification", "visit", "joint_visit")
             and c.opened_on <= today - timedelta(days=20)]
    referred = [c for c in open_cases if legal.referred(c)]
    if not referred:
        referred = _refer([c for c in open_cases if c.stage == policy.FINE], officer,
                          supervisor, today, public_base_url)
    for case, plan in zip(early, ("waiting", "kept", "broken", "reply"), strict=False):
        try:
            with db.session.begin_nested():
                _answer(case, officer, today, plan)
        except ServiceError:
            continue
    for case, plan in zip(referred, ("agreement", "suit"), strict=False):
        try:
            with db.session.begin_nested():
                _legal_track(case, officer, today, plan)
        except ServiceError:
            continue
    db.session.flush()


def _refer(fined: list[Case], officer: User, supervisor: User, today: date,
           public_base_url: str) -> list[Case]:
    """Refer up to two of the cases to the prosecutor: the referral logged, approved by the
    supervisor and issued."""
    calendar = WorkingCalendar.for_branch(officer.branch_id)
    day = today
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    referred = []
    for case in fined:
        if len(referred) == 2:
            break
        try:
            with db.session.begin_nested():
                step = cases.log_step(officer, case, kind=policy.LEGAL_REFERRAL,
                                      occurred_on=day, today=day)
                cases.decide_approval(supervisor, step, approve=True, note="",
                                      now=datetime.combine(day, time(10), UTC))
                cases.issue_letter(officer, step.letter, day, public_base_url)
        except ServiceError:
            continue
        if legal.referred(case):
            referred.append(case)
    return referred


def _answer(case: Case, officer: User, today: date, plan: str) -> None:
    company = case.company
    legal.add_reply(officer, case, received_on=today - timedelta(days=12),
                    channel="whatsapp" if plan != "reply" else "letter",
                    sender=company.director_name,
                    content="Kami mohon waktu untuk mendaftarkan seluruh pekerja.",
                    upload=Upload("tanggapan.png", PNG) if plan == "reply" else None,
                    today=today)
    if plan == "reply":
        return
    made = today - timedelta(days=10)
    promised = today + timedelta(days=20) if plan == "waiting" else today - timedelta(days=3)
    commitment = legal.add_commitment(
        officer, case, made_on=made, promised_on=promised, today=today,
        workers_promised=company.workers_estimated, signatory_name=company.director_name,
        signatory_position="Direktur", notes="Ditandatangani saat kunjungan.")
    if plan == "kept":
        company.workers_registered = company.workers_estimated
        remember_hand_entries(company, ["workers_registered"])
        legal.judge_commitment(officer, commitment, kept=True, today=today)
        cases.close_case(officer, case, outcome="compliant", today=today,
                         npp=company.npp or f"{80_000_000 + company.id}",
                         evidence="Sertifikat kepesertaan BPJS Ketenagakerjaan",
                         registered=company.workers_estimated)
    elif plan == "broken":
        legal.judge_commitment(officer, commitment, kept=False, today=today,
                               note="Tidak ada pekerja yang didaftarkan sampai batas waktu.")


def _legal_track(case: Case, officer: User, today: date, plan: str) -> None:
    referral = max((s for s in case.steps if s.kind == policy.LEGAL_REFERRAL
                    and policy.in_force(s)), key=lambda s: s.occurred_on)
    start = referral.occurred_on

    def on(days: int) -> date:
        return min(start + timedelta(days=days), today)

    def add(kind: str, days: int, **values) -> None:
        legal.add_legal_event(officer, case, kind=kind, occurred_on=on(days), today=today,
                              **values)

    add(LegalKind.POWER_OF_ATTORNEY, 1, scope="Mewakili BPJS Ketenagakerjaan menagih iuran "
        "tertunggak dan denda, di dalam maupun di luar pengadilan.")
    add(LegalKind.ACCEPTANCE, 5, person="Rina Marlina, S.H.")
    if plan == "agreement":
        add(LegalKind.SUMMONS, 7, due_on=start + timedelta(days=14))
        add(LegalKind.MEETING, 14, outcome="Perusahaan bersedia mengangsur tunggakan")
        add(LegalKind.AGREEMENT, 14, instalments=[
            (start + timedelta(days=44), 2_500_000), (start + timedelta(days=74), 2_500_000),
            (start + timedelta(days=104), 2_500_000)])
        # the first instalment paid on time; the second late when the agreement is old
        # enough for it
        for days in (40, 80):
            money.add_payment(officer, case.company, kind="contribution", paid_on=on(days),
                              amount=2_500_000, reference=f"ANGSURAN-{days}",
                              upload=Upload("bukti.png", PNG), today=today)
            if start + timedelta(days=days) > today:
                break
    else:
        add(LegalKind.SUIT, 20, court=f"Pengadilan Negeri {case.company.city}".strip(),
            number=f"{case.id}/Pdt.G.S/{start.year}/PN Pkl", amount=45_000_000)
        add(LegalKind.HEARING, 22, due_on=start + timedelta(days=30))
        if start + timedelta(days=40) <= today:  # the hearing is over
            add(LegalKind.OUTCOME, 40, outcome="Gugatan dikabulkan; tergugat membayar",
                amount=45_000_000)
