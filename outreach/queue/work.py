"""The work each kind of job does, given the job's row, the person who asked, a progress
callback and a commit (explicit arguments, no Flask: `outreach.queue.worker` calls them).
Progress is written on a connection of its own: call it only while the work's own
transaction has written nothing (SQLite lets one writer at a time).

Each returns what it did (shown on the job's page) and the file it made, if any, with its name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from outreach.calendar.rules import WorkingCalendar
from outreach.companies import exports
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.imports import service as imports
from outreach.imports.models import CompanyImport, ImportStatus
from outreach.imports.reading import FileProblem
from outreach.letters import service as letters
from outreach.org.models import Branch, User
from outreach.queue import service
from outreach.queue.models import BackgroundJob
from outreach.queue.service import Progress
from outreach.reports import monthly as reports

#: what a body returns: the outcome, and the file made (or None) with its name
Made = tuple[dict[str, Any], bytes | None, str]
Body = Callable[[BackgroundJob, User, Progress, Callable[[], None], datetime], Made]

LETTER_BATCH = "letter_batch"
IMPORT_APPLY = "import_apply"
IMPORT_CHECK = "import_check"
COMPANY_EXPORT = "company_export"
MONTHLY_REPORT = "monthly_report"


def issue_drafts(job: BackgroundJob, actor: User, progress: Progress,
                 commit: Callable[[], None], _now: datetime) -> Made:
    """Bulk issuing: the branch's cleared drafts, one merged PDF to print. The letters issued
    so far are kept on the job's row in each letter's own commit, so that an attempt after a
    lost one names (and prints) those too."""
    today = date.fromisoformat(job.params["today"])
    job_id = job.id
    issued = list((job.outcome or {}).get("issued_ids", []))

    def keep_and_commit() -> None:
        db.session.get(BackgroundJob, job_id).outcome = {"issued_ids": list(issued)}
        commit()

    outcome, document = service.issue_drafts(actor, job.branch_id, today,
                                             job.params["public_base_url"], progress,
                                             keep_and_commit, issued=issued)
    branch = db.session.get(Branch, job.branch_id)
    name = f"terbit-{branch.code}-{today.isoformat()}.pdf"
    return outcome, document or None, name


def letter_batch(job: BackgroundJob, actor: User, progress: Progress,
                 _commit: Callable[[], None], _now: datetime) -> Made:
    """The print batch of a day: its issued letters and the next working day's visit forms.
    The worker is one process: it renders on one core (more workers, more cores)."""
    day = date.fromisoformat(job.params["day"])
    today = date.fromisoformat(job.params["today"])
    branch = db.session.get(Branch, job.branch_id)
    visit_day = WorkingCalendar.for_branch(branch.id).next_working_day(day)
    document, count, forms = letters.batch_pdf(actor, branch, day, visit_day, today,
                                               workers=1, progress=progress)
    return ({"letters": count, "visit_forms": forms, "day": day.isoformat()}, document,
            f"cetak-{branch.code}-{day.isoformat()}.pdf")


def _on_import_too(import_id: int, progress: Progress) -> Progress | None:
    """The job's progress written on the import's row too (its pages show it), while the
    database lets a side connection write (not an in-memory SQLite)."""
    recorder = imports.progress_recorder(import_id)
    if recorder is None:
        return None

    def both(done: int, total: int) -> None:
        recorder(done, total)
        progress(done, total)

    return both


def import_check(job: BackgroundJob, actor: User, progress: Progress,
                 commit: Callable[[], None], _now: datetime) -> Made:
    """An uploaded list read into rows (then the columns are checked), or its dry run once
    they are: what the wizard shows next. A file that cannot be used is given up, its reason
    the job's."""
    import_id, dry_run = job.params["import_id"], job.params["dry_run"]
    company_import = db.session.get(CompanyImport, import_id)
    try:
        imports.read_upload(company_import)
    except FileProblem as problem:
        db.session.rollback()
        imports.refuse_file(actor, db.session.get(CompanyImport, import_id), problem)
        commit()
        raise
    commit()  # the rows kept before the dry run, whose progress is written beside it
    company_import = db.session.get(CompanyImport, import_id)
    if dry_run:
        imports.preview(actor, company_import, date.fromisoformat(job.params["today"]),
                        progress=_on_import_too(import_id, progress))
        counts = dict(company_import.counts)
    else:
        counts = {"rows": company_import.rows_total}
    return dict(counts, import_id=import_id, dry_run=dry_run), None, ""


def import_apply(job: BackgroundJob, actor: User, progress: Progress,
                 commit: Callable[[], None], now: datetime) -> Made:
    """The real run of a previewed import, all or nothing; on a failure the import goes back
    to previewed, so that the retry (or the person) can run it again."""
    import_id = job.params["import_id"]
    company_import = db.session.get(CompanyImport, import_id)
    if company_import.status == ImportStatus.DONE:
        return dict(company_import.counts or {}, import_id=import_id), None, ""
    if company_import.status != ImportStatus.RUNNING and not imports.claim(company_import, now):
        raise ServiceError(_("This import is already running."))
    today = date.fromisoformat(job.params["today"])
    try:
        counts = imports.confirm(actor, company_import, today,
                                 decisions={int(k): v for k, v in job.params["decisions"].items()},
                                 overwrite=job.params["overwrite"],
                                 valid_rows_only=job.params["valid_rows_only"],
                                 progress=_on_import_too(import_id, progress))
    except Exception:
        db.session.rollback()
        imports.release(import_id)
        commit()
        raise
    return dict(counts, import_id=import_id), None, ""


def monthly_report(job: BackgroundJob, actor: User, _progress: Progress,
                   _commit: Callable[[], None], _now: datetime) -> Made:
    """A branch's monthly report made on demand and stored (its page serves the PDF): one
    piece of work, no progress to tell."""
    branch = db.session.get(Branch, job.branch_id)
    report = reports.store_monthly_report(actor, branch, date.fromisoformat(job.params["period"]),
                                          date.fromisoformat(job.params["today"]))
    return {"report_id": report.id, "period": report.period.isoformat()}, None, ""


def company_export(job: BackgroundJob, actor: User, _progress: Progress,
                   _commit: Callable[[], None], _now: datetime) -> Made:
    """Every company of the list's filters as CSV or XLSX (100,000 companies take minutes,
    each with its case and, past warning II, its ledger): one piece of work."""
    today, fmt = date.fromisoformat(job.params["today"]), job.params["format"]
    data = exports.company_export(actor, exports.filters_from_json(job.params["filters"]),
                                  today, fmt)
    return {"format": fmt}, data, f"perusahaan-{today.isoformat()}.{fmt}"


def release_import(job: BackgroundJob) -> None:
    """A real run whose worker was lost for good: its import back to previewed, to run again
    (its transaction died with the worker: nothing of it was written)."""
    imports.release(job.params["import_id"])


#: what a job of a kind leaves to undo when its worker is lost and no attempt is left
ABANDON: dict[str, Callable[[BackgroundJob], None]] = {IMPORT_APPLY: release_import}

KINDS: dict[str, Body] = {
    service.ISSUE_DRAFTS: issue_drafts,
    LETTER_BATCH: letter_batch,
    IMPORT_APPLY: import_apply,
    IMPORT_CHECK: import_check,
    COMPANY_EXPORT: company_export,
    MONTHLY_REPORT: monthly_report,
}
