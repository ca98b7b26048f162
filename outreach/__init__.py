"""outreach: a branch office's tool to bring employers into the workers' social security system."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from config import BASE_DIR, CONFIGS, INSTANCE_DIR, ProductionConfig


def create_app(config: str | Mapping[str, Any] | None = None) -> Flask:
    """Build the application; `config` is a config name or a mapping of overrides."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR),
                template_folder=str(BASE_DIR / "templates"))
    load_config(app, config)
    INSTANCE_DIR.mkdir(exist_ok=True)
    configure_logger(app)
    register_proxies(app)
    register_models()
    register_extensions(app)
    register_queue(app)
    register_blueprints(app)
    register_api(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_commands(app)
    return app


def load_config(app: Flask, config: str | Mapping[str, Any] | None) -> None:
    """Apply the named config class and overrides.

    The name comes from `config`, else `OUTREACH_ENV`, else production: a start that names
    nothing (`gunicorn wsgi:app`) is production and refuses to run without SECRET_KEY and
    DATABASE_URL. Development is only ever chosen by name (`make run` sets it).
    """
    overrides: Mapping[str, Any] = {}
    name = os.environ.get("OUTREACH_ENV") or "production"
    if isinstance(config, str):
        name = config
    elif config is not None:
        overrides = config
        name = overrides.get("ENV_NAME", name)
    if name not in CONFIGS:
        raise ValueError(f"unknown configuration {name!r}; use one of {', '.join(CONFIGS)}")
    config_class = CONFIGS[name]
    app.config.from_object(config_class)
    if config_class is ProductionConfig:
        app.config.update(ProductionConfig.from_environment())
    app.config["ENV_NAME"] = name
    app.config.update(overrides)


def configure_logger(app: Flask) -> None:
    """Log to stderr at INFO (DEBUG in development)."""
    level = logging.DEBUG if app.debug else logging.INFO
    if not app.logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        app.logger.addHandler(handler)
    app.logger.setLevel(level)
    # WeasyPrint logs to a NullHandler of its own: without this its refusals would be invisible.
    weasyprint_logger = logging.getLogger("weasyprint")
    weasyprint_logger.setLevel(logging.WARNING)
    for handler in app.logger.handlers:
        if handler not in weasyprint_logger.handlers:
            weasyprint_logger.addHandler(handler)


def register_proxies(app: Flask) -> None:
    """Believe the X-Forwarded-For, -Proto and -Host headers of OUTREACH_TRUSTED_PROXIES
    reverse proxies (none by default): the sign-in throttle then sees each user's own address
    instead of the proxy's."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    proxies = int(app.config.get("OUTREACH_TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,  # type: ignore[method-assign]
                                x_host=proxies)


#: the modules that hold tables: the audit trail of core, and each feature's models
MODEL_MODULES = ("outreach.core.audit", *(f"outreach.{feature}.models" for feature in (
    "org", "calendar", "ladder", "companies", "cases", "letters", "tasks", "notifications",
    "imports", "reports", "scheduler", "money", "programme", "socialisation", "api", "legal",
    "inspections", "joint_visits",
    "fieldwork", "queue")))


def register_models() -> None:
    """Load every model, so that relationships by name and the migrations see all tables."""
    from importlib import import_module

    for module in MODEL_MODULES:
        import_module(module)


def register_extensions(app: Flask) -> None:
    """Bind the extension objects to the app."""
    from outreach.core import compression, guards, i18n
    from outreach.extensions import bootstrap, csrf, db, limiter, migrate
    from outreach.org import login as auth_setup

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    bootstrap.init_app(app)
    compression.init_app(app)
    limiter.init_app(app)
    auth_setup.init_app(app)
    guards.init_app(app)
    i18n.init_app(app)


def register_queue(app: Flask) -> None:
    """The job queue (Huey) the pages hand long work to and `flask worker` runs."""
    from outreach.queue import worker
    from outreach.scheduler import jobs

    worker.init_app(app)
    jobs.register_tasks(app)


def configure_sqlite(engine) -> None:
    """SQLite: enforce foreign keys, let readers and a writer work at once, wait for locks."""
    from sqlalchemy import event

    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def register_blueprints(app: Flask) -> None:
    """Mount every feature's pages."""
    from outreach.calendar import views as calendar
    from outreach.cases import views as cases
    from outreach.companies import views as companies
    from outreach.fieldwork import views as fieldwork
    from outreach.imports import views as imports
    from outreach.inspections import views as inspections
    from outreach.joint_visits import views as joint_visits
    from outreach.ladder import views as ladder
    from outreach.legal import views as legal
    from outreach.letters import views as letters
    from outreach.money import views as money
    from outreach.offline import views as offline
    from outreach.org.views import admin, auth, home, partners
    from outreach.programme import views as programme
    from outreach.queue import views as queue
    from outreach.reports import views as reports
    from outreach.scheduler import views as scheduler
    from outreach.socialisation import views as socialisation
    from outreach.tasks import views as tasks

    for blueprint, prefix in ((home.bp, None), (auth.bp, "/auth"), (admin.bp, "/admin"),
                              (companies.bp, "/companies"), (cases.bp, None),
                              (letters.bp, None), (tasks.bp, "/tasks"),
                              (ladder.bp, "/settings"), (calendar.bp, "/settings"),
                              (partners.bp, "/settings"),
                              (reports.bp, "/dashboard"), (imports.bp, "/imports"),
                              (money.bp, "/money"), (programme.bp, "/programme"),
                              (socialisation.bp, "/socialisation"), (legal.bp, None),
                              (inspections.bp, None), (joint_visits.bp, None),
                              (fieldwork.bp, None),
                              (offline.bp, None), (queue.bp, "/jobs"),
                              (scheduler.bp, "/admin/jobs")):
        app.register_blueprint(blueprint, url_prefix=prefix)


def register_api(app: Flask) -> None:
    """The JSON API for partner systems (`/api/v1`) and the admins' token pages."""
    from outreach.api import admin as api_admin
    from outreach.api import views as api

    api.init_app(app)
    app.register_blueprint(api_admin.bp, url_prefix="/admin")


def register_errorhandlers(app: Flask) -> None:
    """Friendly error pages in the app's layout."""
    from outreach.core import errors

    errors.init_app(app)


def register_template_helpers(app: Flask) -> None:
    """Jinja filters for Indonesian dates, Rupiah and labels."""
    from outreach.core import formatting

    formatting.init_app(app)


def register_security_headers(app: Flask) -> None:
    """Content-Security-Policy and friends on every response."""
    from outreach.core import security

    security.init_app(app)


def register_commands(app: Flask) -> None:
    """Every feature's `flask …` commands."""
    from outreach.api import cli as api
    from outreach.cases import cli as cases
    from outreach.imports import cli as imports
    from outreach.maintenance import cli as maintenance
    from outreach.org import cli as org
    from outreach.programme import cli as programme
    from outreach.queue import cli as queue
    from outreach.reports import cli as reports
    from outreach.scheduler import cli as scheduler
    from outreach.socialisation import cli as socialisation

    for feature in (org, cases, imports, maintenance, scheduler, programme, socialisation, api,
                    queue, reports):
        feature.init_app(app)
