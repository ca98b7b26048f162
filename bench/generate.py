"""A large, plausible data set, written fast: COPY on PostgreSQL, executemany batches on SQLite.

Two branches of one region (the regional data set: 35, evenly filled) with a supervisor and
four officers each, and regional staff; companies split 60/40 between two branches; about
85% of the companies with one open (or paused) case, some with an older closed case; steps
spread unevenly over the cases (most open cases get 5 to 20, a few get many more), walking up
the default ladder with phone calls in between, with plausible dates, response windows,
delivery and approval states. The copied columns of each case and company are computed by
`policy.case_copies` and `policy.company_copies`, as the case service's `project` writes them.
"""

from __future__ import annotations

import random
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from sqlalchemy import insert, text
from werkzeug.security import generate_password_hash

from outreach.calendar.rules import WorkingCalendar
from outreach.cases.models import Approval, Case, CaseCategory, CaseStatus, Category, Delivery, Step
from outreach.companies.models import Company
from outreach.companies.service import name_key
from outreach.extensions import db
from outreach.ladder import rules as policy
from outreach.org.models import Branch, Region, Role, User
from outreach.reports import summary

PASSWORD = "bench-password-1"  # noqa: S105 - throw-away benchmark accounts
EMAIL_DOMAIN = "bench.outreach.test"
#: companies written per transaction
BATCH = 2_000

BRANCHES = [
    ("KC-PKL", "Pekalongan", ["Pekalongan Barat", "Pekalongan Timur", "Pekalongan Utara",
                              "Pekalongan Selatan", "Buaran", "Tirto", "Wiradesa", "Kedungwuni"]),
    ("KC-TGL", "Tegal", ["Tegal Barat", "Tegal Timur", "Tegal Selatan", "Margadana",
                         "Adiwerna", "Slawi", "Talang", "Dukuhturi"]),
]
#: the regional data set's further branches: the rest of Central Java's regencies and cities
MORE_BRANCHES = [
    "Semarang", "Kendal", "Demak", "Kudus", "Jepara", "Pati", "Rembang", "Blora", "Grobogan",
    "Salatiga", "Boyolali", "Klaten", "Sukoharjo", "Surakarta", "Karanganyar", "Sragen",
    "Wonogiri", "Magelang", "Temanggung", "Wonosobo", "Purworejo", "Kebumen", "Banjarnegara",
    "Purbalingga", "Banyumas", "Cilacap", "Brebes", "Pemalang", "Batang", "Yogyakarta",
    "Sleman", "Bantul", "Kulon Progo", "Gunungkidul", "Wates"]
DISTRICT_SUFFIXES = ["Barat", "Timur", "Utara", "Selatan", "Tengah", "Kota", "Kidul", "Lor"]
#: share of the companies in the first (bigger) branch when there are two
BIG_BRANCH_SHARE = 0.6
OFFICERS_PER_BRANCH = 4

PREFIXES = ["PT", "PT", "PT", "PT", "CV", "CV", "CV", "UD", "PD", "Koperasi"]
WORDS = ["Sinar", "Cahaya", "Maju", "Jaya", "Karya", "Mitra", "Sumber", "Anugerah", "Berkah",
         "Mulia", "Abadi", "Sentosa", "Makmur", "Sejahtera", "Utama", "Bintang", "Mega", "Putra",
         "Dharma", "Surya", "Tunas", "Harapan", "Indah", "Lestari", "Mandiri", "Nusantara",
         "Persada", "Prima", "Rejeki", "Sakti", "Samudra", "Setia", "Sukses", "Tirta", "Wijaya",
         "Agung", "Bumi", "Citra", "Garuda", "Kencana", "Langgeng", "Lancar", "Murni", "Pelita",
         "Rahayu", "Santoso", "Gemilang", "Perdana", "Sejati", "Gunung"]
TRADES = ["Batik", "Tekstil", "Konveksi", "Niaga", "Logistik", "Bahari", "Pangan", "Sandang",
          "Teknik", "Elektrik", "Motor", "Furnitur", "Plastik", "Grafika", "Farma", "Tani",
          "Perikanan", "Transport", "Bangunan", "Properti", "Kuliner", "Garmen", "Mebel",
          "Keramik", "Kertas", "Baja", "Kayu", "Rotan", "Distribusi", "Abadi"]
FIRST_NAMES = ["Agus", "Budi", "Dewi", "Eko", "Fitri", "Hadi", "Indah", "Joko", "Kartika",
               "Lestari", "Muhammad", "Nur", "Putri", "Rina", "Sri", "Teguh", "Wahyu", "Yanti"]
LAST_NAMES = ["Santoso", "Wibowo", "Setiawan", "Pratama", "Hidayat", "Kurniawan", "Susanto",
              "Rahayu", "Lestari", "Saputra", "Nugroho", "Wijayanti", "Handayani", "Firmansyah"]
STREETS = ["Jl. Merdeka", "Jl. Sudirman", "Jl. Diponegoro", "Jl. Gajah Mada", "Jl. Hayam Wuruk",
           "Jl. Ahmad Yani", "Jl. Pemuda", "Jl. Veteran", "Jl. Kartini", "Gg. Mawar"]
KELURAHAN = ["Kauman", "Podosugih", "Medono", "Noyontaan", "Panjang Wetan", "Kraton",
             "Kejambon", "Mintaragen", "Randugunting", "Pesurungan"]
SECTORS = ["Batik", "Perikanan", "Pertanian", "Konveksi", "Perdagangan", "Rumah makan",
           "Konstruksi", "Transportasi", "Industri pengolahan", "Jasa"]
SIZES = [("micro", 35, 2, 9), ("small", 40, 10, 49), ("medium", 18, 50, 199),
         ("large", 7, 200, 900)]
CATEGORY_WEIGHTS = [40, 25, 15, 10, 10]
SOURCES = ["bpjs", "pemkot", "disnaker", "manual"]
OUTCOMES = ["promised", "refused", "unreachable", "no_response", "partial", "disputed"]
NOTES = ["", "", "", "", "Bertemu HRD, berjanji mendaftarkan bulan depan.",
         "Pemilik tidak di tempat.", "Kantor tutup saat kunjungan.",
         "Minta waktu untuk melengkapi data pekerja."]

#: how far cases get along the ladder (rungs after the phone calls), with weights
PATH = ["notification", "visit", "summons", "warning_1", "warning_2", "fine", "tmp2t",
        "legal_referral"]
DEPTHS = [1, 2, 3, 4, 5, 6, 7, 8]
DEPTH_WEIGHTS = [22, 25, 13, 12, 9, 7, 6, 6]
#: share of the companies with a case that is not closed, and of those cases paused
OPEN_SHARE = 0.85
PAUSED_SHARE = 0.03


@dataclass
class Dataset:
    """What was generated, and what the measurement needs to know about it."""

    companies: int = 0
    cases: int = 0
    open_cases: int = 0
    steps: int = 0
    users: int = 0
    branches: int = 0
    #: companies of the bigger branch
    big_branch_companies: int = 0
    login_email: str = ""
    #: the supervisor of the bigger branch (the dashboard's reader)
    supervisor_email: str = ""
    #: regional staff of the region (the regional scope's reader)
    regional_email: str = ""
    password: str = PASSWORD
    #: (company id, steps of its open case) for open cases of the bigger branch
    open_case_steps: list[tuple[int, int]] = field(default_factory=list)
    load_seconds: float = 0.0
    #: of which the dashboard's summary rows, built after the COPY (`summary.rebuild`)
    summary_seconds: float = 0.0


class FastCalendar(WorkingCalendar):
    """The national working-day calendar with `add_working_days` as a list lookup."""

    def __init__(self, first: date, last: date) -> None:
        super().__init__()
        self.first, self.last = first.toordinal(), last.toordinal()
        self.working = [o for o in range(self.first, self.last + 1)
                        if self.is_working_day(date.fromordinal(o))]

    def add_working_days(self, start: date, days: int) -> date:
        ordinal = start.toordinal()
        index = bisect_right(self.working, ordinal) + days - 1
        if days <= 0 or not self.first <= ordinal or index >= len(self.working):
            return super().add_working_days(start, days)
        return date.fromordinal(self.working[index])


class _StepView:
    """The fields of a step `policy.progress` reads."""

    __slots__ = ("kind", "approval_status", "delivery_status", "due_on", "occurred_on",
                 "delivered_on", "id")

    def __init__(self, row: dict) -> None:
        self.kind = row["kind"]
        self.approval_status = row["approval_status"]
        self.delivery_status = row["delivery_status"]
        self.due_on = row["due_on"]
        self.occurred_on = row["occurred_on"]
        self.delivered_on = row.get("delivered_on")
        self.id = row["id"]


class _CaseView:
    """The fields of a case `policy.case_copies` reads."""

    __slots__ = ("opened_on", "steps", "branch_id", "status")

    def __init__(self, opened_on: date, steps: list[dict], branch_id: int) -> None:
        self.opened_on, self.branch_id = opened_on, branch_id
        self.steps = [_StepView(row) for row in steps]
        self.status = CaseStatus.OPEN


class _CaseCopies:
    """The fields of a case row `policy.company_copies` reads."""

    __slots__ = ("status", "next_due_on", "reached")

    def __init__(self, row: dict) -> None:
        self.status, self.next_due_on, self.reached = (
            row["status"], row["next_due_on"], row["reached"])


@dataclass
class _CasePlan:
    case_id: int
    company_id: int
    is_open: bool
    steps: int = 0


class Generator:
    """Builds the rows; `run` writes them."""

    def __init__(self, companies: int, steps: int, today: date, seed: int = 1,
                 open_share: float = OPEN_SHARE, paused_share: float = PAUSED_SHARE,
                 branches: int = 2) -> None:
        self.n_companies, self.n_steps, self.today = companies, steps, today
        self.branches = branch_list(branches)
        self.open_share, self.paused_share = open_share, paused_share
        self.rng = random.Random(seed)  # noqa: S311 - repeatable benchmark data
        self.now = datetime.now(UTC)
        self.calendar = FastCalendar(today - timedelta(days=2000), today + timedelta(days=400))
        self.rungs = {r.code: r for r in policy.ladder_for(None)}
        self.rung_list = list(self.rungs.values())
        self.next_step_id = 1
        self.dataset = Dataset()

    # -- organisation -----------------------------------------------------------------------

    def organisation(self) -> None:
        """One region, its branches, a supervisor and officers in each, one regional user."""
        password_hash = generate_password_hash(PASSWORD, method="scrypt")
        stamps = {"created_at": self.now, "updated_at": self.now}
        db.session.execute(insert(Region.__table__),
                           [{"id": 1, "code": "JATENG-DIY", "name": "Jawa Tengah & DIY"}])
        branches, users = [], []
        self.officers: dict[int, list[int]] = {}
        self.supervisor: dict[int, int] = {}
        user_id = 0
        for branch_id, (code, name, _kecamatan) in enumerate(self.branches, start=1):
            branches.append({
                "id": branch_id, "code": code, "name": name, "region_id": 1,
                "address": f"Jl. Merdeka No. {branch_id}, {name}", "city": name,
                "phone": "(0285) 421234", "email": f"{code.lower()}@{EMAIL_DOMAIN}",
                "head_name": "Kepala Cabang", "head_title": "Kepala Kantor Cabang",
                "letter_unit_code": code,
                "letter_number_format": "{seq:03d}/{class}/{unit}/{month_roman}/{year}",
                "timezone": "Asia/Jakarta", "active": True, **stamps})
            slug = code.split("-")[-1].lower()
            roles = [(Role.SUPERVISOR, "supervisor")] + [
                (Role.OFFICER, f"officer{n}") for n in range(1, OFFICERS_PER_BRANCH + 1)]
            for role, local in roles:
                user_id += 1
                users.append({
                    "id": user_id, "email": f"{local}.{slug}@{EMAIL_DOMAIN}",
                    "name": f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}",
                    "role": role, "branch_id": branch_id, "region_id": None, "active": True,
                    "password_hash": password_hash, "locale": "id", **stamps})
                if role == Role.SUPERVISOR:
                    self.supervisor[branch_id] = user_id
                else:
                    self.officers.setdefault(branch_id, []).append(user_id)
        users.append({
            "id": user_id + 1, "email": f"regional@{EMAIL_DOMAIN}", "name": "Staf Wilayah",
            "role": Role.REGIONAL, "branch_id": None, "region_id": 1, "active": True,
            "password_hash": password_hash, "locale": "id", **stamps})
        db.session.execute(insert(Branch.__table__), branches)
        db.session.execute(insert(User.__table__), users)
        self.dataset.branches, self.dataset.users = len(branches), len(users)
        self.dataset.regional_email = users[-1]["email"]
        self.dataset.login_email = users[1]["email"]  # the first officer of the bigger branch
        self.dataset.supervisor_email = users[0]["email"]

    # -- plan -------------------------------------------------------------------------------

    def plan(self) -> None:
        """Which branch each company is in, which cases it has, how many steps each case has."""
        rng = self.rng
        n_branches = len(self.branches)
        if n_branches == 2:
            self.company_branch = [1 if rng.random() < BIG_BRANCH_SHARE else 2
                                   for _ in range(self.n_companies)]
        else:  # spread evenly
            self.company_branch = [rng.randint(1, n_branches) for _ in range(self.n_companies)]
        self.cases_of: list[list[_CasePlan]] = []
        all_cases: list[_CasePlan] = []
        case_id = 0
        for company_index in range(self.n_companies):
            has_open = rng.random() < self.open_share
            has_closed = rng.random() < (0.05 if has_open else 0.4)
            plans = []
            for is_open, wanted in ((False, has_closed), (True, has_open)):
                if wanted:
                    case_id += 1
                    plans.append(_CasePlan(case_id, company_index + 1, is_open))
            self.cases_of.append(plans)
            all_cases += plans
        if not all_cases:
            self.n_steps = 0
            return
        # Uneven: most cases get around the mean, some many more; closed cases fewer.
        weights = [rng.gammavariate(2.0, 1.0) * (1.0 if c.is_open else 0.4) for c in all_cases]
        scale = self.n_steps / sum(weights)
        for plan, weight in zip(all_cases, weights, strict=True):
            plan.steps = int(weight * scale)
        short = self.n_steps - sum(c.steps for c in all_cases)
        for index in rng.choices(range(len(all_cases)), k=short):
            all_cases[index].steps += 1

    # -- rows -------------------------------------------------------------------------------

    def company_row(self, company_id: int, branch_id: int, category: str) -> dict:
        rng = self.rng
        _code, city, kecamatans = self.branches[branch_id - 1]
        size, _weight, low, high = rng.choices(SIZES, [s[1] for s in SIZES])[0]
        estimated = rng.randint(low, high)
        unregistered = category == Category.PWBD
        first = rng.choice(WORDS)
        name = (f"{rng.choice(PREFIXES)} {first} {rng.choice([w for w in WORDS if w != first])}"
                f" {rng.choice(TRADES)}")
        return {
            "id": company_id, "branch_id": branch_id, "name": name, "name_key": name_key(name),
            "nib": str(rng.randrange(10**12, 10**13)),
            "npwp": str(rng.randrange(10**14, 10**15)),
            "npp": None if unregistered else str(rng.randrange(10**7, 10**8)),
            "director_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            "address": f"{rng.choice(STREETS)} No. {rng.randint(1, 250)}",
            "kelurahan": rng.choice(KELURAHAN), "kecamatan": rng.choice(kecamatans),
            "city": city, "postal_code": f"51{rng.randint(100, 199)}",
            "phone": f"08{rng.randrange(10**9, 10**10)}", "email": "",
            "sector": rng.choice(SECTORS), "business_size": size,
            "risk_class": rng.randint(1, 5), "workers_estimated": estimated,
            "workers_registered": 0 if unregistered else rng.randint(1, estimated),
            "average_wage": rng.randrange(2_100_000, 4_500_000, 50_000),
            "programs": "" if unregistered else rng.choice(["JKK,JKM", "JKK,JKM,JHT"]),
            "source": rng.choice(SOURCES), "officer_id": rng.choice(self.officers[branch_id]),
            "notes": "", "created_at": self.now, "updated_at": self.now,
            "open_case_status": "", "open_case_due_on": None, "reached": "",
        }

    def kinds(self, n: int, closed: bool) -> list[str]:
        """The rungs of a case's steps in order: up the ladder, phone calls in between."""
        rng = self.rng
        depth = min(rng.choices(DEPTHS, DEPTH_WEIGHTS)[0], 2 if closed else 8, n)
        kinds = PATH[:depth]
        if depth >= 3 and rng.random() < 0.4:
            kinds[2] = "joint_visit"
        extra = n - depth
        for code in ("notification", "visit"):  # each may be taken twice
            if extra and code in kinds and rng.random() < 0.35:
                kinds.insert(kinds.index(code) + 1, code)
                extra -= 1
        for _ in range(extra):
            kinds.insert(rng.randint(0, len(kinds)), "phone_call")
        return kinds

    def step_rows(self, plan: _CasePlan, branch_id: int, company_officer: int,
                  opened_on: date, end: date) -> list[dict]:
        rng, calendar = self.rng, self.calendar
        n = plan.steps
        kinds = self.kinds(n, closed=not plan.is_open)
        offsets = sorted(rng.randint(0, (end - opened_on).days) for _ in range(n))
        others = self.officers[branch_id]
        rows = []
        for position, (kind, offset) in enumerate(zip(kinds, offsets, strict=True)):
            day = opened_on + timedelta(days=offset)
            if day.weekday() >= 5:
                day = max(opened_on, day - timedelta(days=day.weekday() - 4))
            rung = self.rungs[kind]
            last = position == n - 1
            due = calendar.add_working_days(day, rung.window_days) if rung.window_days else None
            delivery, delivered_on, method, reference, recipient = "", None, "", "", ""
            if rung.is_letter:
                if plan.is_open and ((end - day).days <= 4 or (last and rng.random() < 0.3)):
                    delivery = Delivery.PENDING
                elif rng.random() < 0.04:
                    delivery, delivered_on = Delivery.RETURNED, min(day + timedelta(days=3), end)
                    reference = f"R{rng.randrange(10**8)}"
                else:
                    delivery = Delivery.DELIVERED
                    delivered_on = min(day + timedelta(days=rng.randint(1, 4)), end)
                    method = rng.choice(["receipt", "courier", "courier", "hand"])
                    if method == "hand":
                        recipient = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                    else:
                        reference = f"JNE{rng.randrange(10**9, 10**10)}"
                    if rung.window_days:
                        due = calendar.add_working_days(delivered_on, rung.window_days)
            approval, approval_by, approval_at, approval_note = "", None, None, ""
            if rung.needs_approval:
                if plan.is_open and last and rng.random() < 0.5:
                    approval = Approval.REQUESTED
                else:
                    approval, approval_by = Approval.APPROVED, self.supervisor[branch_id]
                    approval_at = datetime.combine(min(day + timedelta(days=2), end),
                                                   clock_time(10), UTC)
            stamp = datetime.combine(day, clock_time(9), UTC)
            rows.append({
                "id": self.next_step_id, "case_id": plan.case_id, "kind": kind,
                "occurred_on": day,
                "officer_id": company_officer if rng.random() < 0.9 else rng.choice(others),
                "outcome": rng.choice(OUTCOMES) if kind in ("phone_call", "visit") else "",
                "notes": rng.choice(NOTES) if kind == "visit" else "",
                "due_on": due, "delivery_status": delivery, "delivered_on": delivered_on,
                "delivery_method": method, "delivery_reference": reference,
                "delivery_recipient": recipient, "approval_status": approval,
                "approval_by_id": approval_by, "approval_at": approval_at,
                "approval_note": approval_note, "letter_id": None,
                "created_at": stamp, "updated_at": stamp,
            })
            self.next_step_id += 1
        return rows

    def case_rows(self, plan: _CasePlan, branch_id: int, company_officer: int,
                  category: str) -> tuple[dict, list[dict], list[dict]]:
        rng, today = self.rng, self.today
        if plan.is_open:  # a week or two per step, the last one recent or a while ago
            days = plan.steps * rng.randint(5, 15) + rng.randint(3, 60)
            opened_on = today - timedelta(days=min(days, 1100))
            end = today
        else:
            opened_on = today - timedelta(days=rng.randint(400, 1800))
            end = opened_on + timedelta(days=rng.randint(30, 300))
        steps = self.step_rows(plan, branch_id, company_officer, opened_on, end)
        view = _CaseView(opened_on, steps, branch_id)
        status = CaseStatus.OPEN
        closed_on, outcome, pause_reason, paused_on, npp, evidence = None, "", "", None, "", ""
        if not plan.is_open:
            status, closed_on = CaseStatus.CLOSED, end
            outcome = rng.choices(["compliant", "company_closed", "withdrawn"], [80, 12, 8])[0]
            if outcome == "compliant":
                npp = str(rng.randrange(10**7, 10**8))
                evidence = "Sertifikat kepesertaan BPJS Ketenagakerjaan"
        elif rng.random() < self.paused_share:
            status, pause_reason = CaseStatus.PAUSED, rng.choice(["dispute", "court"])
            paused_on = steps[-1]["occurred_on"] if steps else opened_on
        view.status = status
        copies = policy.case_copies(view, self.calendar, self.rung_list)  # as `project` writes
        categories = [category]
        if category != Category.ARREARS and rng.random() < 0.2:
            categories.append(Category.ARREARS)
        stamp = datetime.combine(end, clock_time(9), UTC)
        case = {
            "id": plan.case_id, "branch_id": branch_id, "company_id": plan.company_id,
            "status": status, "stage": copies.stage, "opened_on": opened_on,
            "closed_on": closed_on, "outcome": outcome, "pause_reason": pause_reason,
            "paused_on": paused_on, "next_rung": copies.next_rung,
            "next_due_on": copies.next_due_on, "closing_npp": npp, "reached": copies.reached,
            "category_list": ",".join(categories),
            "closing_evidence": evidence, "opened_by_id": company_officer,
            "version": 1 + len(steps), "created_at": stamp, "updated_at": stamp,
        }
        return case, [{"case_id": plan.case_id, "category": c} for c in categories], steps

    # -- writing ----------------------------------------------------------------------------

    def run(self) -> Dataset:
        """Write everything, in transactions of BATCH companies."""
        started = time.perf_counter()
        self.organisation()
        self.plan()
        dataset, rng = self.dataset, self.rng
        tables = [Company.__table__, Case.__table__, CaseCategory.__table__, Step.__table__]
        for start in range(0, self.n_companies, BATCH):
            rows: dict = {table: [] for table in tables}
            for company_index in range(start, min(start + BATCH, self.n_companies)):
                company_id, branch_id = company_index + 1, self.company_branch[company_index]
                category = rng.choices(Category.ALL, CATEGORY_WEIGHTS)[0]
                company = self.company_row(company_id, branch_id, category)
                rows[Company.__table__].append(company)
                held = []
                for plan in self.cases_of[company_index]:
                    case, categories, steps = self.case_rows(plan, branch_id,
                                                             company["officer_id"], category)
                    rows[Case.__table__].append(case)
                    held.append(_CaseCopies(case))
                    rows[CaseCategory.__table__] += categories
                    rows[Step.__table__] += steps
                    dataset.cases += 1
                    dataset.steps += len(steps)
                    if plan.is_open:
                        dataset.open_cases += 1
                        if branch_id == 1 and case["status"] == CaseStatus.OPEN:
                            dataset.open_case_steps.append((company_id, len(steps)))
                # the company's copies of its cases, as `outreach.cases.service.project` writes
                copies = policy.company_copies(held)
                company["open_case_status"] = copies.open_case_status
                company["open_case_due_on"] = copies.open_case_due_on
                company["reached"] = copies.reached
                dataset.big_branch_companies += branch_id == 1
            for table in tables:
                write_rows(table, rows[table])
            db.session.commit()
        dataset.companies = self.n_companies
        # the COPY bypasses the session's flushes that keep the dashboard's summary: write it
        summary_started = time.perf_counter()
        summary.rebuild(None, self.today)
        db.session.commit()
        dataset.summary_seconds = time.perf_counter() - summary_started
        finish_load()
        dataset.load_seconds = time.perf_counter() - started
        return dataset


def branch_list(n: int) -> list[tuple[str, str, list[str]]]:
    """(code, name, kecamatan) of `n` branches: the two of the branch data set first."""
    if not 1 <= n <= len(BRANCHES) + len(MORE_BRANCHES):
        raise ValueError(f"from 1 to {len(BRANCHES) + len(MORE_BRANCHES)} branches, not {n}")
    more = [(f"KC-{name.replace(' ', '')[:6].upper()}", name,
             [f"{name} {suffix}" for suffix in DISTRICT_SUFFIXES]) for name in MORE_BRANCHES]
    return (BRANCHES + more)[:n]


def write_rows(table, rows: list[dict]) -> None:
    """Insert the rows (dicts with the same keys) in the session's transaction: COPY on
    PostgreSQL (the columns left out get their scalar defaults), executemany batches
    elsewhere."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        for chunk in range(0, len(rows), 10_000):
            db.session.execute(insert(table), rows[chunk:chunk + 10_000])
        return
    given = list(rows[0])
    defaults = {c.name: c.default.arg for c in table.columns
                if c.name not in given and c.default is not None and c.default.is_scalar}
    columns = given + list(defaults)
    extra = tuple(defaults.values())
    names = ", ".join(f'"{name}"' for name in columns)
    raw = connection.connection.driver_connection
    with raw.cursor() as cursor, \
            cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row((*row.values(), *extra))


def finish_load() -> None:
    """Move PostgreSQL's id sequences past the explicit ids; gather planner statistics; write
    the load out (a checkpoint), so that the timings do not pay for the bulk load's writes."""
    engine = db.engine
    db.session.remove()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if engine.dialect.name == "postgresql":
            for table in ("regions", "branches", "users", "companies", "cases", "steps"):
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"))
            conn.execute(text("VACUUM ANALYZE"))
            conn.execute(text("CHECKPOINT"))
        else:
            conn.execute(text("ANALYZE"))
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def generate(companies: int, steps: int, today: date, seed: int = 1,
             open_share: float = OPEN_SHARE, paused_share: float = PAUSED_SHARE,
             branches: int = 2) -> Dataset:
    """Fill the (migrated, empty) database of the current app; needs an app context.

    `open_share` of the companies get a case that is not closed, `paused_share` of those
    cases are paused (the sweep's data set has every company with an open case); with more
    than two `branches` the companies are spread evenly over them.
    """
    return Generator(companies, steps, today, seed, open_share, paused_share, branches).run()
