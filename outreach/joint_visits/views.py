"""Joint visit pages: invite a partner office, record its response, log the visit."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from outreach.cases.models import Case
from outreach.cases.proofs import Upload
from outreach.core import clock
from outreach.core.access import Permission, may
from outreach.core.guards import get_visible_or_404, staff_only
from outreach.core.views import log_access, status_of, stored_file, submit
from outreach.joint_visits import rules, service
from outreach.joint_visits.forms import InviteForm, ResponseForm, VisitForm
from outreach.joint_visits.models import JointVisit

bp = Blueprint("joint_visits", __name__)


def _detail(joint_visit: JointVisit):
    return redirect(url_for("joint_visits.detail", joint_visit_id=joint_visit.id))


def _upload(field) -> Upload | None:
    data = field.data
    if not data or not getattr(data, "filename", ""):
        return None
    return Upload(data.filename, data.read(current_app.config["PROOF_MAX_BYTES"] + 1))


def _uploads(field) -> list[Upload]:
    limit = current_app.config["PROOF_MAX_BYTES"]
    return [Upload(f.filename or "", f.read(limit + 1)) for f in (field.data or [])
            if getattr(f, "filename", "")]


@bp.route("/cases/<int:case_id>/joint-visits/new", methods=["GET", "POST"])
@staff_only
def invite(case_id: int):
    """Invite the labour office or the prosecutor to a joint visit; the letter is drafted."""
    case = get_visible_or_404(Case, case_id)
    form = InviteForm()
    form.office.choices = [(0, "–")] + [(o.id, o.name) for o in service.partner_choices(case)]
    if request.method == "GET" and len(form.office.choices) == 2:
        form.office.data = form.office.choices[1][0]
    if outcome := submit(form, lambda: service.invite(
            current_user, case, office_id=form.office.data, proposed_on=form.proposed_on.data,
            today=clock.today()), _("Invitation drafted: issue the letter.")):
        return _detail(outcome.value)
    return render_template("joint_visits/invite.html", case=case, company=case.company,
                           form=form, law=rules.LAW_JOINT_VISIT), status_of(form)


@bp.route("/cases/<int:case_id>/joint-visits/waiting")
def waiting(case_id: int):
    """The case's joint visit still waiting (where a task of the agreed day leads)."""
    case = get_visible_or_404(Case, case_id)
    joint_visit = service.latest_waiting(case.id)
    if joint_visit is None:
        return redirect(url_for("companies.detail", company_id=case.company_id))
    return _detail(joint_visit)


def _page(joint_visit: JointVisit, response_form: ResponseForm | None = None,
          visit_form: VisitForm | None = None):
    today = clock.today()
    if visit_form is None:
        visit_form = VisitForm(formdata=None)
        visit_form.occurred_on.data = rules.loggable_from(joint_visit) or today
    if response_form is None:
        response_form = ResponseForm(formdata=None)
        response_form.responded_on.data = clock.today()
    with_errors = next((f for f in (response_form, visit_form) if f.errors or f.form_errors),
                       None)
    return render_template(
        "joint_visits/detail.html", joint_visit=joint_visit, case=joint_visit.case,
        company=joint_visit.case.company, response_form=response_form, visit_form=visit_form,
        writable=may(current_user, Permission.WORK, joint_visit.case.branch_id),
        responses=rules.RESPONSES, statuses=rules.STATUSES, law=rules.LAW_JOINT_VISIT,
        today=today, loggable_from=rules.loggable_from(joint_visit),
    ), status_of(with_errors) if with_errors is not None else 200


def _visible(joint_visit_id: int) -> JointVisit:
    joint_visit = service.visible(current_user, joint_visit_id)
    if joint_visit is None:
        abort(404)
    return joint_visit


@bp.route("/joint-visits/<int:joint_visit_id>")
def detail(joint_visit_id: int):
    """One joint visit: its invitation, the partner's response and the visit."""
    return _page(_visible(joint_visit_id))


@bp.route("/joint-visits/<int:joint_visit_id>/response", methods=["POST"])
@staff_only
def response(joint_visit_id: int):
    """Record the partner's response."""
    joint_visit = _visible(joint_visit_id)
    form = ResponseForm()
    if submit(form, lambda: service.respond(
            current_user, joint_visit, response=form.response.data or "",
            responded_on=form.responded_on.data, responder_name=form.responder_name.data or "",
            responder_position=form.responder_position.data or "",
            agreed_on=form.agreed_on.data, note=form.note.data or "",
            upload=_upload(form.attachment), today=clock.today(),
            max_bytes=current_app.config["PROOF_MAX_BYTES"]), _("Response recorded.")):
        return _detail(joint_visit)
    return _page(joint_visit, response_form=form)


@bp.route("/joint-visits/<int:joint_visit_id>/visit", methods=["POST"])
@staff_only
def visit(joint_visit_id: int):
    """Log the joint visit as a step of the case."""
    joint_visit = _visible(joint_visit_id)
    form = VisitForm()
    if submit(form, lambda: service.log_visit(
            current_user, joint_visit, occurred_on=form.occurred_on.data, today=clock.today(),
            outcome=form.outcome.data or "", notes=form.notes.data or "",
            met_name=form.met_name.data or "", met_position=form.met_position.data or "",
            uploads=_uploads(form.proof),
            max_proof_bytes=current_app.config["PROOF_MAX_BYTES"]), _("Joint visit logged.")):
        return _detail(joint_visit)
    return _page(joint_visit, visit_form=form)


@bp.route("/joint-visits/<int:joint_visit_id>/attachment")
def attachment(joint_visit_id: int):
    """Download the response's attachment."""
    joint_visit = _visible(joint_visit_id)
    if not joint_visit.filename:
        abort(404)
    log_access("download.joint_visit_attachment", "case", joint_visit.case_id,
               joint_visit.branch_id, joint_visit=joint_visit.id, file=joint_visit.filename)
    return stored_file(joint_visit.data, joint_visit.content_type,
                       f"tanggapan-mitra-{joint_visit.id}")
