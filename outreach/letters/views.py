"""Letters: drafts, issuing, PDFs, templates with live preview, batches, the public check."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from outreach.cases import service as cases
from outreach.cases.models import Case
from outreach.core import clock
from outreach.core.access import Permission, may
from outreach.core.errors import ServiceError
from outreach.core.forms import SimpleForm
from outreach.core.guards import get_visible_or_404, public, roles_required, staff_only
from outreach.core.labels import choices
from outreach.core.views import (
    log_access,
    pdf_response,
    public_base_url,
    run_service,
    status_of,
    submit,
)
from outreach.extensions import csrf, db, limiter
from outreach.legal.service import answer_of
from outreach.letters import service
from outreach.letters.defaults import DEFAULT_TEMPLATES
from outreach.letters.models import Letter, LetterStatus
from outreach.letters.render import letter_pdf
from outreach.letters.sandbox import TemplateProblem, render_body, unknown_variables
from outreach.org.models import Role
from outreach.queue import service as queue
from outreach.queue.work import LETTER_BATCH
from outreach.queue.worker import start

bp = Blueprint("letters", __name__)
#: the days a print batch may be asked for (the query string's `day`)
BATCH_FIRST_DAY, BATCH_LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)
#: room for the multipart headers and the CSRF field around an uploaded letter
VERIFY_ENVELOPE_BYTES = 16 * 1024


class TemplateForm(FlaskForm):
    """A template edit."""

    subject = StringField(_l("Subject (Hal)"), validators=[DataRequired(), Length(max=200)])
    nature = StringField(_l("Nature (Sifat)"), validators=[DataRequired(), Length(max=40)])
    classification = StringField(_l("Classification in the number"),
                                 validators=[Length(max=20)])
    copies = TextAreaField(_l("Copies (Tembusan), one a line"), validators=[Length(max=2000)],
                           description=_l("A line {disnaker}, {dpmptsp} or {kejari} prints the "
                                          "head of that office of the company's city or "
                                          "regency (Branch settings, Partner offices)."))
    body = TextAreaField(_l("Body"), validators=[DataRequired(), Length(max=50_000)])


class IssueForm(FlaskForm):
    """Issuing uses the next number of the branch's register: it is confirmed."""

    confirm = BooleanField(_l("I have checked the letter: issue it now with the next number. "
                              "An issued letter never changes."),
                           validators=[InputRequired(message=_l("Tick the box to confirm."))])


class VoidForm(FlaskForm):
    """A supervisor withdraws an issued letter."""

    reason = TextAreaField(_l("Why is the letter withdrawn?"),
                           validators=[DataRequired(message=_l("Say why the letter is "
                                                               "withdrawn.")),
                                       Length(max=2000)])


class MeetingForm(FlaskForm):
    """The meeting a summons invites the company to."""

    on = DateField(_l("Day of the meeting"), validators=[Optional()])
    at = StringField(_l("Time (e.g. 09:00)"), validators=[Length(max=5)])
    place = StringField(_l("Place"), validators=[Length(max=255)])
    contact = StringField(_l("Contact person and phone"), validators=[Length(max=200)])


class VerifyForm(FlaskForm):
    """Upload a PDF to compare with the issued letter."""

    pdf = FileField(_l("PDF of the letter"))


def _safe_filename(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text)[:80] or "surat"


@bp.route("/letters/")
def index():
    """The branch's letters, a page at a time, filtered by status, kind, number, date and
    company: drafts waiting first, then those issued, newest first."""
    filters = _letter_filters()
    letters, total = service.letter_list(current_user, filters)
    ready = (len(queue.ready_drafts(current_user.branch_id))
             if may(current_user, Permission.DECIDE, current_user.branch_id) else 0)
    pages = max((total + filters.per_page - 1) // filters.per_page, 1)
    if not letters and filters.page > pages:  # a page past the end shows the last page
        filters.page = pages
        letters, total = service.letter_list(current_user, filters)
    return render_template("letters/index.html", letters=letters, total=total, pages=pages,
                           filters=filters, kinds=service.letter_kinds(current_user),
                           statuses=choices("letter_status"), today=clock.today(),
                           form=SimpleForm(), ready=ready)


LETTER_STATUSES = (LetterStatus.DRAFT, LetterStatus.ISSUED, LetterStatus.VOID)


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _letter_filters() -> service.LetterFilters:
    """The letters list's filters from the query string; bad values are ignored."""
    args = request.args
    status = args.get("status", "")
    try:
        page = min(max(int(args.get("page", 1)), 1), 10_000)
    except ValueError:
        page = 1
    return service.LetterFilters(
        status=status if status in LETTER_STATUSES else "", kind=args.get("kind", "")[:40],
        number=args.get("number", "").strip()[:80], company=args.get("company", "").strip()[:100],
        date_from=_date_arg("date_from"), date_to=_date_arg("date_to"), page=page)


@bp.route("/letters/<int:letter_id>")
def detail(letter_id: int):
    """One letter with its status and actions."""
    letter = get_visible_or_404(Letter, letter_id)
    return _detail_page(letter, IssueForm(), VoidForm())


def _detail_page(letter: Letter, issue_form: IssueForm, void_form: VoidForm,
                 status: int = 200, meeting_form: MeetingForm | None = None):
    page = render_template("letters/detail.html", letter=letter, step=service.step_of(letter),
                           waiting=service.approval_missing(letter)
                           if letter.status == LetterStatus.DRAFT else None,
                           newer=service.newer_template(letter),
                           writable=may(current_user, Permission.WORK, letter.branch_id),
                           deciding=may(current_user, Permission.DECIDE, letter.branch_id),
                           addressee=service.addressee_of(letter),
                           form=SimpleForm(), issue_form=issue_form, void_form=void_form,
                           warnings=service.letter_warnings(letter, clock.today()),
                           meeting_form=_meeting_form(letter, meeting_form))
    return page, status


@bp.route("/letters/<int:letter_id>.pdf")
def pdf(letter_id: int):
    """The issued PDF, byte for byte as stored; for a draft, a marked preview."""
    letter = get_visible_or_404(Letter, letter_id)
    log_access("download.letter", "letter", letter.id, letter.branch_id, number=letter.number)
    if letter.pdf is not None:  # issued, or issued and withdrawn since: the stored file
        return pdf_response(letter.pdf, f"{_safe_filename(letter.number or '')}.pdf")
    return pdf_response(service.preview_pdf(letter, current_user, clock.today()),
                        f"konsep-{letter.id}.pdf")


@bp.route("/letters/<int:letter_id>/issue", methods=["POST"])
@staff_only
def issue(letter_id: int):
    """Issue a draft, once confirmed: number, PDF, verification code, and its step's date."""
    letter = get_visible_or_404(Letter, letter_id)
    form = IssueForm()
    if submit(form, lambda: cases.issue_letter(current_user, letter, clock.today(),
                                               public_base_url()),
              lambda issued: _("Letter issued with number %(number)s.", number=issued.number)):
        return redirect(url_for("letters.detail", letter_id=letter.id))
    return _detail_page(letter, form, VoidForm(), status_of(form))


@bp.route("/letters/<int:letter_id>/void", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def void(letter_id: int):
    """A supervisor withdraws an issued letter, with a reason."""
    letter = get_visible_or_404(Letter, letter_id)
    form = VoidForm()
    if submit(form, lambda: cases.void_letter(current_user, letter, form.reason.data or "",
                                              clock.now()),
              _("The letter is withdrawn; its number stays used.")):
        return redirect(url_for("letters.detail", letter_id=letter.id))
    return _detail_page(letter, IssueForm(), form, status_of(form))


@bp.route("/letters/<int:letter_id>/redraft", methods=["POST"])
@staff_only
def redraft(letter_id: int):
    """Make a draft again from the template version in force."""
    letter = get_visible_or_404(Letter, letter_id)
    form = SimpleForm()
    if form.validate_on_submit():
        run_service(lambda: service.redraft(current_user, letter),
                    lambda made: _("The draft now follows version %(n)d of its template.",
                                   n=made.template.version))
    return redirect(url_for("letters.detail", letter_id=letter.id))


@bp.route("/letters/<int:letter_id>/approve", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def approve(letter_id: int):
    """A supervisor approves a draft for issuing."""
    letter = get_visible_or_404(Letter, letter_id)
    form = SimpleForm()
    if form.validate_on_submit():
        run_service(lambda: service.approve_letter(current_user, letter), _("Letter approved."))
    return redirect(url_for("letters.detail", letter_id=letter.id))


@bp.route("/cases/<int:case_id>/visit-form.pdf")
def visit_form(case_id: int):
    """The visit report form, prefilled, to print before a visit."""
    case = get_visible_or_404(Case, case_id)
    return pdf_response(service.visit_form_pdf(case, current_user, clock.today()),
                        f"berita-acara-{case.id}.pdf")


@bp.route("/letters/templates/")
@roles_required(Role.SUPERVISOR)
def templates():
    """The letter templates of the branch."""
    rows = [service.current_template(code, current_user.branch_id)
            for code in DEFAULT_TEMPLATES]
    return render_template("letters/templates.html", templates=rows)


@bp.route("/letters/templates/<code>", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def edit_template(code: str):
    """Edit a template; saving makes a new version, the old one stays for its letters."""
    if code not in DEFAULT_TEMPLATES:
        abort(404)
    template = service.current_template(code, current_user.branch_id)
    form = TemplateForm(obj=template)
    if submit(form, lambda: service.save_template(
            current_user, code, subject=form.subject.data, nature=form.nature.data,
            copies=form.copies.data or "", classification=form.classification.data or "",
            body=form.body.data, today=clock.today()), _("Template saved as a new version.")):
        return redirect(url_for("letters.edit_template", code=code))
    versions = service.template_versions(code, current_user.branch_id)
    by_number = {v.version: v for v in versions}
    compare = [by_number.get(request.args.get(k, type=int)) for k in ("from", "to")]
    diff = (service.template_diff(*compare) if all(compare) and compare[0] is not compare[1]
            else None)
    return render_template("letters/template_form.html", form=form, template=template,
                           versions=versions, diff=diff, compare=compare,
                           variables=service.DOCUMENTED_VARIABLES,
                           insertable=service.insertable_variables(
                               service.sample_data(current_user.branch))), \
        400 if form.errors else 200


#: the preview is the supervisor's own HTML: it is shown in a sandboxed frame, and its
#: document may load nothing but the app's stylesheets and images, run nothing, navigate
#: nothing (the `sandbox` directive also holds when the preview is opened on its own)
PREVIEW_POLICY = "; ".join(["default-src 'none'", "style-src 'self'", "img-src 'self' data:",
                            "base-uri 'none'", "form-action 'none'", "frame-ancestors 'self'",
                            "sandbox"])


def _preview_html(template, body: str | None) -> dict:
    """The sample rendering of a body, or the error with its line (a limit reached included)."""
    source = body or template.body
    data = service.sample_data(current_user.branch)
    unknown = unknown_variables(source, service.variables_known(data))
    try:
        return {"html": render_body(source, data), "error": None, "unknown": unknown}
    except TemplateProblem as problem:
        return {"html": None, "error": str(problem), "unknown": unknown}


@bp.route("/letters/templates/<code>/preview", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def preview_template(code: str):
    """The preview document of the editor's sandboxed frame: the stored body (GET) or the one
    being edited (POST) rendered on sample data, or its error."""
    if code not in DEFAULT_TEMPLATES:
        abort(404)
    template = service.current_template(code, current_user.branch_id)
    body = request.form.get("body", "") if request.method == "POST" else None
    page = render_template("letters/_preview.html",
                           preview=_preview_html(template, body))
    return page, 200, {"Content-Security-Policy": PREVIEW_POLICY,
                       "X-Frame-Options": "SAMEORIGIN", "Cache-Control": "private, no-store"}


@bp.route("/letters/templates/<code>/sample.pdf", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def sample_pdf(code: str):
    """The edited template rendered to PDF on sample data, through the same sandbox and fetcher."""
    if code not in DEFAULT_TEMPLATES:
        abort(404)
    template = service.current_template(code, current_user.branch_id)
    form = TemplateForm()
    trial = type(template)(code=code, body=form.body.data or template.body,
                           subject=form.subject.data or template.subject,
                           nature=form.nature.data or template.nature,
                           copies=form.copies.data or "", classification="")
    data = service.sample_data(current_user.branch)
    try:
        document = letter_pdf(service.build_html(trial, data, draft=True))
    except (TemplateProblem, ServiceError) as problem:
        flash(str(problem) if isinstance(problem, TemplateProblem) else problem.message, "error")
        return redirect(url_for("letters.edit_template", code=code))
    return pdf_response(document, f"contoh-{code}.pdf")


@bp.route("/verify/<code>", methods=["GET", "POST"])
@public
@csrf.exempt  # checked below, once the upload's size limit is set (see the docstring)
@limiter.limit("30 per minute")
def verify(code: str):
    """Public check of a letter: its number, date, branch, addressee and hash, nothing else.

    An upload is read up to the stored letter's size (plus the form's envelope) and no
    further: anything larger cannot be the letter. The app-wide CSRF check would read the
    whole body before this limit is known, so the check runs here, after it."""
    check = service.verification(code)
    result = too_large = None
    try:
        if request.method == "POST":
            request.max_content_length = (check.size if check else 0) + VERIFY_ENVELOPE_BYTES
            csrf.protect()
        form = VerifyForm()
        if check is not None and form.validate_on_submit() and form.pdf.data:
            data = form.pdf.data.read(check.size + 1)
            too_large = len(data) > check.size
            result = False if too_large else service.matches(check, data)
    except RequestEntityTooLarge:
        form, result, too_large = VerifyForm(formdata=None), False, True
    status = 413 if too_large and check else 200 if check else 404
    return render_template("letters/verify.html", check=check, code=code, form=form,
                           result=result, too_large=too_large), status


@bp.route("/letters/batch", methods=["POST"])
@staff_only
def batch():
    """One PDF of the letters issued on a day and the forms for the next working day's visits,
    made by a worker: the job's page shows it coming and gives the PDF."""
    SimpleForm().validate_on_submit()
    try:
        day = date.fromisoformat(request.form.get("day", "")[:10])
    except ValueError:
        day = clock.today()
    if not BATCH_FIRST_DAY <= day <= BATCH_LAST_DAY:  # 9999-12-31 has no next working day
        message = _("Choose a day between %(first)s and %(last)s.",
                    first=BATCH_FIRST_DAY.isoformat(), last=BATCH_LAST_DAY.isoformat())
        return render_template("core/error.html", code=400, message=message), 400
    job = queue.ask(current_user, LETTER_BATCH, current_user.branch_id,
                    {"day": day.isoformat(), "today": clock.today().isoformat()}, clock.now())
    return redirect(url_for("queue.detail", job_id=start(job)))


@bp.route("/letters/issue-ready", methods=["POST"])
@roles_required(Role.SUPERVISOR)
def issue_ready():
    """Issue today's drafts cleared for issuing, in one job: numbers in the drafts' order,
    one merged PDF to print from the job's page."""
    SimpleForm().validate_on_submit()
    try:
        job = queue.ask_issue_drafts(current_user, clock.today(), public_base_url(), clock.now())
    except ServiceError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("letters.index"))
    return redirect(url_for("queue.detail", job_id=start(job)))


@bp.route("/cases/<int:case_id>/dossier.pdf")
def dossier(case_id: int):
    """The legal dossier of a case referred to the prosecutor."""
    case = get_visible_or_404(Case, case_id)
    try:
        document = service.dossier_pdf(case, answer_of(case, clock.today()))
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("companies.detail", company_id=case.company_id))
    log_access("export.dossier", "case", case.id, case.branch_id)
    return pdf_response(document, f"dossier-{case.id}.pdf", inline=False)


def _meeting_form(letter: Letter, form: MeetingForm | None = None) -> MeetingForm | None:
    """The meeting form of a summons draft, filled with what the draft holds."""
    if letter.status != LetterStatus.DRAFT or letter.template.code != "summons":
        return None
    if form is None:
        form = MeetingForm(formdata=None)
        meeting = letter.data.get("meeting") or {}
        branch = letter.branch
        officer = letter.case.company.officer if letter.case is not None else None
        form.on.data = date.fromisoformat(meeting["date"]) if meeting.get("date") else None
        form.at.data = meeting.get("time", "")
        form.place.data = meeting.get("place") or f"Kantor BPJS Ketenagakerjaan Cabang " \
                                                   f"{branch.name}, {branch.address}"
        form.contact.data = meeting.get("contact") or " ".join(
            p for p in (officer.name if officer else "", officer.phone if officer else "") if p)
    return form


@bp.route("/letters/<int:letter_id>/meeting", methods=["POST"])
@staff_only
def meeting(letter_id: int):
    """Fill in the day, time, place and contact of a summons' meeting."""
    letter = get_visible_or_404(Letter, letter_id)
    form = MeetingForm()
    if submit(form, lambda: service.set_meeting(
            current_user, letter, on=form.on.data, at=form.at.data or "",
            place=form.place.data or "", contact=form.contact.data or "",
            today=clock.today()), _("Meeting saved.")):
        return redirect(url_for("letters.detail", letter_id=letter.id))
    return _detail_page(letter, IssueForm(), VoidForm(), 400, meeting_form=form)
