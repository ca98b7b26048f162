"""The permit office's desk check: is a TMP2T recommendation in force for this business?"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from outreach.cases.models import Category
from outreach.extensions import db
from outreach.letters.models import Letter, LetterStatus
from outreach.org.models import Role
from tests import factories
from tests.api.conftest import bearer, make_token


def walk_to_tmp2t(case, officer, head):
    """The ladder of `tests/cases/test_legal_record.py`, up to a delivered TMP2T letter."""
    factories.delivered_step(case, "notification", date(2026, 2, 2),
                             delivered_on=date(2026, 2, 3), actor=officer, approver=head)
    factories.step(case, "visit", date(2026, 2, 20), actor=officer, outcome="refused")
    for kind, on, delivered_on in (("warning_1", date(2026, 3, 16), date(2026, 3, 17)),
                                   ("warning_2", date(2026, 4, 9), date(2026, 4, 9)),
                                   ("fine", date(2026, 4, 24), date(2026, 4, 27)),
                                   ("tmp2t", date(2026, 5, 18), date(2026, 5, 19))):
        factories.delivered_step(case, kind, on, delivered_on=delivered_on, actor=officer,
                                 approver=head)
    return next(s for s in case.steps if s.kind == "tmp2t").letter


def test_the_permit_office_finds_a_business_by_either_npwp_and_sees_it_lifted(
        client, make_branch, make_user):
    """Does the lookup find the business by its 15- or 16-digit NPWP, say since when the
    recommendation stands with its letter and verification link, and then that it was lifted
    and when?"""
    branch = make_branch("KC-PKL", "Pekalongan")
    officer = make_user(Role.OFFICER, branch=branch)
    head = make_user(Role.SUPERVISOR, branch=branch)
    factories.partner_offices(branch, "Kota Pekalongan")
    company = factories.company(branch, "PT Batik Pesisir Sejahtera", actor=officer,
                                officer_id=officer.id, city="Kota Pekalongan",
                                business_size="medium", workers_estimated=25,
                                workers_registered=0, average_wage=2_700_000,
                                npwp="012345678901000", nib="9120001234567",
                                categories=(Category.PWBD,), opened_on=date(2026, 2, 2))
    case = company.cases[0]
    permit_office = bearer(make_token("dpmptsp-kota-pekalongan", branch=branch,
                                      scopes=("sanctions",)))
    clean = client.get("/api/v1/sanctions?npwp=01.234.567.8-901.000", headers=permit_office)
    assert clean.status_code == 200
    assert clean.get_json()["in_force"] is False
    assert clean.get_json()["companies"][0]["recommendations"] == []

    letter = walk_to_tmp2t(case, officer, head)
    for npwp in ("012345678901000", "0012345678901000", "0.012.345.678.901.000"):
        answer = client.get(f"/api/v1/sanctions?npwp={npwp}", headers=permit_office).get_json()
        assert answer["in_force"] is True, npwp
        [found] = answer["companies"]
        assert found["company"]["name"] == "PT Batik Pesisir Sejahtera"
        [recommendation] = found["recommendations"]
        assert recommendation["status"] == "in_force"
        assert recommendation["since"] == "2026-05-18"
        assert recommendation["letter_number"] == letter.number
        assert recommendation["verification_url"].endswith(f"/verify/{letter.verify_code}")
        assert recommendation["lifted_on"] is None
    by_nib = client.get("/api/v1/sanctions?nib=9120001234567", headers=permit_office)
    assert by_nib.get_json()["in_force"] is True

    factories.close(case, date(2026, 6, 3), npp="12345678", actor=officer)
    [lift] = [x for x in _drafts_of(case) if x.template.code == "tmp2t_lift"]
    # the recommendation stands until the letter that lifts it is issued
    still = client.get("/api/v1/sanctions?npwp=0012345678901000", headers=permit_office)
    assert still.get_json()["in_force"] is True
    factories.issued_letter(lift, date(2026, 6, 3), actor=head)
    lifted = client.get("/api/v1/sanctions?npwp=0012345678901000",
                        headers=permit_office).get_json()
    assert lifted["in_force"] is False
    [recommendation] = lifted["companies"][0]["recommendations"]
    assert recommendation["status"] == "lifted"
    assert recommendation["lifted_on"] == "2026-06-03"
    assert recommendation["lift_letter_number"] == lift.number
    assert recommendation["lift_verification_url"].endswith(f"/verify/{lift.verify_code}")


def _drafts_of(case):
    return db.session.scalars(select(Letter).where(Letter.case_id == case.id,
                                                   Letter.status == LetterStatus.DRAFT)).all()


def test_the_lookup_needs_an_nib_or_npwp_of_the_right_length(client, world):
    """Does a lookup without an identifier, or with a wrong one, answer 422 at the field?"""
    permit_office = bearer(world["sanctions"])
    empty = client.get("/api/v1/sanctions", headers=permit_office)
    assert empty.status_code == 422 and "nib" in empty.get_json()["errors"]
    short = client.get("/api/v1/sanctions?npwp=12345", headers=permit_office)
    assert short.status_code == 422 and "npwp" in short.get_json()["errors"]
    # another branch's business is unknown to this office's token
    other = client.get("/api/v1/sanctions?npwp=098765432109000", headers=permit_office)
    assert other.get_json() == {"nib": None, "npwp": "098765432109000", "in_force": False,
                                "companies": []}
