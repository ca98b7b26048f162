"""Who may see and change what: the one place that scopes records to a user's branch or region.

Every query that lists or loads companies, cases or letters starts from `scoped()`; a record
outside the user's reach is simply not found, so views answer 404 rather than 403 and do not
reveal that it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, false, or_, select, true

from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.org.models import Branch, Role, User

M = TypeVar("M")


@dataclass(frozen=True)
class Reader:
    """Someone who reads one branch's or one region's records and changes none: what a partner
    system's API token acts as. Scoped like an officer of the branch or regional staff of the
    region, and refused every permission by `may`."""

    branch_id: int | None = None
    region_id: int | None = None
    #: no account: audit events of its calls name no user
    id: None = None

    @property
    def role(self) -> str:
        """The role whose reach it has: regional staff for a region, an officer for a branch."""
        return Role.REGIONAL if self.region_id is not None else Role.OFFICER


def branch_condition(user: User | Reader, branch_column: Any) -> ColumnElement[bool]:
    """SQL condition restricting `branch_column` to the branches the user may read."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.REGIONAL:
        if user.region_id is None:
            return false()
        return branch_column.in_(select(Branch.id).where(Branch.region_id == user.region_id))
    if user.role in Role.BRANCH_ROLES and user.branch_id is not None:
        return branch_column == user.branch_id
    return false()


def read_condition(model: Any, user: User) -> ColumnElement[bool]:
    """SQL condition: the user may read the row of `model` (which must have `branch_id`).

    A model naming a relationship in `__scope_through__` is also read by the branches that
    may read the record it belongs to: a letter stays the record of the branch that issued it,
    and the branch that now holds its case (after a transfer) reads it too.
    """
    condition = branch_condition(user, model.branch_id)
    through = getattr(model, "__scope_through__", None)
    if through is None:
        return condition
    relationship = getattr(model, through)
    parent = relationship.property.mapper.class_
    return or_(condition, relationship.has(branch_condition(user, parent.branch_id)))


def scoped(model: type[M], user: User) -> Select[tuple[M]]:
    """A SELECT of `model` limited to what the user may read (model must have `branch_id`)."""
    return select(model).where(read_condition(model, user))


def visible_branches(user: User) -> Select[tuple[Branch]]:
    """The branches the user may read, by name."""
    return select(Branch).where(branch_condition(user, Branch.id)).order_by(Branch.name)


def get_visible(model: type[M], record_id: int, user: User) -> M | None:
    """The record if the user may read it, else None."""
    stmt = scoped(model, user).where(model.id == record_id)  # type: ignore[attr-defined]
    return db.session.scalars(stmt).first()


class Permission:
    """What a user may do to a branch's records, beyond reading them."""

    #: work the branch's companies and cases: edit, log steps, import, issue letters
    WORK = "work"
    #: decide for the branch: approvals, templates, settings, transfers
    DECIDE = "decide"


REFUSALS = {
    Permission.WORK: _l("Only officers and supervisors of this branch may do this."),
    Permission.DECIDE: _l("Only a supervisor of this branch may do this."),
}


def may(user: User, permission: str, branch_id: int | None) -> bool:
    """Whether the user holds `permission` on the records of the branch."""
    if isinstance(user, Reader):
        return False
    if branch_id is None or user.branch_id != branch_id:
        return False
    if permission == Permission.DECIDE:
        return user.role == Role.SUPERVISOR
    return user.role in Role.BRANCH_ROLES


def require(user: User, permission: str, branch_id: int | None) -> None:
    """Refuse (ServiceError with the permission's message) unless the user `may`."""
    if not may(user, permission, branch_id):
        raise ServiceError(str(REFUSALS[permission]))
