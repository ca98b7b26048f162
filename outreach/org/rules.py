"""Questions about accounts answered from data: is a password strong enough, is an
authenticator code or a recovery code right, which fingerprint ties a set-password link to one
use."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from flask_babel import gettext as _
from zxcvbn import zxcvbn

#: ASVS 4.0.3 V2.1.1: a password a person chooses has at least 12 characters
MIN_CHOSEN_LENGTH = 12
#: zxcvbn's estimate, 0 (guessed at once) to 4 (very hard): 3 means "safely unguessable"
MIN_STRENGTH_SCORE = 3
#: zxcvbn reads only this much of a password (its own limit: it is slow on longer input)
STRENGTH_CHECK_CHARS = 72
RECOVERY_CODE_COUNT = 10
#: TOTP codes one step (30 s) early or late are still accepted: clocks of phones drift
TOTP_WINDOW = 1
ISSUER = "Outreach BPJS Ketenagakerjaan"


def password_problem(password: str, personal: list[str]) -> str | None:
    """Why a password someone chose is refused, or None when it will do.

    At least 12 characters (ASVS 4.0.3 V2.1.1) and a zxcvbn score of 3 or more, which also
    refuses common passwords, keyboard patterns, dates and the person's own name or e-mail
    (`personal`; ASVS V2.1.7)."""
    if len(password) < MIN_CHOSEN_LENGTH:
        return _("A password needs at least %(n)d characters; a phrase of three or four "
                 "unrelated words is easy to remember.", n=MIN_CHOSEN_LENGTH)
    verdict = zxcvbn(password[:STRENGTH_CHECK_CHARS],
                     user_inputs=[p for p in personal if p][:10])
    if verdict["score"] < MIN_STRENGTH_SCORE:
        return _("This password is too easy to guess: it is close to a common password, a "
                 "word or name, a date, a keyboard pattern or your own name or e-mail. Use a "
                 "longer phrase of unrelated words.")
    return None


def new_totp_secret() -> str:
    """A fresh base32 secret for an authenticator app (160 bits, RFC 4226's recommendation)."""
    return pyotp.random_base32(32)


def totp_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def totp_step(secret: str, code: str, now: datetime, after_step: int = 0) -> int | None:
    """The time step `code` is right for at `now` (within one step either side), or None.

    A step at or before `after_step` (the last one accepted) does not count, so that a code
    seen over someone's shoulder cannot be used again."""
    code = "".join(code.split())
    if not secret or len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if step > after_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten recovery codes as people read them: "abcd-efgh-ijkl" (60 bits each)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return ["-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
            for _ in range(RECOVERY_CODE_COUNT)]


def recovery_hash(code: str) -> str:
    """The stored form of a recovery code (random, so a plain SHA-256 suffices)."""
    normal = "".join(code.lower().split()).replace("-", "")
    return hashlib.sha256(normal.encode()).hexdigest()


def link_fingerprint(password_hash: str, session_token: str) -> str:
    """What a set-password link carries of the account: it changes with the password and the
    session token, so a link works once and dies with a newer link's use or a sign-out
    everywhere."""
    return hashlib.sha256(f"{password_hash}\x00{session_token}".encode()).hexdigest()[:32]
