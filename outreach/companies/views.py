"""The company registry: list, detail, create and edit."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

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

from outreach.cases.forms import OpenCaseForm
from outreach.cases.service import open_case_of, pending_closing
from outreach.cases.timeline import audit_trail, company_timeline
from outreach.companies import exports, service
from outreach.companies.forms import CompanyForm, TransferForm
from outreach.companies.models import Company
from outreach.companies.rules import assess
from outreach.core import clock
from outreach.core.access import Permission, may, visible_branches
from outreach.core.errors import ServiceError
from outreach.core.formatting import month_year
from outreach.core.forms import SimpleForm
from outreach.core.guards import get_visible_or_404, require_write, staff_only
from outreach.core.labels import choices
from outreach.core.views import attach_error, commit_or_refuse, log_access
from outreach.extensions import db
from outreach.inspections.service import inspections_of
from outreach.joint_visits.service import joint_visits_of
from outreach.ladder import rules as policy
from outreach.letters.service import has_dossier
from outreach.money.service import ledger
from outreach.org import service as org
from outreach.org.models import Branch, Role
from outreach.queue import service as queue
from outreach.queue.work import COMPANY_EXPORT
from outreach.queue.worker import start
from outreach.reports.charts import Bar, bar_chart

bp = Blueprint("companies", __name__)

MAX_PER_PAGE = 200


#: the largest page and record id a query string may ask for: beyond them the database's
#: integers overflow (a 500 instead of an answer); ids are PostgreSQL `integer`s
MAX_PAGE = 100_000
MAX_ID = 2**31 - 1
#: dates a filter may name; outside them date arithmetic overflows (9999-12-31 + 1 day)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _int_arg(name: str, default: int | None, low: int = 1, high: int = MAX_ID) -> int | None:
    try:
        value = int(request.args.get(name, "")[:20])
    except ValueError:
        return default
    return min(max(value, low), high)


def _date_arg(name: str) -> date | None:
    try:
        day = date.fromisoformat(request.args.get(name, "")[:10])
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def filters_from_request() -> service.CompanyFilters:
    """The list's filters as given in the query string; bad values fall back to defaults."""
    args = request.args
    return service.CompanyFilters(
        q=args.get("q", "").strip()[:100], category=args.get("category", ""),
        stage=args.get("stage", ""), sector=args.get("sector", ""), size=args.get("size", ""),
        kecamatan=args.get("kecamatan", ""), officer=_int_arg("officer", None),
        overdue=args.get("overdue") == "1", due_week=args.get("due_week") == "1",
        sort=args.get("sort", "name"), page=_int_arg("page", 1, high=MAX_PAGE) or 1,
        per_page=_int_arg("per_page", current_app.config["COMPANIES_PER_PAGE"],
                          high=MAX_PER_PAGE) or 50,
        branch=_int_arg("branch", None), open_case=args.get("open_case") == "1",
        unassigned=args.get("unassigned") == "1", opened_from=_date_arg("opened_from"),
        opened_to=_date_arg("opened_to"), reached=args.get("reached", "")[:30],
        complied_after=args.get("complied_after", "")[:30],
        complied_from=_date_arg("complied_from"), complied_to=_date_arg("complied_to"),
        after=_int_arg("after", None), before=_int_arg("before", None),
    )


def _page_link(**changes) -> str:
    """The list's URL with its filters and another page (a number, or a keyset position)."""
    args = {k: v for k, v in request.args.items() if k not in ("page", "after", "before")}
    return url_for("companies.index", **args, **changes)


@bp.route("/")
def index():
    """The company list with search, filters and pagination."""
    filters = filters_from_request()
    today = clock.today()
    listing = service.list_companies(current_user, filters, today,
                                     current_app.config["COMPANY_COUNT_CAP"])
    sectors, kecamatans = service.distinct_values(current_user, Company.sector,
                                                  Company.kecamatan)
    return render_template(
        "companies/list.html", rows=listing.rows, total=listing.total, listing=listing,
        page_link=_page_link, filters=filters,
        today=today, categories=choices("category"),
        stages=[(service.NOT_RECORDED, _("Not started")), *choices("rung")],
        sizes=choices("size"),
        sectors=[(s, s) for s in sectors], kecamatans=[(k, k) for k in kecamatans],
        officers=org.staff_visible_to(current_user),
        can_create=current_user.role in Role.BRANCH_ROLES,
    )


@bp.route("/export.csv", defaults={"fmt": "csv"}, methods=["POST"])
@bp.route("/export.xlsx", defaults={"fmt": "xlsx"}, methods=["POST"])
def export(fmt: str):
    """Every company of the list's filters (not one page) as CSV or XLSX: a job of the queue,
    whose page offers the file once it is made. A POST with the form's CSRF token (the filters
    in the query string), since it starts work: a link cannot make a user's browser ask."""
    filters = filters_from_request()
    log_access("export.companies", "company_list", None, current_user.branch_id, format=fmt,
               filters=urlencode([(k, v) for k, v in request.args.items(multi=True) if v]))
    branch_id = current_user.branch_id or filters.branch or db.session.scalar(
        visible_branches(current_user).with_only_columns(Branch.id).limit(1))
    if branch_id is None:
        abort(404)
    job = queue.ask(current_user, COMPANY_EXPORT, branch_id,
                    {"filters": exports.filters_as_json(filters), "format": fmt,
                     "today": clock.today().isoformat()}, clock.now())
    return redirect(url_for("queue.detail", job_id=start(job)))


@bp.route("/<int:company_id>")
def detail(company_id: int):
    """One company: profile, compliance, the open case and its next step, the timeline."""
    company = get_visible_or_404(Company, company_id)
    today = clock.today()
    case = open_case_of(company)
    case_ids = [c.id for c in company.cases]
    inspections, joint_visits = inspections_of(case_ids), joint_visits_of(case_ids)
    # the timeline reads the cases' steps, for the ladder's options too
    timeline = company_timeline(company, inspections=inspections, joint_visits=joint_visits)
    verdicts = policy.options(case, today) if case is not None else []
    supervisor_view = current_user.role in (Role.SUPERVISOR, Role.REGIONAL, Role.ADMIN)
    changes = service.figure_changes(company)
    months = service.monthly_history(service.figure_history(company, changes))
    page = render_template(
        "companies/detail.html", company=company, case=case, today=today,
        compliance=assess(company, today), verdicts=verdicts, book=ledger(company, today),
        timeline=timeline,
        audit=audit_trail(company) if supervisor_view else None,
        writable=may(current_user, Permission.WORK, company.branch_id),
        open_form=OpenCaseForm(), simple_form=SimpleForm(), transfer_form=_transfer_form(company),
        closed_cases=[c for c in company.cases if c is not case],
        closing=pending_closing(case) if case is not None else None,
        dossier=case is not None and has_dossier(case),
        inspections=inspections, joint_visits=joint_visits,
        figure_origins=service.figure_origins(company, changes), months=months,
        history_chart=_history_chart(months) if months else None,
    )
    # logged once the page is made (the commit would expire what it reads), before it is served
    log_access("view.company", "company", company.id, company.branch_id)
    return page


def _history_chart(months: list[service.FigurePoint]):
    """Workers registered against workers estimated at the end of each month with a change."""
    bars = [Bar(month_year(point.day), (point.workers_registered, point.workers_estimated))
            for point in months[-12:]]
    return bar_chart(bars, title=_("Workers registered of workers estimated, by month"),
                     series=(_("Registered"), _("Estimated")), links=False, label_width=120)


def _transfer_form(company: Company) -> TransferForm | None:
    if not may(current_user, Permission.DECIDE, company.branch_id):
        return None
    form = TransferForm()
    form.branch.choices = [(b.id, f"{b.code} – {b.name}")
                           for b in org.branches(active_only=True, except_id=company.branch_id)]
    return form


def _officer_choices(branch_id: int) -> list[tuple[int, str]]:
    return [(0, "–")] + [(u.id, u.name) for u in org.branch_staff(branch_id)]


def _values(form: CompanyForm) -> dict:
    values = {name: field.data for name, field in form._fields.items()
              if name in service.COMPANY_FIELDS}
    values["officer_id"] = values.get("officer_id") or None
    return values


def _save(form: CompanyForm, company: Company | None):
    """Validate, warn about likely duplicates once, then create or update."""
    values = _values(form)
    try:
        clean = service.clean_values(values)
        duplicates = service.likely_duplicates(current_user, clean,
                                               exclude_id=company.id if company else None)
        if duplicates and form.confirm_duplicate.data != "1":
            form.confirm_duplicate.data = "1"
            return None, duplicates
        if company is None:
            company = service.create_company(current_user, current_user.branch_id, values,
                                             clock.today())
        else:
            service.update_company(current_user, company, values, _version(form),
                                   clock.today())
    except ServiceError as error:
        db.session.rollback()
        attach_error(form, error)
        return None, []
    if not commit_or_refuse(lambda error: attach_error(form, error)):
        return None, []
    return company, []


def _version(form: CompanyForm) -> int | None:
    """The version the edit page was made from (none on a form without it)."""
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


@bp.route("/new", methods=["GET", "POST"])
@staff_only
def create():
    """Enter a company by hand."""
    if current_user.role not in Role.BRANCH_ROLES:
        return render_template("core/error.html", code=403,
                               message=_("Only officers and supervisors enter companies.")), 403
    form = CompanyForm()
    form.officer_id.choices = _officer_choices(current_user.branch_id)
    if request.method == "GET":
        form.officer_id.data = current_user.id if current_user.role == Role.OFFICER else 0
        form.city.data = current_user.branch.city
    duplicates = []
    if form.validate_on_submit():
        company, duplicates = _save(form, None)
        if company is not None:
            flash(_("Company saved."), "success")
            return redirect(url_for("companies.detail", company_id=company.id))
    return render_template("companies/form.html", form=form, company=None,
                           duplicates=duplicates)


@bp.route("/<int:company_id>/edit", methods=["GET", "POST"])
@staff_only
def edit(company_id: int):
    """Edit a company's profile."""
    company = get_visible_or_404(Company, company_id)
    require_write(company.branch_id)
    form = CompanyForm(obj=company)
    form.officer_id.choices = _officer_choices(company.branch_id)
    if request.method == "GET":
        form.programs.data = company.program_list
        form.officer_id.data = company.officer_id or 0
    duplicates = []
    if form.validate_on_submit():
        saved, duplicates = _save(form, company)
        if saved is not None:
            flash(_("Company saved."), "success")
            return redirect(url_for("companies.detail", company_id=company.id))
    return render_template("companies/form.html", form=form, company=company,
                           duplicates=duplicates)
