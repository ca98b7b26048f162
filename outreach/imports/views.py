"""Importing company lists in the web pages: upload, map the columns, preview, confirm."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField

from outreach.companies.models import Company, Source
from outreach.core import clock
from outreach.core.errors import ServiceError
from outreach.core.formatting import long_date, number, rupiah
from outreach.core.forms import SimpleForm
from outreach.core.guards import get_visible_or_404, require_write, roles_required
from outreach.core.labels import label
from outreach.core.views import log_access, run_service, status_of, submit
from outreach.extensions import db
from outreach.imports import assignment, service
from outreach.imports.mapping import COMPANY_FIELDS, FIELD_LABELS, FIELDS, SOURCES
from outreach.imports.matching import name_form
from outreach.imports.models import CloseSuggestion, CompanyImport, ImportStatus
from outreach.imports.planning import last_import_of
from outreach.imports.reading import human_size
from outreach.org.models import Role
from outreach.queue import service as queue
from outreach.queue.work import IMPORT_APPLY, IMPORT_CHECK
from outreach.queue.worker import start

bp = Blueprint("imports", __name__)

#: rows of each kind shown on a page before "show all"
ROWS_SHOWN = 200


class UploadForm(FlaskForm):
    """The file to import and where it comes from."""

    file = FileField(_l("File (CSV or XLSX)"),
                     description=_l("Separators ; or , · UTF-8 or Windows-1252 · headers in "
                                    "Indonesian or English."))
    source = SelectField(_l("Where the list comes from"), default=Source.BPJS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source.choices = [(code, label(code, "source")) for code in SOURCES]


@bp.before_request
def importers_only():
    """Importing is for officers and supervisors, into their own branch."""
    if request.endpoint == "imports.sources":
        return None
    if current_user.is_authenticated and current_user.role not in Role.BRANCH_ROLES:
        abort(403)
    return None


@bp.app_template_global("verify_close_suggestions")
def verify_close_suggestions() -> list[CloseSuggestion]:
    """The signed-in user's cases to verify and close (the tasks page shows them)."""
    if not current_user.is_authenticated:
        return []
    return service.open_suggestions(current_user)


@bp.context_processor
def import_labels() -> dict[str, Any]:
    """Words for an import's status and for what matched a row, for the import pages."""
    return {
        "status_labels": {
            ImportStatus.UPLOADED: _("Columns to check"),
            ImportStatus.PREVIEWED: _("Not imported yet"),
            ImportStatus.RUNNING: _("Running"),
            ImportStatus.DONE: _("Imported"),
            ImportStatus.DISCARDED: _("Discarded"),
        },
        "match_labels": {"nib": _("NIB"), "npwp": _("NPWP"), "npp": _("NPP"),
                         "name": _("name and address"), "confirmed": _("your confirmation")},
        "max_size": human_size(current_app.config["IMPORT_MAX_BYTES"]),
        "shown": shown_value,
    }


#: fields whose values are dates, money, or codes with a label
_DATES = {"obliged_on", "registered_on", "licensed_on"}
_MONEY = {"average_wage", "reported_wage"}


def shown_value(field_name: str, value: Any) -> str:
    """A value of an import's report as the pages show it: "Kecil", not "small"; dates as
    "17 Januari 2022"; money as "Rp2.500.000"."""
    if value in (None, ""):
        return "–"
    if field_name == "business_size":
        return label(str(value), "size")
    if field_name in _DATES and isinstance(value, str):
        try:
            return long_date(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    if field_name in _MONEY and isinstance(value, int | float):
        return rupiah(value)
    if field_name == "programs" and isinstance(value, str):
        return ", ".join(p for p in value.split(",") if p)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value)
    return str(value)


def _import(import_id: int) -> CompanyImport:
    return get_visible_or_404(CompanyImport, import_id)


@bp.route("/", methods=["GET", "POST"])
def index():
    """Upload a list, and the branch's import history."""
    form = UploadForm()
    if outcome := submit(form, lambda: _new_import(form)):
        return _check(outcome.value, dry_run=False)
    return render_template("imports/index.html", form=form,
                           imports=service.history(current_user)), status_of(form)


def _new_import(form: UploadForm):
    upload = form.file.data
    if not upload or not getattr(upload, "filename", ""):
        raise ServiceError(_("Choose a file."), "file")
    limit = current_app.config["IMPORT_MAX_BYTES"]
    return service.new_import(current_user, current_user.branch, filename=upload.filename,
                              data=upload.read(limit + 1), source=form.source.data,
                              max_bytes=limit)


@bp.route("/<int:import_id>/map", methods=["GET", "POST"])
def map_columns(import_id: int):
    """Say which field each column holds; then the dry run."""
    company_import = _import(import_id)
    if company_import.status not in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
        return redirect(url_for("imports.detail", import_id=import_id))
    require_write(company_import.branch_id)
    if not service.is_read(company_import):  # its file is being read: the check's page
        if company_import.check_job_id is None:
            return _check(company_import, dry_run=False)
        return redirect(url_for("queue.detail", job_id=company_import.check_job_id))
    outline = service.outline_of(company_import)
    columns = outline["columns"]
    form = SimpleForm()
    mapping = company_import.mapping
    error = None
    if form.validate_on_submit():
        mapping = [request.form.get(f"column-{i}", "") for i in range(len(columns))]
        try:
            service.set_mapping(current_user, company_import, mapping)
        except ServiceError as refusal:
            db.session.rollback()
            error = refusal.message
        else:
            return _check(company_import, dry_run=True)
    columns = [{"index": i, "header": c["header"], "samples": c["samples"],
                "field": mapping[i] if i < len(mapping) else ""} for i, c in enumerate(columns)]
    return render_template("imports/map.html", company_import=company_import, outline=outline,
                           columns=columns, fields=FIELD_LABELS, form=form,
                           error=error), 400 if error else 200


def _check(company_import: CompanyImport, *, dry_run: bool):
    """The import's file read, or its dry run, asked of the queue: the job's page shows its
    progress and then leads on to the columns or the preview (`queue.views.detail`)."""
    job = queue.ask(current_user, IMPORT_CHECK, company_import.branch_id,
                    {"import_id": company_import.id, "today": clock.today().isoformat(),
                     "dry_run": dry_run}, clock.now())
    company_import.check_job_id = job.id
    return redirect(url_for("queue.detail", job_id=start(job)))


def _rows_by_action(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {
        key: [] for key in ("rejected", "review", "created", "updated", "unchanged")}
    for row in report.get("rows", []):
        groups.setdefault(row["action"], []).append(row)
    return groups


def _page_data(company_import: CompanyImport) -> dict[str, Any]:
    report = company_import.report or {}
    rows = report.get("rows", [])
    return {
        "company_import": company_import,
        "counts": company_import.counts or {},
        "groups": _rows_by_action(report),
        "conflicts": [r for r in rows if r.get("conflicts")],
        "verify": [r for r in rows if r.get("verify_close")],
        "show_all": request.args.get("all") == "1",
        "limit": ROWS_SHOWN,
        "fields": FIELD_LABELS,
    }


@bp.route("/<int:import_id>/preview")
def preview(import_id: int):
    """The dry run: what would be created, updated, left unchanged, rejected, or reviewed."""
    company_import = _import(import_id)
    if company_import.status in (ImportStatus.DONE, ImportStatus.DISCARDED):
        return redirect(url_for("imports.detail", import_id=import_id))
    if company_import.status == ImportStatus.UPLOADED:
        return redirect(url_for("imports.map_columns", import_id=import_id))
    previous = last_import_of(company_import.branch_id, company_import.sha256)
    return render_template("imports/preview.html", form=SimpleForm(), previous=previous,
                           **_page_data(company_import))


@bp.route("/<int:import_id>/confirm", methods=["POST"])
def confirm(import_id: int):
    """The real run: everything or nothing (or the valid rows, when the user chose so)."""
    company_import = _import(import_id)
    require_write(company_import.branch_id)
    SimpleForm().validate_on_submit()
    if company_import.status == ImportStatus.DONE:
        flash(_("This file has already been imported."), "info")
        return redirect(url_for("imports.detail", import_id=import_id))
    if company_import.status in (ImportStatus.UPLOADED, ImportStatus.DISCARDED):
        return redirect(url_for("imports.map_columns", import_id=import_id))
    decisions = {int(key[9:]): value for key, value in request.form.items()
                 if key.startswith("decision-") and key[9:].isdigit()}
    overwrite = request.form.getlist("overwrite")
    valid_rows_only = request.form.get("valid_rows_only") == "1"
    if not service.claim(company_import, clock.now()):
        flash(_("This import is already running."), "error")
        return redirect(url_for("imports.preview", import_id=import_id))
    job = queue.ask(current_user, IMPORT_APPLY, company_import.branch_id,
                    {"import_id": import_id, "today": clock.today().isoformat(),
                     "decisions": {str(k): v for k, v in decisions.items()},
                     "overwrite": overwrite, "valid_rows_only": valid_rows_only}, clock.now())
    return redirect(url_for("queue.detail", job_id=start(job)))


@bp.route("/<int:import_id>/status")
def status(import_id: int):
    """How far a running import or dry run has got (polled by imports.js)."""
    company_import = _import(import_id)
    total = company_import.rows_total or 0
    done = min(company_import.rows_done or 0, total)
    return jsonify(status=company_import.status, rows_done=done, rows_total=total,
                   percent=int(100 * done / total) if total else 0)


@bp.route("/<int:import_id>")
def detail(import_id: int):
    """One import of the history: who, when, which file, and what each row did."""
    company_import = _import(import_id)
    if company_import.status in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
        return redirect(url_for("imports.preview" if company_import.status
                                == ImportStatus.PREVIEWED else "imports.map_columns",
                                import_id=import_id))
    return render_template("imports/detail.html", form=SimpleForm(),
                           **_page_data(company_import))


@bp.route("/<int:import_id>/file")
def download(import_id: int):
    """The file as it was imported."""
    company_import = _import(import_id)
    if not company_import.data:
        abort(404)
    log_access("download.import_file", "import", company_import.id, company_import.branch_id,
               file=company_import.filename)
    return send_file(io.BytesIO(company_import.data), as_attachment=True,
                     download_name=company_import.filename,
                     mimetype="application/octet-stream")


@bp.route("/<int:import_id>/rejected.csv")
def rejected(import_id: int):
    """The rejected rows with the reason in a column, to fix and upload again."""
    company_import = _import(import_id)
    data = service.rejected_rows_csv(company_import)
    if data is None:
        abort(404)
    stem = company_import.filename.rsplit(".", 1)[0] or "daftar"
    return send_file(io.BytesIO(data), as_attachment=True, mimetype="text/csv",
                     download_name=f"{stem}-ditolak.csv")


@bp.route("/<int:import_id>/discard", methods=["POST"])
def discard(import_id: int):
    """Give up an import before the real run."""
    company_import = _import(import_id)
    SimpleForm().validate_on_submit()
    run_service(lambda: service.discard(current_user, company_import),
                _("The import was discarded; nothing was imported."))
    return redirect(url_for("imports.index"))


@bp.route("/companies/<int:company_id>/sources")
def sources(company_id: int):
    """What each list said about a company, next to the values it has now."""
    company = get_visible_or_404(Company, company_id)
    said = service.sources_of(company)
    fields = [f for f in FIELDS if f in said]
    current = {f: getattr(company, f) for f in fields if f in COMPANY_FIELDS}
    return render_template("imports/sources.html", company=company, said=said, fields=fields,
                           current=current, labels=FIELD_LABELS,
                           sources=SOURCES)


class AssignmentForm(FlaskForm):
    """The branch's assignment rules: the selects are read from the request (one a kecamatan)."""


def _chosen_officers() -> dict[str, int | None]:
    """{kecamatan: officer id or None} from the rules form (rows "kecamatan-N"/"officer-N")."""
    chosen: dict[str, int | None] = {}
    for key, kecamatan in request.form.items():
        if not key.startswith("kecamatan-") or not kecamatan.strip():
            continue
        officer = request.form.get("officer-" + key.removeprefix("kecamatan-"), "")
        chosen[kecamatan] = int(officer) if officer.isdigit() else None
    return chosen


@bp.route("/assignment", methods=["GET", "POST"])
@roles_required(Role.SUPERVISOR)
def assignment_rules():
    """The branch's assignment rules: the officer a new company of each kecamatan gets."""
    branch_id = current_user.branch_id
    form = AssignmentForm()
    if submit(form, lambda: assignment.save_rules(current_user, branch_id, _chosen_officers()),
              lambda changed: ngettext("%(num)d rule saved.", "%(num)d rules saved.",
                                       changed)):
        return redirect(url_for("imports.assignment_rules"))
    rules = {rule.name_form: rule.officer_id for rule in assignment.rules_of(branch_id)}
    rows = [(name, rules.get(name_form(name))) for name in assignment.kecamatan_names(branch_id)]
    return render_template("imports/assignment.html", form=form, rows=rows,
                           officers=assignment.assignable_officers(branch_id)), \
        status_of(form)


@bp.route("/suggestions/<int:suggestion_id>/dismiss", methods=["POST"])
def dismiss(suggestion_id: int):
    """Take a case off the verify-and-close list."""
    suggestion = get_visible_or_404(CloseSuggestion, suggestion_id)
    SimpleForm().validate_on_submit()
    run_service(lambda: service.dismiss_suggestion(current_user, suggestion, clock.now()),
                _("Taken off the list."))
    return redirect(url_for("tasks.index"))
