"""The branch's assignment rules for imports: which officer a company of each kecamatan gets
when an import creates it (`officers_by_kecamatan`), kept by the branch's supervisor
(`save_rules`). A kecamatan without a rule leaves the new company without an officer, for the
supervisor to assign, as before rules existed.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from outreach.core.access import Permission, require
from outreach.core.audit import record
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.imports.matching import known_names, name_form
from outreach.imports.models import KecamatanOfficer
from outreach.org.models import Role, User

#: the longest kecamatan name a company keeps
KECAMATAN_LENGTH = 80


def rules_of(branch_id: int) -> list[KecamatanOfficer]:
    """The branch's rules, by kecamatan."""
    return list(db.session.scalars(select(KecamatanOfficer)
                                   .where(KecamatanOfficer.branch_id == branch_id)
                                   .order_by(KecamatanOfficer.kecamatan)))


def officers_by_kecamatan(branch_id: int) -> dict[str, User]:
    """The officer of each kecamatan that has a rule, keyed by its comparison form."""
    return {rule.name_form: rule.officer for rule in rules_of(branch_id)
            if rule.officer.active}


def assignable_officers(branch_id: int) -> list[User]:
    """The branch's own active officers, by name: the only ones a rule may name."""
    return list(db.session.scalars(select(User).where(
        User.branch_id == branch_id, User.role == Role.OFFICER, User.active.is_(True))
        .order_by(User.name)))


def kecamatan_names(branch_id: int) -> list[str]:
    """The kecamatan the branch's companies and its rules name, in alphabetical order."""
    names = known_names(branch_id, ("kecamatan",))["kecamatan"]
    for rule in rules_of(branch_id):
        names.setdefault(rule.name_form, rule.kecamatan)
    return sorted(names.values(), key=name_form)


def save_rules(actor: User, branch_id: int, chosen: dict[str, int | None]) -> int:
    """Keep the officer chosen for each kecamatan (None removes its rule). Returns how many
    rules changed; each change is audited."""
    require(actor, Permission.DECIDE, branch_id)
    officers = {officer.id: officer for officer in assignable_officers(branch_id)}
    existing = {rule.name_form: rule for rule in rules_of(branch_id)}
    changed = 0
    seen: set[str] = set()
    for kecamatan, officer_id in chosen.items():
        written = " ".join(kecamatan.split())
        key = name_form(written)
        if not key or key in seen:
            continue
        seen.add(key)
        if len(written) > KECAMATAN_LENGTH:
            raise ServiceError(_("A kecamatan name has at most %(num)d characters.",
                                 num=KECAMATAN_LENGTH), "kecamatan")
        if officer_id is not None and officer_id not in officers:
            raise ServiceError(_("Choose one of the branch's own officers for %(kecamatan)s.",
                                 kecamatan=written), "kecamatan")
        rule = existing.get(key)
        before = rule.officer_id if rule is not None else None
        if before == officer_id:
            continue
        if officer_id is None:
            db.session.delete(rule)
        elif rule is None:
            db.session.add(KecamatanOfficer(branch_id=branch_id, kecamatan=written,
                                            name_form=key, officer_id=officer_id))
        else:
            rule.officer_id = officer_id
        changed += 1
        record(actor, "import.assignment_rule", "branch", branch_id,
               {"kecamatan": written, "officer": [before, officer_id]}, branch_id=branch_id)
    db.session.flush()
    return changed
