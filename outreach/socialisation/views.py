"""Socialisation pages: the year's coverage (by kecamatan, sector and city, the weekly chart,
the companies not yet reached with their export and bulk assignment), the target, and the
events with their attendance, materials, sign-in sheet and follow-up tasks."""

from __future__ import annotations

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
from flask_babel import ngettext
from flask_login import current_user

from outreach.cases.proofs import Upload
from outreach.core import clock
from outreach.core.access import Permission, may, visible_branches
from outreach.core.forms import SimpleForm
from outreach.core.guards import get_visible_or_404, roles_required, staff_only
from outreach.core.views import (
    log_access,
    pdf_response,
    run_service,
    status_of,
    stored_file,
    submit,
)
from outreach.extensions import db
from outreach.org import service as org
from outreach.org.models import Branch, Role
from outreach.reports.charts import Bar, column_chart
from outreach.socialisation import exports, service
from outreach.socialisation.forms import (
    PARTNERS,
    PLACE_KINDS,
    AssignForm,
    AttendanceForm,
    AttendanceListForm,
    EventForm,
    MaterialForm,
    TargetForm,
)
from outreach.socialisation.models import SocialisationEvent

bp = Blueprint("socialisation", __name__)

#: the companies not reached shown on the page (the export holds them all)
LIST_LIMIT = 300
MIN_YEAR, MAX_YEAR = 2000, 2100


def _branch() -> Branch:
    """The branch the page is about: one's own, or (regional staff, admins) the one chosen."""
    branches = list(db.session.scalars(visible_branches(current_user)))
    if not branches:
        abort(404)
    if current_user.branch_id is not None and current_user.role in Role.BRANCH_ROLES:
        return next((b for b in branches if b.id == current_user.branch_id), branches[0])
    wanted = request.args.get("branch", type=int)
    return next((b for b in branches if b.id == wanted), branches[0])


def _year() -> int:
    year = request.args.get("year", type=int) or clock.today().year
    return min(max(year, MIN_YEAR), MAX_YEAR)


def _coverage():
    branch, year = _branch(), _year()
    area = request.args.get("area", "")
    if area and area not in service.areas(branch.id):
        area = ""
    return branch, service.coverage(branch, year, clock.today(), area)


def _chart(coverage: service.Coverage):
    bars = [Bar(f"{week.starts_on.day}/{week.starts_on.month}", [week.reached])
            for week in coverage.weeks]
    return column_chart(bars, title=_("Companies reached, week by week (target: %(n)s)",
                                      n=coverage.target), links=False, label_every=4, value_every=4,
                        goal=(coverage.target, _("Target: %(n)s", n=coverage.target)))


@bp.route("/")
def index():
    """The year's coverage of the branch."""
    branch, coverage = _coverage()
    assign = AssignForm()
    companies = service.not_reached(coverage)
    assign.company_ids.choices = [(c.id, c.name) for c in companies[:LIST_LIMIT]]
    assign.officer.choices = [(u.id, u.name) for u in org.branch_staff(branch.id)]
    target = TargetForm(companies=coverage.target if coverage.target_set else None)
    return render_template(
        "socialisation/index.html", branch=branch, coverage=coverage, chart=_chart(coverage),
        companies=companies[:LIST_LIMIT], more=max(len(companies) - LIST_LIMIT, 0),
        branches=list(db.session.scalars(visible_branches(current_user))),
        areas=service.areas(branch.id), assign=assign, target=target,
        can_decide=may(current_user, Permission.DECIDE, branch.id))


@bp.route("/export.csv", defaults={"fmt": "csv"})
@bp.route("/export.xlsx", defaults={"fmt": "xlsx"})
def export(fmt: str):
    """The companies in scope not reached yet, as CSV or XLSX."""
    branch, coverage = _coverage()
    data = exports.not_reached_export(coverage, fmt)
    log_access("export.not_reached", "branch", branch.id, branch.id, year=coverage.year,
               area=coverage.area, format=fmt)
    name = f"belum-terjangkau-{branch.code.lower()}-{coverage.year}.{fmt}"
    return current_app.response_class(data, mimetype=exports.MIMETYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store"})


def _back():
    return redirect(url_for("socialisation.index", **request.args))


@bp.route("/target", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def set_target():
    """Set the year's target of the branch (or of one city or regency)."""
    branch, year = _branch(), _year()
    area = request.args.get("area", "")
    if area and area not in service.areas(branch.id):
        area = ""
    form = TargetForm()
    if not submit(form, lambda: service.set_target(current_user, branch.id, year, area,
                                                   form.companies.data), _("Target saved.")):
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return _back()


@bp.route("/assign", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def assign():
    """Give the chosen companies not reached to an officer."""
    branch = _branch()
    form = AssignForm()
    form.company_ids.choices = [(int(v), v) for v in request.form.getlist("company_ids")
                                if v.isdigit()]
    form.officer.choices = [(u.id, u.name) for u in org.branch_staff(branch.id)]
    officer = next((u for u in org.branch_staff(branch.id) if u.id == form.officer.data), None)
    outcome = submit(form, lambda: service.assign_officer(
        current_user, branch.id, form.company_ids.data or [], officer),
        lambda n: ngettext("%(num)d company assigned.", "%(num)d companies assigned.", n))
    if not outcome:
        for errors in [*form.errors.values(), form.form_errors]:
            for error in errors:
                flash(error, "error")
    return _back()


# --- events --------------------------------------------------------------------------------

@bp.route("/events/")
def events():
    """The branch's socialisation events, and a form for a new one."""
    return _events_page(EventForm())


def _events_page(form: EventForm, status: int = 200):
    year = _year()
    return render_template("socialisation/events.html", events=service.events(current_user,
                                                                              year),
                           year=year, form=form, place_kinds=PLACE_KINDS, partners=PARTNERS,
                           can_create=current_user.role in Role.BRANCH_ROLES), status


@bp.route("/events/", methods=["POST"])
@staff_only
def create_event():
    """Plan or record an event."""
    form = EventForm()
    outcome = submit(form, lambda: service.create_event(current_user, current_user.branch_id,
                                                        form.data), _("Event saved."))
    if outcome:
        return redirect(url_for("socialisation.event", event_id=outcome.value.id))
    return _events_page(form, status_of(form))


def _event_page(event: SocialisationEvent, attendance: AttendanceForm | None = None,
                sheet: AttendanceListForm | None = None, material: MaterialForm | None = None,
                status: int = 200, unmatched=()):
    attendance = attendance or AttendanceForm()
    attendance.company_ids.choices = service.attendee_choices(event)
    return render_template(
        "socialisation/event.html", event=event, attendance=attendance,
        sheet=sheet or AttendanceListForm(), material=material or MaterialForm(),
        form=SimpleForm(), place_kinds=PLACE_KINDS, partners=PARTNERS, unmatched=unmatched,
        today=clock.today(), writable=may(current_user, Permission.WORK, event.branch_id)), \
        status


def _flash_follow_ups(follow: service.FollowUps) -> None:
    if follow.made:
        flash(ngettext("%(num)d follow-up task made for the officers.",
                       "%(num)d follow-up tasks made for the officers.", follow.made),
              "success")
    if follow.without_case:
        flash(_("No open case to follow up (open one from the company's page): %(names)s",
                names=", ".join(follow.without_case)), "warning")


@bp.route("/events/<int:event_id>")
def event(event_id: int):
    """One event: its attendance, materials, sign-in sheet and follow-up."""
    return _event_page(get_visible_or_404(SocialisationEvent, event_id))


@bp.route("/events/<int:event_id>/attendance", methods=["POST"])
@staff_only
def add_attendance(event_id: int):
    """Record companies that attended."""
    event_ = get_visible_or_404(SocialisationEvent, event_id)
    form = AttendanceForm()
    form.company_ids.choices = service.attendee_choices(event_)
    outcome = submit(form, lambda: service.add_attendance(
        current_user, event_, form.company_ids.data, clock.today(), form.person.data or ""),
        lambda value: ngettext("%(num)d company recorded as attending.",
                               "%(num)d companies recorded as attending.", value[0]))
    if outcome:
        _flash_follow_ups(outcome.value[1])
        return redirect(url_for("socialisation.event", event_id=event_.id))
    return _event_page(event_, attendance=form, status=status_of(form))


@bp.route("/events/<int:event_id>/attendance-list", methods=["POST"])
@staff_only
def import_attendance(event_id: int):
    """Record the companies of an attendance list (CSV or XLSX)."""
    event_ = get_visible_or_404(SocialisationEvent, event_id)
    form = AttendanceListForm()
    limit = current_app.config["IMPORT_MAX_BYTES"]
    data = form.file.data.read(limit + 1) if form.file.data else b""
    outcome = submit(form, lambda: service.import_attendance(
        current_user, event_, data, clock.today(), limit))
    if outcome and not outcome.value.unmatched:
        result = outcome.value
        flash(_("%(added)s companies recorded as attending; %(already)s were already on the "
                "list.", added=result.added, already=result.already), "success")
        _flash_follow_ups(result.follow_ups)
        return redirect(url_for("socialisation.event", event_id=event_.id))
    if outcome:
        form.file.errors = [_("Nothing was recorded: these rows name no company of the branch. "
                              "Correct them (name, NPP or NIB) and import the list again.")]
    return _event_page(event_, sheet=form, status=400,
                       unmatched=outcome.value.unmatched if outcome else ())


@bp.route("/events/<int:event_id>/materials", methods=["POST"])
@staff_only
def add_material(event_id: int):
    """Attach a material to the event."""
    event_ = get_visible_or_404(SocialisationEvent, event_id)
    form = MaterialForm()
    limit = current_app.config["PROOF_MAX_BYTES"]
    upload = Upload(form.material.data.filename, form.material.data.read(limit + 1)) \
        if form.material.data else None
    if submit(form, lambda: service.add_material(current_user, event_, upload, limit),
              _("Material attached.")):
        return redirect(url_for("socialisation.event", event_id=event_.id))
    return _event_page(event_, material=form, status=status_of(form))


@bp.route("/events/<int:event_id>/follow-up", methods=["POST"])
@staff_only
def follow_up(event_id: int):
    """Make the follow-up tasks of the attendees still not compliant."""
    event_ = get_visible_or_404(SocialisationEvent, event_id)
    SimpleForm().validate_on_submit()
    result: list[service.FollowUps] = []
    if run_service(lambda: result.append(service.follow_up(current_user, event_,
                                                             clock.today()))):
        _flash_follow_ups(result[0])
        if not result[0].made and not result[0].without_case:
            flash(_("No new follow-up tasks: every attendee is compliant or has one."), "info")
    return redirect(url_for("socialisation.event", event_id=event_.id))


@bp.route("/events/<int:event_id>/sheet.pdf")
def sheet_pdf(event_id: int):
    """The event's sign-in sheet to print, with a QR code to the event's page."""
    event_ = get_visible_or_404(SocialisationEvent, event_id)
    url = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + url_for(
        "socialisation.event", event_id=event_.id)
    data = service.sign_in_sheet(event_, db.session.get(Branch, event_.branch_id), url,
                                 clock.now())
    log_access("download.sign_in_sheet", "socialisation_event", event_.id, event_.branch_id)
    return pdf_response(data, f"daftar-hadir-{event_.id}.pdf")


@bp.route("/materials/<int:material_id>")
def material(material_id: int):
    """Download a material of an event the user may read."""
    row = service.visible_material(current_user, material_id)
    if row is None:
        abort(404)
    log_access("download.event_material", "socialisation_event", row.event_id, row.branch_id,
               material=row.id, file=row.filename)
    return stored_file(row.data, row.content_type, f"materi-{row.id}")
