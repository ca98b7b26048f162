"""Demo data of the programme, modelled on Pekalongan's of 2022: the city pays for 1,000
vulnerable informal workers (batik workers, fishermen, farmers) and two companies' CSR funds
for more; a few hundred are enrolled. Made through the services, idempotent."""

from __future__ import annotations

import random
from datetime import date

from faker import Faker
from sqlalchemy import select

from outreach.companies.models import Company
from outreach.extensions import db
from outreach.imports.reading import Sheet
from outreach.org import service as org
from outreach.org.models import User
from outreach.programme import rules
from outreach.programme import service as programme
from outreach.programme.models import SponsorKind

#: the kecamatan of Kota Pekalongan and their codes (digits 5-6 of a NIK)
KECAMATAN = {"01": "Pekalongan Barat", "02": "Pekalongan Timur", "03": "Pekalongan Selatan",
             "04": "Pekalongan Utara"}
OCCUPATIONS = [("Pembatik", 45), ("Nelayan", 30), ("Petani", 25)]
HEADERS = ["NIK", "Nama", "Tanggal Lahir", "Pekerjaan", "Kelurahan", "Kecamatan", "No HP"]


def _workers(fake: Faker, rng: random.Random, count: int, start: int) -> list[list]:
    rows = []
    for serial in range(start, start + count):
        code = rng.choice(list(KECAMATAN))
        woman = rng.random() < 0.5
        born = date(rng.randint(1965, 2002), rng.randint(1, 12), rng.randint(1, 28))
        nik = (f"3375{code}{born.day + (40 if woman else 0):02d}{born.month:02d}"
               f"{born.year % 100:02d}{serial:04d}")
        occupation = rng.choices([o for o, _w in OCCUPATIONS],
                                 [w for _o, w in OCCUPATIONS])[0]
        rows.append([nik, fake.name_female() if woman else fake.name_male(),
                     born.strftime("%d/%m/%Y"), occupation, fake.city_name(),
                     KECAMATAN[code], fake.phone_number()])
    return rows


def _enrol(sponsor, rows: list[list], day: date) -> None:
    sheet = Sheet(kind="csv", header_row=1, headers=HEADERS,
                  rows=[(n, cells) for n, cells in enumerate(rows, start=2)])
    programme.enrol(None, sponsor, programme.plan_enrolment(sponsor, sheet, day),
                    valid_rows_only=True)


def seed_programme(branch_code: str, supervisor: User, today: date) -> None:
    """The city's sponsor (quota 1,000) with a few hundred workers, and two CSR pledges."""
    branch = org.find_branch(branch_code)
    if branch is None or programme.find_sponsor(f"PEMKOT-PKL-{today.year}") is not None:
        return
    fake = Faker("id_ID")
    fake.seed_instance(f"programme-{branch_code}")
    rng = random.Random(f"programme-{branch_code}")  # noqa: S311 - demo data
    year_start, year_end = date(today.year, 1, 1), date(today.year, 12, 31)
    rate = rules.rate_in_force(year_start)
    monthly = rules.monthly_contribution(rate, rate.lowest_income, False)
    city = programme.create_sponsor(
        supervisor, branch, code=f"PEMKOT-PKL-{today.year}", name="Pemerintah Kota Pekalongan",
        kind=SponsorKind.CITY, quota=1000, starts_on=year_start, ends_on=year_end,
        budget=1000 * 12 * monthly, budget_line="APBD Kota Pekalongan · Dinas Tenaga Kerja",
        regency_code="3375")
    _enrol(city, _workers(fake, rng, 320, 1), year_start)
    companies = list(db_companies(branch.id))
    for n, (company, workers, months) in enumerate(zip(companies, (50, 25), (12, 6),
                                                       strict=False), start=1):
        pledge = programme.create_sponsor(
            supervisor, branch, code=f"CSR-{n}-{today.year}", name=f"CSR {company.name}",
            kind=SponsorKind.CSR, company=company, quota=workers, months=months,
            starts_on=year_start, ends_on=year_end, budget=workers * months * monthly,
            regency_code="3375")
        _enrol(pledge, _workers(fake, rng, workers - 5 * n, 1000 * n), year_start)


def db_companies(branch_id: int):
    """The branch's two largest companies: the demo's CSR sponsors."""
    return db.session.scalars(select(Company).where(Company.branch_id == branch_id)
                              .order_by(Company.workers_estimated.desc(), Company.id).limit(2))
