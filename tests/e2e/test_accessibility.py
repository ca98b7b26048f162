"""Accessibility: axe-core finds no serious or critical problem on the pages used every day."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import pytest
from flask import Flask

from outreach.cases import service as case_service
from outreach.cases.proofs import Upload
from outreach.extensions import db
from outreach.tasks import service as reminders
from tests.e2e.scenario import World, log, make_world, photo_jpeg, sign_in

pytestmark = pytest.mark.e2e

#: impacts that fail the test; "minor" and "moderate" findings are left to review
BLOCKING = ("serious", "critical")


def axe_source() -> str:
    """axe-core's script as shipped inside the axe-playwright-python package."""
    try:
        package = resources.files("axe_playwright_python")
    except ModuleNotFoundError:
        package = None
    if package is None:
        pytest.fail("the accessibility tests need axe-core from the `axe-playwright-python` "
                    "package: run `make install` (it is pinned in requirements-dev.txt)",
                    pytrace=False)
    return (package / "axe.min.js").read_text("utf-8")


@pytest.fixture(scope="session")
def axe_script() -> str:
    return axe_source()


def axe_violations(page, axe_script: str) -> list[dict]:
    """Run axe-core on the page as it stands and return its violations.

    The script is evaluated through the browser's debugging protocol, which the page's
    Content-Security-Policy does not govern: the page is checked exactly as users get it,
    with no `bypass_csp` that would let inline styles it forbids change what is seen.
    """
    page.evaluate(axe_script)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return results["violations"]


@pytest.fixture
def world(make_branch, make_user, make_company) -> World:
    """A case with a delivered letter, a visit with its photo and an overdue task."""
    world = make_world(make_branch, make_user, make_company)
    log(world, "notification", world.working_days_ago(30))
    case_service.log_step(world.officer, world.case, kind="visit",
                          occurred_on=world.working_days_ago(20), today=world.today,
                          outcome="promised", notes="Bertemu HRD.",
                          uploads=[Upload("kunjungan.jpg", photo_jpeg())])
    db.session.commit()
    reminders.sweep(world.today)  # turns the overdue warning I into a task
    db.session.commit()
    assert reminders.task_count(world.officer, world.today) == 1
    return world


@dataclass(frozen=True)
class Screen:
    """A page to check: who looks at it and where it is."""

    role: str
    path: Callable[[World], str]
    #: a route still being built: skipped while the app does not have it (and only then)
    pending_route: str = ""


SCREENS = {
    "company list": Screen("officer", lambda w: "/companies/"),
    "company page": Screen("officer", lambda w: f"/companies/{w.company.id}"),
    "log a step": Screen("officer", lambda w: f"/cases/{w.case.id}/steps/new"),
    "tasks": Screen("officer", lambda w: "/tasks/"),
    "map of the companies": Screen("supervisor", lambda w: "/map/?view=companies"),
    "the day offline": Screen("officer", lambda w: "/offline/"),
    "dashboard": Screen("supervisor", lambda w: "/dashboard/", pending_route="/dashboard/"),
    "letter template editor": Screen("supervisor",
                                     lambda w: "/letters/templates/notification"),
    "my account": Screen("officer", lambda w: "/auth/account"),
    "two-factor setup": Screen("supervisor", lambda w: "/auth/two-factor/setup"),
    "new sponsor": Screen("supervisor", lambda w: "/programme/sponsors/new"),
    "mayor's report": Screen("supervisor", lambda w: "/programme/report"),
    "officers by kecamatan": Screen("supervisor", lambda w: "/imports/assignment"),
}


def report(violations: list[dict]) -> str:
    """Each violation with its rule, impact, help text and the elements it was found on."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:10]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {', '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize("screen", SCREENS.values(), ids=SCREENS.keys())
def test_page_has_no_serious_accessibility_problem(app: Flask, context, axe_script, world,
                                                   screen):
    """Labels, contrast, names and landmarks work for screen-reader and low-vision users."""
    if screen.pending_route and screen.pending_route not in {
            rule.rule for rule in app.url_map.iter_rules()}:
        pytest.skip(f"not built yet: the app has no {screen.pending_route} route")
    page = context.new_page()
    sign_in(page, world.officer if screen.role == "officer" else world.supervisor)
    response = page.goto(screen.path(world))
    assert response.status == 200, f"{screen.path(world)} answered {response.status}"
    blocking = [v for v in axe_violations(page, axe_script) if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core on {page.url}:\n{report(blocking)}"
