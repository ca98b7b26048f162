"""The officer's tasks ("Tugas saya") and notifications."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from outreach.core import clock
from outreach.core.forms import SimpleForm
from outreach.core.guards import get_visible_or_404, staff_only
from outreach.core.views import run_service
from outreach.extensions import db
from outreach.imports.service import open_suggestion_count
from outreach.notifications import service as notifications
from outreach.org import service as org
from outreach.org.models import Role
from outreach.tasks import service
from outreach.tasks.models import Reminder

bp = Blueprint("tasks", __name__)


@bp.app_template_global()
def nav_task_count() -> int:
    """The number on the "My tasks" badge of the signed-in officer or supervisor: the tasks due
    and the cases to verify and close, as the task page lists them."""
    if not current_user.is_authenticated or current_user.role not in Role.BRANCH_ROLES:
        return 0
    return service.task_count(current_user, clock.today(), open_suggestion_count(current_user))


class SnoozeForm(FlaskForm):
    """Snooze a task."""

    until = DateField(_l("Until"), validators=[DataRequired()])


class DoneForm(FlaskForm):
    """Mark a task done, with the reason when no step was logged for it."""

    reason = StringField(_l("Why is it done without a step?"), validators=[Length(max=300)])


class ReassignForm(FlaskForm):
    """Give a task to someone else."""

    officer = SelectField(_l("Officer"), coerce=int)


def _colleagues() -> list[tuple[int, str]]:
    return [(u.id, u.name) for u in org.branch_staff(current_user.branch_id)]


#: how the task list may be grouped: by due date (overdue, today) or by kecamatan
GROUPINGS = ("due", "kecamatan")


@bp.route("/")
def index():
    """Today's and overdue tasks, each a tap from the company and the due step, grouped by
    due date or by kecamatan."""
    today = clock.today()
    reassign = ReassignForm()
    reassign.officer.choices = _colleagues()
    grouping = request.args.get("group", "due")
    if grouping not in GROUPINGS:
        grouping = "due"
    groups = service.tasks(current_user, today)
    return render_template("tasks/index.html", groups=groups, grouping=grouping,
                           by_kecamatan=service.by_kecamatan(groups), today=today,
                           form=SimpleForm(), snooze=SnoozeForm(), reassign=reassign)


def _reminder(reminder_id: int) -> Reminder:
    return get_visible_or_404(Reminder, reminder_id)


def _act(action, success: str):
    run_service(action, success)
    return redirect(url_for("tasks.index"))


@bp.route("/<int:reminder_id>/done", methods=["POST"])
@staff_only
def done(reminder_id: int):
    """Mark a task done."""
    reminder = _reminder(reminder_id)
    form = DoneForm()
    if not form.validate_on_submit():
        flash(_("Say in at most 300 characters why the task is done."), "error")
        return redirect(url_for("tasks.index"))
    return _act(lambda: service.complete(current_user, reminder, clock.now(),
                                         form.reason.data or ""), _("Task done."))


@bp.route("/<int:reminder_id>/snooze", methods=["POST"])
@staff_only
def snooze(reminder_id: int):
    """Hide a task until a later day."""
    reminder = _reminder(reminder_id)
    form = SnoozeForm()
    if not form.validate_on_submit():
        flash(_("Choose a day after today."), "error")
        return redirect(url_for("tasks.index"))
    return _act(lambda: service.snooze(current_user, reminder, form.until.data, clock.today()),
                _("Task snoozed."))


@bp.route("/<int:reminder_id>/reassign", methods=["POST"])
@staff_only
def reassign(reminder_id: int):
    """Give a task to another officer of the branch."""
    reminder = _reminder(reminder_id)
    form = ReassignForm()
    form.officer.choices = _colleagues()
    if not form.validate_on_submit():
        flash(_("Choose an officer of this branch."), "error")
        return redirect(url_for("tasks.index"))
    officer = org.get_user(form.officer.data)
    return _act(lambda: service.reassign(current_user, reminder, officer), _("Task reassigned."))


@bp.app_template_global()
def nav_unread_count() -> int:
    """The number on the inbox badge: the signed-in user's notifications not read yet."""
    if not current_user.is_authenticated:
        return 0
    return notifications.unread_count(current_user)


@bp.route("/notifications")
def inbox():
    """The user's notifications (digests, summaries, directives), also when no mail is sent."""
    items = notifications.unread(current_user)
    return render_template("tasks/notifications.html", items=items)


@bp.route("/notifications/<int:notification_id>")
def notification(notification_id: int):
    """One notification shown as a page, its links working; opening it marks it read."""
    item = notifications.own_notification(current_user, notification_id)
    if item is None:
        abort(404)
    body = notifications.page_html(item, current_app.config.get("PUBLIC_BASE_URL") or "")
    notifications.mark_read(item, clock.now())
    db.session.commit()
    return render_template("tasks/notification.html", item=item, body=body)
