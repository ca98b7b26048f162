"""The pages of background jobs: a job's progress (refreshed by the browser while it runs, no
script needed), its outcome and the file it made; the branch's recent jobs."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user

from outreach.core import clock
from outreach.core.guards import get_visible_or_404
from outreach.core.views import log_access
from outreach.queue import service
from outreach.queue.models import BackgroundJob, JobState
from outreach.queue.work import COMPANY_EXPORT, IMPORT_CHECK, LETTER_BATCH

bp = Blueprint("queue", __name__)
#: seconds between the refreshes of a queued or running job's page
REFRESH_SECONDS = 2
#: jobs whose page and file are only for the person who asked (an export holds what they
#: read: a region's companies for regional staff)
PERSONAL = (COMPANY_EXPORT,)


def _job(job_id: int) -> BackgroundJob:
    job = get_visible_or_404(BackgroundJob, job_id)
    if job.kind in PERSONAL and job.user_id != current_user.id:
        abort(404)
    return job


@bp.route("/")
def index():
    """The latest jobs of the branches the user reads."""
    return render_template("queue/index.html", jobs=[
        job for job in service.jobs_of(current_user)
        if job.kind not in PERSONAL or job.user_id == current_user.id])


@bp.route("/<int:job_id>")
def detail(job_id: int):
    """How far the job is; when done, what it did and its file. An import's check, once done,
    leads on to the next page of the import: its columns, or the dry run's preview."""
    job = _job(job_id)
    if job.kind == IMPORT_CHECK and job.state == JobState.DONE:
        return redirect(url_for("imports.preview" if job.params["dry_run"]
                                else "imports.map_columns", import_id=job.params["import_id"]))
    running = job.state in JobState.OPEN
    silent = job.state == JobState.RUNNING and service.is_silent(
        job.id, clock.now(), timedelta(seconds=current_app.config["JOB_STALE_SECONDS"]))
    period = job.outcome.get("period") if job.state == JobState.DONE else None
    return render_template("queue/detail.html", job=job, running=running,
                           period=date.fromisoformat(period) if period else None,
                           refresh=REFRESH_SECONDS if running else None, silent=silent,
                           retries=current_app.config["QUEUE_RETRIES"])


@bp.route("/<int:job_id>/result")
def result(job_id: int):
    """The file the job made (a merged PDF), once it is done."""
    job = _job(job_id)
    if job.state != JobState.DONE or not job.result_name:
        abort(404)
    if job.kind == LETTER_BATCH:
        log_access("export.letter_batch", "branch", job.branch_id, job.branch_id,
                   day=job.outcome.get("day"), letters=job.outcome.get("letters"),
                   visit_forms=job.outcome.get("visit_forms"), job=job.id)
    else:
        log_access("download.job_result", "job", job.id, job.branch_id, kind=job.kind)
    return current_app.response_class(job.result, mimetype=job.result_type, headers={
        "Content-Disposition": f'attachment; filename="{job.result_name}"',
        "Cache-Control": "private, no-store"})
