"""The load test's simulated user, against gunicorn with the production settings as the load
test starts it: it signs in through the sign-in form, reads the list and its tasks and logs a
phone call through the step form (its CSRF token and the production app's `Secure` cookies
over plain HTTP), and the call is on the company page. The load test runs again while a print
batch renders on the queue unless `--without-batch` says not to."""

from __future__ import annotations

import html
import random

import flask_migrate
import pytest

from bench import load_client
from bench.__main__ import parse_args
from bench.databases import RESULTS_DIR
from bench.generate import Dataset
from bench.load import LoadRun, PageLoad, TimedSession, gunicorn, load_table
from bench.load_client import Account, Plan, Visitor, new_session
from outreach import create_app
from outreach.cases.models import Category
from outreach.extensions import db
from outreach.org.models import Role
from tests import factories


def test_a_simulated_user_logs_a_phone_call_through_the_real_forms(tmp_path):
    url = f"sqlite:///{tmp_path / 'load.db'}"
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade()
        branch = factories.branch("KC-PKL", "Pekalongan", "JATENG")
        officer = factories.user(Role.OFFICER, branch=branch, email="petugas@example.org")
        company = factories.company(branch, "PT Sinar Batik")
        case = factories.open_case(company, [Category.PWBD])
        plan = Plan([Account(officer.email, factories.PASSWORD, False)],
                    [(company.id, case.id)], 1)
        db.session.remove()
        db.engine.dispose()
    RESULTS_DIR.mkdir(exist_ok=True)
    with gunicorn(url) as base:
        session = TimedSession(base)
        visitor = Visitor(new_session(session), plan, random.Random(1))  # noqa: S311
        visitor.sign_in(plan.accounts[0])
        visitor.company_list()
        visitor.tasks()
        visitor.log_step()
        page = html.unescape(visitor.get(f"/companies/{company.id}", "Company page").text)
    assert "Panggilan telepon" in page
    assert any(note in page for note in load_client.NOTES)
    assert {load_client.LIST, load_client.TASKS, load_client.STEP_FORM,
            load_client.STEP_POST} <= set(session.times)


def test_the_load_test_runs_with_the_batch_unless_told_not_to():
    assert parse_args(["--only", "load"]).with_batch
    assert not parse_args(["--only", "load", "--without-batch"]).with_batch
    assert parse_args(["--quick"]).queue_forms == 40
    with pytest.raises(SystemExit):
        parse_args(["--only", "queue", "--queue-forms", "2"])


def test_the_batch_run_is_compared_page_by_page_with_the_run_with_the_queue_idle():
    """p95 while the batch renders over p95 with the queue idle, per page and overall; the
    target (1.3) missed is named, and the table shows both runs."""
    run = LoadRun("15", Dataset(companies=100_000, steps=1_000_000), 50, 1_000, 120, 50, 4)
    run.pages = [PageLoad("Company list", 600, 0, 90, 200, 2.0),
                 PageLoad("Tasks", 300, 0, 400, 1000, 1.0)]
    run.overall = PageLoad("All requests", 900, 0, 120, 500, 3.0, 100, 300)
    run.batch_pages = [PageLoad("Company list", 600, 0, 95, 220, 2.0),
                       PageLoad("Tasks", 300, 0, 420, 1100, 1.0)]
    run.batch_overall = PageLoad("All requests", 900, 0, 125, 550, 3.0)
    run.batch_forms, run.batch_forms_done, run.batch_state = 2_000, 2_000, "done"
    assert run.batch_ratio(run.batch_pages[0]) == pytest.approx(1.1)
    assert run.batch_ratio(run.batch_overall) == pytest.approx(1.1)
    assert run.target_problems() == []
    table = load_table(run)
    assert "| **All requests** | 900 | 0 | 3.0 | 125 | **550** | 500 | **1.10×** |" in table
    assert "rendered 2,000 of its 2,000 forms" in table
    run.batch_overall = PageLoad("All requests", 900, 2, 125, 800, 3.0)
    run.batch_failures = [(2, "Tasks", "HTTPError 502")]
    assert run.target_problems() == ["load test: 2 errors",
                                     "load test: p95 1.60× the idle queue's while a batch "
                                     "renders"]
