"""The demo data command: `flask demo seed`."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from outreach.companies.models import Company
from outreach.extensions import db
from outreach.imports.models import KecamatanOfficer
from outreach.org.models import User


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_seed_is_idempotent_and_prints_logins(runner):
    """`demo seed` twice gives the same data, and prints each login as `email  role  branch`."""
    first = runner.invoke(args=["demo", "seed", "--companies", "12", "--password", "pw-12345678"])
    assert first.exit_code == 0, first.output
    companies, users = count(Company), count(User)
    located = db.session.scalar(select(func.count(Company.id)).where(
        Company.latitude.is_not(None)))
    assert located > 0  # the demo visits' positions put companies on the map
    second = runner.invoke(args=["demo", "seed", "--companies", "12", "--password", "pw-12345678"])
    assert second.exit_code == 0
    assert (count(Company), count(User)) == (companies, users) == (24, 8)
    assert db.session.scalar(select(func.count(Company.id)).where(
        Company.latitude.is_not(None))) == located
    lines = second.stdout.splitlines()
    assert "supervisor.pkl@outreach-demo.id  supervisor  KC-PKL" in lines
    assert "regional@outreach-demo.id  regional  JATENG-DIY" in lines
    assert "admin@outreach-demo.id  admin  -" in lines
    sectors = set(db.session.scalars(select(Company.sector)))
    assert len(sectors) > 3
    # each kecamatan of a branch has its officer for imported companies, once
    rules = db.session.scalars(select(KecamatanOfficer)).all()
    assert len(rules) == 8 and {r.officer.role for r in rules} == {"officer"}
    assert all(r.officer.branch_id == r.branch_id for r in rules)


def test_demo_login_works_and_officers_have_tasks_from_the_first_minute(client, runner):
    """A printed demo login signs in with the printed password; the seed ran today's morning
    sweep as a recorded job, so the officer lands on tasks that are already there, and the
    supervisor on the dashboard."""
    from outreach.scheduler.models import JobRun
    from outreach.tasks.models import Reminder
    from tests.conftest import post

    runner.invoke(args=["demo", "seed", "--companies", "12", "--password", "pw-12345678"])
    runs = db.session.scalars(select(JobRun)).all()
    assert [(run.job_id, run.outcome) for run in runs] == [("morning_sweep", "ok")]
    assert count(Reminder) > 0
    response = post(client, "/auth/login", {"email": "officer1.pkl@outreach-demo.id",
                                            "password": "pw-12345678"}, follow_redirects=True)
    assert response.request.path == "/tasks/"
    page = response.get_data(as_text=True)
    assert "Pekalongan" in page and page.count('class="task-card') > 0
    supervisor = client.application.test_client()
    response = post(supervisor, "/auth/login", {"email": "supervisor.pkl@outreach-demo.id",
                                                "password": "pw-12345678"}, follow_redirects=True)
    assert response.request.path == "/dashboard/"


def test_demo_letters_are_a_record_that_holds(runner):
    """The demo data has no delivered or returned draft, every issued letter is dated on a
    working day and by its step, and a branch's numbers follow the dates."""
    from outreach.calendar.rules import WorkingCalendar
    from outreach.cases.models import Step
    from outreach.letters.models import Letter, LetterStatus

    assert runner.invoke(args=["demo", "seed", "--companies", "40"]).exit_code == 0
    rows = db.session.execute(select(Letter, Step).join(Step, Step.letter_id == Letter.id)).all()
    issued = [(letter, step) for letter, step in rows if letter.status == LetterStatus.ISSUED]
    assert len(issued) > 20
    assert all(step.delivery_status == "unsent"
               for letter, step in rows if letter.status == LetterStatus.DRAFT)
    assert all(letter.issued_on == step.occurred_on for letter, step in issued)
    for letter, _step in issued:
        assert WorkingCalendar.for_branch(letter.branch_id).is_working_day(letter.issued_on)
    # every issued letter takes a number: a step's, and an inspection's assignment letter
    every = db.session.scalars(select(Letter).where(Letter.status == LetterStatus.ISSUED)).all()
    assert any(lt.template.code == "assignment" for lt in every)
    for branch_id in {letter.branch_id for letter, _step in issued}:
        mine = sorted((lt for lt in every if lt.branch_id == branch_id),
                      key=lambda lt: (lt.year, lt.seq))
        assert [lt.issued_on for lt in mine] == sorted(lt.issued_on for lt in mine)
        assert [lt.seq for lt in mine if lt.year == mine[-1].year] == list(
            range(1, 1 + sum(1 for lt in mine if lt.year == mine[-1].year)))


def test_the_demo_shows_the_inspection_the_answer_the_legal_track_and_a_joint_visit(client,
                                                                                      runner):
    """Does the demo show issue 16 on a few companies, each on its own page? An inspection
    whose approved report raised the workers estimated, a commitment kept and one broken (the
    dashboard counts it), an instalment agreement paid once on time and once late, a
    small-claims suit to its outcome, and a joint visit with its invitation and the partner's
    response."""
    from outreach.cases.models import Case
    from outreach.companies.models import FigureChange
    from outreach.joint_visits.models import JointVisit
    from outreach.legal.models import Commitment, LegalEvent, LegalKind
    from outreach.org.models import Branch
    from tests.conftest import post

    assert runner.invoke(args=["demo", "seed", "--companies", "12",
                               "--password", "pw-12345678"]).exit_code == 0
    signed_in: dict[int, object] = {}

    def page(branch_id: int, url: str) -> str:
        """The page as the supervisor of the record's branch reads it."""
        if branch_id not in signed_in:
            slug = db.session.get(Branch, branch_id).code.split("-")[-1].lower()
            reader = client.application.test_client()
            post(reader, "/auth/login", {"email": f"supervisor.{slug}@outreach-demo.id",
                                         "password": "pw-12345678"})
            signed_in[branch_id] = reader
        response = signed_in[branch_id].get(url)
        assert response.status_code == 200, url
        return response.get_data(as_text=True)

    raised = db.session.scalars(select(FigureChange).where(
        FigureChange.source == "inspection", FigureChange.field == "workers_estimated")).all()
    raised = [c for c in raised if int(c.after) > int(c.before)]
    assert raised
    company = db.session.get(Company, raised[0].company_id)
    text = page(company.branch_id, f"/companies/{company.id}")
    assert f"{int(raised[0].after)} pekerja ditemukan" in text
    assert "Pemeriksaan" in text.split('id="inspections-heading"')[1]

    for status, word in (("kept", "Dipenuhi"), ("broken", "Diingkari")):
        promise = db.session.scalars(select(Commitment).where(Commitment.status == status)
                                     ).first()
        assert promise is not None, status
        text = page(promise.branch_id, f"/cases/{promise.case_id}/answer")
        assert word in text.split('id="commitments"')[1].split("</ul>")[0]
    broken = db.session.scalars(select(Commitment).where(Commitment.status == "broken")).first()
    dashboard = page(broken.branch_id, "/dashboard/")
    assert re.search(r'id="commitments-broken">[1-9]', dashboard)

    agreements = db.session.scalars(select(LegalEvent).where(
        LegalEvent.kind == LegalKind.AGREEMENT)).all()
    texts = [page(a.branch_id, f"/cases/{a.case_id}/answer") for a in agreements]
    assert any("instalment-on_time" in t and "instalment-late" in t for t in texts)
    outcome = db.session.scalars(select(LegalEvent).where(
        LegalEvent.kind == LegalKind.OUTCOME)).first()
    assert outcome is not None
    text = page(outcome.branch_id, f"/cases/{outcome.case_id}/answer")
    track = text.split('id="legal-track"')[1]
    assert "Gugatan sederhana" in track and outcome.outcome in track

    joint = db.session.scalars(select(JointVisit).where(JointVisit.response != "")).first()
    assert joint is not None and joint.letter.number
    case = db.session.get(Case, joint.case_id)
    text = page(case.branch_id, f"/companies/{case.company_id}")
    assert "Undangan kunjungan bersama" in text and joint.letter.number in text
    assert joint.office.name in text.split('id="joint-visits-heading"')[1]
    text = page(case.branch_id, f"/joint-visits/{joint.id}")
    assert joint.responder_name in text
    assert "Menerima hari yang diusulkan" in text or "Mengusulkan hari lain" in text
