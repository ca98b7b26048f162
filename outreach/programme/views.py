"""The programme's pages: sponsors, their workers (masked for roles that do not need the
data), importing a list (a preview, then all or nothing), the registration file, the KPJ
numbers returned, renewals, and the mayor's report (page and PDF)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from outreach.companies.models import Company
from outreach.core import clock
from outreach.core.access import Permission, may, scoped
from outreach.core.errors import ServiceError
from outreach.core.guards import get_visible_or_404, roles_required
from outreach.core.views import pdf_response, run_service, status_of, submit
from outreach.extensions import db
from outreach.letters.render import page_pdf
from outreach.org.models import Role
from outreach.programme import exports, rules, service
from outreach.programme.forms import ConfirmForm, KpjForm, SponsorForm, WorkerListForm
from outreach.programme.models import BeneficiaryImport, Renewal, Sponsor

bp = Blueprint("programme", __name__)


@bp.app_template_global()
def company_pledges(company: Company) -> list[dict]:
    """The CSR pledges of a company, for its page."""
    return service.pledges_of(company)


def _file(form_field) -> tuple[str, bytes]:
    upload = form_field.data
    if not upload or not getattr(upload, "filename", ""):
        raise ServiceError(_("Choose a file."), "file")
    limit = current_app.config["IMPORT_MAX_BYTES"]
    return upload.filename, upload.read(limit + 1)


@bp.route("/")
def index():
    """The branch's sponsors, their quota and budget, and the renewals to arrange."""
    rows = [{"sponsor": s, "enrolled": service.enrolled_count(s.id),
             "committed": service.committed(s.id)} for s in service.sponsors(current_user)]
    return render_template("programme/index.html", rows=rows,
                           renewals=service.open_renewals(current_user),
                           can_create=current_user.role == Role.SUPERVISOR,
                           year=clock.today().year)


@bp.route("/sponsors/new", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def new_sponsor():
    """A supervisor adds a sponsor: the city's budget, a company's pledge, another sponsor."""
    form = SponsorForm()
    companies = db.session.scalars(scoped(Company, current_user).order_by(Company.name)
                                   .limit(2000))
    form.company_id.choices = [(0, "–")] + [(c.id, c.name) for c in companies]

    def create():
        company = (db.session.get(Company, form.company_id.data)
                   if form.company_id.data else None)
        return service.create_sponsor(
            current_user, current_user.branch, code=form.code.data, name=form.name.data,
            kind=form.kind.data, quota=form.quota.data, starts_on=form.starts_on.data,
            ends_on=form.ends_on.data, budget=form.budget.data,
            budget_line=form.budget_line.data or "", company=company,
            months=form.months.data, pays_jht=form.pays_jht.data,
            regency_code=form.regency_code.data or "")

    if outcome := submit(form, create, _("Sponsor created.")):
        return redirect(url_for("programme.sponsor", sponsor_id=outcome.value.id))
    return render_template("programme/sponsor_form.html", form=form), status_of(form)


def _sponsor_page(sponsor: Sponsor, upload_form: WorkerListForm, kpj_form: KpjForm,
                  status: int = 200):
    today = clock.today()
    workers = service.worker_rows(current_user, sponsor)
    db.session.commit()  # the audit event of this view
    return render_template(
        "programme/sponsor.html", sponsor=sponsor, workers=workers,
        enrolled=service.enrolled_count(sponsor.id), committed=service.committed(sponsor.id),
        months=service.budget_by_month(sponsor, today), upload_form=upload_form,
        kpj_form=kpj_form, writable=may(current_user, Permission.WORK, sponsor.branch_id),
        unmasked=rules.sees_personal_data(current_user.role),
        rate=rules.rate_in_force(today),
        contribution=rules.monthly_contribution(rules.rate_in_force(today),
                                                sponsor.declared_income, sponsor.pays_jht),
        regency=rules.REGENCIES.get(sponsor.regency_code, "")), status


@bp.route("/sponsors/<int:sponsor_id>")
def sponsor(sponsor_id: int):
    """A sponsor: its pledge, budget by month, workers, and the list and KPJ uploads."""
    return _sponsor_page(get_visible_or_404(Sponsor, sponsor_id), WorkerListForm(), KpjForm())


@bp.route("/sponsors/<int:sponsor_id>/lists", methods=["POST"])
@roles_required(*Role.BRANCH_ROLES)
def upload_list(sponsor_id: int):
    """Upload a list of workers: kept with its dry run, shown for confirmation."""
    sponsor = get_visible_or_404(Sponsor, sponsor_id)
    form = WorkerListForm()

    def upload():
        filename, data = _file(form.file)
        return service.upload_list(current_user, sponsor, filename=filename, data=data,
                                   max_bytes=current_app.config["IMPORT_MAX_BYTES"],
                                   today=clock.today())

    if outcome := submit(form, upload):
        return redirect(url_for("programme.preview", list_id=outcome.value.id))
    return _sponsor_page(sponsor, form, KpjForm(), 400)


@bp.route("/lists/<int:list_id>", methods=["GET", "POST"])
@roles_required(*Role.BRANCH_ROLES)
def preview(list_id: int):
    """What the list would do, row by row; enrol it (all or nothing, or the valid rows)."""
    upload = get_visible_or_404(BeneficiaryImport, list_id)
    form = ConfirmForm()
    if upload.status == "previewed" and submit(form, lambda: service.confirm_list(
            current_user, upload, clock.today(),
            max_bytes=current_app.config["IMPORT_MAX_BYTES"],
            valid_rows_only=form.valid_rows.data),
            lambda counts: _("%(n)s workers enrolled.", n=counts["enrolled"])):
        return redirect(url_for("programme.sponsor", sponsor_id=upload.sponsor_id))
    report = upload.report
    service.list_viewed(current_user, upload)
    db.session.commit()  # the audit event of this view
    return render_template("programme/preview.html", upload=upload, form=form, report=report,
                           covered_from=date.fromisoformat(report["covered_from"]),
                           covered_to=date.fromisoformat(report["covered_to"])), status_of(form)


@bp.route("/sponsors/<int:sponsor_id>/registration.<fmt>")
@roles_required(*Role.BRANCH_ROLES)
def registration(sponsor_id: int, fmt: str):
    """The registration file for the agency (CSV or XLSX); the export is audited."""
    if fmt not in exports.MIMETYPES:
        abort(404)
    sponsor = get_visible_or_404(Sponsor, sponsor_id)
    data = exports.registration_file(current_user, sponsor, fmt)
    db.session.commit()  # the audit event of the export
    return current_app.response_class(data, mimetype=exports.MIMETYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="pendaftaran-bpu-{sponsor.code}.{fmt}"',
        "Cache-Control": "private, no-store"})


@bp.route("/sponsors/<int:sponsor_id>/kpj", methods=["POST"])
@roles_required(*Role.BRANCH_ROLES)
def record_kpj(sponsor_id: int):
    """Record the KPJ numbers the agency returned."""
    sponsor = get_visible_or_404(Sponsor, sponsor_id)
    form = KpjForm()

    def upload():
        _filename, data = _file(form.kpj_file)
        return service.record_kpj(current_user, sponsor, data,
                                  current_app.config["IMPORT_MAX_BYTES"])

    if submit(form, upload, lambda c: _("KPJ numbers recorded: %(n)s; not found: %(u)s.",
                                        n=c["recorded"], u=c["unknown"])):
        return redirect(url_for("programme.sponsor", sponsor_id=sponsor.id))
    return _sponsor_page(sponsor, WorkerListForm(), form, 400)


@bp.route("/renewals/<int:renewal_id>/done", methods=["POST"])
@roles_required(*Role.BRANCH_ROLES)
def renewal_done(renewal_id: int):
    """Mark a renewal arranged."""
    renewal = get_visible_or_404(Renewal, renewal_id)
    run_service(lambda: service.close_renewal(current_user, renewal), _("Renewal done."))
    return redirect(url_for("programme.index"))


def _year() -> int:
    try:
        year = int(request.args.get("year", clock.today().year))
    except ValueError:
        abort(404)
    if not 2000 <= year <= 2100:
        abort(404)
    return year


@bp.route("/report")
def report():
    """The mayor's report: workers protected against the target, by sector and kecamatan,
    the budget used, sponsors and pledges."""
    data = service.programme_report(current_user, _year(), clock.today())
    return render_template("programme/report.html", **data)


@bp.route("/report.pdf")
def report_pdf():
    """The mayor's report as a PDF."""
    data = service.programme_report(current_user, _year(), clock.today())
    branches = sorted({s.branch.name for s in db.session.scalars(
        scoped(Sponsor, current_user).where(
            Sponsor.code.in_([p["code"] for p in data["pledges"]])))} if data["pledges"] else [])
    with force_locale("id"):  # a report for the mayor: in Indonesian, as letters are
        pdf = page_pdf("programme/report_pdf.html", branches=branches, **data)
    return pdf_response(pdf, f"laporan-bpu-{data['year']}.pdf")
