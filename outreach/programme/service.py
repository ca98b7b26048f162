"""Sponsors and the workers they pay for: creating a sponsor, enrolling a list (a dry run, then
all or nothing), the registration file's rows, the KPJ numbers that come back, the budget by
month, renewals for the morning sweep and the mayor's report.

Every read of a worker's data (a list, an export) writes an audit event (UU 27/2022).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from outreach.companies.models import Company
from outreach.core.access import Permission, branch_condition, require, scoped
from outreach.core.audit import record
from outreach.core.errors import ServiceError
from outreach.core.formatting import number, rupiah
from outreach.extensions import db
from outreach.imports.cleaning import BadValue, parse_date
from outreach.imports.mapping import header_key
from outreach.imports.reading import Sheet, cell_text, is_blank, read_sheet
from outreach.imports.service import safe_filename
from outreach.org.models import Branch, User
from outreach.programme import rules
from outreach.programme.models import (
    Beneficiary,
    BeneficiaryImport,
    Renewal,
    Sponsor,
    SponsorKind,
)
from outreach.socialisation import service as socialisation

# --- sponsors --------------------------------------------------------------------------------


def _require(actor: User | None, permission: str, branch_id: int) -> None:
    """The command line (no actor) acts for the operator; a user needs the permission."""
    if actor is not None:
        require(actor, permission, branch_id)


def create_sponsor(actor: User | None, branch: Branch, *, code: str, name: str, kind: str,
                   quota: int | None, starts_on: date | None, ends_on: date | None,
                   budget: int | None = None, budget_line: str = "",
                   company: Company | None = None, months: int | None = None,
                   pays_jht: bool = False, declared_income: int | None = None,
                   regency_code: str = "") -> Sponsor:
    """A new sponsor of the branch (supervisors decide what the branch takes on)."""
    _require(actor, Permission.DECIDE, branch.id)
    code = (code or "").strip().upper()
    if not code:
        raise ServiceError(_("Give the sponsor a code."), "code")
    if db.session.scalar(select(Sponsor.id).where(Sponsor.code == code)) is not None:
        raise ServiceError(_("A sponsor with the code %(code)s exists already.", code=code),
                           "code")
    if not (name or "").strip():
        raise ServiceError(_("Give the sponsor's name."), "name")
    if kind not in SponsorKind.ALL:
        raise ServiceError(_("Choose the kind of sponsor."), "kind")
    if not quota or quota < 1:
        raise ServiceError(_("The quota is the number of workers paid for: at least 1."),
                           "quota")
    if starts_on is None or ends_on is None or ends_on < starts_on:
        raise ServiceError(_("The period ends before it starts."), "ends_on")
    if budget is not None and budget < 0:
        raise ServiceError(_("The budget cannot be negative."), "budget")
    if kind == SponsorKind.CSR and company is None:
        raise ServiceError(_("A CSR pledge belongs to a company: choose it."), "company_id")
    if company is not None and company.branch_id != branch.id:
        raise ServiceError(_("The company is not one of this branch's."), "company_id")
    period = rules.months_between(starts_on, ends_on)
    months = months or period
    if months < 1 or months > period:
        raise ServiceError(_("The months of coverage must fit in the period (%(n)s months).",
                             n=period), "months")
    if regency_code and regency_code not in rules.REGENCIES:
        raise ServiceError(_("Unknown regency or city code."), "regency_code")
    sponsor = Sponsor(branch_id=branch.id, code=code, name=name.strip(), kind=kind,
                      company_id=company.id if company else None, budget_line=budget_line,
                      budget=budget, quota=quota, months=months, starts_on=starts_on,
                      ends_on=ends_on, pays_jht=pays_jht,
                      declared_income=declared_income or rules.rate_in_force(
                          starts_on).lowest_income, regency_code=regency_code)
    db.session.add(sponsor)
    db.session.flush()
    record(actor, "create", "sponsor", sponsor.id,
           {"code": code, "name": sponsor.name, "kind": kind, "quota": quota,
            "budget": budget, "starts_on": starts_on, "ends_on": ends_on, "months": months},
           branch_id=branch.id)
    return sponsor


def find_sponsor(code: str) -> Sponsor | None:
    """The sponsor with this code (for the command line)."""
    return db.session.scalars(select(Sponsor).where(Sponsor.code == code.strip().upper())).first()


def sponsors(user: User) -> list[Sponsor]:
    """The sponsors the user may read, newest period first."""
    return list(db.session.scalars(scoped(Sponsor, user).order_by(Sponsor.starts_on.desc(),
                                                                  Sponsor.name)))


def enrolled_count(sponsor_id: int) -> int:
    """How many workers a sponsor pays for."""
    return db.session.scalar(select(func.count(Beneficiary.id))
                             .where(Beneficiary.sponsor_id == sponsor_id)) or 0


def committed(sponsor_id: int) -> int:
    """The contributions a sponsor has taken on: every worker's months, Rupiah."""
    return sum(contribution * rules.months_between(first, last)
               for first, last, contribution in db.session.execute(
                   select(Beneficiary.covered_from, Beneficiary.covered_to,
                          Beneficiary.monthly_contribution)
                   .where(Beneficiary.sponsor_id == sponsor_id)))


def pledges_of(company: Company) -> list[dict[str, Any]]:
    """The CSR pledges a company made (its page shows them): workers, months, amount."""
    rows = db.session.scalars(select(Sponsor).where(Sponsor.company_id == company.id)
                              .order_by(Sponsor.starts_on))
    return [{"sponsor": s, "enrolled": enrolled_count(s.id)} for s in rows]


# --- reading a list of workers -----------------------------------------------------------------

#: the fields of a list of workers and the column headers each is recognised by (normalised)
HEADERS: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "no nik", "nomor nik", "nomor induk kependudukan", "no ktp", "nomor ktp",
            "ktp", "id number"),
    "name": ("nama", "nama lengkap", "nama peserta", "nama pekerja", "nama sesuai ktp", "name",
             "full name"),
    "birth_date": ("tanggal lahir", "tgl lahir", "tgl lahir dd mm yyyy", "lahir",
                   "birth date", "date of birth"),
    "occupation": ("pekerjaan", "jenis pekerjaan", "profesi", "sektor", "occupation"),
    "kelurahan": ("kelurahan", "desa", "kelurahan desa", "desa kelurahan", "kel", "village"),
    "kecamatan": ("kecamatan", "kec", "district", "subdistrict"),
    "phone": ("telepon", "no telepon", "no hp", "nomor hp", "hp", "telp", "no telp", "phone"),
    "kpj": ("kpj", "no kpj", "nomor kpj", "nomor peserta", "no peserta", "membership number"),
}
TEXT_LIMITS = {"name": 200, "occupation": 80, "kelurahan": 80, "kecamatan": 80, "phone": 40}


def worker_mapping(headers: list[str]) -> list[str]:
    """The field each column holds, recognised from its header ("" for columns left out)."""
    mapping, taken = [], set()
    for header in headers:
        key = header_key(header)
        chosen = next((f for f, synonyms in HEADERS.items() if key in synonyms), "")
        if chosen in taken:
            chosen = ""
        taken.add(chosen)
        mapping.append(chosen)
    return mapping


def is_worker_header(headers: list[str]) -> bool:
    """Whether a row is the header of a list of workers: one of its cells names the NIK."""
    return "nik" in worker_mapping(headers)


def read_workers(data: bytes, max_bytes: int) -> Sheet:
    """A list of workers read with the company lists' reader."""
    return read_sheet(data, max_bytes, is_worker_header, no_header=_(
        "No column holds the NIK. The first row should have headers such as \"NIK\", "
        "\"Nama\", \"Tanggal Lahir\", \"Pekerjaan\", \"Kecamatan\"."))


# --- planning and enrolling --------------------------------------------------------------------

ENROLLED = "enrolled"
REJECTED = "rejected"
DUPLICATE = "duplicate"
OVER_QUOTA = "over_quota"
COUNT_KEYS = (ENROLLED, REJECTED, DUPLICATE, OVER_QUOTA)


@dataclass
class WorkerRow:
    """One row of a list: what it holds and what becomes of it."""

    row: int
    action: str = ENROLLED
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def refuse(self, action: str, field_name: str, message: str) -> None:
        self.action = action
        self.errors.append({"field": field_name, "message": message})


@dataclass
class Plan:
    """What enrolling a list would do, written nowhere yet."""

    sponsor_id: int
    covered_from: date
    covered_to: date
    contribution: int
    programs: str
    rows: list[WorkerRow] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found = Counter(r.action for r in self.rows)
        return {key: found.get(key, 0) for key in COUNT_KEYS}

    def errors(self) -> list[dict[str, Any]]:
        return [{"row": r.row, **e} for r in self.rows for e in r.errors]

    def refused(self) -> int:
        return sum(1 for r in self.rows if r.action != ENROLLED)


def _clean(cells: list[Any], mapping: list[str], result: WorkerRow) -> str:
    """Fill the row's values from its cells; the NIK as written."""
    nik = ""
    for column, name in enumerate(mapping):
        if not name or column >= len(cells) or is_blank(cells[column]):
            continue
        raw = cells[column]
        if name == "nik":
            nik = cell_text(raw).replace(" ", "").replace(".", "").replace("'", "")
        elif name == "birth_date":
            try:
                result.values["birth_date"] = parse_date(raw)
            except BadValue as error:
                result.refuse(REJECTED, "birth_date", error.message)
        elif name in TEXT_LIMITS:
            result.values[name] = cell_text(raw)[:TEXT_LIMITS[name]]
    return nik


def plan_enrolment(sponsor: Sponsor, sheet: Sheet, today: date) -> Plan:
    """Check every row of a list against the NIK rules, the workers already funded (by any
    sponsor, for any overlapping month), the sponsor's quota and its budget."""
    first, last = rules.coverage(sponsor.starts_on, sponsor.ends_on, sponsor.months, today)
    rate = rules.rate_in_force(first)
    contribution = rules.monthly_contribution(rate, sponsor.declared_income, sponsor.pays_jht)
    plan = Plan(sponsor.id, first, last, contribution,
                ",".join(rules.programs_paid(sponsor.pays_jht)))
    if today > sponsor.ends_on:
        raise ServiceError(_("The sponsor's period ended on %(day)s.",
                             day=sponsor.ends_on.isoformat()), "file")
    mapping = worker_mapping(sheet.headers)
    months = rules.months_between(first, last)
    cost = contribution * months
    candidates = []
    for row_number, cells in sheet.rows:
        result = WorkerRow(row_number)
        nik = _clean(cells, mapping, result)
        check = rules.check_nik(nik, today, result.values.get("birth_date"),
                                sponsor.regency_code)
        result.values["nik"] = check.nik
        for problem, field_name in zip(check.problems, check.fields, strict=True):
            result.refuse(REJECTED, field_name, problem)
        if not result.values.get("name"):
            result.refuse(REJECTED, "name", _("The name is empty."))
        if check.ok:
            result.values["birth_date"] = check.birth_date
            result.values["sex"] = check.sex
        result.warnings = check.warnings
        plan.rows.append(result)
        candidates.append(result)
    niks = [r.values["nik"] for r in candidates if r.action == ENROLLED]
    funded = {}
    if niks:
        for nik, code in db.session.execute(
                select(Beneficiary.nik, Sponsor.code).join(Sponsor)
                .where(Beneficiary.nik.in_(niks), Beneficiary.covered_from <= last,
                       Beneficiary.covered_to >= first)):
            funded.setdefault(nik, code)
    seen: dict[str, int] = {}
    enrolled = enrolled_count(sponsor.id)
    spent = committed(sponsor.id)
    for result in candidates:
        if result.action != ENROLLED:
            continue
        nik = result.values["nik"]
        if nik in funded:
            result.refuse(DUPLICATE, "nik", _(
                "This person is already funded for these months (sponsor %(code)s): one "
                "person is never funded twice.", code=funded[nik]))
        elif nik in seen:
            result.refuse(DUPLICATE, "nik", _("The same NIK is in row %(row)s of this list.",
                                              row=seen[nik]))
        elif enrolled >= sponsor.quota:
            result.refuse(OVER_QUOTA, "nik", _(
                "The sponsor's quota of %(quota)s workers is reached.",
                quota=number(sponsor.quota)))
        elif sponsor.budget is not None and spent + cost > sponsor.budget:
            result.refuse(OVER_QUOTA, "nik", _(
                "The sponsor's budget of %(budget)s would be exceeded (%(left)s left, "
                "%(cost)s needed).", budget=rupiah(sponsor.budget),
                left=rupiah(sponsor.budget - spent), cost=rupiah(cost)))
        else:
            seen[nik] = result.row
            enrolled += 1
            spent += cost
    return plan


def _report(plan: Plan, masked: bool) -> dict[str, Any]:
    """The plan as the preview page and the import record keep it (JSON)."""
    rows = []
    for r in plan.rows:
        nik = r.values.get("nik", "")
        rows.append({"row": r.row, "action": r.action, "name": r.values.get("name", ""),
                     "nik": rules.mask_nik(nik) if masked else nik,
                     "errors": r.errors, "warnings": r.warnings})
    return {"counts": plan.counts(), "rows": rows,
            "covered_from": plan.covered_from.isoformat(),
            "covered_to": plan.covered_to.isoformat(), "contribution": plan.contribution}


def enrol(actor: User | None, sponsor: Sponsor, plan: Plan, *, import_id: int | None = None,
          valid_rows_only: bool = False) -> dict[str, int]:
    """Write the plan in one go: nothing when a row is refused, unless `valid_rows_only`."""
    _require(actor, Permission.WORK, sponsor.branch_id)
    counts = plan.counts()
    if plan.refused() and not valid_rows_only:
        return {**counts, ENROLLED: 0}
    made = [Beneficiary(
        branch_id=sponsor.branch_id, sponsor_id=sponsor.id, import_id=import_id,
        nik=r.values["nik"], name=r.values["name"], birth_date=r.values["birth_date"],
        sex=r.values["sex"], occupation=r.values.get("occupation", ""),
        kelurahan=r.values.get("kelurahan", ""), kecamatan=r.values.get("kecamatan", ""),
        phone=r.values.get("phone", ""), covered_from=plan.covered_from,
        covered_to=plan.covered_to, programs=plan.programs,
        monthly_contribution=plan.contribution, outside_regency=bool(r.warnings))
        for r in plan.rows if r.action == ENROLLED]
    db.session.add_all(made)
    db.session.flush()
    record(actor, "beneficiaries.enrolled", "sponsor", sponsor.id,
           {"enrolled": len(made), "import": import_id, **{k: counts[k] for k in COUNT_KEYS
                                                          if k != ENROLLED}},
           branch_id=sponsor.branch_id)
    return counts


def upload_list(actor: User, sponsor: Sponsor, *, filename: str, data: bytes, max_bytes: int,
                today: date) -> BeneficiaryImport:
    """Keep an uploaded list with its dry run (the preview); nothing is enrolled yet."""
    _require(actor, Permission.WORK, sponsor.branch_id)
    sheet = read_workers(data, max_bytes)
    plan = plan_enrolment(sponsor, sheet, today)
    upload = BeneficiaryImport(
        branch_id=sponsor.branch_id, sponsor_id=sponsor.id, created_by_id=actor.id,
        filename=safe_filename(filename), data=data, sha256=hashlib.sha256(data).hexdigest(),
        report=_report(plan, not rules.sees_personal_data(actor.role)))
    db.session.add(upload)
    db.session.flush()
    record(actor, "beneficiaries.upload", "beneficiary_import", upload.id,
           {"file": upload.filename, "sha256": upload.sha256, **plan.counts()},
           branch_id=sponsor.branch_id)
    return upload


def keep_applied_list(sponsor: Sponsor, *, filename: str, data: bytes, plan: Plan) -> int:
    """Keep a list enrolled from the command line with its file and outcome; its id."""
    upload = BeneficiaryImport(
        branch_id=sponsor.branch_id, sponsor_id=sponsor.id, filename=safe_filename(filename),
        data=data, sha256=hashlib.sha256(data).hexdigest(), status="applied",
        report=_report(plan, masked=False))
    db.session.add(upload)
    db.session.flush()
    record(None, "beneficiaries.upload", "beneficiary_import", upload.id,
           {"file": upload.filename, "sha256": upload.sha256, "via": "cli", **plan.counts()},
           branch_id=sponsor.branch_id)
    return upload.id


def confirm_list(actor: User, upload: BeneficiaryImport, today: date, *,
                 max_bytes: int, valid_rows_only: bool = False) -> dict[str, int]:
    """Enrol a previewed list, planned again on today's data (someone may have enrolled the
    same people meanwhile)."""
    if upload.status != "previewed":
        raise ServiceError(_("This list was already imported or discarded."))
    sponsor = upload.sponsor
    plan = plan_enrolment(sponsor, read_workers(upload.data, max_bytes), today)
    if plan.refused() and not valid_rows_only:
        upload.report = _report(plan, not rules.sees_personal_data(actor.role))
        raise ServiceError(_("%(n)s rows are refused: nothing was imported. Correct them and "
                             "upload the list again, or import only the valid rows.",
                             n=plan.refused()))
    counts = enrol(actor, sponsor, plan, import_id=upload.id, valid_rows_only=valid_rows_only)
    upload.status = "applied"
    return counts


# --- reading workers' data (audited) -----------------------------------------------------------

def list_viewed(actor: User, upload: BeneficiaryImport) -> None:
    """Record that `actor` looked at the rows of an uploaded list (names and NIK)."""
    record(actor, "view.beneficiary_list", "beneficiary_import", upload.id,
           {"rows": len(upload.report.get("rows", [])),
            "unmasked": rules.sees_personal_data(actor.role)}, branch_id=upload.branch_id)


def _visible(model, user: User):
    return select(model).where(branch_condition(user, model.branch_id))


def worker_rows(actor: User, sponsor: Sponsor, limit: int = 200) -> list[dict[str, Any]]:
    """The sponsor's workers as the list shows them to `actor` (NIK and birth date masked for
    roles that do not need them); the view is recorded in the audit log."""
    full = rules.sees_personal_data(actor.role)
    stmt = (_visible(Beneficiary, actor).where(Beneficiary.sponsor_id == sponsor.id)
            .order_by(Beneficiary.name, Beneficiary.id).limit(limit))
    rows = [_shown(b, full) for b in db.session.scalars(stmt)]
    record(actor, "view.beneficiaries", "sponsor", sponsor.id,
           {"rows": len(rows), "unmasked": full}, branch_id=sponsor.branch_id)
    return rows


def _shown(b: Beneficiary, full: bool) -> dict[str, Any]:
    return {"id": b.id, "name": b.name, "nik": b.nik if full else rules.mask_nik(b.nik),
            "birth_date": b.birth_date.strftime("%d-%m-%Y") if full
            else rules.mask_birth_date(b.birth_date),
            "sex": b.sex, "occupation": b.occupation, "kelurahan": b.kelurahan,
            "kecamatan": b.kecamatan, "phone": b.phone, "covered_from": b.covered_from,
            "covered_to": b.covered_to, "programs": b.programs.replace(",", ", "),
            "monthly_contribution": b.monthly_contribution, "kpj": b.kpj or "",
            "outside_regency": b.outside_regency}


#: the columns of the registration file (docs/bpu-registration.md)
REGISTRATION_COLUMNS = (
    ("No", "int"), ("NIK", "text"), ("Nama Lengkap", "text"), ("Tanggal Lahir", "date"),
    ("Jenis Kelamin", "text"), ("Pekerjaan", "text"), ("Kelurahan", "text"),
    ("Kecamatan", "text"), ("Kota/Kabupaten", "text"), ("No HP", "text"),
    ("Program", "text"), ("Penghasilan Dilaporkan", "int"), ("Iuran per Bulan", "int"),
    ("Bulan Mulai", "date"), ("Bulan Akhir", "date"), ("Jumlah Bulan", "int"),
    ("Kode Sponsor", "text"), ("KPJ", "text"))


def registration_rows(actor: User, sponsor: Sponsor, fmt: str) -> list[list[Any]]:
    """The registration file's rows for the agency's collective registration; masked for
    roles that do not need the data; the export is recorded in the audit log."""
    full = rules.sees_personal_data(actor.role)
    stmt = (_visible(Beneficiary, actor).where(Beneficiary.sponsor_id == sponsor.id)
            .order_by(Beneficiary.id))
    rows = []
    for n, b in enumerate(db.session.scalars(stmt), start=1):
        rows.append([n, b.nik if full else rules.mask_nik(b.nik), b.name,
                     b.birth_date if full else None, "P" if b.sex == "F" else "L",
                     b.occupation, b.kelurahan, b.kecamatan,
                     rules.REGENCIES.get(b.nik[:4], ""), b.phone, b.programs,
                     sponsor.declared_income, b.monthly_contribution, b.covered_from,
                     b.covered_to, rules.months_between(b.covered_from, b.covered_to),
                     sponsor.code, b.kpj or ""])
    record(actor, "export.registration", "sponsor", sponsor.id,
           {"rows": len(rows), "format": fmt, "unmasked": full}, branch_id=sponsor.branch_id)
    return rows


def record_kpj(actor: User | None, sponsor: Sponsor, data: bytes,
               max_bytes: int) -> dict[str, int]:
    """Record the membership numbers (KPJ) the agency sends back, matched by NIK."""
    _require(actor, Permission.WORK, sponsor.branch_id)
    sheet = read_workers(data, max_bytes)
    mapping = worker_mapping(sheet.headers)
    if "kpj" not in mapping:
        raise ServiceError(_("No column holds the KPJ number."), "file")
    nik_at, kpj_at = mapping.index("nik"), mapping.index("kpj")
    by_nik = {b.nik: b for b in db.session.scalars(
        select(Beneficiary).where(Beneficiary.sponsor_id == sponsor.id))}
    counts = {"recorded": 0, "unchanged": 0, "unknown": 0}
    for _row, cells in sheet.rows:
        nik = cell_text(cells[nik_at] if nik_at < len(cells) else "").replace(" ", "")
        kpj = cell_text(cells[kpj_at] if kpj_at < len(cells) else "").replace(" ", "")[:20]
        beneficiary = by_nik.get(nik)
        if beneficiary is None or not kpj:
            counts["unknown"] += 1
        elif beneficiary.kpj == kpj:
            counts["unchanged"] += 1
        else:
            beneficiary.kpj = kpj
            counts["recorded"] += 1
    record(actor, "beneficiaries.kpj", "sponsor", sponsor.id, counts,
           branch_id=sponsor.branch_id)
    return counts


# --- money and renewals --------------------------------------------------------------------

def budget_by_month(sponsor: Sponsor, today: date) -> list[dict[str, Any]]:
    """Each month of the period: contributions committed, paid (months begun of workers the
    agency registered: their contributions go with the collective bill) and what is left."""
    rows = db.session.execute(select(Beneficiary.covered_from, Beneficiary.covered_to,
                                     Beneficiary.monthly_contribution, Beneficiary.kpj)
                              .where(Beneficiary.sponsor_id == sponsor.id)).all()
    month, last = rules.month_start(sponsor.starts_on), rules.month_start(sponsor.ends_on)
    total = sum(c * rules.months_between(f, t) for f, t, c, _k in rows)
    out, running = [], 0
    while month <= last:
        due = [(c, k) for f, t, c, k in rows if f <= month <= t]
        spent = sum(c for c, _k in due)
        running += spent
        out.append({"month": month, "workers": len(due), "committed": spent,
                    "paid": sum(c for c, k in due if k) if month <= today else 0,
                    "left": None if sponsor.budget is None else sponsor.budget - running})
        month = rules.add_months(month, 1)
    return out if total or out else []


def make_renewals(day: date) -> int:
    """The morning sweep's step: a task for each sponsor whose workers' coverage ends next
    month (once per sponsor and month)."""
    ends = rules.add_months(rules.month_start(day), 1)
    made = 0
    for sponsor_id, branch_id, workers in db.session.execute(
            select(Beneficiary.sponsor_id, Beneficiary.branch_id, func.count())
            .where(Beneficiary.covered_to == ends)
            .group_by(Beneficiary.sponsor_id, Beneficiary.branch_id)):
        key = f"{sponsor_id}:{ends.isoformat()}"
        if db.session.scalar(select(Renewal.id).where(Renewal.dedupe_key == key)):
            continue
        db.session.add(Renewal(branch_id=branch_id, sponsor_id=sponsor_id, ends_month=ends,
                               workers=workers, dedupe_key=key))
        made += 1
    db.session.flush()
    return made


def open_renewals(user: User) -> list[Renewal]:
    """The renewals the user's branches have to arrange."""
    return list(db.session.scalars(scoped(Renewal, user).where(Renewal.status == "open")
                                   .order_by(Renewal.ends_month)))


def close_renewal(actor: User, renewal: Renewal) -> None:
    """Mark a renewal arranged."""
    require(actor, Permission.WORK, renewal.branch_id)
    renewal.status = "done"
    record(actor, "renewal.done", "renewal", renewal.id, {}, branch_id=renewal.branch_id)


# --- the mayor's report --------------------------------------------------------------------

def programme_report(user: User, year: int, today: date) -> dict[str, Any]:
    """Workers protected against the target, by sector (occupation) and kecamatan, the budget
    used, the sponsors and their pledges, and each branch's socialisation coverage
    (`socialisation.service.coverage`), for the branches the user reads and a year."""
    first, last = date(year, 1, 1), date(year, 12, 1)
    active = list(db.session.scalars(
        scoped(Sponsor, user).where(Sponsor.starts_on <= date(year, 12, 31),
                                    Sponsor.ends_on >= first).order_by(Sponsor.kind,
                                                                       Sponsor.name)))
    ids = [s.id for s in active]
    in_year = (Beneficiary.sponsor_id.in_(ids), Beneficiary.covered_from <= last,
               Beneficiary.covered_to >= first)

    def grouped(column) -> list[tuple[str, int]]:
        return [(name or "–", count) for name, count in db.session.execute(
            select(column, func.count(func.distinct(Beneficiary.nik))).where(*in_year)
            .group_by(column).order_by(func.count(func.distinct(Beneficiary.nik)).desc(),
                                       column))]

    protected = db.session.scalar(select(func.count(func.distinct(Beneficiary.nik)))
                                  .where(*in_year)) or 0
    registered = db.session.scalar(select(func.count(func.distinct(Beneficiary.nik)))
                                   .where(*in_year, Beneficiary.kpj.is_not(None))) or 0
    target = sum(s.quota for s in active)
    pledges = []
    for s in active:
        pledges.append({"code": s.code, "name": s.name, "kind": s.kind, "quota": s.quota,
                        "months": s.months, "budget": s.budget,
                        "company": s.company.name if s.company else "",
                        "enrolled": enrolled_count(s.id), "committed": committed(s.id),
                        "starts_on": s.starts_on, "ends_on": s.ends_on})
    budget = sum(p["budget"] or 0 for p in pledges)
    used = sum(p["committed"] for p in pledges)
    readable = db.session.scalars(select(Branch).where(branch_condition(user, Branch.id))
                                  .order_by(Branch.name)).all()
    return {"year": year, "today": today, "target": target, "protected": protected,
            "registered": registered,
            "coverage": [(branch.name, socialisation.coverage(branch, year, today))
                         for branch in readable],
            "percent": round(100 * protected / target, 1) if target else 0.0,
            "by_occupation": grouped(Beneficiary.occupation),
            "by_kecamatan": grouped(Beneficiary.kecamatan),
            "budget": budget, "used": used, "pledges": pledges}


