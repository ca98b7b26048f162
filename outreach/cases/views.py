"""Working a case: open it, log steps with proof, deliveries, approvals, pause and close."""

from __future__ import annotations

from uuid import uuid4

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from outreach.cases import service
from outreach.cases.forms import (
    ApprovalForm,
    CloseForm,
    ClosingDecisionForm,
    DeliveryForm,
    OpenCaseForm,
    PauseForm,
    StepForm,
)
from outreach.cases.models import Approval, Case, ClosingRequest, Step
from outreach.cases.proofs import Upload
from outreach.cases.timeline import company_timeline
from outreach.companies.forms import TransferForm
from outreach.companies.models import Company
from outreach.companies.rules import assess
from outreach.core import clock
from outreach.core.forms import SimpleForm
from outreach.core.guards import get_visible_or_404, roles_required, staff_only
from outreach.core.views import log_access, run_service, status_of, stored_file, submit
from outreach.extensions import db
from outreach.fieldwork.forms import keep_position
from outreach.ladder import rules as policy
from outreach.letters.models import LetterStatus
from outreach.org import service as org
from outreach.org.models import Role
from outreach.reports import review

bp = Blueprint("cases", __name__)


def _company_page(company_id: int):
    return redirect(url_for("companies.detail", company_id=company_id))


def _version(form) -> int | None:
    value = getattr(form, "version", None)
    return int(value.data) if value is not None and str(value.data or "").isdigit() else None


def _uploads(field) -> list[Upload]:
    limit = current_app.config["PROOF_MAX_BYTES"]
    return [Upload(f.filename or "", f.read(limit + 1)) for f in (field.data or [])
            if getattr(f, "filename", "")]


@bp.route("/companies/<int:company_id>/cases", methods=["POST"])
@staff_only
def open_case(company_id: int):
    """Open a case for a company."""
    company = get_visible_or_404(Company, company_id)
    form = OpenCaseForm()
    form.validate_on_submit()
    run_service(lambda: service.open_case(current_user, company, form.categories.data or [],
                                          clock.today()), _("Case opened."))
    return _company_page(company.id)


@bp.route("/cases/<int:case_id>/steps/new", methods=["GET", "POST"])
@staff_only
def log_step(case_id: int):
    """Log a step: only the steps the ladder allows are offered, with reasons for the rest."""
    case = get_visible_or_404(Case, case_id)
    today = clock.today()
    verdicts = policy.options(case, today)
    form = StepForm()
    form.kind.choices = [(v.rung.code, v.rung.name) for v in verdicts]
    refused = None
    if request.method == "GET":
        form.occurred_on.data = today
        form.version.data = case.version
        form.client_key.data = uuid4().hex
        wanted = request.args.get("kind")
        allowed = [v.rung.code for v in verdicts if v.allowed]
        refused = next((v for v in verdicts if v.rung.code == wanted and not v.allowed), None)
        # a step asked for (a task's "Log" link) that the ladder refuses is said so at the top,
        # and nothing is chosen in its place: the officer picks another step knowingly
        form.kind.data = (wanted if wanted in allowed
                          else None if refused is not None
                          else allowed[0] if allowed else None)
    if submit(form, lambda: _located(form, service.log_step(
            current_user, case, kind=form.kind.data, occurred_on=form.occurred_on.data,
            today=today, outcome=form.outcome.data or "", notes=form.notes.data or "",
            uploads=_uploads(form.proof), expected_version=_version(form),
            max_proof_bytes=current_app.config["PROOF_MAX_BYTES"],
            met_name=form.met_name.data or "", met_position=form.met_position.data or "",
            client_key=form.client_key.data or "")),
            _step_recorded):
        return _company_page(case.company_id)
    return render_template("cases/step_form.html", case=case, form=form, verdicts=verdicts,
                           today=today, refused=refused), status_of(form)


def _located(form: StepForm, step: Step) -> Step:
    """Keep the position the officer recorded with the step (`fieldwork.forms.keep_position`);
    its warnings are shown."""
    for warning in keep_position(current_user, step, form, clock.today()):
        flash(warning, "warning")
    return step


def _step_recorded(step: Step) -> str:
    if step.approval_status == Approval.REQUESTED:
        return _("Step recorded and sent to the supervisor for approval.")
    return _("Step recorded.")


def _step(step_id: int) -> Step:
    step = service.visible_step(current_user, step_id)
    if step is None:
        abort(404)
    return step


@bp.route("/steps/<int:step_id>/delivery", methods=["GET", "POST"])
@staff_only
def delivery(step_id: int):
    """Mark a letter delivered (receipt, tracking number, recipient) or returned."""
    step = _step(step_id)
    form = DeliveryForm()
    if request.method == "GET":
        form.delivered_on.data = clock.today()
    if submit(form, lambda: service.record_delivery(
            current_user, step, delivered=form.result.data == "delivered",
            on=form.delivered_on.data, today=clock.today(), method=form.method.data,
            reference=form.reference.data or "", recipient=form.recipient.data or "",
            uploads=_uploads(form.proof), max_proof_bytes=current_app.config["PROOF_MAX_BYTES"]),
            _("Delivery recorded.")):
        return _company_page(step.case.company_id)
    return render_template("cases/delivery_form.html", step=step, form=form), status_of(form)


@bp.route("/steps/<int:step_id>/approval", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def approval(step_id: int):
    """A supervisor approves a requested step or sends it back with a reason."""
    step = _step(step_id)
    form = ApprovalForm()
    if submit(form, lambda: service.decide_approval(
            current_user, step, approve=form.decision.data == "approve",
            note=form.note.data or "", now=clock.now()), _("Decision recorded.")):
        if step.approval_status == Approval.APPROVED and step.letter is not None \
                and step.letter.status == LetterStatus.DRAFT:
            flash(_("Approved: the letter can be issued now."), "info")
            return redirect(url_for("letters.detail", letter_id=step.letter.id))
        return redirect(url_for("cases.approvals"))
    return render_template("cases/approval_form.html", step=step, form=form,
                           compliance=assess(step.case.company, clock.today()),
                           timeline=company_timeline(step.case.company)), status_of(form)


@bp.route("/approvals")
@roles_required(Role.SUPERVISOR)
def approvals():
    """Escalations and letters waiting for the supervisor, each with its company's timeline."""
    return render_template("cases/approvals.html",
                           queue=review.approval_queue(current_user, clock.today()),
                           form=SimpleForm())


@bp.route("/cases/<int:case_id>/pause", methods=["GET", "POST"])
@staff_only
def pause(case_id: int):
    """Pause a case."""
    case = get_visible_or_404(Case, case_id)
    form = PauseForm()
    if request.method == "GET":
        form.version.data = case.version
    if form.validate_on_submit():
        if run_service(lambda: service.pause_case(current_user, case, form.reason.data,
                                                  clock.today(), _version(form)),
                       _("Case paused.")):
            return _company_page(case.company_id)
    return render_template("cases/simple_form.html", case=case, form=form,
                           title=_("Pause the case"))


@bp.route("/cases/<int:case_id>/resume", methods=["POST"])
@staff_only
def resume(case_id: int):
    """Resume a paused case."""
    case = get_visible_or_404(Case, case_id)
    form = SimpleForm()
    form.validate_on_submit()
    run_service(lambda: service.resume_case(current_user, case, _version(form)), _("Case resumed."))
    return _company_page(case.company_id)


@bp.route("/cases/<int:case_id>/close", methods=["GET", "POST"])
@staff_only
def close(case_id: int):
    """Close a case, as compliant with the NPP and evidence, or otherwise."""
    case = get_visible_or_404(Case, case_id)
    form = CloseForm()
    if request.method == "GET":
        form.version.data = case.version
        form.npp.data = case.company.npp or ""
        form.registered.data = case.company.workers_registered
    if submit(form, lambda: service.close_case(
            current_user, case, outcome=form.outcome.data, today=clock.today(),
            npp=form.npp.data or "", evidence=form.evidence.data or "",
            registered=form.registered.data, reason=form.reason.data or "",
            expected_version=_version(form)), _closed):
        return _company_page(case.company_id)
    return render_template("cases/simple_form.html", case=case, form=form,
                           title=_("Close the case")), status_of(form)


def _closed(request: ClosingRequest | None) -> str:
    if request is not None:
        return _("The request to close the case is waiting for a supervisor.")
    return _("Case closed.")


@bp.route("/closings/<int:request_id>", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def closing(request_id: int):
    """A supervisor decides a request to close a case, with its figures and timeline."""
    closing_request = db.session.get(ClosingRequest, request_id)
    if closing_request is None:
        abort(404)
    case = get_visible_or_404(Case, closing_request.case_id)
    form = ClosingDecisionForm()
    if submit(form, lambda: service.decide_closing(
            current_user, closing_request, approve=form.decision.data == "approve",
            note=form.note.data or "", now=clock.now(), today=clock.today()),
            _("Decision recorded.")):
        return redirect(url_for("cases.approvals"))
    return render_template("cases/closing_form.html", request_=closing_request, case=case,
                           form=form, compliance=assess(case.company, clock.today()),
                           timeline=company_timeline(case.company)), status_of(form)


@bp.route("/cases/<int:case_id>/reopen", methods=["POST"])
@staff_only
def reopen(case_id: int):
    """Reopen a closed case."""
    case = get_visible_or_404(Case, case_id)
    form = SimpleForm()
    form.validate_on_submit()
    run_service(lambda: service.reopen_case(current_user, case, _version(form)),
                _("Case reopened."))
    return _company_page(case.company_id)


@bp.route("/companies/<int:company_id>/transfer", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def transfer(company_id: int):
    """Move a company and its cases to another branch."""
    company = get_visible_or_404(Company, company_id)
    form = TransferForm()
    form.branch.choices = [(b.id, b.code) for b in org.branches()]
    if not form.validate_on_submit():
        flash(_("Choose the branch to transfer to."), "error")
        return _company_page(company.id)
    target = org.get_branch(form.branch.data)
    if run_service(lambda: service.transfer_company(current_user, company, target),
                   _("Company transferred to %(branch)s.", branch=target.name)):
        return redirect(url_for("companies.index"))
    return _company_page(company.id)


@bp.route("/proofs/<int:proof_id>")
def proof(proof_id: int):
    """Download a proof file of a step the user may read."""
    row = service.visible_proof(current_user, proof_id)
    if row is None:
        abort(404)
    log_access("download.proof", "step", row.step_id, row.step.case.branch_id,
               proof=row.id, file=row.filename)
    return stored_file(row.data, row.content_type, f"proof-{row.id}")
