"""Inspection pages: assign inspectors, print the blank record, record it, report, decide."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach.cases.models import Case
from outreach.core import clock
from outreach.core.access import Permission, may
from outreach.core.guards import get_visible_or_404, roles_required, staff_only
from outreach.core.views import pdf_response, status_of, submit
from outreach.inspections import service
from outreach.inspections.forms import AssignForm, DecisionForm, RecordForm, ReportForm
from outreach.inspections.models import Inspection
from outreach.org.models import Role

bp = Blueprint("inspections", __name__)


def _detail(inspection: Inspection):
    return redirect(url_for("inspections.detail", inspection_id=inspection.id))


@bp.route("/cases/<int:case_id>/inspections/new", methods=["GET", "POST"])
@staff_only
def assign(case_id: int):
    """Assign inspectors to the case's company; the assignment letter is drafted."""
    case = get_visible_or_404(Case, case_id)
    form = AssignForm()
    if request.method == "GET":
        form.planned_on.data = clock.today()
    if outcome := submit(form, lambda: service.assign(
            current_user, case, inspectors=form.inspectors.data or "",
            planned_on=form.planned_on.data, today=clock.today()),
            _("Inspection assigned: issue its assignment letter.")):
        return _detail(outcome.value)
    return render_template("inspections/assign.html", case=case, form=form), status_of(form)


def _page(inspection: Inspection, record_form: RecordForm | None = None,
          report_form: ReportForm | None = None, decision_form: DecisionForm | None = None):
    if record_form is None:
        record_form = RecordForm(obj=inspection, formdata=None)
        record_form.checked.data = inspection.checked_list or ["worker_lists", "payroll",
                                                               "membership"]
        record_form.programs_found.data = inspection.program_list
        if inspection.inspected_on is None:
            record_form.inspected_on.data = clock.today()
    if report_form is None:
        report_form = ReportForm(obj=inspection, formdata=None)
    form_with_errors = next((f for f in (record_form, report_form, decision_form)
                             if f is not None and (f.errors or f.form_errors)), None)
    return render_template(
        "inspections/detail.html", inspection=inspection, case=inspection.case,
        company=inspection.company, record_form=record_form, report_form=report_form,
        decision_form=decision_form or DecisionForm(formdata=None),
        writable=may(current_user, Permission.WORK, inspection.branch_id),
        may_decide=(current_user.role == Role.SUPERVISOR
                    and may(current_user, Permission.DECIDE, inspection.branch_id)),
        editable=inspection.status in service.EDITABLE,
    ), status_of(form_with_errors) if form_with_errors is not None else 200


@bp.route("/inspections/<int:inspection_id>")
def detail(inspection_id: int):
    """One inspection: its letter, its record, its report and the decision."""
    return _page(get_visible_or_404(Inspection, inspection_id))


@bp.route("/inspections/<int:inspection_id>/record", methods=["POST"])
@staff_only
def record(inspection_id: int):
    """Enter the inspection record signed on site."""
    inspection = get_visible_or_404(Inspection, inspection_id)
    form = RecordForm()
    if submit(form, lambda: service.record_findings(
            current_user, inspection, inspected_on=form.inspected_on.data,
            checked=form.checked.data or [], workers_found=form.workers_found.data,
            wages_found=form.wages_found.data, programs_found=form.programs_found.data or [],
            representative_name=form.representative_name.data or "",
            representative_position=form.representative_position.data or "",
            today=clock.today()), _("Inspection record saved.")):
        return _detail(inspection)
    return _page(inspection, record_form=form)


@bp.route("/inspections/<int:inspection_id>/report", methods=["POST"])
@staff_only
def report(inspection_id: int):
    """Submit the report for a supervisor's approval."""
    inspection = get_visible_or_404(Inspection, inspection_id)
    form = ReportForm()
    if submit(form, lambda: service.submit_report(
            current_user, inspection, conclusions=form.conclusions.data or "",
            today=clock.today()), _("Report sent to a supervisor for approval.")):
        return _detail(inspection)
    return _page(inspection, report_form=form)


@bp.route("/inspections/<int:inspection_id>/decision", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def decision(inspection_id: int):
    """A supervisor who did not write the report approves it or sends it back."""
    inspection = get_visible_or_404(Inspection, inspection_id)
    form = DecisionForm()
    approve = form.decision.data == "approve"
    if submit(form, lambda: service.decide_report(
            current_user, inspection, approve=approve, note=form.note.data or "",
            now=clock.now(), today=clock.today()),
            _("Report approved: its findings are now the company's figures.") if approve
            else _("Report sent back.")):
        return _detail(inspection)
    return _page(inspection, decision_form=form)


@bp.route("/inspections/<int:inspection_id>/record-form.pdf")
def record_form(inspection_id: int):
    """The blank inspection record to print for the visit."""
    inspection = get_visible_or_404(Inspection, inspection_id)
    data = service.record_form_pdf(inspection, current_user, clock.today())
    return pdf_response(data, f"berita-acara-pemeriksaan-{inspection.id}.pdf")

