"""Realistic demo data: two branches of Central Java, their staff, and their companies."""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from faker import Faker
from sqlalchemy import func, select

from outreach.calendar.rules import WorkingCalendar
from outreach.cases import service as cases
from outreach.cases.models import Approval, Case, Category, Delivery
from outreach.companies.models import BusinessSize, Company, Source
from outreach.companies.service import name_key
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.ladder import rules as policy
from outreach.maintenance import (
    demo_assignment,
    demo_fieldwork,
    demo_inspections,
    demo_legal,
    demo_partners,
    demo_socialisation,
)
from outreach.maintenance.demo_programme import seed_programme
from outreach.money.service import fine_state
from outreach.org import partners
from outreach.org import service as org
from outreach.org.models import PartnerKind, Role, User

DEMO_DOMAIN = "outreach-demo.id"
#: where the demo's letters point without PUBLIC_BASE_URL: the seed runs before any request,
#: so it cannot know the address the server will be reached at (`make run` passes it on)
DEMO_BASE_URL = "http://localhost:5000"
REGION = ("JATENG-DIY", "Kantor Wilayah Jawa Tengah & DIY")
BRANCHES = [
    {
        "code": "KC-PKL", "name": "Pekalongan", "city": "Pekalongan",
        "address": "Jl. Merdeka No. 3, Pekalongan 51111", "phone": "(0285) 421234",
        "head_name": "Dwi Ananda Pratama", "letter_unit_code": "KC-PKL",
        "kecamatan": ["Pekalongan Barat", "Pekalongan Timur", "Pekalongan Utara",
                      "Pekalongan Selatan"],
        # the kecamatan above are those of the city (Kota), not of the regency around it
        "company_city": "Kota Pekalongan", "areas": ["Kota Pekalongan", "Kabupaten Pekalongan"],
    },
    {
        "code": "KC-TGL", "name": "Tegal", "city": "Tegal",
        "address": "Jl. Kapten Sudibyo No. 12, Tegal 52131", "phone": "(0283) 351234",
        "head_name": "Sri Wahyuningsih", "letter_unit_code": "KC-TGL",
        "kecamatan": ["Tegal Barat", "Tegal Timur", "Tegal Selatan", "Margadana"],
        "company_city": "Kota Tegal", "areas": ["Kota Tegal", "Kabupaten Tegal"],
    },
]
SECTORS = ["Batik", "Perikanan", "Pertanian", "Konveksi", "Perdagangan", "Rumah makan",
           "Konstruksi", "Transportasi", "Industri pengolahan", "Jasa"]
SIZE_WEIGHTS = [(BusinessSize.MICRO, 35), (BusinessSize.SMALL, 40), (BusinessSize.MEDIUM, 18),
                (BusinessSize.LARGE, 7)]
WORKERS_BY_SIZE = {BusinessSize.MICRO: (2, 9), BusinessSize.SMALL: (10, 49),
                   BusinessSize.MEDIUM: (50, 199), BusinessSize.LARGE: (200, 900)}


def _account(email: str, name: str, role: str, password: str, branch=None, region=None,
             phone: str = "") -> User:
    user = org.find_user(email)
    if user is None:
        user = org.create_user(None, email=email, name=name, role=role, branch=branch,
                               region=region, password=password, phone=phone)
    return user


def seed(companies_per_branch: int = 300, password: str = "demo12345",  # noqa: S107 - demo
         today: date | None = None, public_base_url: str = DEMO_BASE_URL) -> list[User]:
    """Create what is missing of the demo data and return the demo accounts. The cases are
    worked day by day across the branch, so that its letters are issued in date order (their
    numbers follow their dates) on working days, and a letter step's date is its letter's."""
    today = today or date.today()
    region = org.get_or_create_region(*REGION)
    logins = [
        _account(f"admin@{DEMO_DOMAIN}", "Admin Outreach", Role.ADMIN, password),
        _account(f"regional@{DEMO_DOMAIN}", "Bambang Setiawan", Role.REGIONAL, password,
                 region=region),
    ]
    for spec in BRANCHES:
        details = {k: v for k, v in spec.items()
                   if k not in ("code", "name", "kecamatan", "company_city", "areas")}
        branch = org.find_branch(spec["code"]) or org.create_branch(
            None, code=spec["code"], name=spec["name"], region=region, **details)
        slug = spec["code"].split("-")[-1].lower()
        fake = Faker("id_ID")
        fake.seed_instance(spec["code"])
        staff = [
            _account(f"supervisor.{slug}@{DEMO_DOMAIN}", fake.name(), Role.SUPERVISOR,
                     password, branch=branch),
            # officers have a phone: the letters name them as the company's contact
            _account(f"officer1.{slug}@{DEMO_DOMAIN}", fake.name(), Role.OFFICER, password,
                     branch=branch, phone=f"0812 {len(logins)}{len(logins)}01 2345"),
            _account(f"officer2.{slug}@{DEMO_DOMAIN}", fake.name(), Role.OFFICER, password,
                     branch=branch, phone=f"0812 {len(logins)}{len(logins)}02 2345"),
        ]
        logins += staff
        _seed_partner_offices(staff[0], spec["areas"])
        _seed_companies(branch, spec, staff[0], staff[1:], companies_per_branch, today,
                        public_base_url)
        demo_assignment.seed(branch.id, staff[0], staff[1:], spec["kecamatan"])
        demo_legal.seed(branch.id, staff[1], staff[0], today, public_base_url)
        demo_fieldwork.seed(branch.id, staff[1])
        if spec["code"] == "KC-PKL":
            seed_programme(branch.code, staff[0], today)
    demo_socialisation.seed(today)
    return logins


#: the partner offices of each city and regency, by kind: (office name, title of its head)
PARTNER_NAMES = {
    PartnerKind.DPMPTSP: ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu {area}",
                          "Kepala Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu {area}"),
    PartnerKind.DISNAKER: ("Dinas Tenaga Kerja {area}", "Kepala Dinas Tenaga Kerja {area}"),
    PartnerKind.KEJARI: ("Kejaksaan Negeri {area}", "Kepala Kejaksaan Negeri {area}"),
}


def _seed_partner_offices(supervisor: User, areas: list[str]) -> None:
    """The branch's permit offices, labour offices and prosecutors, for each area it covers."""
    for area in areas:
        for kind, (name, title) in PARTNER_NAMES.items():
            if partners.office_for(supervisor.branch_id, kind, area) is None:
                partners.save_office(supervisor, None, kind=kind, area=area,
                                     name=name.format(area=area),
                                     head_title=title.format(area=area))


def _seed_companies(branch, spec: dict, supervisor: User, officers: list[User], wanted: int,
                    today: date, public_base_url: str) -> None:
    have = db.session.scalar(select(func.count(Company.id)).where(Company.branch_id == branch.id))
    if have >= wanted:
        return
    rng = random.Random(f"{spec['code']}-{have}")  # noqa: S311 - repeatable demo data
    fake = Faker("id_ID")
    fake.seed_instance(f"{spec['code']}-{have}")
    sizes, weights = zip(*SIZE_WEIGHTS, strict=True)
    calendar = WorkingCalendar.for_branch(branch.id)
    walks: list[Iterator[date]] = []
    for n in range(wanted - have):
        # the branch's first companies are worked to the legal referral, long enough ago for
        # the demo to show the legal track to its end
        showcase = have == 0 and n < SHOWCASE
        size = rng.choices(sizes, weights)[0]
        low, high = WORKERS_BY_SIZE[size]
        estimated = rng.randint(low, high)
        category = rng.choices(Category.ALL, [40, 25, 15, 10, 10])[0]
        if showcase:
            category = Category.PDS_TK
        registered = 0 if category == Category.PWBD else rng.randint(1, estimated)
        name = fake.company()
        company = Company(
            branch_id=branch.id, name=name, name_key=name_key(name),
            nib=str(rng.randrange(10**12, 10**13)),
            npwp=str(rng.randrange(10**14, 10**15)),
            npp=None if category == Category.PWBD else f"{rng.randrange(10**7, 10**8)}",
            director_name=fake.name(), address=fake.street_address(),
            kelurahan=fake.street_name().replace("Jl. ", "").replace("Gg. ", ""),
            kecamatan=rng.choice(spec["kecamatan"]), city=spec["company_city"],
            phone=fake.phone_number(), sector=rng.choice(SECTORS), business_size=size,
            risk_class=rng.randint(1, 5), workers_estimated=estimated,
            workers_registered=registered, average_wage=rng.randrange(2_100_000, 4_500_000, 50_000),
            programs="" if category == Category.PWBD else "JKK,JKM",
            source=rng.choice([Source.BPJS, Source.PEMKOT, Source.DISNAKER]),
            officer_id=rng.choice(officers).id,
        )
        db.session.add(company)
        db.session.flush()
        if rng.random() < 0.85 or showcase:
            categories = [category]
            if category != Category.ARREARS and rng.random() < 0.2:
                categories.append(Category.ARREARS)
            officer = next(o for o in officers if o.id == company.officer_id)
            opened = today - timedelta(days=330 if showcase else rng.randint(3, 400))
            case = cases.open_case(officer, company, categories, opened)
            walks.append(_walk(case, officer, supervisor, rng, today, calendar,
                               public_base_url, showcase=showcase))
    _in_date_order(walks)
    db.session.flush()


def _in_date_order(walks: list[Iterator[date]]) -> None:
    """Run the cases' walks together, always the one whose next day is earliest: each walk
    yields the day it acts next and acts when resumed."""
    queue = [(day, n, walk) for n, walk in enumerate(walks)
             if (day := next(walk, None)) is not None]
    heapq.heapify(queue)
    while queue:
        _day, n, walk = heapq.heappop(queue)
        if (day := next(walk, None)) is not None:
            heapq.heappush(queue, (day, n, walk))


#: how many of a new branch's first companies are worked to the legal referral
SHOWCASE = 2
#: how far demo cases get along the ladder, with weights
DEPTHS = [(1, 25), (2, 25), (3, 12), (4, 12), (5, 8), (6, 6), (7, 6), (8, 6)]
PATH = ["notification", "visit", "joint_visit", "warning_1", "warning_2", "fine", "tmp2t",
        "legal_referral"]
OUTCOMES = ["promised", "refused", "unreachable", "no_response", "partial", "disputed"]


def _working(calendar: WorkingCalendar, day: date) -> date:
    return day if calendar.is_working_day(day) else calendar.next_working_day(day)


def _walk(case: Case, officer: User, supervisor: User, rng: random.Random, today: date,
          calendar: WorkingCalendar, public_base_url: str, *,
          showcase: bool = False) -> Iterator[date]:
    """Take the case along the ladder through the services, as an officer would have: yields
    each day it acts on next (a working day) and acts when resumed. A showcase case goes the
    whole way, its inspection finding more workers than estimated."""
    depths, weights = zip(*DEPTHS, strict=True)
    target = rng.choices(depths, weights)[0]
    if showcase:
        target = len(PATH)
    day = case.opened_on
    for kind in PATH[:target]:
        day = _working(calendar, max(day + timedelta(days=rng.randint(1, 4)),
                                     case.next_due_on or day))
        if kind == policy.TMP2T and (due := fine_state(case, day).due_on) is not None:
            day = _working(calendar, max(day, due + timedelta(days=1)))  # the fine unpaid
        if day > today:
            return
        yield day
        if rng.random() < 0.3:
            cases.log_step(officer, case, kind="phone_call", occurred_on=day, today=day,
                           outcome=rng.choice(OUTCOMES))
        try:
            if kind == "warning_1":
                demo_inspections.inspect_before_warning(case, officer, supervisor, day, rng,
                                                        public_base_url,
                                                        more_workers=5 if showcase else None)
            if kind == "joint_visit":
                step = yield from demo_partners.joint_visit(case, officer, day, today,
                                                            public_base_url)
            else:
                step = cases.log_step(officer, case, kind=kind, occurred_on=day, today=day,
                                      outcome=rng.choice(OUTCOMES) if kind == "visit" else "")
        except ServiceError:
            return
        if step is None:
            return
        day = max(day, step.occurred_on)
        if step.approval_status == Approval.REQUESTED:
            day = calendar.next_working_day(day)
            if (rng.random() < 0.15 and not showcase) or day > today:
                return  # still waiting for the supervisor, its letter a draft
            yield day
            cases.decide_approval(supervisor, step, approve=True, note="",
                                  now=datetime.combine(day, time(10), UTC))
        if step.delivery_status == Delivery.UNSENT:
            cases.issue_letter(officer, step.letter, day, public_base_url)
        if step.delivery_status == Delivery.PENDING:
            arrived = day + timedelta(days=rng.randint(1, 3))
            if arrived > today:
                return
            yield arrived
            cases.record_delivery(officer, step, delivered=True, on=arrived, today=arrived,
                                  method="courier", reference=f"JNE{rng.randrange(10**9)}")
            day = arrived
    if target <= 2 and rng.random() < 0.25 and case.steps:
        day = _working(calendar, day + timedelta(days=rng.randint(1, 10)))
        if day > today:
            return
        yield day
        cases.close_case(officer, case, outcome="compliant", today=day,
                         npp=str(rng.randrange(10**7, 10**8)),
                         evidence="Sertifikat kepesertaan BPJS Ketenagakerjaan",
                         registered=case.company.workers_estimated)
