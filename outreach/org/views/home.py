"""Home, health check and language choice."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from outreach.core.guards import public, safe_next
from outreach.extensions import db
from outreach.org import service as org
from outreach.org.models import Role
from outreach.scheduler import service as jobs

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    """Send each role to where its day starts."""
    if current_user.role == Role.ADMIN:
        return redirect(url_for("admin.users"))
    if current_user.role == Role.OFFICER:
        return redirect(url_for("tasks.index"))
    if current_user.role in (Role.SUPERVISOR, Role.REGIONAL):
        return redirect(url_for("dashboard.index"))
    return redirect(url_for("companies.index"))


@bp.route("/healthz")
@public
def healthz():
    """JSON health report; 503 when the database does not answer."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means unhealthy
        db.session.rollback()
        current_app.logger.error("health check: database unreachable: %s", exc)
        return jsonify(status="error", database="unreachable"), 503
    last = jobs.last_run(jobs.MORNING_SWEEP)
    return jsonify(status="ok", database="ok", last_sweep={
        "date": last.run_date.isoformat() if last and last.run_date else None,
        "finished_at": last.finished_at.isoformat() if last and last.finished_at else None})


@bp.route("/language", methods=["POST"])
@public
def set_language():
    """Switch the interface language, remembered per user (or per session before sign-in)."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            org.set_locale(current_user, locale)
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))
