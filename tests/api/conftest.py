"""The API's world: two branches of one region and one of another, companies in each, and the
tokens partners hold."""

from __future__ import annotations

from datetime import date

import pytest

from outreach.api import service as api
from outreach.cases.models import Category
from outreach.extensions import db
from outreach.org import service as org
from tests import factories

TODAY = date(2026, 6, 1)


def make_token(name: str, *, branch=None, region=None, scopes=("read",),
               expires_on: date | None = None) -> str:
    """A token made as the command line makes it; returns the token text."""
    _token, secret = api.create_token(None, name=name, branch=branch, region=region,
                                      scopes=list(scopes), expires_on=expires_on,
                                      today=date(2026, 1, 1))
    db.session.commit()
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def world(make_branch):
    pkl = make_branch("KC-PKL", "Pekalongan", region="JATENG")
    tgl = make_branch("KC-TGL", "Tegal", region="JATENG")
    bdg = make_branch("KC-BDG", "Bandung", region="JABAR")
    batik = factories.company(pkl, "PT Batik Pesisir", nib="9120001234567",
                              npwp="012345678901000", city="Kota Pekalongan",
                              categories=(Category.PWBD,))
    tegal = factories.company(tgl, "CV Warung Tegal", nib="9120007654321",
                              npwp="098765432109000", categories=(Category.PWBD,))
    letter_step = factories.step(tegal.cases[0], "notification", date(2026, 1, 5))
    return {
        "pkl": pkl, "tgl": tgl, "bdg": bdg, "batik": batik, "tegal": tegal,
        "tegal_letter": letter_step.letter,
        "read": make_token("pkl-read", branch=pkl, scopes=("read",)),
        "sanctions": make_token("dpmptsp-pekalongan", branch=pkl, scopes=("sanctions",)),
        "write": make_token("membership-pkl", branch=pkl, scopes=("write",)),
        "region": make_token("kanwil-jateng", region=org.find_region("JATENG"),
                             scopes=("read", "sanctions")),
    }
