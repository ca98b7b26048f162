"""The API's service: tokens (made, revoked, checked), what a token reads through the scoping
helper, the permit office's sanctions lookup and the membership system's registrations.

A token acts as a `core.access.Reader` of its branch or region: it reads what an officer of
the branch (or regional staff of the region) reads, and no permission lets it change a record.
Registrations are the one thing it writes, as an import of the agency's list does
(`imports.service.import_registrations`), with no account behind it.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from outreach.api.models import ApiToken, RegistrationBatch, Scope
from outreach.cases.models import Case
from outreach.companies.models import Company
from outreach.companies.service import name_key, normalise_nib, normalise_npwp, npwp_variants
from outreach.core.access import Reader, get_visible, scoped
from outreach.core.audit import record
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.imports.service import import_registrations
from outreach.ladder.rules import TMP2T, in_force
from outreach.letters.models import Letter, LetterStatus
from outreach.org.models import Branch, Region, Role, User

#: what every token starts with, so that a leaked one is recognised (e.g. by secret scanners)
TOKEN_PREFIX = "otr_"  # noqa: S105 - a public marker, not a secret
#: the letter that withdraws a TMP2T recommendation (PP 86/2013 art. 10)
TMP2T_LIFT = "tmp2t_lift"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$")


def hash_secret(token: str) -> str:
    """How a token is stored: its SHA-256 (a random 256-bit secret needs no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- tokens ---------------------------------------------------------------------------------


def _require_admin(actor: User | None) -> None:
    if actor is not None and actor.role != Role.ADMIN:
        raise ServiceError(_("Only an administrator may manage API tokens."))


def tokens() -> list[ApiToken]:
    """Every token, newest first."""
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc(),
                                                             ApiToken.id.desc())))


def get_token(token_id: int) -> ApiToken | None:
    """The token with this id."""
    return db.session.get(ApiToken, token_id)


def find_token(name: str) -> ApiToken | None:
    """The token with this name."""
    return db.session.scalars(select(ApiToken).where(ApiToken.name == name.strip())).first()


def parse_scopes(text: str | list[str]) -> list[str]:
    """Scopes from "read,sanctions" (or a list); a ServiceError names an unknown one."""
    words = text if isinstance(text, list) else re.split(r"[,\s]+", text or "")
    chosen = [w.strip().lower() for w in words if w.strip()]
    unknown = [w for w in chosen if w not in Scope.ALL]
    if unknown:
        raise ServiceError(_("Unknown scope %(scope)s: use read, write or sanctions.",
                             scope=", ".join(unknown)), "scopes")
    if not chosen:
        raise ServiceError(_("Choose at least one scope."), "scopes")
    return [s for s in Scope.ALL if s in chosen]


def create_token(actor: User | None, *, name: str, branch: Branch | None,
                 region: Region | None, scopes: list[str], expires_on: date | None,
                 today: date) -> tuple[ApiToken, str]:
    """Make a token for a partner system; returns it and the token text, shown only now."""
    _require_admin(actor)
    name = (name or "").strip()
    if not NAME_RE.match(name):
        raise ServiceError(_("A token name has 2–80 letters, digits, dots, dashes or "
                             "underscores, e.g. dpmptsp-kota-pekalongan."), "name")
    if find_token(name) is not None:
        raise ServiceError(_("A token named %(name)s already exists.", name=name), "name")
    if (branch is None) == (region is None):
        raise ServiceError(_("Scope the token to one branch or to one region."), "branch")
    scopes = parse_scopes(scopes)
    if expires_on is not None and expires_on < today:
        raise ServiceError(_("The expiry date is in the past."), "expires_on")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, secret_hash=hash_secret(secret), prefix=secret[:10],
                     branch_id=branch.id if branch else None,
                     region_id=region.id if region else None, scopes=",".join(scopes),
                     expires_on=expires_on, created_by_id=actor.id if actor else None)
    db.session.add(token)
    db.session.flush()
    record(actor, "api_token.create", "api_token", token.id,
           {"name": name, "branch": branch.code if branch else None,
            "region": region.code if region else None, "scopes": scopes,
            "expires_on": expires_on}, branch_id=branch.id if branch else None)
    return token, secret


def revoke_token(actor: User | None, token: ApiToken, now: datetime) -> None:
    """Revoke a token: every call with it is refused from now on."""
    _require_admin(actor)
    if token.revoked_at is not None:
        raise ServiceError(_("This token is already revoked."))
    token.revoked_at = now
    token.revoked_by_id = actor.id if actor else None
    record(actor, "api_token.revoke", "api_token", token.id, {"name": token.name},
           branch_id=token.branch_id)


def token_state(token: ApiToken, today: date) -> str:
    """"active", "expired" or "revoked"."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_on is not None and token.expires_on < today:
        return "expired"
    return "active"


def authenticate(secret: str, today: date, now: datetime) -> tuple[ApiToken | None, str]:
    """The token a bearer secret belongs to when it may be used today, and else why not; a
    token that works has its last use set to `now`."""
    token = db.session.scalars(select(ApiToken).where(
        ApiToken.secret_hash == hash_secret(secret))).first() if secret else None
    if token is None:
        return None, _("The API token is missing or unknown.")
    state = token_state(token, today)
    if state == "revoked":
        return None, _("This API token was revoked.")
    if state == "expired":
        return None, _("This API token expired on %(day)s.", day=token.expires_on.isoformat())
    token.last_used_at = now
    return token, ""


def reader_of(token: ApiToken) -> Reader:
    """What the token reads as: a read-only account of its branch or region."""
    return Reader(branch_id=token.branch_id, region_id=token.region_id)


def record_call(token_id: int | None, branch_id: int | None, *, method: str, path: str,
                query: str, status: int) -> None:
    """Keep one API call in the audit log (also a refused one)."""
    record(None, "api.call", "api_token", token_id,
           {"method": method, "path": path[:200], "query": query[:300], "status": status},
           branch_id=branch_id)


# --- reading --------------------------------------------------------------------------------


@dataclass
class Page:
    """One page of a list: the one pagination shape of the API."""

    items: list[Any]
    page: int
    per_page: int
    total: int


def _page(stmt, page: int, per_page: int) -> Page:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total or 0)


def _identifiers(nib: str | None, npwp: str | None) -> tuple[str | None, str | None]:
    """NIB and NPWP as digits (either NPWP form); a ServiceError at the field."""
    return normalise_nib(nib), normalise_npwp(npwp)


def search_companies(reader: Reader, *, q: str = "", nib: str | None = None,
                     npwp: str | None = None, npp: str | None = None, page: int = 1,
                     per_page: int = 50) -> Page:
    """The companies the token reads, by name words, NIB, NPWP (either form) or NPP."""
    nib, npwp = _identifiers(nib, npwp)
    stmt = scoped(Company, reader)
    if q.strip():
        stmt = stmt.where(Company.name_key.contains(name_key(q), autoescape=True))
    if nib:
        stmt = stmt.where(Company.nib == nib)
    if npwp:
        stmt = stmt.where(Company.npwp.in_(npwp_variants(npwp)))
    if npp and npp.strip():
        stmt = stmt.where(Company.npp == npp.strip())
    return _page(stmt.order_by(Company.name, Company.id), page, per_page)


def get_company(reader: Reader, company_id: int) -> Company | None:
    """The company if the token reads it."""
    return get_visible(Company, company_id, reader)


def search_cases(reader: Reader, *, company_id: int | None = None, status: str | None = None,
                 page: int = 1, per_page: int = 50) -> Page:
    """The cases the token reads, newest first, of one company or in one status."""
    stmt = scoped(Case, reader)
    if company_id is not None:
        stmt = stmt.where(Case.company_id == company_id)
    if status:
        stmt = stmt.where(Case.status == status)
    return _page(stmt.order_by(Case.opened_on.desc(), Case.id.desc()), page, per_page)


def get_case(reader: Reader, case_id: int) -> Case | None:
    """The case if the token reads it."""
    return get_visible(Case, case_id, reader)


def official_letters(reader: Reader, case: Case) -> list[Letter]:
    """The case's issued letters (also those withdrawn since), in order; drafts are no
    official document and are left out."""
    return list(db.session.scalars(
        scoped(Letter, reader).where(Letter.case_id == case.id, Letter.number.is_not(None),
                                     Letter.status.in_((LetterStatus.ISSUED,
                                                        LetterStatus.VOID)))
        .order_by(Letter.issued_on, Letter.id)))


def get_letter(reader: Reader, letter_id: int) -> Letter | None:
    """An issued (or since withdrawn) letter the token reads; drafts are not found."""
    letter = get_visible(Letter, letter_id, reader)
    if (letter is None or letter.number is None
            or letter.status not in (LetterStatus.ISSUED, LetterStatus.VOID)):
        return None
    return letter


def verify_url(letter: Letter | None, public_base_url: str) -> str | None:
    """The public page that checks the letter (the link of its QR code)."""
    if letter is None or not letter.verify_code:
        return None
    return f"{public_base_url.rstrip('/')}/verify/{letter.verify_code}"


# --- sanctions ------------------------------------------------------------------------------


def _recommendations(case: Case, public_base_url: str) -> list[dict[str, Any]]:
    """The TMP2T recommendations of a case: issued and standing, and lifted or not."""
    found = []
    lifts = [letter for letter in db.session.scalars(
        select(Letter).where(Letter.case_id == case.id, Letter.status == LetterStatus.ISSUED)
        .order_by(Letter.issued_on, Letter.id)) if letter.template.code == TMP2T_LIFT]
    for step in case.steps:
        letter = step.letter
        if (step.kind != TMP2T or not in_force(step) or letter is None
                or letter.status != LetterStatus.ISSUED):
            continue
        lift = next((x for x in lifts if x.issued_on >= letter.issued_on), None)
        found.append({
            "status": "lifted" if lift is not None else "in_force",
            "since": letter.issued_on, "letter_number": letter.number,
            "verification_url": verify_url(letter, public_base_url),
            "lifted_on": lift.issued_on if lift else None,
            "lift_letter_number": lift.number if lift else None,
            "lift_verification_url": verify_url(lift, public_base_url),
            "case_id": case.id})
    return found


def sanctions(reader: Reader, *, nib: str | None, npwp: str | None,
              public_base_url: str) -> dict[str, Any]:
    """Whether a TMP2T recommendation is in force for the business with this NIB or NPWP
    (either form), since when, its letter and verification link, and those lifted and when."""
    nib, npwp = _identifiers(nib, npwp)
    if not nib and not npwp:
        raise ServiceError(_("Give the business's NIB or NPWP."), "nib")
    stmt = scoped(Company, reader)
    conditions = []
    if nib:
        conditions.append(Company.nib == nib)
    if npwp:
        conditions.append(Company.npwp.in_(npwp_variants(npwp)))
    companies = list(db.session.scalars(stmt.where(or_(*conditions)).order_by(Company.id)
                                        .limit(20)))
    found = []
    for company in companies:
        recommendations = [r for case in company.cases
                           for r in _recommendations(case, public_base_url)]
        found.append({"company": company, "recommendations": recommendations,
                      "in_force": any(r["status"] == "in_force" for r in recommendations)})
    return {"nib": nib, "npwp": npwp, "in_force": any(c["in_force"] for c in found),
            "companies": found}


# --- registrations --------------------------------------------------------------------------


def _batch_branch(token: ApiToken, code: str | None) -> Branch:
    """The branch a batch is for: the token's own, or a branch of the token's region."""
    if token.branch_id is not None:
        if code and code.strip().upper() != token.branch.code:
            raise ServiceError(_("This token sends registrations for branch %(code)s only.",
                                 code=token.branch.code), "branch")
        return token.branch
    branch = db.session.scalars(select(Branch).where(
        Branch.code == (code or "").strip().upper(),
        Branch.region_id == token.region_id)).first() if code else None
    if branch is None:
        raise ServiceError(_("Name the branch of the token's region the batch is for."),
                           "branch")
    return branch


def _clean_registrations(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    clean = []
    for number, row in enumerate(rows):
        try:
            nib, npwp = _identifiers(row.get("nib"), row.get("npwp"))
        except ServiceError as error:
            raise ServiceError(error.message, f"registrations.{number}.{error.field}") from error
        if not nib and not npwp:
            raise ServiceError(_("Give the company's NIB or NPWP."),
                               f"registrations.{number}.nib")
        clean.append({"npp": row["npp"].strip(), "nib": nib, "npwp": npwp,
                      "workers_registered": row["workers_registered"],
                      "registered_on": row["registered_on"]})
    return clean


def receive_registrations(token: ApiToken, *, batch_id: str, branch_code: str | None,
                          registrations: list[dict[str, Any]], today: date,
                          now: datetime) -> tuple[dict[str, Any], bool]:
    """Import a batch of registrations once per batch id; a repeat changes nothing and gets
    the first answer. Returns the answer and whether it is a repeat."""
    branch = _batch_branch(token, branch_code)
    rows = _clean_registrations(registrations)
    payload = json.dumps({"batch_id": batch_id, "registrations": rows}, sort_keys=True,
                         default=str).encode()
    sha256 = hashlib.sha256(payload).hexdigest()
    earlier = db.session.scalars(select(RegistrationBatch).where(
        RegistrationBatch.branch_id == branch.id,
        RegistrationBatch.batch_id == batch_id)).first()
    if earlier is not None:
        if earlier.sha256 != sha256:
            raise BatchConflict(_("Batch %(id)s was already received with other "
                                  "registrations; send new ones under a new batch id.",
                                  id=batch_id))
        return earlier.result, True
    company_import, results = import_registrations(
        branch, rows, today, filename=f"api-{batch_id}.json"[:255], data=payload,
        actor_name=f"API: {token.name}")
    answer_rows = []
    for number, (row, result) in enumerate(zip(rows, results, strict=True)):
        if result is None:
            answer_rows.append({"index": number, "npp": row["npp"], "status": "unmatched",
                                "company_id": None, "matched_by": None, "verify_close": False,
                                "errors": []})
            continue
        answer_rows.append({
            "index": number, "npp": row["npp"], "status": result.action,
            "company_id": result.company_id, "matched_by": result.matched_by or None,
            "verify_close": result.verify_close,
            "errors": [{"field": e["field"], "message": e["message"]} for e in result.errors]})
    counts = {status: sum(1 for r in answer_rows if r["status"] == status)
              for status in ("updated", "unchanged", "rejected", "unmatched")}
    counts["verify_close"] = sum(1 for r in answer_rows if r["verify_close"])
    answer = {"batch_id": batch_id, "branch": branch.code,
              "import_id": company_import.id if company_import else None,
              "counts": counts, "results": answer_rows}
    db.session.add(RegistrationBatch(branch_id=branch.id, batch_id=batch_id, token_id=token.id,
                                     sha256=sha256, result=answer,
                                     import_id=company_import.id if company_import else None,
                                     received_at=now))
    record(None, "api.registrations", "api_token", token.id,
           {"batch_id": batch_id, **counts}, branch_id=branch.id)
    return answer, False


class BatchConflict(ServiceError):
    """A batch id used again with other registrations."""
