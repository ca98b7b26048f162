"""Sign-in and role guards of the web pages: decorators and 404s for records out of reach."""

from __future__ import annotations

from functools import wraps
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request
from flask_login import current_user

from outreach.core.access import Permission, get_visible, may
from outreach.extensions import login_manager
from outreach.org.models import Role

M = TypeVar("M")


def get_visible_or_404(model: type[M], record_id: int) -> M:
    """The record for the signed-in user, or a 404 when it is missing or out of reach."""
    record = get_visible(model, record_id, current_user)
    if record is None:
        abort(404)
    return record


def require_write(branch_id: int) -> None:
    """Abort with 403 unless the signed-in user may change the branch's records."""
    if not may(current_user, Permission.WORK, branch_id):
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


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site; None for anything that could leave it."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def public(view):
    """Mark a view as open to anonymous visitors; every other view requires sign-in."""
    view.is_public = True
    return view


def require_sign_in():
    """Before each request: send anonymous visitors of non-public views to the sign-in page."""
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
