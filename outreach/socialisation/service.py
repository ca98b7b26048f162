"""Socialisation: the yearly coverage of a branch, its targets, events and their attendance,
materials, sign-in sheet and follow-up tasks, and the bulk assignment of companies not yet
reached.

`coverage(branch, year, today)` is the one computation of coverage: the page, the export, the
CLI (`flask coverage`) and the mayor's report read it. Nothing of it is stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from outreach.cases.models import Case, CaseStatus, Step
from outreach.cases.proofs import DEFAULT_MAX_BYTES, Upload, checked_upload
from outreach.companies.models import Company
from outreach.companies.service import digits_only, name_key, normalise_nib
from outreach.core.access import Permission, branch_condition, read_condition, require
from outreach.core.audit import record
from outreach.core.db import among
from outreach.core.errors import ServiceError
from outreach.core.formatting import long_date
from outreach.extensions import db
from outreach.imports.mapping import auto_mapping
from outreach.imports.reading import cell_text, read_sheet
from outreach.letters.render import page_pdf, qr_svg
from outreach.org.models import Branch, Role, User
from outreach.org.partners import canonical_area, offices
from outreach.socialisation import rules
from outreach.socialisation.models import (
    EventAttendance,
    EventMaterial,
    PartnerKind,
    PlaceKind,
    SocialisationEvent,
    SocialisationTarget,
)
from outreach.tasks.models import Reminder, ReminderKind

#: the rung a follow-up task proposes when the case has no next rung
FOLLOW_UP_RUNG = "visit"
#: the header words of an attendance list besides the company name and identifiers
PERSON_HEADERS = ("nama peserta", "peserta", "nama hadir", "perwakilan", "attendee")


# --- coverage ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Group:
    """Coverage of one kecamatan, sector or city: companies in scope, reached, percent."""

    name: str
    in_scope: int
    reached: int

    @property
    def percent(self) -> float:
        """Reached of in scope, percent."""
        return rules.percent(self.reached, self.in_scope)


@dataclass(frozen=True)
class Coverage:
    """A branch's socialisation coverage of a year, as of a day."""

    branch_id: int
    year: int
    #: "" for the whole branch, else the city or regency
    area: str
    as_of: date
    in_scope: int
    reached: int
    #: companies to reach: the target set for the year, else every company in scope
    target: int
    target_set: bool
    by_kecamatan: list[Group]
    by_sector: list[Group]
    by_area: list[Group]
    weeks: list[rules.Week]
    #: the day the target is (or was) reached, at the pace since 1 January
    target_on: date | None
    #: ids of the companies in scope not reached yet
    not_reached_ids: list[int] = field(default_factory=list, repr=False)

    @property
    def percent(self) -> float:
        """Reached of in scope, percent."""
        return rules.percent(self.reached, self.in_scope)

    def summary(self) -> dict:
        """The figures as plain data (the CLI's JSON)."""
        return {"branch_id": self.branch_id, "year": self.year, "area": self.area,
                "as_of": self.as_of.isoformat(), "in_scope": self.in_scope,
                "reached": self.reached, "percent": self.percent, "target": self.target,
                "target_on": self.target_on.isoformat() if self.target_on else None,
                "by_kecamatan": {g.name: {"in_scope": g.in_scope, "reached": g.reached,
                                          "percent": g.percent} for g in self.by_kecamatan},
                "by_sector": {g.name: {"in_scope": g.in_scope, "reached": g.reached,
                                       "percent": g.percent} for g in self.by_sector}}


def area_of(city: str) -> str:
    """A company's city or regency as the partner registry writes it (else as written)."""
    return canonical_area(city) or city.strip()


def _open_on(branch_id: int, day: date) -> set[int]:
    """The branch's companies with a case open on `day`."""
    return set(db.session.scalars(
        select(Case.company_id).join(Company, Company.id == Case.company_id)
        .where(Company.branch_id == branch_id, Case.opened_on <= day,
               or_(Case.closed_on.is_(None), Case.closed_on > day)).distinct()))


def first_reached(branch_id: int, year: int, today: date) -> dict[int, date]:
    """The day each company of the branch was first reached in the year (up to `today`): an
    event it attended, a letter delivered, a visit, a call answered."""
    start, end = date(year, 1, 1), min(date(year, 12, 31), today)
    days: dict[int, date] = {}

    def keep(company_id: int, day: date) -> None:
        if company_id not in days or day < days[company_id]:
            days[company_id] = day

    for company_id, day in db.session.execute(
            select(EventAttendance.company_id, func.min(SocialisationEvent.held_on))
            .join(SocialisationEvent, SocialisationEvent.id == EventAttendance.event_id)
            .join(Company, Company.id == EventAttendance.company_id)
            .where(Company.branch_id == branch_id, SocialisationEvent.held_on >= start,
                   SocialisationEvent.held_on <= end)
            .group_by(EventAttendance.company_id)):
        keep(company_id, day)
    for company_id, status, delivered_on, occurred_on in db.session.execute(
            select(Case.company_id, Step.delivery_status, Step.delivered_on, Step.occurred_on)
            .join(Case, Case.id == Step.case_id).join(Company, Company.id == Case.company_id)
            .where(Company.branch_id == branch_id, rules.reaching_step_sql(start, end))):
        keep(company_id, rules.reach_day(status, delivered_on, occurred_on))
    return days


def _groups(rows: list, key, reached: dict[int, date]) -> list[Group]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        counts = totals[key(row) or "–"]
        counts[0] += 1
        counts[1] += row.id in reached
    return [Group(name, n, r) for name, (n, r) in
            sorted(totals.items(), key=lambda item: (-item[1][0], item[0]))]


def target_for(branch_id: int, year: int, area: str = "") -> SocialisationTarget | None:
    """The target set for the branch, year and area, if any."""
    return db.session.scalars(select(SocialisationTarget).where(
        SocialisationTarget.branch_id == branch_id, SocialisationTarget.year == year,
        SocialisationTarget.area == area)).first()


def coverage(branch: Branch, year: int, today: date, area: str = "") -> Coverage:
    """The branch's socialisation coverage of `year` as of `today` (for one city or regency
    with `area`): companies in scope (`rules.in_scope`), reached at least once in the year,
    by kecamatan, sector and city, week by week, and the day the target is reached."""
    rows = db.session.execute(
        select(Company.id, Company.created_at, Company.kecamatan, Company.sector, Company.city,
               Company.workers_missing, Company.business_size, Company.programs,
               Company.open_case_status)
        .where(Company.branch_id == branch.id).order_by(Company.id)).all()
    open_then = _open_on(branch.id, date(year, 1, 1))
    scope = [row for row in rows
             if (not area or area_of(row.city) == area)
             and rules.in_scope(year, row.created_at.date(), row.id in open_then,
                                rules.compliant_now(row.workers_missing, row.business_size,
                                                    row.programs, row.open_case_status))]
    ids = {row.id for row in scope}
    reached = {cid: day for cid, day in first_reached(branch.id, year, today).items()
               if cid in ids}
    target_row = target_for(branch.id, year, area)
    target = target_row.companies if target_row is not None else len(scope)
    as_of = min(today, date(year, 12, 31))
    return Coverage(
        branch_id=branch.id, year=year, area=area, as_of=as_of, in_scope=len(scope),
        reached=len(reached), target=target, target_set=target_row is not None,
        by_kecamatan=_groups(scope, lambda r: r.kecamatan, reached),
        by_sector=_groups(scope, lambda r: r.sector, reached),
        by_area=_groups(scope, lambda r: area_of(r.city), reached),
        weeks=rules.weekly(list(reached.values()), year, as_of),
        target_on=rules.target_day(list(reached.values()), target, year, as_of),
        not_reached_ids=[row.id for row in scope if row.id not in reached])


def areas(branch_id: int) -> list[str]:
    """The cities and regencies the branch serves: those of its companies and its partner
    registry."""
    found = {area_of(city) for city in db.session.scalars(
        select(Company.city).where(Company.branch_id == branch_id).distinct()) if city}
    found |= {office.area for office in offices(branch_id)}
    return sorted(found)


def not_reached(coverage_: Coverage, kecamatan: str = "", sector: str = "") -> list[Company]:
    """The companies in scope not reached yet, by name (optionally of one kecamatan or
    sector)."""
    if not coverage_.not_reached_ids:
        return []
    companies = list(db.session.scalars(select(Company).where(
        Company.branch_id == coverage_.branch_id, among(Company.id, coverage_.not_reached_ids))
        .order_by(Company.name)))
    if kecamatan:
        companies = [c for c in companies if (c.kecamatan or "–") == kecamatan]
    if sector:
        companies = [c for c in companies if (c.sector or "–") == sector]
    return companies


def set_target(actor: User, branch_id: int, year: int, area: str,
               companies: int | None) -> SocialisationTarget | None:
    """Set (or, with no number, remove) the target of a branch, year and area."""
    require(actor, Permission.DECIDE, branch_id)
    if companies is not None and companies < 0:
        raise ServiceError(_("The target cannot be negative."), "companies")
    row = target_for(branch_id, year, area)
    if companies is None:
        if row is not None:
            record(actor, "socialisation_target.remove", "socialisation_target", row.id,
                   {"year": year, "area": area}, branch_id=branch_id)
            db.session.delete(row)
        return None
    before = row.companies if row is not None else None
    if row is None:
        row = SocialisationTarget(branch_id=branch_id, year=year, area=area)
        db.session.add(row)
    row.companies, row.set_by_id = companies, actor.id
    db.session.flush()
    record(actor, "socialisation_target.set", "socialisation_target", row.id,
           {"year": year, "area": area, "companies": [before, companies]}, branch_id=branch_id)
    return row


def assign_officer(actor: User, branch_id: int, company_ids: Iterable[int],
                   officer: User | None) -> int:
    """Give the chosen companies of the branch to an officer; returns how many changed."""
    require(actor, Permission.DECIDE, branch_id)
    if officer is None or officer.branch_id != branch_id or not officer.active \
            or officer.role not in Role.BRANCH_ROLES:
        raise ServiceError(_("Choose an officer of this branch."), "officer")
    ids = sorted(set(company_ids))
    if not ids:
        raise ServiceError(_("Choose at least one company."), "company_ids")
    changed = 0
    for company in db.session.scalars(select(Company).where(
            Company.id.in_(ids), Company.branch_id == branch_id)):
        if company.officer_id != officer.id:
            record(actor, "update", "company", company.id,
                   {"officer_id": [company.officer_id, officer.id]}, branch_id=branch_id)
            company.officer_id = officer.id
            changed += 1
    db.session.flush()
    return changed


# --- events --------------------------------------------------------------------------------

def events(user: User, year: int | None = None) -> list[SocialisationEvent]:
    """The events the user may read, latest first (of one year with `year`)."""
    stmt = select(SocialisationEvent).where(read_condition(SocialisationEvent, user))
    if year is not None:
        stmt = stmt.where(SocialisationEvent.held_on >= date(year, 1, 1),
                          SocialisationEvent.held_on <= date(year, 12, 31))
    return list(db.session.scalars(stmt.order_by(SocialisationEvent.held_on.desc(),
                                                 SocialisationEvent.id.desc())))


def _clean_event(values: dict) -> dict:
    place = (values.get("place") or "").strip()
    if not place:
        raise ServiceError(_("Enter where the event is held."), "place")
    if values.get("held_on") is None:
        raise ServiceError(_("Enter the day of the event."), "held_on")
    if values.get("place_kind") not in PlaceKind.ALL:
        raise ServiceError(_("Choose the kind of place."), "place_kind")
    partner_kind = values.get("partner_kind") or PartnerKind.NONE
    if partner_kind not in PartnerKind.ALL:
        raise ServiceError(_("Choose the partner."), "partner_kind")
    return {"held_on": values["held_on"], "place": place[:200],
            "place_kind": values["place_kind"],
            "kecamatan": (values.get("kecamatan") or "").strip()[:80],
            "partner_kind": partner_kind,
            "partner_name": (values.get("partner_name") or "").strip()[:200],
            "notes": (values.get("notes") or "").strip()}


def create_event(actor: User, branch_id: int, values: dict) -> SocialisationEvent:
    """Plan or record a socialisation event of the actor's branch."""
    require(actor, Permission.WORK, branch_id)
    clean = _clean_event(values)
    event = SocialisationEvent(branch_id=branch_id, created_by_id=actor.id, **clean)
    db.session.add(event)
    db.session.flush()
    record(actor, "create", "socialisation_event", event.id, clean, branch_id=branch_id)
    return event


def attendee_choices(event: SocialisationEvent) -> list[tuple[int, str]]:
    """The companies of the event's branch that have not been recorded as attending it."""
    present = {row.company_id for row in event.attendance}
    return [(cid, f"{name} ({kecamatan})" if kecamatan else name)
            for cid, name, kecamatan in db.session.execute(
                select(Company.id, Company.name, Company.kecamatan)
                .where(Company.branch_id == event.branch_id).order_by(Company.name))
            if cid not in present]


@dataclass
class FollowUps:
    """The follow-up tasks an event made."""

    made: int = 0
    #: attendees still not compliant that have no open case to hang a task on
    without_case: list[str] = field(default_factory=list)


def add_attendance(actor: User, event: SocialisationEvent, company_ids: Iterable[int],
                   today: date, person: str = "") -> tuple[int, FollowUps]:
    """Record companies of the event's branch as attending; after the event, those still not
    compliant get a follow-up task. Returns how many were added and the follow-ups."""
    require(actor, Permission.WORK, event.branch_id)
    present = {row.company_id for row in event.attendance}
    ids = [cid for cid in dict.fromkeys(company_ids) if cid not in present]
    companies = {c.id: c for c in db.session.scalars(select(Company).where(
        Company.id.in_(ids), Company.branch_id == event.branch_id))} if ids else {}
    if ids and len(companies) != len(ids):
        raise ServiceError(_("Choose companies of this branch."), "company_ids")
    added = [EventAttendance(event=event, company_id=cid, person=person.strip()[:120],
                             added_by_id=actor.id) for cid in ids]
    db.session.add_all(added)
    db.session.flush()
    if added:
        record(actor, "socialisation_event.attendance", "socialisation_event", event.id,
               {"added": ids}, branch_id=event.branch_id)
    follow = FollowUps()
    if event.held_on <= today:
        follow = _follow_up(event, [companies[cid] for cid in ids], today)
    return len(added), follow


def _follow_up(event: SocialisationEvent, companies: list[Company], today: date) -> FollowUps:
    """A task for each company's officer to follow up, on the company's open case, every
    attendee still not compliant: the event does not replace the ladder. The task is due the
    day it is made, so that it is on the officer's list at once."""
    result = FollowUps()
    for company in companies:
        if rules.compliant_now(company.workers_missing, company.business_size,
                               company.programs, company.open_case_status):
            continue
        case = db.session.scalars(select(Case).where(
            Case.company_id == company.id, Case.status != CaseStatus.CLOSED)
            .order_by(Case.opened_on.desc())).first()
        if case is None:
            result.without_case.append(company.name)
            continue
        key = f"socialisation:{event.id}:{case.id}"
        if db.session.scalar(select(Reminder.id).where(Reminder.dedupe_key == key)):
            continue
        db.session.add(Reminder(
            branch_id=event.branch_id, case_id=case.id, officer_id=company.officer_id,
            rung_code=case.next_rung or FOLLOW_UP_RUNG, kind=ReminderKind.FOLLOW_UP,
            dedupe_key=key, due_on=today,
            message=_("Attended the socialisation event of %(date)s at %(place)s: follow up.",
                      date=long_date(event.held_on), place=event.place)))
        result.made += 1
    db.session.flush()
    return result


def follow_up(actor: User, event: SocialisationEvent, today: date) -> FollowUps:
    """After the event, a follow-up task for each attendee still not compliant (those that
    already have one are left as they are)."""
    require(actor, Permission.WORK, event.branch_id)
    if event.held_on > today:
        raise ServiceError(_("The event has not taken place yet."))
    result = _follow_up(event, [row.company for row in event.attendance], today)
    record(actor, "socialisation_event.follow_up", "socialisation_event", event.id,
           {"tasks": result.made}, branch_id=event.branch_id)
    return result


@dataclass
class AttendanceImport:
    """What an attendance list added, and the rows that named no company of the branch."""

    added: int = 0
    already: int = 0
    #: (row number, what the row said)
    unmatched: list[tuple[int, str]] = field(default_factory=list)
    follow_ups: FollowUps = field(default_factory=FollowUps)


def _is_attendance_header(headers: list[str]) -> bool:
    found = auto_mapping(headers, "pemkot")
    return "name" in found or "npp" in found or "nib" in found


def import_attendance(actor: User, event: SocialisationEvent, data: bytes, today: date,
                      max_bytes: int) -> AttendanceImport:
    """Read an attendance list (CSV or XLSX, through the import reader): each row names a
    company of the branch by NPP, NIB or name. Matched companies are recorded as attending;
    if any row matches nothing, nothing is recorded and the rows are reported."""
    require(actor, Permission.WORK, event.branch_id)
    sheet = read_sheet(data, max_bytes, _is_attendance_header)
    fields = auto_mapping(sheet.headers, "pemkot")
    lowered = [h.strip().lower() for h in sheet.headers]
    person_at = next((i for i, h in enumerate(lowered) if h in PERSON_HEADERS), None)
    branch_companies = list(db.session.execute(
        select(Company.id, Company.npp, Company.nib, Company.name_key)
        .where(Company.branch_id == event.branch_id)))
    by_npp = {digits_only(r.npp): r.id for r in branch_companies if r.npp}
    by_nib = {r.nib: r.id for r in branch_companies if r.nib}
    by_name = {r.name_key: r.id for r in branch_companies if r.name_key}
    present = {row.company_id for row in event.attendance}
    result, wanted, persons = AttendanceImport(), [], {}
    for number, cells in sheet.rows:
        values = {f: cell_text(cells[i]) if i < len(cells) else ""
                  for i, f in enumerate(fields) if f}
        found = (by_npp.get(digits_only(values.get("npp")))
                 or by_nib.get(normalise_nib(values.get("nib")) or "")
                 or by_name.get(name_key(values.get("name") or "")))
        if found is None:
            result.unmatched.append((number, values.get("name") or values.get("npp")
                                     or values.get("nib") or ""))
        elif found in present or found in wanted:
            result.already += 1
        else:
            wanted.append(found)
            if person_at is not None and person_at < len(cells):
                persons[found] = cell_text(cells[person_at])
    if result.unmatched:
        return result
    result.added, result.follow_ups = add_attendance(actor, event, wanted, today)
    for row in event.attendance:
        if row.company_id in persons:
            row.person = persons[row.company_id][:120]
    return result


def add_material(actor: User, event: SocialisationEvent, upload: Upload,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> EventMaterial:
    """Attach a file shown or handed out at the event (a PDF, or a photo stored without its
    metadata)."""
    require(actor, Permission.WORK, event.branch_id)
    accepted = checked_upload(upload, max_bytes, field="material")
    material = EventMaterial(branch_id=event.branch_id, event=event, filename=accepted.name,
                             content_type=accepted.content_type, size=len(accepted.data),
                             sha256=accepted.sha256, data=accepted.data, uploaded_by_id=actor.id)
    db.session.add(material)
    db.session.flush()
    record(actor, "socialisation_event.material", "socialisation_event", event.id,
           {"filename": accepted.name, "size": len(accepted.data)}, branch_id=event.branch_id)
    return material


def visible_material(user: User, material_id: int) -> EventMaterial | None:
    """A material the user may read, or None."""
    return db.session.scalars(select(EventMaterial).where(
        EventMaterial.id == material_id, branch_condition(user, EventMaterial.branch_id))).first()


#: empty lines printed on the sign-in sheet for companies that come without being expected
BLANK_LINES = 12


def sign_in_sheet(event: SocialisationEvent, branch: Branch, event_url: str,
                  now: datetime) -> bytes:
    """The event's sign-in sheet as PDF, in Indonesian: the expected companies, blank lines,
    and a QR code to the event's page."""
    with force_locale("id"):
        return page_pdf("socialisation/sheet.html", branch={"name": branch.name},
                        event={"held_on": event.held_on, "place": event.place,
                               "kecamatan": event.kecamatan, "partner_name": event.partner_name,
                               "place_kind": event.place_kind},
                        rows=[{"name": row.company.name, "npp": row.company.npp or "",
                               "kecamatan": row.company.kecamatan}
                              for row in event.attendance],
                        blank=BLANK_LINES, qr=qr_svg(event_url), url=event_url, printed_at=now)
