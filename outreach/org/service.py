"""Branches, regions and user accounts."""

from __future__ import annotations

import re
import secrets
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased
from werkzeug.security import check_password_hash, generate_password_hash

from outreach.core.access import scoped
from outreach.core.audit import AuditEvent, diff, is_access, record
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.org.models import Branch, Region, Role, User, new_session_token

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BRANCH_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
MIN_PASSWORD_LENGTH = 8


def find_branch(code: str) -> Branch | None:
    """The branch with this code (case-insensitive)."""
    return db.session.scalars(select(Branch).where(Branch.code == code.strip().upper())).first()


def find_region(code: str) -> Region | None:
    """The region with this code (case-insensitive)."""
    return db.session.scalars(select(Region).where(Region.code == code.strip().upper())).first()


def find_user(email: str) -> User | None:
    """The user with this e-mail address (case-insensitive)."""
    return db.session.scalars(select(User).where(User.email == normalise_email(email))).first()


def regions() -> list[Region]:
    """Every region, by name."""
    return list(db.session.scalars(select(Region).order_by(Region.name)))


def branches(*, active_only: bool = False, except_id: int | None = None,
             order_by_code: bool = False) -> list[Branch]:
    """Branches by name (or code), optionally only active ones or all but one."""
    stmt = select(Branch).order_by(Branch.code if order_by_code else Branch.name)
    if active_only:
        stmt = stmt.where(Branch.active)
    if except_id is not None:
        stmt = stmt.where(Branch.id != except_id)
    return list(db.session.scalars(stmt))


def users() -> list[User]:
    """Every account, by role and name."""
    return list(db.session.scalars(select(User).order_by(User.role, User.name)))


def branch_staff(branch_id: int | None) -> list[User]:
    """The active officers and supervisors of a branch, by name."""
    return list(db.session.scalars(select(User).where(
        User.branch_id == branch_id, User.active, User.role.in_(Role.BRANCH_ROLES))
        .order_by(User.name)))


def staff_visible_to(user: User) -> list[User]:
    """The active officers and supervisors of the branches the user may read, by name."""
    return list(db.session.scalars(scoped(User, user).where(
        User.role.in_(Role.BRANCH_ROLES), User.active).order_by(User.name)))


def get_branch(branch_id: int | None) -> Branch | None:
    """A branch by id (None for none)."""
    return db.session.get(Branch, branch_id) if branch_id else None


def get_region(region_id: int | None) -> Region | None:
    """A region by id (None for none)."""
    return db.session.get(Region, region_id) if region_id else None


def get_user(user_id: int | None) -> User | None:
    """An account by id (None for none)."""
    return db.session.get(User, user_id) if user_id else None


def normalise_email(email: str) -> str:
    """E-mail addresses are compared lower-case and without surrounding spaces."""
    return email.strip().lower()


def get_or_create_region(code: str, name: str | None = None) -> Region:
    """The region with this code, created when missing."""
    region = find_region(code)
    if region is None:
        region = Region(code=code.strip().upper(), name=name or code)
        db.session.add(region)
        db.session.flush()
    return region


def create_branch(actor: User | None, *, code: str, name: str, region: Region | None = None,
                  **details: str) -> Branch:
    """Create a branch; its code must be new and look like "KC-PKL"."""
    code = code.strip().upper()
    if not BRANCH_CODE_RE.match(code):
        raise ServiceError(_("A branch code has 2–20 letters, digits or dashes, e.g. KC-PKL."),
                           "code")
    if not name.strip():
        raise ServiceError(_("Please enter the branch name."), "name")
    if find_branch(code) is not None:
        raise ServiceError(_("A branch with code %(code)s already exists.", code=code), "code")
    branch = Branch(code=code, name=name.strip(), region=region,
                    letter_unit_code=details.pop("letter_unit_code", "") or code,
                    city=details.pop("city", "") or name.strip(), **details)
    db.session.add(branch)
    db.session.flush()
    record(actor, "create", "branch", branch.id, {"code": code, "name": branch.name},
           branch_id=branch.id)
    return branch


def update_branch(actor: User, branch: Branch, values: dict) -> Branch:
    """Change a branch's details."""
    changes = diff(branch, values)
    if changes:
        record(actor, "update", "branch", branch.id, changes, branch_id=branch.id)
    return branch


def _check_user_fields(email: str, name: str, role: str, branch: Branch | None,
                       region: Region | None) -> None:
    if not EMAIL_RE.match(email):
        raise ServiceError(_("Please enter a valid e-mail address."), "email")
    if not name.strip():
        raise ServiceError(_("Please enter the name."), "name")
    if role not in Role.ALL:
        raise ServiceError(_("Unknown role %(role)s.", role=role), "role")
    if role in Role.BRANCH_ROLES and branch is None:
        raise ServiceError(_("Officers and supervisors need a branch."), "branch")
    if role == Role.REGIONAL and region is None:
        raise ServiceError(_("Regional staff need a region (or a branch in it)."), "branch")


def create_user(actor: User | None, *, email: str, name: str, role: str,
                branch: Branch | None = None, region: Region | None = None,
                password: str | None = None, locale: str = "id", phone: str = "") -> User:
    """Create an account with its first password; regional staff take the region of the
    branch given."""
    email = normalise_email(email)
    if not password:
        raise ServiceError(_("Please set a first password."), "password")
    if role == Role.REGIONAL and region is None and branch is not None:
        region = branch.region
    _check_user_fields(email, name, role, branch, region)
    if find_user(email) is not None:
        raise ServiceError(_("An account with this e-mail address already exists."), "email")
    user = User(email=email, name=name.strip(), role=role, locale=locale, phone=phone.strip(),
                branch=branch if role != Role.ADMIN else None,
                region=region if role == Role.REGIONAL else None)
    set_password(user, password)
    db.session.add(user)
    db.session.flush()
    record(actor, "create", "user", user.id, {"email": email, "role": role},
           branch_id=user.branch_id)
    return user


def update_user(actor: User, user: User, *, name: str, role: str, branch: Branch | None,
                active: bool, password: str | None = None, phone: str | None = None,
                region: Region | None = None) -> User:
    """Change an account's name, role, branch, region, phone or whether it may sign in; set a
    new password when one is given. Regional staff take the region given, else their branch's,
    else the one they had."""
    if region is None:
        region = (branch.region if (role == Role.REGIONAL and branch is not None)
                  else user.region)
    _check_user_fields(user.email, name, role, branch, region)
    if user.id == actor.id and (not active or role != Role.ADMIN):
        raise ServiceError(_("You cannot remove your own admin access."), "role")
    changes = diff(user, {
        "name": name.strip(), "role": role, "active": active,
        "branch_id": branch.id if (branch is not None and role != Role.ADMIN) else None,
        "region_id": region.id if (region is not None and role == Role.REGIONAL) else None,
        **({"phone": phone.strip()} if phone is not None else {}),
    })
    if password:
        set_password(user, password)
        changes["password"] = ["", "changed"]
    elif "active" in changes and not active:
        rotate_session_token(user)
    if changes:
        record(actor, "update", "user", user.id, changes, branch_id=user.branch_id)
    return user


def set_password(user: User, password: str) -> None:
    """Set a new password of at least eight characters; every session of the account ends."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(_("A password needs at least %(n)d characters.",
                             n=MIN_PASSWORD_LENGTH), "password")
    user.set_password(password)
    rotate_session_token(user)


def rotate_session_token(user: User) -> None:
    """Give the account a new session token: every session and remember cookie made with the
    old one no longer signs in (OWASP ASVS 4.0.3 V3.3.1 and V3.3.3)."""
    user.session_token = new_session_token()


def set_locale(user: User, locale: str) -> None:
    """Remember the user's interface language."""
    user.locale = locale


@cache
def _dummy_hash() -> str:
    """A scrypt hash of a random password, checked when no account can be: an unknown e-mail
    then takes as long as a wrong password."""
    return generate_password_hash(secrets.token_urlsafe(16), method="scrypt")


def sign_in_refused() -> str:
    """The one message for every failed sign-in: unknown e-mail, wrong password or a
    deactivated account look the same, so the page tells no one which accounts exist (OWASP
    Authentication Cheat Sheet, "Authentication and error messages")."""
    return _("Wrong e-mail address or password, or the account may not sign in. "
             "If this keeps happening, ask your branch's admin.")


def authenticate(email: str, password: str,
                 address: str | None = None) -> tuple[User | None, str | None]:
    """The user for these credentials, or None and the message to show.

    Every attempt checks one password hash, also for an unknown e-mail, so that the answer
    takes the same time; every attempt is audited, a failure with the e-mail as typed (never
    the password) and no actor."""
    user = find_user(email)
    if user is not None and user.password_hash:
        matches = user.check_password(password)
    else:
        check_password_hash(_dummy_hash(), password)
        matches = False
    where = {"address": address} if address else {}
    if user is None or not matches or not user.active:
        reason = "unknown" if user is None else ("password" if not matches else "deactivated")
        record(None, "sign_in.failed", "user", user.id if user else None,
               {"email": normalise_email(email)[:254], "reason": reason, **where},
               branch_id=user.branch_id if user else None)
        return None, sign_in_refused()
    record(user, "sign_in", "user", user.id, where, branch_id=user.branch_id)
    return user, None


def sign_out(user: User, *, everywhere: bool = False) -> None:
    """Sign out: the account's token changes, so this session, its remember cookie and every
    other session of the account end. `everywhere` is the user's own button for it."""
    rotate_session_token(user)
    record(user, "sign_out.everywhere" if everywhere else "sign_out", "user", user.id,
           branch_id=user.branch_id)


#: what the audit calls the events of signing in and out
SIGN_IN_ACTIONS = ("sign_in", "sign_in.failed", "sign_out", "sign_out.everywhere")


def account_history(user: User, limit: int = 100) -> list[tuple[AuditEvent, User | None]]:
    """The audit events of one account (changes, sign-ins, failures, sign-outs), newest first,
    with who acted."""
    stmt = (select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.user_id)
            .where(AuditEvent.entity_type == "user", AuditEvent.entity_id == user.id,
                   ~is_access(AuditEvent.action))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    return [(event, actor) for event, actor in db.session.execute(stmt)]


def access_log(limit: int = 300) -> list[tuple[AuditEvent, User | None]]:
    """The data-access log: who read personal data, exported a list or downloaded a stored
    file or printed document, newest first."""
    stmt = (select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.user_id)
            .where(is_access(AuditEvent.action))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    return [(event, actor) for event, actor in db.session.execute(stmt)]


def sign_in_log(limit: int = 200) -> list[tuple[AuditEvent, User | None]]:
    """Sign-ins, failed sign-ins (also for e-mails with no account) and sign-outs of every
    account, newest first."""
    subject = aliased(User)
    stmt = (select(AuditEvent, subject)
            .outerjoin(subject, (AuditEvent.entity_type == "user")
                       & (subject.id == AuditEvent.entity_id))
            .where(AuditEvent.entity_type == "user", AuditEvent.action.in_(SIGN_IN_ACTIONS))
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit))
    return [(event, account) for event, account in db.session.execute(stmt)]
