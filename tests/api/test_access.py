"""Who a token is: its branch or region, its scopes, its expiry; and that tokens and cookies
never stand in for each other."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from outreach.api import service as api
from outreach.api.models import ApiToken
from outreach.core.audit import AuditEvent
from outreach.extensions import db
from outreach.org.models import Role
from tests.api.conftest import bearer, make_token
from tests.conftest import login


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_a_branch_token_reads_nothing_of_another_branch(client, world):
    """Does a Pekalongan token find Tegal's company, case or letter? (No: 404, like a
    record that does not exist.)"""
    read = bearer(world["read"])
    tegal, letter = world["tegal"], world["tegal_letter"]
    for url in (f"/api/v1/companies/{tegal.id}", f"/api/v1/cases/{tegal.cases[0].id}",
                f"/api/v1/letters/{letter.id}.pdf"):
        problem_of(client.get(url, headers=read), 404)
    listed = client.get("/api/v1/companies?per_page=200", headers=read).get_json()
    assert [c["name"] for c in listed["items"]] == ["PT Batik Pesisir"]
    assert listed["total"] == 1 and listed["page"] == 1
    assert client.get("/api/v1/companies?nib=9120007654321", headers=read).get_json()[
        "total"] == 0
    # the region's token reads both branches of Jawa Tengah
    region = bearer(world["region"])
    assert client.get(f"/api/v1/companies/{tegal.id}", headers=region).status_code == 200
    pdf = client.get(f"/api/v1/letters/{letter.id}.pdf", headers=region)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_read_token_cannot_write_and_a_sanctions_token_cannot_read(client, world):
    """Does each scope open only its own calls?"""
    batch = {"batch_id": "B-1", "registrations": [
        {"npp": "12345678", "nib": "9120001234567", "workers_registered": 5,
         "registered_on": "2026-05-20"}]}
    problem_of(client.post("/api/v1/registrations", json=batch,
                           headers=bearer(world["read"])), 403)
    # the scope is checked before the body is read
    problem_of(client.post("/api/v1/registrations", json={},
                           headers=bearer(world["read"])), 403)
    problem_of(client.get("/api/v1/companies", headers=bearer(world["sanctions"])), 403)
    problem_of(client.get("/api/v1/sanctions?nib=9120001234567",
                          headers=bearer(world["read"])), 403)
    assert client.get("/api/v1/sanctions?nib=9120001234567",
                      headers=bearer(world["sanctions"])).status_code == 200
    # nothing was written by the refused batch
    assert world["batik"].npp in (None, "")


def test_revoked_and_expired_tokens_get_401(client, world):
    """Is a revoked token refused at once, and an expired one from the day after it ends?"""
    token = api.find_token("pkl-read")
    api.revoke_token(None, token, datetime(2026, 6, 1, tzinfo=UTC))
    db.session.commit()
    body = problem_of(client.get("/api/v1/companies", headers=bearer(world["read"])), 401)
    assert "dicabut" in body["detail"]
    expiring = make_token("short-lived", branch=world["pkl"], expires_on=date(2026, 1, 31))
    body = problem_of(client.get("/api/v1/companies", headers=bearer(expiring)), 401)
    assert "2026-01-31" in body["detail"]
    response = client.get("/api/v1/companies", headers=bearer("otr_made-up"))
    problem_of(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    problem_of(client.get("/api/v1/companies"), 401)


def test_cookies_never_open_the_api_and_tokens_never_open_pages(client, world, make_user):
    """Does a signed-in admin's cookie open /api/v1 (no), and does a token open a web page
    (no: the sign-in page)?"""
    login(client, make_user(Role.ADMIN))
    problem_of(client.get("/api/v1/companies"), 401)
    other = client.application.test_client()
    page = other.get("/companies/", headers=bearer(world["read"]))
    assert page.status_code == 302 and page.location.startswith("/auth/login")


def test_every_call_is_audited_and_last_use_shown(client, world):
    """Is each call, also a refused one, in the audit log, and the token's last use kept?"""
    client.get("/api/v1/companies?q=batik", headers=bearer(world["read"]))
    client.get("/api/v1/companies/999999", headers=bearer(world["read"]))
    client.get("/api/v1/companies", headers=bearer("otr_wrong"))
    calls = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api.call")
                               .order_by(AuditEvent.id)).all()
    assert [(c.changes["path"], c.changes["status"]) for c in calls] == [
        ("/api/v1/companies", 200), ("/api/v1/companies/999999", 404),
        ("/api/v1/companies", 401)]
    token = db.session.scalars(select(ApiToken).where(ApiToken.name == "pkl-read")).one()
    assert calls[0].entity_id == token.id and calls[0].changes["query"] == "q=batik"
    assert calls[2].entity_id is None
    assert token.last_used_at is not None


def test_calls_are_rate_limited_per_token(client, world, app):
    """Does a token past its limit get 429 as a problem, while another token goes on?"""
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        statuses = [client.get("/api/v1/companies", headers=bearer(world["read"])).status_code
                    for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        problem_of(client.get("/api/v1/companies", headers=bearer(world["read"])), 429)
        assert client.get("/api/v1/companies",
                          headers=bearer(world["region"])).status_code == 200
    finally:
        app.config["API_RATE_LIMIT"] = "120 per minute"


def test_invalid_values_are_422_problems_by_field(client, world):
    """Does a bad NPWP or page come back as 422 naming the field?"""
    body = problem_of(client.get("/api/v1/companies?npwp=123",
                                 headers=bearer(world["read"])), 422)
    assert "npwp" in body["errors"]
    body = problem_of(client.get("/api/v1/companies?page=0",
                                 headers=bearer(world["read"])), 422)
    assert "page" in body["errors"]
    problem_of(client.get("/api/v1/nothing-here", headers=bearer(world["read"])), 404)
    problem_of(client.delete("/api/v1/companies", headers=bearer(world["read"])), 405)


def test_the_document_and_its_page_need_no_token(client):
    """Can a partner's developer read the OpenAPI 3.1 document and its page without a token,
    served from this app alone?"""
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert {"/api/v1/sanctions", "/api/v1/registrations"} <= set(spec["paths"])
    page = client.get("/api/v1/docs")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "swagger-ui-bundle.js" in text and "<script>" not in text
    asset = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and b"SwaggerUIBundle" in asset.data
    asset.close()
