"""The branch's own days off (supervisors), beside the year's national days off."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach.calendar import service
from outreach.calendar.forms import HolidayForm
from outreach.calendar.rules import national_days_off
from outreach.core import clock
from outreach.core.forms import SimpleForm
from outreach.core.guards import roles_required
from outreach.core.views import run_service, submit
from outreach.org.models import Role

bp = Blueprint("calendar", __name__)
supervisor_only = roles_required(Role.SUPERVISOR)


@bp.route("/holidays", methods=["GET", "POST"])
@supervisor_only
def holidays():
    """National days off of the year and the branch's own."""
    form = HolidayForm()
    if submit(form, lambda: service.add_holiday(current_user, form.day.data, form.name.data),
              _("Day off added.")):
        return redirect(url_for("calendar.holidays"))
    year = clock.today().year
    return render_template("calendar/holidays.html", form=form, year=year,
                           own=service.own_days_off(current_user.branch_id),
                           national=sorted(national_days_off(year).items()),
                           delete_form=SimpleForm())


@bp.route("/holidays/<int:holiday_id>/delete", methods=["POST"])
@supervisor_only
def holiday_delete(holiday_id: int):
    """Remove one of the branch's own days off."""
    holiday = service.own_day_off(current_user.branch_id, holiday_id)
    if holiday is None:
        abort(404)
    if SimpleForm().validate_on_submit():
        run_service(lambda: service.remove_holiday(current_user, holiday), _("Day off removed."))
    return redirect(url_for("calendar.holidays"))

