"""The membership system's registrations: matched as imports match, applied once per batch."""

from __future__ import annotations

from sqlalchemy import func, select

from outreach.api.models import RegistrationBatch
from outreach.cases.models import Category
from outreach.companies.models import Company
from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.imports.models import CloseSuggestion, CompanyImport
from outreach.org import service as org
from tests import factories
from tests.api.conftest import bearer, make_token


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def changes() -> int:
    return db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action != "api.call"))


def test_a_batch_sent_twice_changes_nothing_the_second_time(client, world):
    """Does a batch update the companies it matches (by NPWP in its 16-digit form, by NIB),
    suggest closing the case it shows compliant, and change nothing when sent again?"""
    pkl = world["pkl"]
    compliant = factories.company(pkl, "CV Sumber Rejeki", npwp="021234567890100",
                                  programs="JKK,JKM,JHT", workers_estimated=12,
                                  categories=(Category.PWBD,))
    batch = {"batch_id": "KEPESERTAAN-2026-06-01-01", "registrations": [
        {"npp": "12345678", "npwp": "0021234567890100", "workers_registered": 12,
         "registered_on": "2026-05-28"},
        {"npp": "23456789", "nib": "9120001234567", "workers_registered": 3,
         "registered_on": "2026-05-29"},
        {"npp": "34567890", "nib": "9120007654321", "workers_registered": 8,
         "registered_on": "2026-05-29"},
    ]}
    write = bearer(world["write"])
    first = client.post("/api/v1/registrations", json=batch, headers=write)
    assert first.status_code == 200, first.get_data(as_text=True)
    answer = first.get_json()
    assert answer["replayed"] is False and answer["branch"] == "KC-PKL"
    assert [(r["status"], r["company_id"], r["matched_by"], r["verify_close"])
            for r in answer["results"]] == [
        ("updated", compliant.id, "npwp", True),
        ("updated", world["batik"].id, "nib", False),
        # Tegal's company is not one of this branch's
        ("unmatched", None, None, False)]
    assert answer["counts"] == {"updated": 2, "unchanged": 0, "rejected": 0, "unmatched": 1,
                                "verify_close": 1}
    sumber = db.session.get(Company, compliant.id)
    assert (sumber.npp, sumber.workers_registered) == ("12345678", 12)
    assert db.session.get(Company, world["tegal"].id).npp in (None, "")
    [suggestion] = db.session.scalars(select(CloseSuggestion)).all()
    assert suggestion.case_id == compliant.cases[0].id and suggestion.npp == "12345678"
    the_import = db.session.get(CompanyImport, answer["import_id"])
    assert the_import.via == "api" and the_import.source == "bpjs"

    before = (changes(), count(CloseSuggestion), count(CompanyImport), sumber.version)
    again = client.post("/api/v1/registrations", json=batch, headers=write)
    assert again.status_code == 200
    assert again.get_json() == {**answer, "replayed": True}
    db.session.expire_all()
    assert (changes(), count(CloseSuggestion), count(CompanyImport),
            db.session.get(Company, compliant.id).version) == before
    assert count(RegistrationBatch) == 1


def test_a_batch_id_used_again_with_other_rows_is_refused(client, world):
    """Is a second batch under the same id, with other figures, refused with 409?"""
    write = bearer(world["write"])
    batch = {"batch_id": "B-7", "registrations": [
        {"npp": "23456789", "nib": "9120001234567", "workers_registered": 3,
         "registered_on": "2026-05-29"}]}
    assert client.post("/api/v1/registrations", json=batch, headers=write).status_code == 200
    batch["registrations"][0]["workers_registered"] = 4
    refused = client.post("/api/v1/registrations", json=batch, headers=write)
    assert refused.status_code == 409 and refused.mimetype == "application/problem+json"
    assert db.session.get(Company, world["batik"].id).workers_registered == 3


def test_a_batch_with_bad_rows_is_refused_whole(client, world):
    """Does a registration without NIB or NPWP, or with a wrong NPWP, refuse the batch (422,
    at the row) and write nothing?"""
    write = bearer(world["write"])
    for row, field in (({"npp": "1", "workers_registered": 1, "registered_on": "2026-05-01"},
                        "nib"),
                       ({"npp": "1", "npwp": "123", "workers_registered": 1,
                         "registered_on": "2026-05-01"}, "npwp")):
        response = client.post("/api/v1/registrations", json={
            "batch_id": "B-9", "registrations": [row]}, headers=write)
        assert response.status_code == 422, response.get_data(as_text=True)
        assert field in response.get_json()["errors"]["registrations"]["0"]
    missing = client.post("/api/v1/registrations", json={"batch_id": "B-9"}, headers=write)
    assert missing.status_code == 422 and "registrations" in missing.get_json()["errors"]
    assert count(RegistrationBatch) == 0 and count(CompanyImport) == 0
    # a branch token sends for its own branch only
    other = client.post("/api/v1/registrations", json={
        "batch_id": "B-10", "branch": "KC-TGL", "registrations": [
            {"npp": "1", "nib": "9120007654321", "workers_registered": 1,
             "registered_on": "2026-05-01"}]}, headers=write)
    assert other.status_code == 422 and "branch" in other.get_json()["errors"]


def test_a_region_token_names_a_branch_of_its_region(client, world):
    """Must a region's membership token name the branch of each batch, one of its region?"""
    regional = bearer(make_token("kepesertaan-jateng", region=org.find_region("JATENG"),
                                 scopes=("write",)))
    rows = [{"npp": "34567890", "nib": "9120007654321", "workers_registered": 8,
             "registered_on": "2026-05-29"}]
    unnamed = client.post("/api/v1/registrations", json={"batch_id": "R-1",
                                                         "registrations": rows},
                          headers=regional)
    assert unnamed.status_code == 422 and "branch" in unnamed.get_json()["errors"]
    elsewhere = client.post("/api/v1/registrations", json={
        "batch_id": "R-1", "branch": "KC-BDG", "registrations": rows}, headers=regional)
    assert elsewhere.status_code == 422
    tegal = client.post("/api/v1/registrations", json={
        "batch_id": "R-1", "branch": "kc-tgl", "registrations": rows}, headers=regional)
    assert tegal.status_code == 200
    assert tegal.get_json()["results"][0]["company_id"] == world["tegal"].id
    assert db.session.get(Company, world["tegal"].id).npp == "34567890"
