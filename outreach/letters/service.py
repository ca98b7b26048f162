"""Letters: templates and their versions, drafts, approval, issuing, verification, batches.

A letter is a draft until it is issued. Issuing takes the branch's next number, renders the
PDF once and stores it with its SHA-256 in the same transaction; every later download serves
those bytes. A failed render rolls back the number with everything else.
"""

from __future__ import annotations

import difflib
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import wraps
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select, update

from outreach.calendar.rules import WorkingCalendar
from outreach.cases.models import Approval, Case, CaseStatus, Delivery, Step
from outreach.companies.models import Company
from outreach.companies.rules import assess
from outreach.core import clock
from outreach.core.access import Permission, require, scoped
from outreach.core.audit import record
from outreach.core.errors import ServiceError
from outreach.core.formatting import ZONE_WORDS, format_npwp, long_date, rupiah
from outreach.core.labels import label
from outreach.extensions import db
from outreach.inspections.models import Inspection
from outreach.joint_visits import rules as joint
from outreach.joint_visits.models import JointVisit
from outreach.ladder import rules as policy
from outreach.legal import rules as legal
from outreach.letters import numbering
from outreach.letters.batch import merge, render_many
from outreach.letters.defaults import DEFAULT_TEMPLATES
from outreach.letters.models import Letter, LetterStatus, LetterTemplate
from outreach.letters.render import html_to_pdf, letter_pdf, qr_svg, render_page
from outreach.letters.sandbox import (
    TemplateProblem,
    enumerate_id,
    render_body,
    terbilang,
    unknown_variables,
)
from outreach.money import service as money
from outreach.org.models import Branch, PartnerKind, PartnerOffice, User
from outreach.org.partners import canonical_area, office_for

#: the one template that is a form to fill in on site rather than a letter
FORM_TEMPLATE = "visit_report"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#: the variables a template body may use, for the editor's help panel
DOCUMENTED_VARIABLES = {
    "company": "name, director, address, kelurahan, kecamatan, city, area (Kota/Kabupaten …), "
               "nib, npwp, npp, sector, size (usaha mikro/kecil/menengah/besar), "
               "workers_estimated, workers_registered, workers_missing",
    "branch": "name, code, address, city, phone, email, head_name, head_title, time_zone",
    "letter": "number, date, nature, subject, response_days, deadline (the last day of the "
              "response window counted in working days from the letter's date; empty when the "
              "step has no window), verify_code, verify_url",
    "case": "categories (list), categories_text (the duties not met, after \"kewajiban\"), "
            "duty_articles (of UU 24/2011), opened_on",
    "previous_letters": "list of {kind, kind_label, number, date, delivered_on}, in date order",
    "compliance": "mandatory (list), mandatory_text, missing_programs (list), monthly_owed, "
                  "monthly_fine",
    "officer": "name, phone (the company's officer: the contact person)",
    "meeting": "day, date, time, place, contact (a summons' meeting)",
    "assignment": "inspectors (list of names), planned_on (an inspection's assignment letter)",
    "invitation": "partner {name, area, head_title, head_name, address}, partner_kind, "
                  "proposed_day, proposed_on (a joint visit's invitation to a partner office)",
    "partners": "dpmptsp, disnaker, kejari: {name, area, head_title, head_name, address}",
    "filters": "terbilang (14 → \"14 (empat belas)\"), daftar (a list → \"A, B, dan C\")",
}


def in_indonesian(function: Callable[..., Any]) -> Callable[..., Any]:
    """Letters are official documents in Indonesian, whatever language the person issuing or
    printing them reads the app in: their dates, words and labels are made in Indonesian."""

    @wraps(function)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with force_locale("id"):
            return function(*args, **kwargs)

    return wrapped


# --- templates ---------------------------------------------------------------------------


def current_template(code: str, branch_id: int | None) -> LetterTemplate:
    """The template version in force for the branch. Before any is stored this is version 1
    made from the default, not yet saved: reading a template writes nothing."""
    stmt = (select(LetterTemplate).where(LetterTemplate.code == code)
            .where((LetterTemplate.branch_id == branch_id) | LetterTemplate.branch_id.is_(None))
            .order_by(LetterTemplate.branch_id.is_(None), LetterTemplate.version.desc()))
    template = db.session.scalars(stmt).first()
    if template is not None:
        return template
    default = DEFAULT_TEMPLATES.get(code)
    if default is None:
        raise ServiceError(_("Unknown letter template %(code)s.", code=code))
    return LetterTemplate(branch_id=None, code=code, version=1, name=default.name,
                          classification=default.classification, subject=default.subject,
                          nature=default.nature, body=default.body, copies=default.copies,
                          needs_approval=default.needs_approval)


def template_in_use(code: str, branch_id: int | None) -> LetterTemplate:
    """The current template, stored: the version a letter or a new version is made from."""
    template = current_template(code, branch_id)
    if template.id is None:
        db.session.add(template)
        db.session.flush()
    return template


def template_diff(older: LetterTemplate, newer: LetterTemplate) -> list[tuple[str, str]]:
    """The lines that changed between two versions' bodies (and subject), as (kind, line) with
    kind "add", "remove", "context" or "hunk": a unified diff (`difflib`)."""
    def lines(t: LetterTemplate) -> list[str]:
        return [f"Hal: {t.subject}", *t.body.splitlines()]

    kinds = {"+": "add", "-": "remove", "@": "hunk", " ": "context"}
    return [(kinds.get(line[:1], "context"), line)
            for line in difflib.unified_diff(lines(older), lines(newer), lineterm="", n=2,
                                             fromfile=f"v{older.version}",
                                             tofile=f"v{newer.version}")
            if not line.startswith(("---", "+++"))]


def template_versions(code: str, branch_id: int) -> list[LetterTemplate]:
    """Every version of a template the branch has seen, newest first."""
    stmt = (select(LetterTemplate).where(LetterTemplate.code == code)
            .where((LetterTemplate.branch_id == branch_id) | LetterTemplate.branch_id.is_(None))
            .order_by(LetterTemplate.created_at.desc(), LetterTemplate.id.desc()))
    return list(db.session.scalars(stmt)) or [current_template(code, branch_id)]


@in_indonesian
def sample_data(branch: Branch) -> dict[str, Any]:
    """Made-up data to preview a template with."""
    branch_plain = branch_data(branch)
    area = f"Kota {branch.city or branch.name}"
    partners = {PartnerKind.DPMPTSP: {
        "name": f"Dinas Penanaman Modal dan PTSP {area}", "area": area,
        "head_title": f"Kepala Dinas Penanaman Modal dan PTSP {area}", "head_name": "",
        "address": "Jl. Contoh No. 1"},
        PartnerKind.DISNAKER: {"name": f"Dinas Tenaga Kerja {area}", "area": area,
                               "head_title": f"Kepala Dinas Tenaga Kerja {area}",
                               "head_name": "", "address": "Jl. Contoh No. 2"},
        PartnerKind.KEJARI: {"name": f"Kejaksaan Negeri {area}", "area": area,
                             "head_title": f"Kepala Kejaksaan Negeri {area}", "head_name": "",
                             "address": "Jl. Contoh No. 3"}}
    return {
        "company": {"name": "PT Contoh Batik Sejahtera", "director": "Budi Santoso",
                    "address": "Jl. Hayam Wuruk No. 10", "kelurahan": "Kauman",
                    "kecamatan": "Pekalongan Timur", "city": area, "area": area,
                    "nib": "1234567890123", "npwp": "01.234.567.8-901.000", "npp": "",
                    "sector": "Batik", "size": "usaha kecil", "workers_estimated": 40,
                    "workers_registered": 12, "workers_missing": 28},
        "branch": branch_plain,
        "letter": {"number": "001/PKP/KC/I/2026", "date": long_date(date(2026, 1, 5)),
                   "nature": "Penting", "subject": "Contoh", "response_days": 10,
                   "deadline": long_date(WorkingCalendar.for_branch(branch.id)
                                         .add_working_days(date(2026, 1, 5), 10)),
                   "verify_code": "CONTOH1234", "verify_url": "/verify/CONTOH1234",
                   "attachment": "", "copies": []},
        "case": {"categories": ["PDS-TK"], "categories_text": _categories_text(["PDS-TK"]),
                 "duty_articles": _duty_articles(["PDS-TK"]),
                 "opened_on": long_date(date(2025, 11, 3))},
        "previous_letters": [{"kind": "notification", "kind_label": "Surat Pemberitahuan",
                              "number": "045/PKP/KC/XI/2025",
                              "date": long_date(date(2025, 11, 10)),
                              "delivered_on": long_date(date(2025, 11, 12))}],
        "compliance": {"mandatory": ["JKK", "JKM", "JHT"],
                       "mandatory_text": enumerate_id(PROGRAM_NAMES[p]
                                                      for p in ("JKK", "JKM", "JHT")),
                       "missing_programs": ["JHT"],
                       "monthly_owed": rupiah(9_876_000), "monthly_fine": rupiah(9_876)},
        "officer": {"name": "Siti Rahmawati", "phone": "0812 3456 7890"},
        "meeting": {"day": "Senin", "date": long_date(date(2026, 1, 12)),
                    "time": f"09.00 {branch_plain['time_zone']}",
                    "place": f"Kantor Cabang {branch.name}, {branch.address}",
                    "contact": "Siti Rahmawati 0812 3456 7890"},
        "partners": partners,
        "attachments": [],
        "assignment": {"inspectors": ["Siti Rahmawati", "Agus Prasetyo"],
                       "planned_on": long_date(date(2026, 1, 14))},
        "invitation": {"partner": partners[PartnerKind.DISNAKER],
                       "partner_kind": "Dinas Tenaga Kerja", "proposed_day": "Kamis",
                       "proposed_on": long_date(date(2026, 1, 15))},
    }


def insertable_variables(sample: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The variables the editor offers to insert, by group ("company": ["company.name", …]):
    every text or number of the sample data, so that each one is known to the letters (lists
    and the letters' own figures are left to the help text)."""
    groups = []
    for name, value in sample.items():
        if not isinstance(value, dict):
            continue
        paths: list[str] = []
        for key, inner in value.items():
            if isinstance(inner, dict):
                paths += [f"{name}.{key}.{k}" for k, v in inner.items()
                          if not isinstance(v, dict | list)]
            elif not isinstance(inner, list):
                paths.append(f"{name}.{key}")
        if paths:
            groups.append((name, paths))
    return groups


#: variables only some letters have (the fine's and the referral's figures, a close's
#: outcome): not in the sample data, known all the same (their attributes are not checked)
LETTER_ONLY_VARIABLES = ("money", "closing")


def variables_known(sample: dict[str, Any]) -> dict[str, Any]:
    """The sample data with the variables only some letters have, for `unknown_variables`."""
    return {**dict.fromkeys(LETTER_ONLY_VARIABLES), **sample}


#: how many of the branch's open cases a template edit is tried on before it is saved
TRIAL_CASES = 3


def save_template(actor: User, code: str, *, subject: str, nature: str, copies: str,
                  classification: str, body: str, today: date | None = None) -> LetterTemplate:
    """Save an edit as a new version for the supervisor's branch, after a trial render on the
    sample data and on up to TRIAL_CASES open cases of the branch: a body that fails only on
    real data would otherwise break every draft made from it."""
    require(actor, Permission.DECIDE, actor.branch_id)
    current = template_in_use(code, actor.branch_id)
    sample = sample_data(actor.branch)
    unknown = unknown_variables(body, variables_known(sample))
    if unknown:
        raise ServiceError(_("The template uses variables letters do not have: %(names)s. "
                             "Check their spelling against the list of variables.",
                             names=", ".join(unknown)), "body")
    try:
        render_body(body, sample)
    except TemplateProblem as problem:
        raise ServiceError(_("The template has an error at line %(line)s: %(message)s",
                             line=problem.line or "?", message=problem.message), "body") from None
    trial = LetterTemplate(code=code, body=body, subject=subject.strip(), nature=nature.strip(),
                           copies=copies, classification=classification.strip())
    open_cases = db.session.scalars(
        select(Case).where(Case.branch_id == actor.branch_id, Case.status != CaseStatus.CLOSED)
        .order_by(Case.id.desc()).limit(TRIAL_CASES)).all()
    for case in open_cases:
        try:
            render_body(body, letter_data(case, None, trial, actor, today or clock.today()))
        except TemplateProblem as problem:
            raise ServiceError(_("The template has an error at line %(line)s on the case of "
                                 "%(company)s: %(message)s", line=problem.line or "?",
                                 company=case.company.name, message=problem.message),
                               "body") from None
    latest = db.session.scalar(select(func.max(LetterTemplate.version)).where(
        LetterTemplate.code == code)) or 0
    template = LetterTemplate(branch_id=actor.branch_id, code=code, version=latest + 1,
                              name=current.name, classification=classification.strip(),
                              subject=subject.strip(), nature=nature.strip(), copies=copies,
                              body=body, needs_approval=current.needs_approval,
                              created_by_id=actor.id)
    db.session.add(template)
    db.session.flush()
    record(actor, "template.save", "letter_template", template.id,
           {"code": code, "version": template.version}, branch_id=actor.branch_id)
    return template


# --- data for a letter ----------------------------------------------------------------------

#: each kind of non-compliance as the duty the company has not met, phrased to follow
#: "kewajiban" (UU 24/2011 art. 15 ayat (1): register itself and its workers in the programs it
#: must take; art. 15 ayat (2): give complete and true data, wages included; art. 19: pay the
#: contributions)
DUTIES = {"PWBD": "mendaftarkan perusahaan dan seluruh pekerjanya",
          "PDS-TK": "mendaftarkan seluruh pekerjanya",
          "PDS-Upah": "melaporkan upah yang sebenarnya",
          "PDS-Program": "mengikuti seluruh program yang wajib",
          "Menunggak": "membayar iuran tepat waktu"}
#: the articles of UU 24/2011 each duty rests on
DUTY_ARTICLES = {"PWBD": ("Pasal 15 ayat (1)",), "PDS-TK": ("Pasal 15 ayat (1)",),
                 "PDS-Upah": ("Pasal 15 ayat (2)", "Pasal 19"),
                 "PDS-Program": ("Pasal 15 ayat (1)",), "Menunggak": ("Pasal 19",)}
PROGRAM_NAMES = {"JKK": "Jaminan Kecelakaan Kerja (JKK)", "JKM": "Jaminan Kematian (JKM)",
                 "JHT": "Jaminan Hari Tua (JHT)", "JP": "Jaminan Pensiun (JP)",
                 "JKP": "Jaminan Kehilangan Pekerjaan (JKP)"}
SIZE_WORDS = {"micro": "usaha mikro", "small": "usaha kecil", "medium": "usaha menengah",
              "large": "usaha besar"}
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
#: the partner a letter is addressed to: TMP2T to the permit office of the company's city or
#: regency (UU 24/2011 art. 17 ayat (4), PP 86/2013 art. 8 ayat (1)), the referral to its
#: district prosecutor
ADDRESSED_TO = {"tmp2t": PartnerKind.DPMPTSP, "legal_referral": PartnerKind.KEJARI,
                "tmp2t_lift": PartnerKind.DPMPTSP, "referral_notice": PartnerKind.KEJARI}
#: the letter addressed to the partner office it names: a joint visit's invitation to the labour
#: office or the prosecutor chosen from the branch's registry
INVITATION_TEMPLATE = "joint_visit_invitation"
#: the invitation's variables on a letter that is not one
NO_INVITATION: dict[str, Any] = {
    "partner": {"name": "", "area": "", "head_title": "", "head_name": "", "address": ""},
    "partner_kind": "", "proposed_day": "", "proposed_on": ""}
#: the letters that state the money: the fine (with its calculation attached) and the
#: referral (the amount claimed)
MONEY_LETTERS = ("fine", "legal_referral")
#: how a line of a template's copies (Tembusan) names a partner office; the old default line
#: "Kepala Dinas Tenaga Kerja" names the company's labour office too
COPY_TOKENS = {"{dpmptsp}": PartnerKind.DPMPTSP, "{disnaker}": PartnerKind.DISNAKER,
               "{kejari}": PartnerKind.KEJARI, "kepala dinas tenaga kerja": PartnerKind.DISNAKER}
PARTNER_WORDS = {PartnerKind.DPMPTSP: "Kepala Dinas Penanaman Modal dan Pelayanan Terpadu "
                                      "Satu Pintu",
                 PartnerKind.DISNAKER: "Kepala Dinas Tenaga Kerja",
                 PartnerKind.KEJARI: "Kepala Kejaksaan Negeri"}
#: what a letter carries as attachments: none, or their number in words ("1 (satu) berkas")
NO_ATTACHMENT = "-"


def branch_data(branch: Branch) -> dict[str, Any]:
    """A branch as plain data for templates."""
    return {"name": branch.name, "code": branch.code, "address": branch.address,
            "city": branch.city or branch.name, "phone": branch.phone, "email": branch.email,
            "head_name": branch.head_name, "head_title": branch.head_title,
            "time_zone": ZONE_WORDS.get(branch.timezone, "WIB")}


def _categories_text(codes: list[str]) -> str:
    """The duties not met, to follow "kewajiban": "mendaftarkan seluruh pekerjanya dan membayar
    iuran tepat waktu"."""
    parts = [DUTIES[c] for c in codes if c in DUTIES]
    return enumerate_id(parts) if parts else "kepesertaan program jaminan sosial ketenagakerjaan"


def _duty_articles(codes: list[str]) -> str:
    """The articles of UU 24/2011 the duties rest on: "Pasal 15 ayat (1) dan Pasal 19"."""
    articles = sorted({a for c in codes for a in DUTY_ARTICLES.get(c, ())} or
                      {"Pasal 15 ayat (1)"})
    return enumerate_id(articles)


def _previous_letters(case: Case, before: Step | None) -> list[dict[str, Any]]:
    """The case's letters issued before this one, in date order (returned ones left out)."""
    rows = db.session.execute(
        select(Step, Letter).join(Letter, Step.letter_id == Letter.id)
        .where(Step.case_id == case.id, Letter.status == LetterStatus.ISSUED,
               Step.delivery_status.not_in((Delivery.RETURNED, Delivery.WITHDRAWN)))
        .order_by(Letter.issued_on, Letter.seq, Letter.id))
    current = {before.id} if before is not None else set()
    current_letter = before.letter_id if before is not None else None
    return [{"kind": step.kind, "kind_label": label(step.kind, "rung"), "number": letter.number,
             "date": long_date(letter.issued_on),
             "delivered_on": long_date(step.delivered_on) if step.delivered_on else ""}
            for step, letter in rows
            if step.id not in current and (current_letter is None or letter.id != current_letter)]


def _partner(office: PartnerOffice | None) -> dict[str, str]:
    if office is None:
        return {}
    return {"name": office.name, "area": office.area, "head_title": office.head_title,
            "head_name": office.head_name, "address": office.address}


def _contact(company: Company, fallback: User | None) -> dict[str, str]:
    """The company's officer, the person the letter names to contact (the issuer only when
    the company has no officer)."""
    person = company.officer or fallback
    return {"name": person.name if person else "", "phone": person.phone if person else ""}


def _meeting(draft: dict[str, Any], branch: dict[str, Any]) -> dict[str, str]:
    """The summons' meeting as the letter writes it: day, date, time with its zone, place."""
    meeting = draft.get("meeting") or {}
    try:
        on = date.fromisoformat(meeting.get("date") or "")
    except ValueError:
        on = None
    at = (meeting.get("time") or "").replace(":", ".")
    blank = "........"  # a draft without its meeting yet; issuing it is refused
    return {"day": WEEKDAYS[on.weekday()] if on else blank,
            "date": long_date(on) if on else blank,
            "time": f"{at} {branch['time_zone']}" if at else blank,
            "place": meeting.get("place") or blank, "contact": meeting.get("contact") or ""}


def _copies(lines: str, partners: dict[str, dict[str, str]]) -> list[str]:
    """The copies (Tembusan), a partner named by its kind printed as its office's head."""
    copies = []
    for line in (c.strip() for c in lines.splitlines()):
        if not line:
            continue
        kind = COPY_TOKENS.get(line.lower())
        if kind is not None:
            line = partners.get(kind, {}).get("head_title") or PARTNER_WORDS[kind]
        copies.append(line)
    return copies


def _copied_partners(copies: str) -> list[str]:
    kinds: list[str] = []
    for line in copies.splitlines():
        kind = COPY_TOKENS.get(line.strip().lower())
        if kind is not None and kind not in kinds:
            kinds.append(kind)
    return kinds


#: why each partner must be the one of the company's own city or regency
PARTNER_RULES = {
    PartnerKind.DPMPTSP: _l("UU 24/2011 art. 17(4) and PP 86/2013 art. 8(1): the government of "
                            "the company's city or regency withholds its public services at the "
                            "agency's request"),
    PartnerKind.KEJARI: _l("the district prosecutor of the company's city or regency acts for "
                           "the agency with a special power of attorney"),
    PartnerKind.DISNAKER: _l("PP 86/2013 art. 13(5): non-compliance is reported to the labour "
                             "office responsible for the company"),
}
PARTNER_LABELS = {PartnerKind.DPMPTSP: _l("permit office (DPMPTSP)"),
                  PartnerKind.DISNAKER: _l("labour office (Disnaker)"),
                  PartnerKind.KEJARI: _l("district prosecutor (Kejari)")}


def _office_problem(case: Case, kind: str) -> str | None:
    company = case.company
    area = canonical_area(company.city)
    if area is None:
        return _("The company's city \"%(city)s\" does not say whether it is a Kota or a "
                 "Kabupaten: write it with its prefix on the company's page (e.g. \"Kota "
                 "%(name)s\" or \"Kabupaten %(name)s\"). %(rule)s.",
                 city=company.city or "–", name=company.city or "…", rule=PARTNER_RULES[kind])
    if office_for(case.branch_id, kind, area) is None:
        return _("The branch's partner offices have no %(office)s for %(area)s: add it "
                 "under Branch settings, Partner offices. %(rule)s.",
                 office=PARTNER_LABELS[kind], area=area, rule=PARTNER_RULES[kind])
    return None


def partner_problem(case: Case, template_code: str) -> str | None:
    """Why the letter cannot go to the partner office it is addressed to, or None: TMP2T goes
    to the permit office and the referral to the prosecutor of the company's own city or
    regency, so the company's city must say Kota or Kabupaten and the branch's registry must
    have that office."""
    kind = ADDRESSED_TO.get(template_code)
    return _office_problem(case, kind) if kind is not None else None


def copy_problems(case: Case, copies: str) -> list[str]:
    """The copies (Tembusan) that name a partner office the registry lacks for the company's
    city or regency: printed without its city, a warning, not a refusal."""
    problems = [_office_problem(case, kind) for kind in _copied_partners(copies)]
    return [p for p in dict.fromkeys(problems) if p]


def missing_details(letter: Letter, today: date | None = None) -> str | None:
    """What the letter still lacks to be issued, or None: a summons names the day, time and
    place of the meeting, after the letter's date."""
    if letter.template.code != "summons":
        return None
    meeting = letter.data.get("meeting") or {}
    if not (meeting.get("date") and meeting.get("time") and meeting.get("place")):
        return _("A summons names the day, time and place of the meeting: fill them in on the "
                 "letter's page before issuing it.")
    if today is not None and date.fromisoformat(meeting["date"]) <= today:
        return _("The meeting of a summons must be after the day the letter is issued.")
    return None


def signer_problem(letter: Letter) -> str | None:
    """Why the letter has no one to sign it, or None: an official letter closes with the
    name of the head of the branch (*Kepala Kantor Cabang*), which the branch must have."""
    if not (letter.branch.head_name or "").strip():
        return _("The branch has no head of branch to sign its letters: an administrator "
                 "enters the name under Branches before any letter is issued.")
    return None


def refuse_unready(letter: Letter, today: date) -> None:
    """Refuse to issue a draft without a signer, that cannot name its partner offices or lacks
    its details."""
    if letter.status != LetterStatus.DRAFT:
        return
    problem = (signer_problem(letter) or (partner_problem(letter.case, letter.template.code)
                                          if letter.case is not None else None)
               or missing_details(letter, today))
    if problem:
        raise ServiceError(problem)


def letter_warnings(letter: Letter, today: date) -> list[str]:
    """What a draft's page warns of before it is issued (nothing for an issued letter)."""
    if letter.status != LetterStatus.DRAFT:
        return []
    problems = [signer_problem(letter), missing_details(letter, today)]
    if letter.case is not None:
        problems += [partner_problem(letter.case, letter.template.code),
                     *copy_problems(letter.case, letter.template.copies)]
    return list(dict.fromkeys(p for p in problems if p))


def set_meeting(actor: User, letter: Letter, *, on: date | None, at: str, place: str,
                contact: str, today: date) -> Letter:
    """Fill in the meeting of a summons draft: day, time, place, and whom to contact."""
    require(actor, Permission.WORK, letter.branch_id)
    if letter.status != LetterStatus.DRAFT or letter.template.code != "summons":
        raise ServiceError(_("Only the draft of a summons has a meeting to fill in."))
    if on is None:
        raise ServiceError(_("Please enter the day of the meeting."), "on")
    if on <= today:
        raise ServiceError(_("The meeting of a summons must be after the day the letter is "
                             "issued."), "on")
    at = at.strip().replace(".", ":")
    try:
        hour, minute = (int(part) for part in at.split(":"))
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError(at)
    except ValueError:
        raise ServiceError(_("Write the time as 09:00."), "at") from None
    if not place.strip():
        raise ServiceError(_("Please enter the place of the meeting."), "place")
    meeting = {"date": on.isoformat(), "time": f"{hour:02d}:{minute:02d}",
               "place": place.strip(), "contact": contact.strip()}
    letter.data = {**letter.data, "meeting": meeting}
    record(actor, "letter.meeting", "letter", letter.id, meeting, branch_id=letter.branch_id)
    return letter


@in_indonesian
def letter_data(case: Case, step: Step | None, template: LetterTemplate, officer: User | None,
                today: date, letter: Letter | None = None) -> dict[str, Any]:
    """Everything a template may use, as plain data (never model objects); `letter` is the
    letter being made, whose own data (an assignment letter's inspectors) it carries."""
    company: Company = case.company
    compliance = assess(company, today)
    window = None  # the rung's response window, which the letter states (its step's due date
    if step is not None:  # is counted from delivery with the same figure)
        rung = {r.code: r for r in policy.ladder_for(case.branch_id)}.get(step.kind)
        window = rung.window_days if rung else None
    draft = step.letter.data if step is not None and step.letter is not None else {}
    area = canonical_area(company.city)
    partners = {kind: _partner(office_for(case.branch_id, kind, area))
                for kind in PartnerKind.ALL}
    branch = branch_data(case.company.branch)
    contact = _contact(company, officer)
    # the window's last day for a letter received on its date: the day the ladder's next
    # step falls due after, counted in the branch's working days (cases.service.issue_letter)
    deadline = (WorkingCalendar.for_branch(case.branch_id).add_working_days(today, window)
                if window else None)
    meeting = _meeting(draft, branch)
    return {
        "company": {"name": company.name, "director": company.director_name,
                    "address": company.address, "kelurahan": company.kelurahan,
                    "kecamatan": company.kecamatan, "city": company.city, "area": area or "",
                    "nib": company.nib or "", "npwp": format_npwp(company.npwp),
                    "npp": company.npp or "", "sector": company.sector,
                    "size": SIZE_WORDS.get(company.business_size, "usaha kecil"),
                    "workers_estimated": company.workers_estimated,
                    "workers_registered": company.workers_registered,
                    "workers_missing": company.workers_missing},
        "branch": branch,
        "letter": {"number": "", "date": long_date(today), "nature": template.nature,
                   "subject": template.subject, "response_days": window or 10,
                   "deadline": long_date(deadline) if deadline else "",
                   "verify_code": "", "verify_url": "", "attachment": "",
                   "copies": _copies(template.copies, partners)},
        "case": {"categories": case.categories,
                 "categories_text": _categories_text(case.categories),
                 "duty_articles": _duty_articles(case.categories),
                 "opened_on": long_date(case.opened_on)},
        "previous_letters": _previous_letters(case, step),
        "compliance": {"mandatory": list(compliance.mandatory),
                       "mandatory_text": enumerate_id(PROGRAM_NAMES.get(p, p)
                                                      for p in compliance.mandatory),
                       "missing_programs": compliance.missing_programs,
                       "monthly_owed": rupiah(compliance.monthly_owed),
                       "monthly_fine": rupiah(compliance.monthly_owed / 1000)},
        "officer": contact,
        "meeting": {**meeting, "contact": meeting["contact"] or
                    " ".join(p for p in (contact["name"], contact["phone"]) if p)},
        "partners": partners,
        "attachments": [{"title": a.get("title", ""), "html": a.get("html", "")}
                        for a in draft.get("attachments") or []],
        "assignment": dict((letter.data or {}).get("assignment") or {}
                           if letter is not None else {}),
        # a letter that is not an invitation still knows the variables' shape, so a template
        # naming them (as the editor offers) renders them empty rather than failing
        "invitation": {**NO_INVITATION, **(((letter.data or {}).get("invitation") or {})
                                          if letter is not None else {})},
        "closing": {"outcome": case.outcome, "outcome_text": label(case.outcome, "close"),
                    "evidence": case.closing_evidence, "closed_on": long_date(case.closed_on)
                    if case.closed_on else ""},
        **_money_data(case, template.code, today),
    }


def _money_data(case: Case, code: str, today: date) -> dict[str, Any]:
    """The ledger's figures for the letters that state them: the fine letter carries its
    calculation as an attachment (Lampiran), the referral the amount claimed."""
    if code not in MONEY_LETTERS:
        return {}
    figures = money.letter_money(case, today)
    extra: dict[str, Any] = {"money": figures}
    if code == "fine":
        extra["attachments"] = [{"title": "Perhitungan Denda",
                                 "html": render_page("letters/fine_calculation.html",
                                                     money=figures)}]
    return extra


def addressee_lines(code: str, data: dict[str, Any]) -> list[str]:
    """Who the letter goes to: the company, or for TMP2T and the legal referral the partner
    office of the company's own city or regency (from the branch's registry), for a joint
    visit's invitation the partner office it invites."""
    if code == INVITATION_TEMPLATE:
        office = (data.get("invitation") or {}).get("partner") or {}
        return [line for line in (office.get("head_title") or office.get("name") or "",
                                  office.get("address", ""), "di tempat") if line]
    kind = ADDRESSED_TO.get(code)
    if kind is not None:
        office = data.get("partners", {}).get(kind) or {}
        if not office:
            area = data["company"].get("area") or data["company"]["city"]
            return [PARTNER_WORDS[kind], f"(kantor mitra untuk {area or '…'} belum terdaftar)"]
        return [line for line in (office["head_title"], office["address"], "di tempat") if line]
    company = data["company"]
    lines = [f"Pimpinan {company['name']}"]
    if company["director"]:
        lines.append(f"u.p. {company['director']}")
    lines += [company["address"], ", ".join(p for p in (company["kelurahan"],
                                                          company["kecamatan"],
                                                          company["city"]) if p)]
    return [line for line in lines if line]


def attachment_text(data: dict[str, Any]) -> str:
    """The Lampiran line: "-" without attachments, else their number ("1 (satu) berkas")."""
    if data["letter"].get("attachment"):
        return data["letter"]["attachment"]
    count = len(data.get("attachments") or [])
    return f"{terbilang(count)} berkas" if count else NO_ATTACHMENT


@in_indonesian
def build_html(template: LetterTemplate, data: dict[str, Any], *, draft: bool,
               qr_url: str | None = None) -> str:
    """The full letter HTML: the trusted surat dinas layout around the sandboxed body, then
    its attachments (made by the app, never by a template), each from a new page."""
    body = render_body(template.body, data)
    form_title = template.subject if template.code == FORM_TEMPLATE else None
    # attachments are HTML the app itself makes (the fine calculation), not user input
    attachments = [{"title": a["title"], "html": Markup(a["html"])}  # noqa: S704
                   for a in data.get("attachments") or []]
    return render_page("letters/layout.html", letter=data["letter"], branch=data["branch"],
                       addressee=addressee_lines(template.code, data), body=body,
                       draft=draft, qr=qr_svg(qr_url) if qr_url else None,
                       form_title=form_title, lampiran=attachment_text(data),
                       attachments=attachments)


# --- drafts, approval, issuing --------------------------------------------------------------

def draft_for_step(actor: User, step: Step, template_code: str, today: date) -> Letter:
    """The draft letter of a letter step: the one the sweep prepared, or a new one."""
    case = step.case
    drafts = db.session.scalars(select(Letter).where(
        Letter.case_id == case.id, Letter.status == LetterStatus.DRAFT)).all()
    letter = next((lt for lt in drafts if lt.data.get("rung") == step.kind
                   and not lt.data.get("step_id")), None)
    if letter is None:
        template = template_in_use(template_code, case.branch_id)
        letter = Letter(branch_id=case.branch_id, case_id=case.id, template_id=template.id,
                        status=LetterStatus.DRAFT, created_by_id=actor.id,
                        addressee_name=case.company.name, data={})
        db.session.add(letter)
    letter.data = {**letter.data, "rung": step.kind, "step_id": step.id,
                   "drafted_on": today.isoformat()}
    db.session.flush()
    step.letter_id = letter.id
    step.letter = letter
    record(actor, "letter.draft", "letter", letter.id, {"template": letter.template.code,
                                                        "version": letter.template.version},
           branch_id=case.branch_id)
    return letter


def draft_letter(actor: User, case: Case, template_code: str, today: date) -> Letter:
    """A draft letter of the case that belongs to no step (the letters closing a case writes:
    the withdrawal of a TMP2T recommendation, the notice to the prosecutor)."""
    template = template_in_use(template_code, case.branch_id)
    letter = Letter(branch_id=case.branch_id, case_id=case.id, template_id=template.id,
                    status=LetterStatus.DRAFT, created_by_id=actor.id,
                    addressee_name=case.company.name,
                    data={"rung": template_code, "drafted_on": today.isoformat()})
    db.session.add(letter)
    db.session.flush()
    record(actor, "letter.draft", "letter", letter.id,
           {"template": template.code, "version": template.version}, branch_id=case.branch_id)
    return letter


def move_drafts(actor: User, case_ids: list[int], branch_id: int) -> int:
    """The drafts of cases moved to another branch become that branch's, made again from its
    version in force of their template: issued there, they carry its number and letterhead.
    An approval given in the old branch does not follow them. Issued letters stay where they
    were issued. Returns how many drafts moved."""
    if not case_ids:
        return 0
    drafts = db.session.scalars(select(Letter).where(
        Letter.case_id.in_(case_ids), Letter.status == LetterStatus.DRAFT,
        Letter.branch_id != branch_id).order_by(Letter.id)).all()
    for letter in drafts:
        before = (letter.branch_id, letter.template_id)
        template = template_in_use(letter.template.code, branch_id)
        letter.branch_id, letter.template = branch_id, template
        letter.approved_by_id = None
        db.session.flush()
        record(actor, "letter.transfer", "letter", letter.id,
               {"branch_id": [before[0], branch_id], "template_id": [before[1], template.id]},
               branch_id=branch_id)
    return len(drafts)


def step_of(letter: Letter) -> Step | None:
    """The step a letter belongs to."""
    return db.session.scalars(select(Step).where(Step.letter_id == letter.id)).first()


def approval_missing(letter: Letter) -> str | None:
    """Why the letter cannot be issued yet, or None."""
    step = step_of(letter)
    if step is not None and step.approval_status == Approval.REQUESTED:
        return _("The step is waiting for a supervisor's approval.")
    if step is not None and step.approval_status == Approval.RETURNED:
        return _("The supervisor sent the step back.")
    approved_step = step is not None and step.approval_status == Approval.APPROVED
    if letter.template.needs_approval and not (letter.approved_by_id or approved_step):
        return _("This letter needs a supervisor's approval before it is issued.")
    return None


def four_eyes_problem(actor: User, *, requested_by_id: int | None = None,
                      drafted_by_id: int | None = None) -> str | None:
    """Why `actor` may not approve: they asked for the step or drafted its letter."""
    if actor.id is not None and actor.id == requested_by_id:
        return _("Four eyes: you asked for this yourself, so another supervisor must approve it.")
    if actor.id is not None and actor.id == drafted_by_id:
        return _("Four eyes: you drafted this letter, so another supervisor must approve it.")
    return None


def approve_letter(actor: User, letter: Letter) -> None:
    """A supervisor approves a draft letter for issuing (never the one who drafted it or asked
    for its step)."""
    require(actor, Permission.DECIDE, letter.branch_id)
    if letter.status != LetterStatus.DRAFT:
        raise ServiceError(_("Only a draft can be approved."))
    step = step_of(letter)
    if problem := four_eyes_problem(actor, requested_by_id=step.officer_id if step else None,
                                    drafted_by_id=letter.created_by_id):
        raise ServiceError(problem)
    letter.approved_by_id = actor.id
    record(actor, "letter.approve", "letter", letter.id, {}, branch_id=letter.branch_id)


def _verify_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        if db.session.scalar(select(Letter.id).where(Letter.verify_code == code)) is None:
            return code


def seal_letter(actor: User, letter: Letter, today: date, public_base_url: str) -> bool:
    """The letter's half of issuing: number, render and store it; a second call (or one that
    lost the race to another) issues nothing more. Returns whether this call issued it.
    `outreach.cases.service.issue_letter` is the one way to issue (it checks the day and the
    case, and dates the letter's step by it)."""
    require(actor, Permission.WORK, letter.branch_id)
    refuse_unready(letter, today)
    problem = approval_missing(letter)
    if problem and letter.status != LetterStatus.ISSUED:
        raise ServiceError(problem)
    # Claim the draft with a conditional UPDATE: of two clicks or two tabs only one wins.
    claimed = db.session.execute(
        update(Letter).where(Letter.id == letter.id, Letter.status == LetterStatus.DRAFT)
        .values(status=LetterStatus.ISSUED).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.refresh(letter)
        if letter.status == LetterStatus.ISSUED:
            return False
        raise ServiceError(_("Only a draft can be issued."))
    branch = db.session.get(Branch, letter.branch_id)
    template = letter.template
    seq = numbering.next_seq(branch.id, today.year)
    number = numbering.format_number(branch.letter_number_format, seq=seq,
                                     classification=template.classification,
                                     unit=branch.letter_unit_code or branch.code,
                                     issued_on=today)
    code = _verify_code()
    verify_url = f"{public_base_url.rstrip('/')}/verify/{code}"
    step = step_of(letter)
    data = letter_data(letter.case, step, template, actor, today, letter)
    data["letter"].update(number=number, verify_code=code, verify_url=verify_url)
    try:
        pdf = letter_pdf(build_html(template, data, draft=False, qr_url=verify_url))
    except TemplateProblem as problem:
        raise ServiceError(_("The template has an error at line %(line)s: %(message)s",
                             line=problem.line or "?", message=problem.message)) from None
    letter.status = LetterStatus.ISSUED
    letter.seq, letter.year, letter.number, letter.issued_on = seq, today.year, number, today
    letter.verify_code, letter.pdf = code, pdf
    letter.sha256 = hashlib.sha256(pdf).hexdigest()
    letter.issued_by_id = actor.id
    letter.data = data
    db.session.flush()
    record(actor, "letter.issue", "letter", letter.id, {"number": number,
                                                        "sha256": letter.sha256},
           branch_id=letter.branch_id)
    return True


def void_letter(actor: User, letter: Letter, reason: str, now: datetime) -> None:
    """The letter's half of voiding: withdraw an issued letter (supervisors, with a reason).
    Its number stays used and is never given again, its PDF stays stored and `/verify` says it
    was withdrawn; `outreach.cases.service.void_letter` also stops its step counting."""
    require(actor, Permission.DECIDE, letter.branch_id)
    if letter.status != LetterStatus.ISSUED:
        raise ServiceError(_("Only an issued letter can be voided."))
    if not reason.strip():
        raise ServiceError(_("Say why the letter is withdrawn."), "reason")
    letter.status, letter.void_reason = LetterStatus.VOID, reason.strip()
    letter.voided_at, letter.voided_by_id = now, actor.id
    record(actor, "letter.void", "letter", letter.id,
           {"number": letter.number, "reason": letter.void_reason}, branch_id=letter.branch_id)


def withdraw_drafts(actor: User, case_id: int, reason: str, now: datetime) -> list[Letter]:
    """Withdraw the case's draft letters (its case closed): they are never issued. Returns
    them."""
    drafts = list(db.session.scalars(select(Letter).where(
        Letter.case_id == case_id, Letter.status == LetterStatus.DRAFT).order_by(Letter.id)))
    for letter in drafts:
        letter.status, letter.void_reason = LetterStatus.VOID, reason
        letter.voided_at, letter.voided_by_id = now, actor.id
        record(actor, "letter.withdraw", "letter", letter.id, {"reason": reason},
               branch_id=letter.branch_id)
    return drafts


def redraft(actor: User, letter: Letter) -> Letter:
    """Make a draft again from the version in force of its template (the template changed
    since it was drafted); an approval of the old text does not carry over."""
    require(actor, Permission.WORK, letter.branch_id)
    if letter.status != LetterStatus.DRAFT:
        raise ServiceError(_("Only a draft can be made again."))
    template = template_in_use(letter.template.code, letter.branch_id)
    if template.id == letter.template_id:
        raise ServiceError(_("This draft is already made from the version in force."))
    before = letter.template.version
    letter.template, letter.approved_by_id = template, None
    db.session.flush()
    record(actor, "letter.redraft", "letter", letter.id,
           {"version": [before, template.version]}, branch_id=letter.branch_id)
    return letter


def newer_template(letter: Letter) -> LetterTemplate | None:
    """The template version in force when it is newer than the one a draft was made from."""
    if letter.status != LetterStatus.DRAFT:
        return None
    template = template_in_use(letter.template.code, letter.branch_id)
    return template if template.id != letter.template_id else None


def preview_pdf(letter: Letter, actor: User, today: date) -> bytes:
    """A draft rendered with the current data and a KONSEP mark; nothing is stored."""
    data = letter_data(letter.case, step_of(letter), letter.template, actor, today, letter)
    return letter_pdf(build_html(letter.template, data, draft=True))


def visit_form_pdf(case: Case, officer: User, today: date) -> bytes:
    """The Berita Acara Kunjungan, prefilled for a planned visit."""
    template = current_template("visit_report", case.branch_id)
    data = letter_data(case, None, template, officer, today)
    return letter_pdf(build_html(template, data, draft=False))


# --- verification -----------------------------------------------------------------------

@dataclass
class Verification:
    """What the public verify page shows of a letter."""

    number: str
    issued_on: date
    branch: str
    addressee: str
    sha256: str
    #: when the letter was withdrawn (voided), if it was
    withdrawn_on: date | None = None
    #: the stored PDF's size in bytes: an upload larger than this cannot be the letter
    size: int = 0


def verification(code: str) -> Verification | None:
    """The public facts of an issued letter (also one withdrawn since), by its verify code.

    The addressee is the one the letter names: the company, or for TMP2T, the referral and the
    letters closing them the partner office it was sent to (from the data frozen at issue)."""
    letter = db.session.scalars(select(Letter).where(
        Letter.verify_code == code.strip().upper(),
        Letter.status.in_((LetterStatus.ISSUED, LetterStatus.VOID)))).first()
    if letter is None or letter.issued_on is None:
        return None
    withdrawn = letter.voided_at.date() if letter.voided_at else None
    size = db.session.scalar(select(func.length(Letter.pdf)).where(Letter.id == letter.id))
    return Verification(letter.number or "", letter.issued_on, letter.branch.name,
                        addressee_of(letter), letter.sha256 or "", withdrawn, size or 0)


def addressee_of(letter: Letter) -> str:
    """Whom the letter is addressed to: the company, or the partner office it names."""
    if letter.template.code == INVITATION_TEMPLATE:
        office = ((letter.data or {}).get("invitation") or {}).get("partner") or {}
        return office.get("head_title") or office.get("name") or letter.addressee_name
    kind = ADDRESSED_TO.get(letter.template.code)
    if kind is None:
        return letter.addressee_name
    office = (letter.data or {}).get("partners", {}).get(kind) or {}
    return office.get("head_title") or office.get("name") or PARTNER_WORDS[kind]


def matches(check: Verification, data: bytes) -> bool:
    """Whether an uploaded file is byte for byte the issued letter."""
    return secrets.compare_digest(hashlib.sha256(data).hexdigest(), check.sha256)


# --- batches and the legal dossier --------------------------------------------------------

def issued_on_day(branch_id: int, day: date) -> list[Letter]:
    """Letters the branch issued on `day`, in number order."""
    return list(db.session.scalars(select(Letter).where(
        Letter.branch_id == branch_id, Letter.status == LetterStatus.ISSUED,
        Letter.issued_on == day).order_by(Letter.seq)))


def visits_due(branch_id: int, day: date) -> list[Case]:
    """Open cases whose next step is a visit due on `day`, by company name."""
    return list(db.session.scalars(
        select(Case).join(Company).where(Case.branch_id == branch_id, Case.status == "open",
                                         Case.next_rung == "visit", Case.next_due_on == day)
        .order_by(Company.name)))


@in_indonesian
def batch_pdf(actor: User, branch: Branch, day: date, visit_day: date, today: date,
              workers: int | None = None, progress=None) -> tuple[bytes, int, int]:
    """One PDF to print: a cover list, the letters issued on `day`, the forms of the visits
    due on `visit_day`. Returns the PDF and the number of letters and forms."""
    letters = issued_on_day(branch.id, day)
    visits = visits_due(branch.id, visit_day)
    cover = batch_cover(branch, day, visit_day, letters, visits)
    rendered = render_many([cover, *visit_forms_html(actor, branch.id, visits, today)],
                           workers=workers, progress=progress)
    return batch_document(rendered[0], letters, rendered[1:]), len(letters), len(visits)


@in_indonesian
def batch_cover(branch: Branch, day: date, visit_day: date, letters: list[Letter],
                visits: list[Case]) -> str:
    """The HTML of a print batch's cover list."""
    return render_page("letters/cover.html", branch=branch, day=day, letters=letters,
                       visits=visits, visit_day=visit_day)


@in_indonesian
def visit_forms_html(actor: User, branch_id: int, visits: list[Case], today: date) -> list[str]:
    """The HTML of the visit forms of `visits`, in their order."""
    template = current_template(FORM_TEMPLATE, branch_id)
    return [build_html(template, letter_data(case, None, template, actor, today), draft=False)
            for case in visits]


def batch_document(cover: bytes, letters: list[Letter], forms: list[bytes]) -> bytes:
    """The print batch as one PDF: its cover, the letters as issued, then the forms."""
    from outreach.letters.batch import merge

    return merge([cover, *(letter.pdf for letter in letters), *forms])


def dossier_referral(steps: list[Step]) -> Letter | None:
    """The issued letter of the legal referral a case's dossier is made for (the latest of
    `steps`, in their order); None while there is none: the case has no dossier yet."""
    return next((s.letter for s in reversed(steps)
                 if s.kind == policy.LEGAL_REFERRAL and s.letter is not None
                 and s.letter.status == LetterStatus.ISSUED), None)


def has_dossier(case: Case) -> bool:
    """Whether the case's dossier for the prosecutor can be printed (`dossier_referral`)."""
    return dossier_referral(list(case.steps)) is not None


@in_indonesian
def dossier_pdf(case: Case, answer: Any = None) -> bytes:
    """The legal referral with the chronology of every step, showing persuasion was exhausted,
    the inspections its sanctions rest on (PP 86/2013 art. 13), the joint visits with partner
    offices (invitation, response, visit) and, given the case's `answer`
    (`outreach.legal.service.answer_of`), the employer's replies and commitments and the legal
    track after the referral."""
    steps = db.session.scalars(select(Step).where(Step.case_id == case.id)
                               .order_by(Step.occurred_on, Step.id)).all()
    referral = dossier_referral(steps)
    if referral is None:
        raise ServiceError(_("The legal referral letter has not been issued yet."))
    inspections = db.session.scalars(select(Inspection).where(Inspection.case_id == case.id)
                                     .order_by(Inspection.planned_on, Inspection.id)).all()
    joint_visits = db.session.scalars(select(JointVisit).where(JointVisit.case_id == case.id)
                                      .order_by(JointVisit.proposed_on, JointVisit.id)).all()
    html = render_page("letters/dossier.html", case=case, company=case.company,
                       branch=case.company.branch, steps=steps, referral=referral,
                       inspections=inspections, joint_visits=joint_visits,
                       partner_of={jv.step_id: jv.office.name for jv in joint_visits
                                   if jv.step_id is not None},
                       responses=joint.RESPONSES, answer=answer, channels=legal.CHANNELS,
                       statuses=legal.COMMITMENT_STATUSES, kinds=legal.LEGAL_KINDS,
                       instalment_states=legal.INSTALMENT_STATES)
    return merge([referral.pdf, html_to_pdf(html)])


@dataclass
class LetterFilters:
    """What the letters list is filtered by, and its page."""

    status: str = ""
    #: the template's code: the kind of letter (notification, warning I, …)
    kind: str = ""
    #: part of the letter's number, e.g. "001" or "KC-PKL/V"
    number: str = ""
    #: part of the addressee's (the company's) name
    company: str = ""
    #: the letter's date (drafts have none) from and to
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    per_page: int = 50


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def letter_list(user: User, filters: LetterFilters | None = None) -> tuple[list[Letter], int]:
    """One page of the letters the user may read, with how many match in all: drafts first,
    then the issued and withdrawn ones, newest first."""
    filters = filters or LetterFilters()
    stmt = scoped(Letter, user)
    if filters.status:
        stmt = stmt.where(Letter.status == filters.status)
    if filters.kind:
        stmt = stmt.where(Letter.template_id.in_(
            select(LetterTemplate.id).where(LetterTemplate.code == filters.kind)))
    if filters.number:
        stmt = stmt.where(func.lower(Letter.number).like(_like(filters.number), escape="\\"))
    if filters.company:
        stmt = stmt.where(func.lower(Letter.addressee_name).like(_like(filters.company),
                                                                 escape="\\"))
    if filters.date_from:
        stmt = stmt.where(Letter.issued_on >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Letter.issued_on <= filters.date_to)
    total = db.session.scalar(stmt.with_only_columns(func.count(Letter.id)).order_by(None)) or 0
    rows = db.session.scalars(
        stmt.order_by(Letter.status != LetterStatus.DRAFT, Letter.issued_on.desc(),
                      Letter.seq.desc(), Letter.id.desc())
        .limit(filters.per_page).offset((filters.page - 1) * filters.per_page)).all()
    return list(rows), total


def letter_kinds(user: User) -> list[tuple[str, str]]:
    """(template code, name) of the kinds of letter among the letters the user may read."""
    names: dict[str, str] = {}
    for code, name in db.session.execute(
            scoped(Letter, user).join(LetterTemplate, LetterTemplate.id == Letter.template_id)
            .with_only_columns(LetterTemplate.code, LetterTemplate.name).distinct()
            .order_by(LetterTemplate.code, LetterTemplate.name)):
        names.setdefault(code, name)
    return sorted(names.items(), key=lambda item: item[1].casefold())


