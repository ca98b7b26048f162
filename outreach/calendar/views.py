"""The branch's days off (supervisors): this year's and next year's national holidays and
collective leave, and the branch's changes to them."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach.calendar import service
from outreach.calendar.forms import HolidayForm, WorkingDayForm
from outreach.calendar.models import DayKind
from outreach.core import clock
from outreach.core.forms import SimpleForm
from outreach.core.guards import roles_required
from outreach.core.views import run_service, status_of, submit
from outreach.org.models import Role

bp = Blueprint("calendar", __name__)
supervisor_only = roles_required(Role.SUPERVISOR)


def _saved(message: str) -> str:
    return " ".join((message, _("Due dates already set on logged steps keep their dates; "
                                "the change counts for the windows counted from now on.")))


def _page(form: HolidayForm | None = None, working_form: WorkingDayForm | None = None):
    today = clock.today()
    branch_id = current_user.branch_id
    form = form or HolidayForm(formdata=None)
    working_form = working_form or WorkingDayForm(formdata=None)
    return render_template(
        "calendar/holidays.html", form=form, working_form=working_form, today=today,
        years=[service.calendar_year(branch_id, year) for year in (today.year, today.year + 1)],
        missing=service.years_without_collective_leave(branch_id, today),
        delete_form=SimpleForm()), max(status_of(form), status_of(working_form))


@bp.route("/holidays", methods=["GET", "POST"])
@supervisor_only
def holidays():
    """This year's and next year's days off; add a day off of the branch or collective leave."""
    form = HolidayForm()
    if submit(form, lambda: service.add_holiday(
            current_user, form.day.data, form.name.data, kind=form.kind.data,
            source=form.source.data),
              lambda day: _saved(_("Collective leave added.") if day.kind == DayKind.COLLECTIVE
                                 else _("Day off added."))):
        return redirect(url_for("calendar.holidays"))
    return _page(form=form)


@bp.route("/holidays/working", methods=["POST"])
@supervisor_only
def working_day():
    """Make a national holiday or collective leave day a working day of the branch."""
    form = WorkingDayForm()
    if submit(form, lambda: service.make_working_day(current_user, form.working_day.data,
                                                     form.reason.data),
              _saved(_("The day is now a working day of the branch."))):
        return redirect(url_for("calendar.holidays"))
    return _page(working_form=form)


@bp.route("/holidays/<int:holiday_id>/delete", methods=["POST"])
@supervisor_only
def holiday_delete(holiday_id: int):
    """Undo one of the branch's changes: remove its day off, or make its working day a
    national day off again."""
    holiday = service.own_day_off(current_user.branch_id, holiday_id)
    if holiday is None:
        abort(404)
    message = (_("The day is a national day off again.") if holiday.kind == DayKind.WORKING
               else _("Day off removed."))
    if SimpleForm().validate_on_submit():
        run_service(lambda: service.remove_holiday(current_user, holiday), _saved(message))
    return redirect(url_for("calendar.holidays"))
