"""Letter templates edited by supervisors: the preview cannot act, a render cannot tie up the
server (range, text size, time and memory limits), and a save is tried on real cases."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from outreach.cases.models import Category
from outreach.extensions import db
from outreach.letters import render, sandbox, service
from outreach.letters.models import LetterTemplate
from outreach.org.models import Role
from tests.conftest import login, post

EDITOR = "/letters/templates/notification"
PREVIEW = "/letters/templates/notification/preview"
ACTIVE = ('<meta http-equiv="refresh" content="0;url=https://example.org">'
          "<script>document.title = 'owned'</script><p>Kepada {{ company.name }}</p>")
NESTED = ("{% for a in range(99999) %}{% for b in range(99999) %}{% for c in range(99999) %}"
          "x{% endfor %}{% endfor %}{% endfor %}")
ONLY_REAL = ('{% if company.name != "PT Contoh Batik Sejahtera" %}{{ 1/0 }}{% endif %}'
             "<p>Kepada {{ company.name }}</p>")


@pytest.fixture
def world(make_branch, make_user, make_company):
    branch = make_branch("KC-PKL", "Pekalongan")
    supervisor = make_user(Role.SUPERVISOR, branch=branch)
    supervisor.locale = "en"
    company = make_company(branch, "PT Batik Pesisir", categories=(Category.PWBD,))
    db.session.commit()
    return {"branch": branch, "supervisor": supervisor, "company": company}


def edit(body: str) -> dict:
    return {"subject": "Hal", "nature": "Biasa", "classification": "PKP", "copies": "",
            "body": body}


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_stored_preview_can_neither_navigate_nor_run(client, app, world):
    """A stored body with a meta refresh and a script opens in the editor without either
    acting: the editor page does not hold them, the preview frame is sandboxed, and its
    document's policy forbids scripts and sandboxes it even when opened on its own."""
    with app.test_request_context():
        service.save_template(world["supervisor"], "notification", **edit(ACTIVE))
        db.session.commit()
    login(client, world["supervisor"])
    page = text(client.get(EDITOR))
    assert "<meta http-equiv" not in page and "<script>document" not in page  # only escaped
    frame = re.search(r"<iframe[^>]*>", page).group(0)
    assert 'sandbox=""' in frame and "allow-" not in frame
    assert f'src="{PREVIEW}"' in frame
    for response in (client.get(PREVIEW), post(client, PREVIEW, {"body": ACTIVE})):
        assert response.status_code == 200
        assert "PT Contoh Batik Sejahtera" in text(response)
        policy = response.headers["Content-Security-Policy"]
        directives = {part.strip().split(" ")[0] for part in policy.split(";")}
        assert "sandbox" in directives and "script-src" not in directives
        assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy


def test_nested_range_loops_are_refused_with_a_message(client, world):
    """Three nested range(99999) loops answer at once with the range limit, not a timeout."""
    login(client, world["supervisor"])
    response = post(client, PREVIEW, {"body": NESTED})
    assert response.status_code == 200
    assert "range() may give at most 10,000 numbers" in text(response).replace(".", ",")
    saved = post(client, EDITOR, edit(NESTED))
    assert saved.status_code == 400 and "range() may give at most" in text(saved)


def test_a_huge_text_is_refused(client, world):
    """`('x'*1000000000)|length` and a body writing 10 million characters are refused with
    the size limit, in the preview and at save."""
    login(client, world["supervisor"])
    for body in ("{{ ('x'*1000000000)|length }}",
                 "{% for i in range(10000) %}{{ 'x' * 1000 }}{% endfor %}"):
        response = post(client, PREVIEW, {"body": body})
        assert "longer than the limit of 2 million characters" in text(response)
        saved = post(client, EDITOR, edit(body))
        assert saved.status_code == 400 and "2 million characters" in text(saved)


def test_a_text_doubled_in_a_loop_meets_the_memory_limit(client, world):
    """A text doubled forty times (a terabyte) is stopped by the render's memory limit."""
    login(client, world["supervisor"])
    body = ("{% set ns = namespace(s='x') %}{% for i in range(40) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}")
    response = post(client, PREVIEW, {"body": body})
    assert "needs more memory than a letter may use" in text(response)


def test_a_long_render_is_stopped_by_the_time_limit(client, world, monkeypatch):
    """Loops within the range limit that write nothing still end at the time limit (set to
    one second here to keep the test short)."""
    monkeypatch.setattr(sandbox, "TIME_LIMIT", 1)
    login(client, world["supervisor"])
    body = ("{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10000) %}"
            "{% endfor %}{% endfor %}{% endfor %}")
    response = post(client, PREVIEW, {"body": body})
    assert "takes longer than the limit of 1 seconds" in text(response)


def test_a_template_failing_only_on_real_data_is_refused_at_save(client, app, world):
    """A body that renders on the sample but fails on an open case of the branch is not
    saved: the message names the case's company and the error."""
    login(client, world["supervisor"])
    assert "PT Contoh Batik Sejahtera" in text(post(client, PREVIEW, {"body": ONLY_REAL}))
    response = post(client, EDITOR, edit(ONLY_REAL))
    assert response.status_code == 400
    page = text(response)
    assert "PT Batik Pesisir" in page and "division by zero" in page
    assert db.session.scalar(select(func.count()).select_from(LetterTemplate)) == 0
    fine = post(client, EDITOR, edit("<p>Kepada {{ company.name }}</p>"))
    assert fine.status_code == 302
    with app.test_request_context():
        assert service.current_template("notification", world["branch"].id).version == 2


def test_a_letter_too_long_to_print_is_stopped_by_the_pdf_limit(client, world, monkeypatch):
    """WeasyPrint runs in a process of its own with a time limit (one second here): 5,000
    paragraphs in the sample PDF answer with the message, not a worker held for minutes."""
    monkeypatch.setattr(render, "PDF_TIME_LIMIT", 1)
    login(client, world["supervisor"])
    body = "{% for i in range(5000) %}<p>Paragraf {{ i }} surat yang panjang.</p>{% endfor %}"
    response = post(client, f"{EDITOR}/sample.pdf", edit(body))
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "takes longer than 1 seconds or more memory than a letter may use" in page
    short = post(client, f"{EDITOR}/sample.pdf", edit("<p>Kepada {{ company.name }}</p>"))
    assert short.status_code == 200 and short.data.startswith(b"%PDF-")
