"""Background jobs: asked for, started, advanced, finished or failed; and the work of bulk
issuing. Explicit arguments (the acting user, the moment, the day), no Flask; the worker
(`outreach.queue.worker`) commits between the steps so that the job's page sees them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update

from outreach.calendar.rules import WorkingCalendar
from outreach.cases import service as cases
from outreach.cases.models import Approval, Step
from outreach.core.access import Permission, require, scoped
from outreach.core.audit import record
from outreach.core.errors import ServiceError
from outreach.core.formatting import long_date
from outreach.extensions import db
from outreach.letters.batch import merge
from outreach.letters.models import Letter, LetterStatus, LetterTemplate
from outreach.org.models import User
from outreach.queue.models import BackgroundJob, JobState

#: a callback the work calls as it goes: `progress(done, total)`
Progress = Callable[[int, int], None]

# --- the life of a job ----------------------------------------------------------------------


def ask(actor: User, kind: str, branch_id: int, params: dict[str, Any],
        now: datetime) -> BackgroundJob:
    """A job of `kind` for the branch, queued (the caller commits, then hands it to a worker).
    Who may ask is the page's question, and the work's service asks it again when it runs."""
    job = BackgroundJob(kind=kind, branch_id=branch_id, user_id=actor.id,
                        locale=actor.locale or "id", params=params, state=JobState.QUEUED,
                        created_at=now)
    db.session.add(job)
    db.session.flush()
    record(actor, "job.ask", "job", job.id, {"kind": kind, **params}, branch_id=branch_id)
    return job


def open_job(kind: str, branch_id: int) -> BackgroundJob | None:
    """The branch's job of `kind` still queued or running, if any."""
    return db.session.scalars(select(BackgroundJob).where(
        BackgroundJob.kind == kind, BackgroundJob.branch_id == branch_id,
        BackgroundJob.state.in_(JobState.OPEN)).order_by(BackgroundJob.id)).first()


def begin(job: BackgroundJob, now: datetime) -> None:
    """An attempt starts (its first sign of life)."""
    job.state, job.started_at = JobState.RUNNING, job.started_at or now
    job.heartbeat_at = now
    job.attempts += 1
    job.done = 0


def beat(job_id: int, now: datetime) -> None:
    """The running job's sign of life, on a connection of its own (the work's transaction may
    be open): its worker is still at it."""
    table = BackgroundJob.__table__
    with db.engine.begin() as connection:
        connection.execute(update(table).where(table.c.id == job_id,
                                               table.c.state == JobState.RUNNING)
                           .values(heartbeat_at=now))


def _silent(cutoff: datetime):
    """Running, with no sign of life since `cutoff` (a job begun before heartbeats were kept
    counts from its start)."""
    return and_(BackgroundJob.state == JobState.RUNNING,
                or_(BackgroundJob.heartbeat_at < cutoff,
                    and_(BackgroundJob.heartbeat_at.is_(None),
                         BackgroundJob.started_at < cutoff)))


def silent_jobs(now: datetime, stale: timedelta) -> list[BackgroundJob]:
    """The running jobs whose worker gave no sign of life for `stale`: it was stopped (killed,
    its machine lost) in the middle of the work."""
    return list(db.session.scalars(select(BackgroundJob).where(_silent(now - stale))
                                   .order_by(BackgroundJob.id)))


def is_silent(job_id: int, now: datetime, stale: timedelta) -> bool:
    """Whether the job runs with no sign of life for `stale` (its page says so)."""
    return db.session.scalar(select(BackgroundJob.id).where(
        BackgroundJob.id == job_id, _silent(now - stale))) is not None


def lost(job: BackgroundJob, now: datetime, stale: timedelta, *, final: bool) -> bool:
    """Take a silent job from its lost worker: queued again to be tried again, or failed for
    good (`final`: no attempt left) with a reason the person reads. One UPDATE that still finds
    it silent, so that of several workers noticing it at once one takes it; False when another
    did (or its worker spoke again)."""
    reason = _("The process running this job stopped (it was shut down, or its machine was "
               "lost) after %(done)d of %(total)d.", done=job.done, total=job.total) \
        if job.total else _("The process running this job stopped (it was shut down, or its "
                            "machine was lost).")
    reason += " " + (_("Try again.") if final else _("The job is tried again."))
    values: dict[str, Any] = {"error": reason,
                              "state": JobState.FAILED if final else JobState.QUEUED}
    if final:
        values["finished_at"] = now
    taken = db.session.execute(
        update(BackgroundJob).where(BackgroundJob.id == job.id, _silent(now - stale))
        .values(values).execution_options(synchronize_session=False)).rowcount == 1
    if taken:
        db.session.expire(job)
    return taken


def finish(job: BackgroundJob, outcome: dict[str, Any], now: datetime, *,
           result: bytes | None = None, name: str = "",
           content_type: str = "application/pdf") -> None:
    """The job is done, with what it did and the file it made."""
    job.state, job.finished_at, job.outcome, job.error = JobState.DONE, now, outcome, ""
    if result is not None:
        job.result, job.result_name, job.result_type = result, name, content_type


def failed(job: BackgroundJob, reason: str, now: datetime, *, final: bool) -> None:
    """An attempt failed: queued again while the worker retries it, else failed for good."""
    job.error = reason[:4000]
    if final:
        job.state, job.finished_at = JobState.FAILED, now
    else:
        job.state = JobState.QUEUED


def reason_of(error: BaseException) -> str:
    """What a person reads of a failed attempt: a service's refusal as it is, anything else
    named as an error of the system with its text."""
    if isinstance(error, ServiceError):
        return error.message
    return _("A system error stopped the job: %(error)s", error=f"{type(error).__name__}: "
             f"{error}"[:1000])


def jobs_of(actor: User, limit: int = 50) -> list[BackgroundJob]:
    """The jobs of the branches the user reads, newest first."""
    return list(db.session.scalars(scoped(BackgroundJob, actor)
                                   .where(BackgroundJob.kind != LETTER_BATCH_PART)
                                   .order_by(BackgroundJob.id.desc()).limit(limit)))


#: a part of a large print batch (`outreach.queue.work.letter_batch_part`): the batch's page
#: tells its progress, the jobs' list leaves the parts out
LETTER_BATCH_PART = "letter_batch_part"


# --- bulk issuing ---------------------------------------------------------------------------

ISSUE_DRAFTS = "issue_drafts"


def ready_drafts(branch_id: int) -> list[int]:
    """The ids of the branch's drafts cleared for issuing, in the order they were drafted: in
    one query, what `letters.service.approval_missing` says of each (its step neither waiting
    for a supervisor nor sent back; approved, or its template needing no approval)."""
    step_state = Step.approval_status
    return list(db.session.scalars(
        select(Letter.id).join(LetterTemplate, LetterTemplate.id == Letter.template_id)
        .outerjoin(Step, Step.letter_id == Letter.id)
        .where(Letter.branch_id == branch_id, Letter.status == LetterStatus.DRAFT,
               or_(Step.id.is_(None),
                   step_state.not_in((Approval.REQUESTED, Approval.RETURNED))),
               or_(LetterTemplate.needs_approval.is_(False), Letter.approved_by_id.is_not(None),
                   step_state == Approval.APPROVED))
        .order_by(Letter.id)))


def refuse_day_off(branch_id: int, today: date) -> None:
    """Letters are issued on working days only (as `cases.service.issue_letter` says)."""
    calendar = WorkingCalendar.for_branch(branch_id)
    if not calendar.is_working_day(today):
        raise ServiceError(_("Letters are issued on working days: %(day)s is not one.",
                             day=long_date(today)))


def ask_issue_drafts(actor: User, today: date, public_base_url: str,
                     now: datetime) -> BackgroundJob:
    """A supervisor asks for today's cleared drafts to be issued in one job."""
    branch_id = actor.branch_id
    require(actor, Permission.DECIDE, branch_id)
    refuse_day_off(branch_id, today)
    if open_job(ISSUE_DRAFTS, branch_id) is not None:
        raise ServiceError(_("The branch's drafts are already being issued: wait for that job "
                             "to finish."))
    if not ready_drafts(branch_id):
        raise ServiceError(_("No draft is ready to issue: drafts that need approval wait for "
                             "a supervisor's approval."))
    return ask(actor, ISSUE_DRAFTS, branch_id,
               {"today": today.isoformat(), "public_base_url": public_base_url}, now)


def issue_drafts(actor: User, branch_id: int, today: date, public_base_url: str,
                 progress: Progress, commit: Callable[[], None],
                 issued: list[int] | None = None) -> tuple[dict[str, Any], bytes]:
    """Issue the branch's cleared drafts one after the other through
    `cases.service.issue_letter` (the one way to issue), each committed on its own, so that
    the numbers follow the drafts' order and a draft refused (its case closed, the ladder no
    longer allowing it) is named with its reason and leaves the others issued. Returns what
    was done and one PDF of the letters issued, in the order of their numbers.

    Safe to run again after an attempt stopped halfway: a letter issued is no longer a draft
    (and its number was taken in the transaction that issued it, so a stopped one takes none);
    `issued` holds the letters earlier attempts issued (appended to before each commit, so the
    caller can keep it in that commit), and they count with this attempt's."""
    require(actor, Permission.DECIDE, branch_id)
    refuse_day_off(branch_id, today)
    ids = ready_drafts(branch_id)
    issued = [] if issued is None else issued
    refused: list[dict[str, str]] = []
    progress(0, len(ids))
    for done, letter_id in enumerate(ids, start=1):
        letter = db.session.get(Letter, letter_id)
        if letter is not None and letter.status == LetterStatus.DRAFT:
            try:
                cases.issue_letter(actor, letter, today, public_base_url)
            except ServiceError as error:
                db.session.rollback()
                letter = db.session.get(Letter, letter_id)
                refused.append({"addressee": letter.addressee_name, "reason": error.message})
            else:
                issued.append(letter_id)
                commit()
        progress(done, len(ids))
    rows = db.session.scalars(select(Letter).where(Letter.id.in_(issued))
                              .order_by(Letter.year, Letter.seq)).all() if issued else []
    numbers = [letter.number for letter in rows]
    document = merge(letter.pdf for letter in rows) if rows else b""
    return {"issued": len(rows), "numbers": numbers, "refused": refused}, document
