"""The scheduler seen from the web: the banner when today's morning sweep is late, and an
administrator's button that hands it to the queue's workers now (a recorded job run, as the
scheduler's own)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach.core import clock
from outreach.core.forms import SimpleForm
from outreach.core.guards import roles_required
from outreach.org.models import Role
from outreach.scheduler import jobs, service

bp = Blueprint("jobs", __name__)


@bp.app_template_global()
def morning_sweep_late() -> bool:
    """Whether to tell the signed-in supervisor or admin that today's sweep has not run by
    08:00 in the branch's time zone."""
    if not current_user.is_authenticated or current_user.role not in (Role.SUPERVISOR,
                                                                       Role.ADMIN):
        return False
    local = datetime.now(ZoneInfo(current_app.config["OUTREACH_TIMEZONE"]))
    return service.sweep_late(clock.today(), local.time())


@bp.route("/sweep", methods=["POST"])
@roles_required(Role.ADMIN)
def run_sweep():
    """Run today's morning sweep now on a worker, recorded as a job run like the
    scheduler's."""
    SimpleForm().validate_on_submit()
    today = clock.today()
    jobs.hand_over(current_app._get_current_object(), service.MORNING_SWEEP, today)
    flash(_("The morning sweep was handed to the workers: its run appears below when it is "
            "done."), "info")
    return redirect(url_for("admin.job_runs"))
