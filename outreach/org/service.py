"""Branches, regions and user accounts."""

from __future__ import annotations

import hmac
import re
import secrets
from datetime import datetime
from functools import cache

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import aliased
from werkzeug.security import check_password_hash, generate_password_hash

from outreach.core.access import scoped
from outreach.core.audit import AuditEvent, diff, is_access, record
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.org import rules
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


def staff_visible_to(user: User) -> list[tuple[int, str]]:
    """The active officers and supervisors of the branches the user may read, by name: their
    ids and names (a region's list offers hundreds)."""
    return [(row.id, row.name) for row in db.session.execute(
        scoped(User, user).with_only_columns(User.id, User.name)
        .where(User.role.in_(Role.BRANCH_ROLES), User.active).order_by(User.name))]


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
    """Create a branch; its code must be new and look like "KC-PKL", and it needs its head
    (`head_name`), in whose name its letters are signed."""
    code = code.strip().upper()
    if not BRANCH_CODE_RE.match(code):
        raise ServiceError(_("A branch code has 2–20 letters, digits or dashes, e.g. KC-PKL."),
                           "code")
    if not name.strip():
        raise ServiceError(_("Please enter the branch name."), "name")
    if find_branch(code) is not None:
        raise ServiceError(_("A branch with code %(code)s already exists.", code=code), "code")
    details["head_name"] = (details.get("head_name") or "").strip()
    _require_head(details["head_name"])
    branch = Branch(code=code, name=name.strip(), region=region,
                    letter_unit_code=details.pop("letter_unit_code", "") or code,
                    city=details.pop("city", "") or name.strip(), **details)
    db.session.add(branch)
    db.session.flush()
    record(actor, "create", "branch", branch.id, {"code": code, "name": branch.name},
           branch_id=branch.id)
    return branch


def _require_head(head_name: str) -> None:
    if not head_name:
        raise ServiceError(_("A branch needs its head: letters are signed in that name."),
                           "head_name")


def update_branch(actor: User, branch: Branch, values: dict) -> Branch:
    """Change a branch's details; its head cannot be taken away."""
    if "head_name" in values:
        values = {**values, "head_name": (values["head_name"] or "").strip()}
        _require_head(values["head_name"])
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
                password: str | None = None, locale: str = "id", phone: str = "",
                must_change: bool = False) -> User:
    """Create an account; regional staff take the region of the branch given.

    Without a password the account cannot sign in until its owner follows a set-password
    link (`password_link`); with one chosen for them (`flask users create`), `must_change`
    makes the first sign-in change it."""
    email = normalise_email(email)
    if role == Role.REGIONAL and region is None and branch is not None:
        region = branch.region
    _check_user_fields(email, name, role, branch, region)
    if find_user(email) is not None:
        raise ServiceError(_("An account with this e-mail address already exists."), "email")
    user = User(email=email, name=name.strip(), role=role, locale=locale, phone=phone.strip(),
                branch=branch if role != Role.ADMIN else None,
                region=region if role == Role.REGIONAL else None)
    if password:
        set_password(user, password)
        user.must_change_password = must_change
    db.session.add(user)
    db.session.flush()
    record(actor, "create", "user", user.id, {"email": email, "role": role},
           branch_id=user.branch_id)
    return user


def update_user(actor: User, user: User, *, name: str, role: str, branch: Branch | None,
                active: bool, phone: str | None = None, region: Region | None = None) -> User:
    """Change an account's name, role, branch, region, phone or whether it may sign in (admins
    never choose a password: they send a set-password link). Regional staff take the region
    given, else their branch's, else the one they had."""
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
    if "active" in changes and not active:
        rotate_session_token(user)
    if changes:
        record(actor, "update", "user", user.id, changes, branch_id=user.branch_id)
    return user


def set_password(user: User, password: str) -> None:
    """Set a new password of at least eight characters; every session of the account ends.

    Only for a password someone else chose (the command line, demo data), which the account
    then changes at once or is a demo; a person's own choice goes through `choose_password`."""
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
    # with two-factor on, the password was right and the code is asked for next
    record(user, "sign_in.second_factor" if user.two_factor else "sign_in", "user", user.id,
           where, branch_id=user.branch_id)
    return user, None


def sign_out(user: User, *, everywhere: bool = False) -> None:
    """Sign out: the account's token changes, so this session, its remember cookie and every
    other session of the account end. `everywhere` is the user's own button for it."""
    rotate_session_token(user)
    record(user, "sign_out.everywhere" if everywhere else "sign_out", "user", user.id,
           branch_id=user.branch_id)


#: what the audit calls the events of signing in and out
SIGN_IN_ACTIONS = ("sign_in", "sign_in.failed", "sign_in.locked", "sign_in.second_factor",
                   "sign_out", "sign_out.everywhere")


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


# --- passwords people choose --------------------------------------------------------------------

#: a set-password link works for this long
PASSWORD_LINK_HOURS = 72
_LINK_SALT = "outreach.set-password"


def choose_password(user: User, password: str, *, action: str = "password.changed") -> None:
    """Set the password a person chose for their own account, if it is strong enough
    (`rules.password_problem`); every session of the account ends and it is audited."""
    problem = rules.password_problem(password, [user.email, user.email.split("@")[0],
                                                *user.name.split()])
    if problem:
        raise ServiceError(problem, "new_password")
    user.set_password(password)
    user.must_change_password = False
    rotate_session_token(user)
    record(user, action, "user", user.id, branch_id=user.branch_id)


def change_password(user: User, old_password: str, new_password: str) -> None:
    """The user's own change of password: the old one first (ASVS 4.0.3 V2.1.5)."""
    if not user.check_password(old_password):
        raise ServiceError(_("The current password is not right."), "old_password")
    if old_password == new_password:
        raise ServiceError(_("Choose a password different from the current one."),
                           "new_password")
    choose_password(user, new_password)


def _link_serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_LINK_SALT)


def password_link(actor: User, user: User, secret_key: str) -> str:
    """A signed token for a link that lets the owner set the account's password once, within
    PASSWORD_LINK_HOURS (audited: who sent it)."""
    if not user.active:
        raise ServiceError(_("This account may not sign in; allow it first."), "active")
    record(actor, "password.link", "user", user.id, branch_id=user.branch_id)
    return _link_serializer(secret_key).dumps(
        {"u": user.id, "f": rules.link_fingerprint(user.password_hash, user.session_token)})


def user_for_link(token: str, secret_key: str) -> User | None:
    """The account a set-password token is for, or None when it is forged, expired, or used
    already (the password or session token has changed since it was made)."""
    try:
        data = _link_serializer(secret_key).loads(token, max_age=PASSWORD_LINK_HOURS * 3600)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user = get_user(data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.active:
        return None
    fingerprint = rules.link_fingerprint(user.password_hash, user.session_token)
    if not hmac.compare_digest(str(data.get("f", "")), fingerprint):
        return None
    return user


def set_password_by_link(token: str, password: str, secret_key: str) -> User:
    """Set the password through a set-password link; the link is then spent."""
    user = user_for_link(token, secret_key)
    if user is None:
        raise ServiceError(_("This link has expired or was used already. Ask your admin for a "
                             "new one."))
    choose_password(user, password, action="password.set_by_link")
    return user


# --- two-factor sign-in --------------------------------------------------------------------------


def enable_two_factor(user: User, secret: str, code: str, now: datetime) -> list[str]:
    """Switch on two-factor sign-in once a code from the new authenticator is right; returns
    the ten recovery codes, which are stored only as hashes and shown this once."""
    step = rules.totp_step(secret, code, now)
    if step is None:
        raise ServiceError(_("That code is not right. Check the time on your phone and type "
                             "the six digits the app shows now."), "code")
    codes = rules.new_recovery_codes()
    user.totp_secret = secret
    user.totp_enabled_at = now
    user.totp_last_step = step
    user.recovery_codes = "\n".join(rules.recovery_hash(c) for c in codes)
    record(user, "two_factor.enabled", "user", user.id, branch_id=user.branch_id)
    return codes


def check_second_factor(user: User, code: str, now: datetime,
                        address: str | None = None) -> bool:
    """Whether `code` is the account's current authenticator code or one of its unused
    recovery codes (which is then spent); audited either way."""
    where = {"address": address} if address else {}
    step = rules.totp_step(user.totp_secret, code, now, after_step=user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
        record(user, "sign_in", "user", user.id, {"second_factor": "totp", **where},
               branch_id=user.branch_id)
        return True
    hashes = [h for h in user.recovery_codes.split("\n") if h]
    digest = rules.recovery_hash(code)
    if any(hmac.compare_digest(digest, h) for h in hashes):
        hashes.remove(digest)
        user.recovery_codes = "\n".join(hashes)
        record(user, "sign_in", "user", user.id,
               {"second_factor": "recovery code", "recovery_codes_left": len(hashes), **where},
               branch_id=user.branch_id)
        return True
    record(None, "sign_in.failed", "user", user.id,
           {"email": user.email, "reason": "second factor", **where}, branch_id=user.branch_id)
    return False


def _drop_two_factor(user: User) -> None:
    user.totp_secret = ""
    user.totp_enabled_at = None
    user.totp_last_step = 0
    user.recovery_codes = ""


def disable_two_factor(user: User, password: str) -> None:
    """The user switches two-factor sign-in off, with their password."""
    if not user.check_password(password):
        raise ServiceError(_("The password is not right."), "password")
    _drop_two_factor(user)
    record(user, "two_factor.disabled", "user", user.id, branch_id=user.branch_id)


def reset_two_factor(actor: User, user: User) -> None:
    """An admin removes an account's authenticator (a lost phone and no recovery codes): the
    owner signs in with the password and, where two-factor is required, enrols again. Every
    session of the account ends."""
    if not user.two_factor:
        raise ServiceError(_("This account has no two-factor sign-in to reset."))
    _drop_two_factor(user)
    rotate_session_token(user)
    record(actor, "two_factor.reset", "user", user.id, branch_id=user.branch_id)


def needs_two_factor(user: User, required: bool) -> bool:
    """Whether the account must enrol before using the app: supervisors and admins, who
    approve legal steps and manage accounts, when the setting requires it."""
    return required and user.role in (Role.SUPERVISOR, Role.ADMIN) and not user.two_factor


# --- throttled sign-in ---------------------------------------------------------------------------


def record_lockout(email: str, address: str | None, scope: str, seconds: int) -> User | None:
    """Audit that sign-in was locked for an account or an address after too many failures;
    returns the account (to tell its owner), if the e-mail has one."""
    user = find_user(email) if scope == "account" else None
    record(None, "sign_in.locked", "user", user.id if user else None,
           {"email": normalise_email(email)[:254], "scope": scope, "seconds": seconds,
            **({"address": address} if address else {})},
           branch_id=user.branch_id if user else None)
    return user
