"""Demo data of the branch's assignment rules: its kecamatan shared between its officers, so
that a list imported in the demo gives its new companies an officer (`imports.assignment`)."""

from __future__ import annotations

from outreach.imports import assignment
from outreach.org.models import User


def seed(branch_id: int, supervisor: User, officers: list[User], kecamatan: list[str]) -> None:
    """Each kecamatan to one of the officers in turn (kept as it is when seeded again)."""
    assignment.save_rules(supervisor, branch_id, {
        name: officers[n % len(officers)].id for n, name in enumerate(kecamatan)})
