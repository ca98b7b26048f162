"""Who sees what: the role × branch matrix on the company pages."""

from __future__ import annotations

import pytest

from outreach.cases.models import Category
from outreach.org.models import Role
from tests.conftest import login


@pytest.fixture
def world(make_branch, make_user, make_company):
    """Two branches of one region and one of another, a company in each."""
    pkl = make_branch("KC-PKL", "Pekalongan", region="JATENG")
    tgl = make_branch("KC-TGL", "Tegal", region="JATENG")
    bdg = make_branch("KC-BDG", "Bandung", region="JABAR")
    companies = {
        "pkl": make_company(pkl, "PT Batik Pesisir", categories=(Category.PWBD,)),
        "tgl": make_company(tgl, "CV Ikan Segar", categories=(Category.PDS_TK,)),
        "bdg": make_company(bdg, "PT Sepatu Priangan", categories=(Category.ARREARS,)),
    }
    users = {
        "officer": make_user(Role.OFFICER, branch=pkl),
        "supervisor": make_user(Role.SUPERVISOR, branch=pkl),
        "regional": make_user(Role.REGIONAL, branch=pkl),
        "admin": make_user(Role.ADMIN),
    }
    return users, companies


EXPECTED = {
    "officer": {"pkl"},
    "supervisor": {"pkl"},
    "regional": {"pkl", "tgl"},
    "admin": {"pkl", "tgl", "bdg"},
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_company_list_shows_only_reachable_branches(client, world, role):
    """Does each role's company list hold exactly the companies of its branches?"""
    users, companies = world
    login(client, users[role])
    page = client.get("/companies/").get_data(as_text=True)
    for key, company in companies.items():
        assert (company.name in page) == (key in EXPECTED[role]), (role, key)


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("key", ["pkl", "tgl", "bdg"])
def test_company_page_answers_404_outside_reach(client, world, role, key):
    """A company of another branch answers 404, not 403, and shows nothing of it."""
    users, companies = world
    login(client, users[role])
    response = client.get(f"/companies/{companies[key].id}")
    if key in EXPECTED[role]:
        assert response.status_code == 200
        assert companies[key].name in response.get_data(as_text=True)
    else:
        assert response.status_code == 404
        assert companies[key].name not in response.get_data(as_text=True)


def test_search_does_not_reach_other_branches(client, world):
    """Searching by another branch's exact name finds nothing."""
    users, companies = world
    login(client, users["officer"])
    page = client.get("/companies/?q=Ikan Segar").get_data(as_text=True)
    assert "CV Ikan Segar" not in page
    assert "Tidak ada perusahaan yang cocok" in page


@pytest.mark.parametrize("role", ["officer", "supervisor", "regional"])
def test_admin_pages_are_for_admins(client, world, role):
    """Only admins manage users and branches."""
    users, _ = world
    login(client, users[role])
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/branches").status_code == 403
