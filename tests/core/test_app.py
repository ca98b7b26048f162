"""The application shell: configuration, health check, error pages, headers."""

from __future__ import annotations

import pytest

from config import ConfigError
from outreach import create_app


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    """Does production refuse to start without SECRET_KEY and DATABASE_URL?"""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY, DATABASE_URL"):
        create_app("production")


def test_production_starts_with_its_settings_and_secure_cookies(monkeypatch):
    """With both set, production starts and marks cookies Secure."""
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_unknown_configuration_name_is_an_error():
    """A typo in the configuration name is reported, not silently replaced."""
    with pytest.raises(ValueError, match="unknown configuration"):
        create_app("prodution")


def test_healthz_reports_database_ok(client):
    """Does /healthz answer JSON, check the database and say no sweep has run yet?"""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok",
                                   "last_sweep": {"date": None, "finished_at": None}}


def test_healthz_reports_unreachable_database():
    """When the database cannot be opened, /healthz answers 503 and says so."""
    app = create_app({"ENV_NAME": "testing",
                      "SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent-dir/x/outreach.db"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_not_found_page_uses_the_layout_in_indonesian(client):
    """A missing page shows a 404 in the app's layout, in Indonesian."""
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "navbar" in page
    assert "tidak ada" in page


def test_security_headers_on_every_page(client):
    """Pages forbid framing, MIME sniffing and inline scripts."""
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_bootstrap_is_served_locally(client):
    """The layout loads Bootstrap from the app itself, never from a CDN."""
    page = client.get("/auth/login").get_data(as_text=True)
    assert "cdn." not in page
    assert "/bootstrap/static/css/bootstrap.min.css" in page
    with client.get("/bootstrap/static/css/bootstrap.min.css") as response:
        assert response.status_code == 200
