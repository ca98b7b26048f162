"""Blueprints: thin request handlers over the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from outreach.core.errors import ServiceError
from outreach.extensions import db


def attach_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's refusal at the form field it concerns (or at the top of the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def commit_or_refuse() -> bool:
    """Commit; a concurrent save of the same record turns into the optimistic-lock message."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash(_("Someone else changed this case while you were editing. "
                "Your entry was not saved; please check the case and try again."), "error")
        return False
    return True


def run_service(action: Callable[[], Any], success: str) -> bool:
    """Run a service call; flash its refusal and roll back, or commit and flash `success`."""
    try:
        action()
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return False
    if commit_or_refuse():
        flash(success, "success")
        return True
    return False
