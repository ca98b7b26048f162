"""Two people editing one company, and query strings past the database's integers: a message
or a clamped page, never a 500."""

from __future__ import annotations

import re

from outreach.extensions import db
from tests.companies.test_companies import (  # noqa: F401 - fixtures of the company tests
    batik,
    edit_form,
    frozen_clock,
    world,
)
from tests.conftest import login, post

STALE = "Someone else changed this company while you were editing."


def _version_on(page: str) -> str:
    tag = re.search(r'<input[^>]*name="version"[^>]*>', page).group(0)
    return re.search(r'value="(\d+)"', tag).group(1)


def test_the_second_of_two_edits_from_the_same_page_is_refused(client, world, batik):  # noqa: F811
    """Two officers open the edit page; the first saves. Is the second refused with the
    someone-changed-this message, and the first one's change kept?"""
    colleague = client.application.test_client()
    login(client, world.officer)
    login(colleague, world.colleague)
    first_page = client.get(f"/companies/{batik.id}/edit").get_data(as_text=True)
    second_page = colleague.get(f"/companies/{batik.id}/edit").get_data(as_text=True)
    version = _version_on(first_page)
    assert _version_on(second_page) == version
    saved = post(client, f"/companies/{batik.id}/edit",
                 edit_form(batik, phone="0285 111 222", version=version))
    assert saved.status_code == 302
    refused = post(colleague, f"/companies/{batik.id}/edit",
                   edit_form(batik, director_name="Orang Lain", version=version))
    assert refused.status_code == 200
    assert STALE in refused.get_data(as_text=True)
    db.session.refresh(batik)
    assert (batik.phone, batik.director_name) == ("0285 111 222", "Hadi Susanto")
    again = colleague.get(f"/companies/{batik.id}/edit").get_data(as_text=True)
    fresh = post(colleague, f"/companies/{batik.id}/edit",
                 edit_form(batik, director_name="Orang Lain", version=_version_on(again)))
    assert fresh.status_code == 302


def test_a_page_number_past_the_databases_integers_shows_the_last_page(client, world, batik):  # noqa: F811
    """`page=9223372036854775807` (and huge officer ids, far dates) answer the list, not a 500."""
    login(client, world.officer)
    for query in ("page=9223372036854775807", "page=99999999999999999999999",
                  "officer=9223372036854775808", "branch=9223372036854775807",
                  "opened_to=9999-12-31&opened_from=0001-01-01", "per_page=9223372036854775807"):
        response = client.get(f"/companies/?{query}")
        assert response.status_code == 200, query
    assert "PT Batik Pesisir" in client.get(
        "/companies/?page=9223372036854775807").get_data(as_text=True)
