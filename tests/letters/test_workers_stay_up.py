"""Under gunicorn with two workers, a supervisor previewing a template that loops does not
make the app unresponsive: the render runs in a process of its own, `/healthz` answers at
once from the other worker, and the preview answers with the time limit's message."""

from __future__ import annotations

import html
import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import flask_migrate
import pytest

from outreach import create_app
from outreach.extensions import db
from outreach.org.models import Role
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
LOOPS = ("{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10000) %}"
         "{% endfor %}{% endfor %}{% endfor %}")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """Requests to one server with the cookies it set (the session), as a browser sends them."""

    def __init__(self, port: int) -> None:
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, form: dict | None = None,
                timeout: float = 30) -> tuple[int, str, float]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text, elapsed

    def csrf(self, path: str) -> str:
        return CSRF.search(self.request("GET", path)[1]).group(1)


@pytest.fixture
def served(tmp_path):
    """gunicorn with two sync workers on a database of its own, with a supervisor."""
    url = f"sqlite:///{tmp_path / 'served.db'}"
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade()
        branch = factories.branch("KC-PKL", "Pekalongan", "JATENG")
        supervisor = factories.user(Role.SUPERVISOR, branch=branch, email="penyelia@example.org",
                                    locale="en")
        db.session.commit()
        email = supervisor.email
        db.session.remove()
        db.engine.dispose()
    port = free_port()
    env = {**os.environ, "OUTREACH_ENV": "production", "SECRET_KEY": "x" * 40,
           "DATABASE_URL": url, "OUTREACH_REQUIRE_2FA": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--timeout", "30", "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    browser = Browser(port)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if browser.request("GET", "/healthz", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise AssertionError(server.stderr.read().decode()[-2000:] if server.poll()
                                     is not None else "gunicorn did not start")
            time.sleep(0.3)
        token = browser.csrf("/auth/login")
        status, _page, _t = browser.request("POST", "/auth/login", {
            "csrf_token": token, "email": email, "password": factories.PASSWORD})
        assert status == 302
        yield browser
    finally:
        server.terminate()
        server.wait(timeout=30)
        server.stderr.close()


def test_health_answers_within_a_second_while_a_looping_template_is_previewed(served):
    token = served.csrf("/letters/templates/notification")
    answer: dict = {}

    def preview() -> None:
        answer["status"], answer["page"], answer["seconds"] = served.request(
            "POST", "/letters/templates/notification/preview",
            {"csrf_token": token, "body": LOOPS})

    worker = threading.Thread(target=preview)
    worker.start()
    time.sleep(0.5)
    health = []
    while worker.is_alive() and len(health) < 6:
        status, _text, seconds = Browser(served.port).request("GET", "/healthz", timeout=10)
        health.append((status, seconds))
        time.sleep(0.5)
    worker.join(timeout=60)
    assert len(health) >= 3, "the preview ended before the health checks could be made"
    assert all(status == 200 and seconds < 1.0 for status, seconds in health), health
    assert answer["status"] == 200
    assert "takes longer than the limit of 5 seconds" in html.unescape(answer["page"])
    assert answer["seconds"] < 15
