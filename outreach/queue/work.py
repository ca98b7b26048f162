"""The work each kind of job does, given the job's row, the person who asked, a progress
callback and a commit (explicit arguments, no Flask: `outreach.queue.worker` calls them).
Progress is written on a connection of its own: call it only while the work's own
transaction has written nothing (SQLite lets one writer at a time).

Each returns what it did (shown on the job's page) and the file it made, if any, with its name;
or, for work split into parts (a large print batch), the parts it asked for (`Handed`): the
worker hands them to the queue, and the last part to finish finishes the job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from outreach.calendar.rules import WorkingCalendar
from outreach.cases.models import Case
from outreach.companies import exports
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.imports import service as imports
from outreach.imports.models import CompanyImport, ImportStatus
from outreach.imports.reading import FileProblem
from outreach.letters import service as letters
from outreach.letters.batch import merge, render_many
from outreach.org.models import Branch, User
from outreach.queue import service
from outreach.queue.models import BackgroundJob, JobState
from outreach.queue.service import LETTER_BATCH_PART, Progress
from outreach.reports import monthly as reports


@dataclass(frozen=True)
class Handed:
    """The work was split into parts, jobs of their own (committed), for the worker to hand
    to the queue; the job stays running until its last part finishes it."""

    parts: list[BackgroundJob]


#: what a body returns: the outcome, and the file made (or None) with its name; or the parts
Made = tuple[dict[str, Any], bytes | None, str]
Body = Callable[[BackgroundJob, User, Progress, Callable[[], None], datetime], Made | Handed]

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


#: a print batch with more visit forms than this is rendered in parts of this many forms, one
#: job each, which the workers take in parallel (a job's `part_forms` parameter may say less)
PART_FORMS = 100


def _batch_name(branch: Branch, day: date) -> str:
    return f"cetak-{branch.code}-{day.isoformat()}.pdf"


def letter_batch(job: BackgroundJob, actor: User, progress: Progress,
                 commit: Callable[[], None], now: datetime) -> Made | Handed:
    """The print batch of a day: its issued letters (stored as issued) and the next working
    day's visit forms (rendered now). Up to `PART_FORMS` forms, one job renders them on one
    core; more, and the forms are split into parts of that many, jobs of their own that the
    workers render in parallel (more workers, more cores, on as many machines): the last part
    merges the cover, the letters and the parts' forms, in order, into the one PDF."""
    day = date.fromisoformat(job.params["day"])
    today = date.fromisoformat(job.params["today"])
    branch = db.session.get(Branch, job.branch_id)
    visit_day = WorkingCalendar.for_branch(branch.id).next_working_day(day)
    size = max(1, min(PART_FORMS, int(job.params.get("part_forms", PART_FORMS))))
    if job.outcome.get("parts"):  # parts asked by an earlier attempt: count the done ones
        parts = [db.session.get(BackgroundJob, part_id) for part_id in job.outcome["parts"]]
        job.done = sum(len(part.params["cases"]) for part in parts
                       if part.state == JobState.DONE)
        waiting = [part for part in parts if part.state in JobState.OPEN]
        return Handed(waiting) if waiting else _merged_batch(job, {})
    visits = letters.visits_due(branch.id, visit_day)
    if len(visits) <= size:
        document, count, forms = letters.batch_pdf(actor, branch, day, visit_day, today,
                                                   workers=1, progress=progress)
        return ({"letters": count, "visit_forms": forms, "day": day.isoformat()}, document,
                _batch_name(branch, day))
    ids = [case.id for case in visits]
    parts = [service.ask(actor, LETTER_BATCH_PART, branch.id,
                         {"parent": job.id, "index": n, "today": today.isoformat(),
                          "cases": ids[start:start + size]}, now)
             for n, start in enumerate(range(0, len(ids), size))]
    job.outcome = {"parts": [part.id for part in parts], "day": day.isoformat()}
    job.total, job.done = len(ids), 0
    commit()
    return Handed(parts)


def letter_batch_part(job: BackgroundJob, actor: User, progress: Progress,
                      _commit: Callable[[], None], now: datetime) -> Made:
    """Part of a large print batch: its visit forms rendered on one core into one PDF (the
    part's result). Counted in the batch's progress in the transaction that stores the part
    (a row lock on the batch: of two parts finishing at once, one counts after the other), so
    the part that brings the count to the batch's total knows every other part is stored: it
    merges the cover, the letters and all the forms into the batch's PDF and finishes it."""
    parent = db.session.get(BackgroundJob, job.params["parent"])
    if parent is None or parent.state in (JobState.DONE, JobState.FAILED):
        return {"forms": 0}, None, ""
    ids = job.params["cases"]
    today = date.fromisoformat(job.params["today"])
    by_id = {case.id: case for case in db.session.scalars(select(Case).where(Case.id.in_(ids)))}
    htmls = letters.visit_forms_html(actor, job.branch_id, [by_id[i] for i in ids if i in by_id],
                                     today)
    document = merge(render_many(htmls, workers=1, progress=progress))
    counted = db.session.execute(
        update(BackgroundJob).where(BackgroundJob.id == parent.id)
        .values(done=BackgroundJob.done + len(ids)).returning(BackgroundJob.done)).scalar_one()
    if counted >= parent.total:
        db.session.refresh(parent)
        outcome, merged, name = _merged_batch(parent, {job.id: document})
        service.finish(parent, outcome, now, result=merged, name=name)
    return {"forms": len(htmls), "index": job.params["index"]}, document, ""


def _merged_batch(parent: BackgroundJob, known: dict[int, bytes]) -> Made:
    """The batch's outcome and one PDF from its parts' forms (stored, or just made: `known`),
    in their order."""
    day = date.fromisoformat(parent.params["day"])
    branch = db.session.get(Branch, parent.branch_id)
    visit_day = WorkingCalendar.for_branch(branch.id).next_working_day(day)
    parts = [db.session.get(BackgroundJob, part_id) for part_id in parent.outcome["parts"]]
    ids = [case_id for part in parts for case_id in part.params["cases"]]
    by_id = {case.id: case for case in db.session.scalars(select(Case).where(Case.id.in_(ids)))}
    visits = [by_id[i] for i in ids if i in by_id]
    issued = letters.issued_on_day(branch.id, day)
    cover = render_many([letters.batch_cover(branch, day, visit_day, issued, visits)],
                        workers=1)[0]
    forms = [known[part.id] if part.id in known else part.result for part in parts]
    return ({"letters": len(issued), "visit_forms": len(visits), "day": day.isoformat(),
             "parts": parent.outcome["parts"]},
            letters.batch_document(cover, issued, forms), _batch_name(branch, day))


def gave_up(job: BackgroundJob, reason: str, now: datetime) -> None:
    """A job failed for good (its last attempt failed, or its worker was lost with no attempt
    left): a part's batch fails with it (its PDF would lack the part); a real run's import goes
    back to previewed, to run again (its transaction died with it: nothing of it was
    written)."""
    if job.kind == IMPORT_APPLY:
        imports.release(job.params["import_id"])
    if job.kind != LETTER_BATCH_PART:
        return
    parent = db.session.get(BackgroundJob, job.params["parent"])
    if parent is not None and parent.state in JobState.OPEN:
        service.failed(parent, reason, now, final=True)


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


def parts_open(job: BackgroundJob) -> bool:
    """Whether a print batch handed to parts waits on one still queued or running (its own
    worker gave it up on purpose: the parts' workers are the ones to watch)."""
    part_ids = (job.outcome or {}).get("parts") or []
    return bool(part_ids) and db.session.scalar(
        select(BackgroundJob.id).where(BackgroundJob.id.in_(part_ids),
                                       BackgroundJob.state.in_(JobState.OPEN)).limit(1)) \
        is not None


#: a running job of a kind that is not silent but waiting (on its parts), when this says so
WAITING: dict[str, Callable[[BackgroundJob], bool]] = {LETTER_BATCH: parts_open}

KINDS: dict[str, Body] = {
    service.ISSUE_DRAFTS: issue_drafts,
    LETTER_BATCH: letter_batch,
    LETTER_BATCH_PART: letter_batch_part,
    IMPORT_APPLY: import_apply,
    IMPORT_CHECK: import_check,
    COMPANY_EXPORT: company_export,
    MONTHLY_REPORT: monthly_report,
}
