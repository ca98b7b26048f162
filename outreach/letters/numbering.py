"""Gapless letter numbers per branch and year.

The counter row is bumped with one UPDATE in the issuing transaction: the row lock (PostgreSQL)
or the database write lock (SQLite) makes concurrent issuers wait, and a failed issue rolls the
number back with everything else.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from outreach.extensions import db
from outreach.letters.models import LetterCounter

ROMAN_MONTHS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def ensure_counter(branch_id: int, year: int) -> None:
    """Create the counter row of a branch and year if missing (safe under concurrency)."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(LetterCounter).values(branch_id=branch_id, year=year, last_seq=0)
                       .on_conflict_do_nothing())


def next_seq(branch_id: int, year: int) -> int:
    """Take the next number of the branch's year (inside the caller's transaction)."""
    ensure_counter(branch_id, year)
    return db.session.execute(
        update(LetterCounter)
        .where(LetterCounter.branch_id == branch_id, LetterCounter.year == year)
        .values(last_seq=LetterCounter.last_seq + 1)
        .returning(LetterCounter.last_seq)).scalar_one()


def format_number(pattern: str, *, seq: int, classification: str, unit: str,
                  issued_on: date) -> str:
    """The letter number in the branch's shape, e.g. 045/PKP/KC-PKL/I/2022."""
    return pattern.format_map({"seq": seq, "class": classification, "unit": unit,
                               "month_roman": ROMAN_MONTHS[issued_on.month - 1],
                               "month": issued_on.month, "year": issued_on.year})
