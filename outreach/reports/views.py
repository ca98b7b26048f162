"""The supervisor's and the regional office's review: dashboard, branch comparison, the
still-non-compliant list (reassign, directives) and the monthly reports."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from outreach.calendar import service as calendar
from outreach.cases.models import Case
from outreach.core import clock
from outreach.core.errors import ServiceError
from outreach.core.guards import get_visible_or_404, roles_required, safe_next
from outreach.core.views import (
    log_access,
    pdf_response,
    public_base_url,
    run_service,
    status_of,
    submit,
)
from outreach.org.models import Branch, Role
from outreach.queue import service as queue
from outreach.queue.work import MONTHLY_REPORT
from outreach.queue.worker import start
from outreach.reports import review
from outreach.reports.comparison import (
    OLDER_THAN_DAYS,
    branch_comparison,
    readable_branches,
    visible_branch,
)
from outreach.reports.dashboard import Scope, dashboard
from outreach.reports.figures import comparison_chart, dashboard_charts
from outreach.reports.monthly import (
    month_name,
    previous_month,
    refuse_report,
    reports_list,
    stored_report,
)

bp = Blueprint("dashboard", __name__)
READERS = (Role.SUPERVISOR, Role.REGIONAL, Role.ADMIN)


class DirectiveForm(FlaskForm):
    """A supervisor's directive on a case."""

    text = TextAreaField(_l("Directive"), validators=[DataRequired(),
                                                       Length(max=review.DIRECTIVE_MAX)])
    next = HiddenField()


class ReassignForm(FlaskForm):
    """Give a case's company to another officer."""

    officer = SelectField(_l("Officer"), coerce=int)
    next = HiddenField()


class BulkForm(FlaskForm):
    """Reassign, or send one directive to, the cases ticked on the review."""

    case = SelectMultipleField(_l("Cases"), coerce=int, validate_choice=False)
    action = SelectField(choices=[("reassign", _l("Reassign")),
                                  ("directive", _l("Send directive"))])
    officer = SelectField(_l("Officer"), coerce=int, validate_choice=False,
                          validators=[Optional()])
    text = TextAreaField(_l("Directive"), validators=[Length(max=review.DIRECTIVE_MAX)])
    next = HiddenField()


class ReportForm(FlaskForm):
    """Make a branch's monthly report."""

    period = StringField(_l("Month"), validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}$")])
    branch = SelectField(_l("Branch"), coerce=int)


def company_list_url(params: dict[str, Any]) -> str:
    """The company list filtered as a figure says."""
    return url_for("companies.index", **params)


def _int_arg(name: str, default: int, low: int = 0, high: int = 3650) -> int:
    try:
        return min(max(int(request.args.get(name, "")), low), high)
    except ValueError:
        return default


def _branch_arg() -> Branch | None:
    """The branch chosen with `?branch=` (404 when the user does not read it)."""
    raw = request.args.get("branch", "")
    if not raw.isdigit() or len(raw) > 9:  # longer numbers overflow the database's integers
        return None
    branch = visible_branch(current_user, int(raw))
    if branch is None:
        abort(404)
    return branch


def _branches() -> list[Branch]:
    """The branches a regional user (or admin) may choose between; none for a supervisor."""
    if current_user.role == Role.SUPERVISOR:
        return []
    return readable_branches(current_user)


@bp.route("/")
@roles_required(*READERS)
def index():
    """Open cases, their age, the ladder funnel, overdue work, the gap, compliance won."""
    branch = _branch_arg()
    today = clock.today()
    figures = dashboard(Scope.of(current_user, branch.id if branch else None), today)
    no_collective_leave = (calendar.years_without_collective_leave(current_user.branch_id, today)
                           if current_user.role == Role.SUPERVISOR else [])
    return render_template("reports/index.html", d=figures, branch=branch,
                           branches=_branches(), today=today,
                           no_collective_leave=no_collective_leave,
                           charts=dashboard_charts(figures, href=company_list_url))


@bp.route("/region")
@roles_required(Role.REGIONAL, Role.ADMIN)
def region():
    """Every branch of the region side by side."""
    today = clock.today()
    rows = branch_comparison(current_user, today)
    return render_template("reports/region.html", rows=rows, today=today,
                           chart=comparison_chart(rows, href=company_list_url),
                           older_than=OLDER_THAN_DAYS)


@bp.route("/review")
@roles_required(*READERS)
def still_non_compliant():
    """Cases open longer than a threshold or stalled at a rung, for the monthly review."""
    branch = _branch_arg()
    scope = Scope.of(current_user, branch.id if branch else None)
    result = review.still_non_compliant(
        scope, clock.today(), older_than_days=_int_arg("days", 90),
        stalled_days=_int_arg("stalled", 30), page=_int_arg("page", 1, low=1, high=100_000),
        sort=request.args.get("sort", "opened"))
    officers = (review.branch_officers(current_user.branch_id)
                if current_user.role == Role.SUPERVISOR else [])
    return render_template("reports/review.html", result=result, branch=branch,
                           branches=_branches(), officers=officers, today=clock.today(),
                           bulk_form=BulkForm())


def _bulk(form: BulkForm) -> str:
    """Run the chosen action on the ticked cases; the message to flash."""
    cases = review.chosen_cases(current_user, form.case.data or [])
    if form.action.data == "reassign":
        officers = review.branch_officers(current_user.branch_id)
        officer = next((u for u in officers if u.id == form.officer.data), None)
        changed = review.reassign_cases(current_user, cases, officer)
        return ngettext("%(num)d company is now with %(officer)s.",
                        "%(num)d companies are now with %(officer)s.", changed,
                        officer=officer.name if officer else "–")
    review.leave_directives(current_user, cases, form.text.data or "", clock.today(),
                            public_base_url=current_app.config["PUBLIC_BASE_URL"])
    return ngettext("Directive sent on %(num)d case.", "Directive sent on %(num)d cases.",
                    len(cases))


@bp.route("/review/bulk", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def review_bulk():
    """Reassign many cases at once, or send them one directive."""
    form = BulkForm()
    if not form.validate_on_submit():
        flash(_("Tick the cases, then choose an officer or write the directive."), "error")
        return _back(form)
    run_service(lambda: _bulk(form), lambda message: message)
    return _back(form)


def _back(form) -> Any:
    return redirect(safe_next(form.next.data) or url_for("dashboard.still_non_compliant"))


@bp.route("/cases/<int:case_id>/reassign", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def reassign(case_id: int):
    """Give the case's company to another officer of the branch."""
    case = get_visible_or_404(Case, case_id)
    form = ReassignForm()
    officers = review.branch_officers(case.branch_id)
    form.officer.choices = [(u.id, u.name) for u in officers]
    if not form.validate_on_submit():
        flash(_("Choose an officer of this branch."), "error")
        return _back(form)
    officer = next((u for u in officers if u.id == form.officer.data), None)
    run_service(lambda: review.reassign_case(current_user, case, officer),
         _("%(company)s is now with %(officer)s.", company=case.company.name,
           officer=officer.name if officer else "–"))
    return _back(form)


@bp.route("/cases/<int:case_id>/directive", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def directive(case_id: int):
    """Leave a directive on the case for its officer."""
    case = get_visible_or_404(Case, case_id)
    form = DirectiveForm()
    if not form.validate_on_submit():
        flash(_("Write the directive (at most %(n)d characters).", n=review.DIRECTIVE_MAX),
              "error")
        return _back(form)
    run_service(lambda: review.leave_directive(current_user, case, form.text.data, clock.today(),
                                               public_base_url=public_base_url()),
         _("Directive left on the case of %(company)s.", company=case.company.name))
    return _back(form)


def _store_report(form: ReportForm, today: date):
    branch = visible_branch(current_user, form.branch.data)
    if branch is None:
        raise ServiceError(_("Choose a branch."))
    try:
        period = date.fromisoformat(f"{form.period.data}-01")
    except ValueError:
        raise ServiceError(_("Choose a month."), "period") from None
    refuse_report(current_user, branch, period, today)
    return queue.ask(current_user, MONTHLY_REPORT, branch.id,
                     {"period": period.isoformat(), "today": today.isoformat()}, clock.now())


@bp.route("/reports", methods=["GET", "POST"])
@roles_required(*READERS)
def monthly_reports():
    """Stored monthly reports; make one for a month on demand."""
    today = clock.today()
    form = ReportForm()
    choices = readable_branches(current_user)
    form.branch.choices = [(b.id, f"{b.code} – {b.name}") for b in choices]
    if request.method == "GET":
        form.period.data = previous_month(today).strftime("%Y-%m")
        form.branch.data = current_user.branch_id or (choices[0].id if choices else None)
    if outcome := submit(form, lambda: _store_report(form, today)):
        return redirect(url_for("queue.detail", job_id=start(outcome.value)))
    return render_template("reports/reports.html", form=form,
                           reports=reports_list(current_user),
                           month_name=month_name), status_of(form)


@bp.route("/reports/<int:report_id>.pdf")
@roles_required(*READERS)
def report_pdf(report_id: int):
    """A stored monthly report, as it was made."""
    report = stored_report(current_user, report_id)
    if report is None:
        abort(404)
    log_access("download.monthly_report", "branch", report.branch_id, report.branch_id,
               report=report.id, period=report.period)
    name = f"laporan-{report.branch.code}-{report.period.strftime('%Y-%m')}.pdf"
    return pdf_response(report.pdf, name)
