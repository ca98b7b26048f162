"""The dashboard's summary rows stay exact through every change a branch makes: each service
operation, concurrent writers, a bulk change followed by a rebuild, the morning sweep's check."""

from __future__ import annotations

import threading
from datetime import date

import pytest
import time_machine
from sqlalchemy import select, update

from outreach.cases import service as case_service
from outreach.cases.models import Case, Category
from outreach.companies import service as company_service
from outreach.companies.models import BusinessSize, Company
from outreach.extensions import db
from outreach.org.models import Role
from outreach.reports import summary
from outreach.reports.dashboard import Scope, dashboard
from outreach.reports.models import DashboardCount
from outreach.scheduler import jobs
from tests import factories
from tests.reports.test_dashboard import company

TODAY = date(2026, 3, 2)  # a Monday


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel("2026-03-02 09:00 +0700", tick=False):
        yield


def exact(*branches) -> bool:
    """The stored summary equals the one computed from the companies and cases now."""
    return summary.check([b.id for b in branches], TODAY, repair=False) == []


def test_every_service_operation_keeps_the_summary_exact(make_branch, make_user):
    pkl, tgl = make_branch(), make_branch("KC-TGL", "Tegal")
    andi = make_user(Role.OFFICER, branch=pkl, name="Andi")
    budi = make_user(Role.OFFICER, branch=pkl, name="Budi")
    supervisor = make_user(Role.SUPERVISOR, branch=pkl, name="Citra")
    alfa = company(pkl, "PT Alfa", officer=andi, sector="Batik", kecamatan="Barat",
                   business_size=BusinessSize.SMALL, workers_estimated=20,
                   average_wage=3_000_000, opened_on=date(2026, 2, 6),
                   steps=[("notification", date(2026, 2, 6), "delivered")])
    bravo = company(pkl, "PT Bravo", officer=budi, sector="Batik", kecamatan="Timur",
                    business_size=BusinessSize.MEDIUM, workers_estimated=50,
                    workers_registered=30, average_wage=9_000_000, programs="JKK,JKM,JHT",
                    risk_class=2, opened_on=date(2025, 12, 15),
                    categories=(Category.PDS_TK, Category.PDS_PROGRAM))
    company(pkl, "PT Charlie", sector="Perikanan", workers_estimated=5)
    summary.rebuild(None, TODAY)
    db.session.commit()
    assert exact(pkl, tgl)

    def after(operation) -> None:
        operation()
        db.session.commit()
        assert exact(pkl, tgl), operation.__name__

    alfa_case = case_service.open_case_of(alfa)
    bravo_case = case_service.open_case_of(bravo)

    def log_steps():
        factories.delivered_step(bravo_case, "notification", date(2025, 12, 16), today=TODAY)
        factories.sent_step(alfa_case, "visit", date(2026, 2, 23), actor=andi)

    def open_a_case():
        factories.open_case(db.session.scalar(select(Company).where(Company.name == "PT Charlie")),
                            (Category.PWBD,), today=date(2026, 2, 20))

    def edit_figures():
        company_service.update_company(supervisor, bravo, {
            "name": bravo.name, "workers_registered": 40, "sector": "Tekstil",
            "average_wage": 4_000_000}, today=TODAY)

    def reassign():
        company_service.update_company(supervisor, alfa, {"name": alfa.name, "officer_id": budi.id},
                                       today=TODAY)

    def pause_and_resume():
        factories.pause(bravo_case, date(2026, 2, 25))
        db.session.commit()
        assert exact(pkl)
        case_service.resume_case(supervisor, bravo_case)

    def close_compliant():
        factories.close(alfa_case, date(2026, 2, 27), approver=supervisor)

    def reopen():
        case_service.reopen_case(supervisor, alfa_case)

    def close_again_next_week():
        factories.close(alfa_case, TODAY, approver=supervisor)

    def close_not_compliant():
        factories.close(bravo_case, TODAY, outcome="withdrawn", approver=supervisor)

    def transfer():
        case_service.transfer_company(supervisor, alfa, tgl)

    def sweep():
        jobs.morning_sweep(date(2026, 3, 3))

    for operation in (log_steps, open_a_case, edit_figures, reassign, pause_and_resume,
                      close_compliant, reopen, close_again_next_week, close_not_compliant,
                      sweep, transfer):
        after(operation)


def test_a_company_won_twice_in_six_months_counts_once(make_branch, make_user):
    pkl = make_branch()
    supervisor = make_user(Role.SUPERVISOR, branch=pkl)
    alfa = company(pkl, "PT Alfa", workers_estimated=4, opened_on=date(2026, 1, 5),
                   closed=(date(2026, 1, 20), "compliant"))
    case = case_service.open_case_of(alfa) or alfa.cases[0]
    summary.rebuild([pkl.id], TODAY)
    db.session.commit()
    case_service.reopen_case(supervisor, case)
    db.session.commit()
    factories.close(case, date(2026, 2, 24), approver=supervisor)
    figures = dashboard(Scope.branch(pkl.id), TODAY)
    assert [w.cell.value for w in figures.weeks if w.cell.value] == [1]  # the last closing
    assert figures.won.value == 1
    assert exact(pkl)


def test_a_rebuild_after_a_bulk_change_and_the_sweep_repair_a_wrong_summary(make_branch):
    pkl = make_branch()
    for i in range(3):
        company(pkl, f"PT {i}", sector="Batik", workers_estimated=10, average_wage=2_000_000,
                opened_on=date(2026, 2, 2))
    scope = Scope.branch(pkl.id)
    before = dashboard(scope, TODAY)
    assert before.open_cases.value == 3
    # a change outside the unit of work (as a bulk load writes): the summary no longer agrees
    db.session.execute(update(Company).values(sector="Tekstil"))
    db.session.commit()
    assert not exact(pkl)
    summary.rebuild([pkl.id], TODAY)
    db.session.commit()
    assert exact(pkl)
    assert [row.name for row in dashboard(scope, TODAY).by_sector] == ["Tekstil"]
    # a row tampered with: the night's check finds it and rebuilds the branch (the morning
    # sweep only rebuilds a summary missing or priced with other rates)
    db.session.execute(update(DashboardCount).where(DashboardCount.figure == summary.STAGE)
                       .values(n=DashboardCount.n + 5))
    db.session.commit()
    assert dashboard(scope, TODAY).open_cases.value == 8
    assert jobs.morning_sweep(TODAY).counts["summary_rebuilt"] == 0
    assert dashboard(scope, TODAY).open_cases.value == 8
    run = jobs.summary_check_run(TODAY)
    assert run.outcome == "ok" and run.counts == {"summary_rebuilt": 1}
    assert exact(pkl)
    assert dashboard(scope, TODAY).open_cases.value == 3


def test_a_branch_without_summary_is_built_when_its_dashboard_is_read(make_branch):
    pkl = make_branch()
    company(pkl, "PT Alfa", workers_estimated=3, opened_on=date(2026, 2, 2))
    db.session.execute(DashboardCount.__table__.delete())
    db.session.commit()
    assert dashboard(Scope.branch(pkl.id), TODAY).open_cases.value == 1
    assert summary.marks([pkl.id])


def test_edited_rates_are_priced_live_until_the_summary_is_rebuilt(make_branch):
    from outreach.companies.models import ContributionRate

    pkl = make_branch()
    company(pkl, "PT Alfa", workers_estimated=10, average_wage=3_000_000,
            opened_on=date(2026, 2, 2))
    scope = Scope.branch(pkl.id)
    owed = dashboard(scope, TODAY).monthly_owed
    rate = db.session.scalars(select(ContributionRate).where(ContributionRate.program == "JHT")
                              .order_by(ContributionRate.effective_from.desc())).first()
    rate.employer_percent += 1
    db.session.commit()
    try:
        raised = dashboard(scope, TODAY).monthly_owed
        assert raised == owed + 10 * 3_000_000 // 100
        jobs.morning_sweep(TODAY)
        assert exact(pkl)
        assert dashboard(scope, TODAY).monthly_owed == raised
    finally:
        rate.employer_percent -= 1
        db.session.commit()


def test_concurrent_writers_in_one_branch_both_count(app, make_branch, make_user):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    pkl = make_branch()
    officer = make_user(Role.OFFICER, branch=pkl)
    ids = [company(pkl, f"PT {i}", officer=officer, sector="Batik",
                   opened_on=date(2026, 2, 2)).id for i in range(8)]
    summary.rebuild([pkl.id], TODAY)
    db.session.commit()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(company_ids: list[int]) -> None:
        try:
            with app.app_context():
                start.wait()
                for company_id in company_ids:
                    case = db.session.scalar(select(Case).where(Case.company_id == company_id))
                    factories.delivered_step(case, "notification", date(2026, 2, 3),
                                             today=TODAY)
                db.session.remove()
        except BaseException as error:  # reported by the test
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(ids[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    db.session.expire_all()
    assert exact(pkl)
    figures = dashboard(Scope.branch(pkl.id), TODAY)
    assert figures.stage_totals["notification"].value == 8
