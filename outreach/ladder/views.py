"""A branch's own settings: ladder adjustments and days off (supervisors)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from outreach.calendar.models import BranchHoliday
from outreach.calendar.rules import national_days_off
from outreach.core import clock
from outreach.core.errors import ServiceError
from outreach.core.forms import HolidayForm, RungForm, SimpleForm
from outreach.core.guards import roles_required
from outreach.core.views import attach_error
from outreach.extensions import db
from outreach.ladder import rules as policy
from outreach.ladder import service
from outreach.org.models import Role

bp = Blueprint("settings", __name__)
supervisor_only = roles_required(Role.SUPERVISOR)


@bp.route("/ladder")
@supervisor_only
def ladder():
    """The branch's ladder with its windows and limits."""
    return render_template("ladder/ladder.html",
                           rows=policy.ladder_rows(current_user.branch_id))


@bp.route("/ladder/<code>", methods=["GET", "POST"])
@supervisor_only
def rung(code: str):
    """Adjust one rung for the branch."""
    row = next((r for r in policy.ladder_rows(current_user.branch_id) if r.code == code), None)
    if row is None:
        return redirect(url_for("settings.ladder"))
    form = RungForm(obj=row)
    if not form.is_submitted():
        form.active.data = "1" if row.active else "0"
    if form.validate_on_submit():
        try:
            service.adjust_rung(current_user, code, window_days=form.window_days.data,
                                max_count=form.max_count.data, active=form.active.data == "1")
        except ServiceError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Ladder saved."), "success")
            return redirect(url_for("settings.ladder"))
    return render_template("ladder/rung_form.html", row=row, form=form)


@bp.route("/holidays", methods=["GET", "POST"])
@supervisor_only
def holidays():
    """National days off of the year and the branch's own."""
    form = HolidayForm()
    if form.validate_on_submit():
        try:
            service.add_holiday(current_user, form.day.data, form.name.data)
        except ServiceError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Day off added."), "success")
            return redirect(url_for("settings.holidays"))
    year = clock.today().year
    own = db.session.scalars(select(BranchHoliday).where(
        BranchHoliday.branch_id == current_user.branch_id).order_by(BranchHoliday.day)).all()
    return render_template("calendar/holidays.html", form=form, own=own, year=year,
                           national=sorted(national_days_off(year).items()),
                           delete_form=SimpleForm())


@bp.route("/holidays/<int:holiday_id>/delete", methods=["POST"])
@supervisor_only
def holiday_delete(holiday_id: int):
    """Remove one of the branch's own days off."""
    holiday = db.first_or_404(select(BranchHoliday).where(
        BranchHoliday.id == holiday_id, BranchHoliday.branch_id == current_user.branch_id))
    form = SimpleForm()
    if form.validate_on_submit():
        try:
            service.remove_holiday(current_user, holiday)
        except ServiceError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("Day off removed."), "success")
    return redirect(url_for("settings.holidays"))
