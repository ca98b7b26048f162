"""Sign-in throttling per account and per address, with lockouts that double.

Failures are counted in the limiter's storage (`RATELIMIT_STORAGE_URI`: Redis in production),
so every web worker and host sees the same counts. An account is locked after a burst of
`ACCOUNT_BURST` failures, whatever addresses they came from; an address after a burst of
`ADDRESS_BURST` failures at any accounts, which is set high because a whole office may sign in
through one address. Each new lockout of the same account or address within a day lasts twice
as long as the one before (OWASP ASVS 4.0.3 V2.2.1; OWASP Authentication Cheat Sheet, "Account
lockout").
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from limits.storage import Storage

ACCOUNT_BURST = 5
ADDRESS_BURST = 30
#: failures count toward a burst for this long after the first of them
FAILURE_WINDOW = 15 * 60
#: the first lockout; every further one within STRIKE_MEMORY doubles it, up to MAX_LOCK
FIRST_LOCK = 60
MAX_LOCK = 60 * 60
STRIKE_MEMORY = 24 * 60 * 60


@dataclass(frozen=True)
class Lockout:
    """A lockout that has just begun: of an account (by e-mail) or an address."""

    scope: str
    seconds: int


def _subjects(email: str, address: str | None) -> list[tuple[str, str]]:
    subjects = [("account", email.strip().lower())]
    if address:
        subjects.append(("address", address))
    return subjects


@dataclass(frozen=True)
class Throttle:
    """The sign-in counts of one deployment: its limiter storage and key prefix."""

    storage: Storage
    prefix: str = ""

    def _key(self, kind: str, scope: str, who: str) -> str:
        # hashed: the storage never holds e-mail addresses, and a key has a fixed length
        digest = hashlib.sha256(who.encode()).hexdigest()[:32]
        return f"{self.prefix}outreach/sign-in/{kind}/{scope}/{digest}"

    def locked_for(self, email: str, address: str | None) -> int:
        """Seconds until the account or the address may try again; 0 when neither is
        locked."""
        remaining = 0.0
        for scope, who in _subjects(email, address):
            key = self._key("lock", scope, who)
            if self.storage.get(key) > 0:
                remaining = max(remaining, self.storage.get_expiry(key) - time.time())
        return max(int(remaining + 0.999), 1) if remaining > 0 else 0

    def failed(self, email: str, address: str | None) -> list[Lockout]:
        """Count a failed sign-in against the account and the address; returns the lockouts
        it starts."""
        begun = []
        for scope, who in _subjects(email, address):
            burst = ACCOUNT_BURST if scope == "account" else ADDRESS_BURST
            fails = self._key("fails", scope, who)
            if self.storage.incr(fails, FAILURE_WINDOW) < burst:
                continue
            self.storage.clear(fails)
            strikes = self.storage.incr(self._key("strikes", scope, who), STRIKE_MEMORY)
            seconds = min(FIRST_LOCK * 2 ** (strikes - 1), MAX_LOCK)
            self.storage.incr(self._key("lock", scope, who), seconds)
            begun.append(Lockout(scope, seconds))
        return begun

    def succeeded(self, email: str) -> None:
        """A right password: the account's count of failures starts again (its lockout
        history stays, so each further lockout still doubles)."""
        self.storage.clear(self._key("fails", "account", email.strip().lower()))
