"""Who may see and change what: the one place that scopes records to a user's branch or region.

Every query that lists or loads companies, cases or letters starts from `scoped()`; a record
outside the user's reach is simply not found, so views answer 404 rather than 403 and do not
reveal that it exists.
"""

from __future__ import annotations

from functools import wraps
from typing import Any, TypeVar

from flask import Flask, abort, request
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, false, or_, select, true

from outreach.extensions import db, login_manager
from outreach.org.models import Branch, Role, User

M = TypeVar("M")


def branch_condition(user: User, branch_column: Any) -> ColumnElement[bool]:
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


def get_visible_or_404(model: type[M], record_id: int) -> M:
    """The record for the signed-in user, or a 404 when it is missing or out of reach."""
    record = get_visible(model, record_id, current_user)
    if record is None:
        abort(404)
    return record


def can_write(user: User, branch_id: int) -> bool:
    """Officers and supervisors change records of their own branch only."""
    return user.role in Role.BRANCH_ROLES and user.branch_id == branch_id


def require_write(branch_id: int) -> None:
    """Abort with 403 unless the signed-in user may change the branch's records."""
    if not can_write(current_user, branch_id):
        abort(403)


def staff_only(view):
    """View decorator: only the officers and supervisors who work cases (else 403)."""
    return roles_required(*Role.BRANCH_ROLES)(view)


def roles_required(*roles: str):
    """View decorator: the signed-in user must hold one of the roles (else 403)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def public(view):
    """Mark a view as open to anonymous visitors; every other view requires sign-in."""
    view.is_public = True
    return view


def require_sign_in():
    """Before each request: send anonymous visitors of non-public views to the sign-in page."""
    from flask import current_app

    if request.endpoint is None or current_user.is_authenticated:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if request.endpoint == "static" or request.endpoint.endswith(".static"):
        return None
    if view is not None and getattr(view, "is_public", False):
        return None
    return login_manager.unauthorized()


def init_app(app: Flask) -> None:
    """Require sign-in everywhere except views marked public."""
    app.before_request(require_sign_in)
