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
from outreach.core.errors import ServiceError
from outreach.extensions import db
from outreach.imports import service as imports
from outreach.imports.models import CompanyImport, ImportStatus
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
MONTHLY_REPORT = "monthly_report"


def issue_drafts(job: BackgroundJob, actor: User, progress: Progress,
                 commit: Callable[[], None], _now: datetime) -> Made:
    """Bulk issuing: the branch's cleared drafts, one merged PDF to print."""
    today = date.fromisoformat(job.params["today"])
    outcome, document = service.issue_drafts(actor, job.branch_id, today,
                                             job.params["public_base_url"], progress, commit)
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
    """A job failed for good: a part's batch fails with it (its PDF would lack the part)."""
    if job.kind != LETTER_BATCH_PART:
        return
    parent = db.session.get(BackgroundJob, job.params["parent"])
    if parent is not None and parent.state in JobState.OPEN:
        service.failed(parent, reason, now, final=True)


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
    recorder = imports.progress_recorder(import_id)

    def both(done: int, total: int) -> None:
        if recorder is not None:
            recorder(done, total)
        progress(done, total)

    try:
        counts = imports.confirm(actor, company_import, today,
                                 decisions={int(k): v for k, v in job.params["decisions"].items()},
                                 overwrite=job.params["overwrite"],
                                 valid_rows_only=job.params["valid_rows_only"],
                                 progress=both if recorder is not None else None)
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


KINDS: dict[str, Body] = {
    service.ISSUE_DRAFTS: issue_drafts,
    LETTER_BATCH: letter_batch,
    LETTER_BATCH_PART: letter_batch_part,
    IMPORT_APPLY: import_apply,
    MONTHLY_REPORT: monthly_report,
}
