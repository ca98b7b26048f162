"""The banner when today's morning sweep has not run by 08:00, and running it from the web."""

from __future__ import annotations

import time_machine
from sqlalchemy import select

from outreach.extensions import db
from outreach.org.models import Role
from outreach.scheduler.models import JobRun
from tests.conftest import login, post

BANNER = 'id="sweep-late"'


def test_late_sweep_banner_and_running_it_now(client, make_branch, make_user):
    """At 09:00 on a working day without today's sweep, supervisors and admins see the banner
    (officers do not); before 08:00 nobody does; an admin's "run now" records a job run and
    the banner goes."""
    branch = make_branch()
    supervisor = make_user(Role.SUPERVISOR, branch=branch)
    officer = make_user(Role.OFFICER, branch=branch)
    admin = make_user(Role.ADMIN)
    with time_machine.travel("2026-03-03 07:30 +0700", tick=False):  # a Tuesday
        login(client, supervisor)
        assert BANNER not in client.get("/dashboard/").get_data(as_text=True)
    with time_machine.travel("2026-03-03 09:00 +0700", tick=False):
        page = client.get("/dashboard/").get_data(as_text=True)
        assert BANNER in page and "Jalankan sapuan sekarang" not in page
        staff = client.application.test_client()
        login(staff, officer)
        assert BANNER not in staff.get("/tasks/").get_data(as_text=True)
        desk = client.application.test_client()
        login(desk, admin)
        jobs_page = desk.get("/admin/jobs").get_data(as_text=True)
        assert BANNER in jobs_page and "Jalankan sapuan sekarang" in jobs_page
        response = post(desk, "/admin/jobs/sweep")
        assert response.status_code == 302 and response.location.endswith("/admin/jobs")
        run = db.session.scalars(select(JobRun)).one()
        assert (run.job_id, run.outcome, str(run.run_date)) == ("morning_sweep", "ok",
                                                                "2026-03-03")
        assert BANNER not in desk.get("/admin/jobs").get_data(as_text=True)
        assert BANNER not in client.get("/dashboard/").get_data(as_text=True)
        assert post(client, "/admin/jobs/sweep").status_code == 403
    with time_machine.travel("2026-03-07 10:00 +0700", tick=False):  # a Saturday
        assert BANNER not in client.get("/dashboard/").get_data(as_text=True)


def test_job_runs_page_shows_local_time_in_indonesian(client, make_user):
    """A run started at 02:00 UTC reads 09.00.00 WIB on 3 March, with its job and counts
    named in Indonesian."""
    admin = make_user(Role.ADMIN)
    with time_machine.travel("2026-03-03 09:00 +0700", tick=False):
        login(client, admin)
        assert post(client, "/admin/jobs/sweep").status_code == 302
        page = client.get("/admin/jobs").get_data(as_text=True)
    assert "3 Maret 2026 09.00.00 WIB" in page and "02:00:00" not in page
    assert "Penyisiran pagi" in page and "waktu setempat (Asia/Jakarta)" in page
