"""The load test's users for locust (`bench/load.py` runs `locust -f bench/locustfile.py`).

Each user signs in with an account of its own from the plan (`LOAD_PLAN`, written by
`bench/load.py`), then, with a pause of THINK seconds between actions, reads the company list,
company pages and its tasks and logs phone calls through the step form; supervisors also
open the dashboard. A wrong answer (an error, a redirect to the sign-in page, a refused
form) counts as a failure of the page it happened on.
"""

from __future__ import annotations

import itertools
import os
import random
from pathlib import Path

from locust import HttpUser, between, events, task

from bench.load_client import THINK, Plan, Problem, Visitor, new_session, refusal

PLAN = Plan.read(Path(os.environ["LOAD_PLAN"]))
ACCOUNTS = itertools.cycle(PLAN.accounts)


class LocustVisitor(Visitor):
    """A refused form is a failure with the form's message, in locust's failures."""

    def post(self, path: str, data: dict, name: str):
        with self.session.post(path, data=data, name=name, allow_redirects=False,
                               catch_response=True) as response:
            if response.status_code in (302, 303):
                response.success()
            else:
                response.failure(f"{response.status_code}: {refusal(response.text)}")
        return response


class Officer(HttpUser):
    wait_time = between(*THINK)

    def on_start(self) -> None:
        self.account = next(ACCOUNTS)
        self.visitor = LocustVisitor(new_session(self.client), PLAN, random.Random())  # noqa: S311
        self.act(lambda: self.visitor.sign_in(self.account), "Sign-in (POST)")

    def act(self, action, name: str) -> None:
        """Run an action; a wrong answer is reported as a failure under the page's name
        (locust has counted an answer of 400 or more as a failure of its request already)."""
        try:
            action()
        except Problem as problem:
            if problem.status >= 400:
                return
            events.request.fire(request_type="CHECK", name=name, response_time=0,
                                response_length=0, exception=problem, context={})

    @task(4)
    def company_list(self) -> None:
        self.act(self.visitor.company_list, "Company list")

    @task(4)
    def company_page(self) -> None:
        self.act(self.visitor.company_page, "Company page")

    @task(2)
    def task_page(self) -> None:
        # not `tasks`: locust reads a user class's `tasks`
        self.act(self.visitor.tasks, "Tasks")

    @task(2)
    def log_step(self) -> None:
        self.act(self.visitor.log_step, "Log a step (POST)")

    @task(1)
    def dashboard(self) -> None:
        if self.account.supervisor:
            self.act(self.visitor.dashboard, "Dashboard (supervisor)")
