"""What every view does the same way: call a service, commit, or show its refusal.

A form view is `if outcome := submit(form, lambda: service.…, _("Saved.")): return redirect(…)`
and renders the form again with `status_of(form)` otherwise; a button is `run_service`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, flash, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from outreach.core.audit import record_access
from outreach.core.errors import ServiceError
from outreach.extensions import db

#: the file name ending of each stored upload's content type
SUFFIXES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp",
            "application/pdf": ".pdf"}


def public_base_url() -> str:
    """The address letters and links print (the QR code leads to /verify there):
    `PUBLIC_BASE_URL`, or on a development or test server the address the request came to (a
    phone on the office network reaches a laptop by its network address, never 127.0.0.1).
    Production without `PUBLIC_BASE_URL` refuses, with the reason."""
    configured = current_app.config.get("PUBLIC_BASE_URL") or ""
    if configured:
        return configured.rstrip("/")
    if current_app.config.get("PUBLIC_BASE_URL_FROM_REQUEST"):
        return request.host_url.rstrip("/")
    raise ServiceError(_("Letters cannot be issued yet: the administrator must set "
                         "PUBLIC_BASE_URL to the address outreach is reached at (for example "
                         "https://outreach.example.id), so that a letter's QR code and links "
                         "lead to it."))


def attach_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's refusal at the form field it concerns (or at the top of the form)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def conflict(error: StaleDataError | IntegrityError) -> ServiceError:
    """The refusal a concurrent save becomes: a record saved by someone else meanwhile (its
    version moved on: the optimistic lock of cases and companies), or a row someone else
    inserted first (e.g. two template saves taking the same version number)."""
    current_app.logger.info("concurrent change refused: %s", str(error).splitlines()[0])
    if isinstance(error, StaleDataError) and "'companies'" in str(error):
        return ServiceError(_("Someone else changed this company while you were editing. "
                              "Your entry was not saved; please check the company and try "
                              "again."))
    if isinstance(error, StaleDataError):
        return ServiceError(_("Someone else changed this case while you were editing. "
                              "Your entry was not saved; please check the case and try again."))
    return ServiceError(_("Someone else saved the same record at the same moment. Your entry "
                          "was not saved; please reload the page and try again."))


def commit_or_refuse(refuse: Callable[[ServiceError], None] | None = None) -> bool:
    """Commit; a concurrent save of the same record turns into the someone-changed-this message
    (flashed, or handed to `refuse`)."""
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError) as error:
        db.session.rollback()
        message = conflict(error)
        if refuse is None:
            flash(message.message, "error")
        else:
            refuse(message)
        return False
    return True


@dataclass(frozen=True)
class Outcome:
    """What `submit` did: `saved` (also its truth value) and the service's return `value`."""

    saved: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.saved


Success = str | Callable[[Any], str] | None


def _call(action: Callable[[], Any], refuse: Callable[[ServiceError], None],
          success: Success) -> Outcome:
    """Call the service and commit, flashing `success` (or `success(value)`); on a refusal
    roll back and hand it to `refuse`."""
    try:
        value = action()
    except ServiceError as error:
        db.session.rollback()
        refuse(error)
        return Outcome(False)
    except (StaleDataError, IntegrityError) as error:  # found by a flush inside the service
        db.session.rollback()
        refuse(conflict(error))
        return Outcome(False)
    if not commit_or_refuse(refuse):
        return Outcome(False)
    if success is not None:
        flash(success(value) if callable(success) else success, "success")
    return Outcome(True, value)


def run_service(action: Callable[[], Any], success: Success = None) -> bool:
    """Run a service call (a button, no form fields): its refusal is flashed."""
    return _call(action, lambda error: flash(error.message, "error"), success).saved


def submit(form: FlaskForm, action: Callable[[], Any], success: Success = None) -> Outcome:
    """Validate the submitted form, then run the service call: a refusal goes to the form
    field it names and nothing typed is lost, since the caller renders the same form again."""
    if not form.validate_on_submit():
        return Outcome(False)
    return _call(action, lambda error: attach_error(form, error), success)


def status_of(form: FlaskForm) -> int:
    """The status of a form page: 400 when it shows errors, else 200."""
    return 400 if form.errors or form.form_errors else 200


def log_access(action: str, entity_type: str, entity_id: int | None, branch_id: int | None,
               **details: Any) -> None:
    """Record in the data-access log that the signed-in user read personal data or took a list
    or file out ("view.…", "export.…", "download.…"), committed before it is served.

    The commit expires what the session loaded: a page calls it once its data is read (the
    company page, after rendering), so that nothing is loaded twice."""
    record_access(current_user, action, entity_type, entity_id, details, branch_id=branch_id)
    db.session.commit()


def pdf_response(data: bytes, filename: str, inline: bool = True):
    """A PDF the app made (a letter, a form, a report): never cached; the app's own pages may
    show it in a frame (the approval page shows the letter beside the decision), no other
    site may."""
    disposition = "inline" if inline else "attachment"
    return current_app.response_class(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'{disposition}; filename="{filename}"',
        "Cache-Control": "private, no-store",
        "Content-Security-Policy": "frame-ancestors 'self'", "X-Frame-Options": "SAMEORIGIN"})


def stored_file(data: bytes, content_type: str, stem: str):
    """A stored upload (a proof, a payment's proof) as a response: photos shown in the browser,
    other files downloaded, never cached."""
    disposition = "inline" if content_type.startswith("image/") else "attachment"
    return current_app.response_class(data, mimetype=content_type, headers={
        "Content-Disposition": f'{disposition}; filename="{stem}{SUFFIXES.get(content_type, "")}"',
        "Cache-Control": "private, no-store"})
