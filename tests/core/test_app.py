"""The application shell: configuration, health check, error pages, headers."""

from __future__ import annotations

import os

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


START_ENVIRONMENT = ("OUTREACH_ENV", "SECRET_KEY", "DATABASE_URL", "FLASK_DEBUG")


def test_a_start_that_names_no_settings_refuses_without_a_key():
    """Does `gunicorn wsgi:app` with no settings refuse to start, saying what is missing?"""
    import subprocess
    import sys

    environment = {name: value for name, value in os.environ.items()
                   if name not in START_ENVIRONMENT}
    started = subprocess.run(  # noqa: S603 - our own entry point, fixed arguments
        [sys.executable, "-c", "import wsgi"], env=environment, capture_output=True,
        text=True, timeout=120, check=False)
    assert started.returncode != 0
    assert "outreach refuses to start: production needs these environment variables: " \
           "SECRET_KEY, DATABASE_URL" in started.stderr


def test_a_start_that_names_no_settings_is_production(monkeypatch):
    """With SECRET_KEY and DATABASE_URL but no configuration name, is it production: the key
    from the environment, no debug, secure cookies and HSTS?"""
    for name in START_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-from-the-environment")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app()  # what wsgi.py does
    assert app.config["ENV_NAME"] == "production"
    assert app.secret_key == "a-real-secret-from-the-environment"
    assert app.debug is False
    response = app.test_client().get("/auth/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Set-Cookie" not in response.headers or "Secure" in response.headers["Set-Cookie"]


def test_production_is_never_in_debug_even_when_flask_debug_is_set(monkeypatch):
    """Does FLASK_DEBUG left in a production environment still give no debug pages?"""
    monkeypatch.setenv("OUTREACH_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert create_app().debug is False


def test_development_debugs_only_when_asked(monkeypatch):
    """Is development (`make run`) without FLASK_DEBUG free of debug pages and HSTS?"""
    monkeypatch.setenv("OUTREACH_ENV", "development")
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.debug is False
    assert "Strict-Transport-Security" not in app.test_client().get("/auth/login").headers


def test_testing_pages_send_no_hsts(client):
    """Outside production (plain HTTP on a laptop) no HSTS header is sent."""
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers
