"""Configuration classes; every setting that differs between machines comes from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


class ConfigError(RuntimeError):
    """Raised when the configuration cannot run safely."""


class Config:
    """Settings shared by every environment."""

    #: read again when the app is created (see `ProductionConfig.from_environment`); no default
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'outreach.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    OUTREACH_TIMEZONE = os.environ.get("OUTREACH_TIMEZONE", "Asia/Jakarta")
    SMTP_URL = os.environ.get("SMTP_URL")
    MAIL_FROM = os.environ.get("MAIL_FROM", "outreach@localhost")
    #: the morning sweep's time on working days, in OUTREACH_TIMEZONE
    SWEEP_TIME = os.environ.get("OUTREACH_SWEEP_TIME", "06:30")
    #: the nightly check of the dashboard's summary, every day, in OUTREACH_TIMEZONE
    SUMMARY_CHECK_TIME = os.environ.get("OUTREACH_SUMMARY_CHECK_TIME", "02:00")
    #: a letter not marked delivered after this many days gets a reminder
    UNDELIVERED_AFTER_DAYS = 7
    #: address of the app as printed on letters (the QR code points to /verify/<code> there)
    #: and in mail; production refuses to issue letters without it
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    #: without PUBLIC_BASE_URL, print the address a request came to (never in production)
    PUBLIC_BASE_URL_FROM_REQUEST = True

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = OUTREACH_TIMEZONE
    LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}

    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BTN_STYLE = "primary"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    #: "keep me signed in" lasts two weeks (Flask-Login's default is a year)
    REMEMBER_COOKIE_DURATION = timedelta(days=14)

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    #: a flood guard per address only: failed sign-ins are throttled per account and per
    #: address by `org.throttle`, and a whole office may share one address
    LOGIN_RATE_LIMIT = "120 per minute"
    #: reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed
    #: (werkzeug's ProxyFix); 0 trusts no header and takes the connection's address
    OUTREACH_TRUSTED_PROXIES = int(os.environ.get("OUTREACH_TRUSTED_PROXIES", "0"))
    #: supervisors and admins must enrol in two-factor sign-in before using the app
    OUTREACH_REQUIRE_2FA = False
    #: calls one API token may make (`/api/v1`)
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120 per minute")

    #: the job queue's storage (Huey): a SQLite file under instance/ (one machine, nothing to
    #: install), or Redis for workers on several machines (redis://host:6379/0)
    QUEUE_URL = os.environ.get("OUTREACH_QUEUE_URL", f"sqlite:///{INSTANCE_DIR / 'queue.db'}")
    #: worker processes of one `flask worker` (one per core is a good start)
    QUEUE_WORKERS = int(os.environ.get("OUTREACH_QUEUE_WORKERS", "2"))
    #: how much lower the workers' CPU priority is than the web's (`nice`, 0 to 19): on a
    #: machine shared with gunicorn a batch renders on the cores the pages leave free
    QUEUE_NICE = int(os.environ.get("OUTREACH_QUEUE_NICE", "10"))
    #: a failed attempt of a job is tried again this many times, this many seconds later
    QUEUE_RETRIES = int(os.environ.get("OUTREACH_QUEUE_RETRIES", "2"))
    QUEUE_RETRY_DELAY = int(os.environ.get("OUTREACH_QUEUE_RETRY_DELAY", "10"))
    #: a running job whose worker gave no sign of life for this long is taken as lost (the
    #: worker was killed or its machine lost): tried again while attempts remain, else failed.
    #: A worker writes its sign every fifth of this; keep it above the longest single write
    #: transaction of a job on SQLite, where nothing else may write meanwhile
    JOB_STALE_SECONDS = float(os.environ.get("OUTREACH_JOB_STALE_SECONDS", "300"))

    MAX_CONTENT_LENGTH = 50 * 1024 * 1024
    #: largest proof file (photo or scan) accepted per file
    PROOF_MAX_BYTES = 10 * 1024 * 1024
    #: largest company list (CSV or XLSX) accepted for import
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 10 * 1024 * 1024))
    COMPANIES_PER_PAGE = 50
    #: the company list counts its matches up to this many and says "more than" past it
    COMPANY_COUNT_CAP = int(os.environ.get("OUTREACH_COMPANY_COUNT_CAP", 10_000))
    #: the maps' tile server, a URL template such as "https://tile.example.id/{z}/{x}/{y}.png"
    #: (its origin is added to the Content-Security-Policy's img-src); none by default: the
    #: maps then show their points and labels on a plain background
    MAP_TILES = os.environ.get("OUTREACH_MAP_TILES", "")
    #: the credit the tile server asks for, shown in the map's corner
    MAP_ATTRIBUTION = os.environ.get("OUTREACH_MAP_ATTRIBUTION", "")


class DevelopmentConfig(Config):
    """Local development (`make run`, `flask run`): SQLite in instance/, a fixed key.

    Debug pages only when asked for (`flask --debug run`, as `make run` does, or FLASK_DEBUG=1).
    """

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")


class TestingConfig(Config):
    """The test suite: CSRF stays on so that tests see what users see."""

    TESTING = True
    SECRET_KEY = "testing-secret"  # noqa: S105 - the test suite only
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    RATELIMIT_STORAGE_URI = "memory://"
    #: a job runs at once in the process that asks for it, through the same `run_job` as a
    #: worker's (the tests of the worker process start a real one on a SQLite file)
    QUEUE_URL = "immediate"
    QUEUE_RETRY_DELAY = 0


class ProductionConfig(Config):
    """Production, also any start that does not name a configuration (`gunicorn wsgi:app`).

    Secure cookies, HSTS, never debug, and no defaults for secrets.
    """

    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    DEBUG = False
    PUBLIC_BASE_URL_FROM_REQUEST = False
    #: sent on every response; the TLS proxy may send the same header
    HSTS = "max-age=31536000; includeSubDomains"
    OUTREACH_REQUIRE_2FA = os.environ.get("OUTREACH_REQUIRE_2FA", "1").lower() not in (
        "0", "false", "no", "off")

    @classmethod
    def from_environment(cls) -> dict[str, str]:
        """The settings production cannot guess, read now; refuse to start without them."""
        needed = {"SECRET_KEY": "SECRET_KEY", "DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}
        missing = [name for name in needed if not os.environ.get(name)]
        if missing:
            raise ConfigError(
                "outreach refuses to start: production needs these environment variables: "
                + ", ".join(missing)
                + ". For a local development server use `make run` "
                "(or set OUTREACH_ENV=development)."
            )
        return {setting: os.environ[name] for name, setting in needed.items()}


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
