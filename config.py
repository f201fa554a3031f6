"""Configuration classes; values come from the environment, classes hold defaults.

Only ``create_app`` imports this module. Pick a class by name with
``create_app("testing")`` or through ``APP_ENV`` (development, testing,
production).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))


def database_url(url: str | None) -> str | None:
    """Normalise a database URL: ``postgres://`` and ``postgresql://`` use psycopg 3."""
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str | None, environ=os.environ) -> dict:
    """SQLAlchemy engine options: connections checked before use; on PostgreSQL, the pool of
    each process sized from ``DB_POOL_SIZE``, ``DB_MAX_OVERFLOW`` and ``DB_POOL_RECYCLE``
    (seconds) when set. A gunicorn sync worker serves one request at a time, so a pool of 2
    with no overflow is enough; the server must allow every worker of every machine:
    machines x workers x (pool size + overflow) + the scheduled jobs < ``max_connections``."""
    options: dict = {"pool_pre_ping": True}
    if url and url.startswith("postgresql"):
        for key, name in (
            ("pool_size", "DB_POOL_SIZE"),
            ("max_overflow", "DB_MAX_OVERFLOW"),
            ("pool_recycle", "DB_POOL_RECYCLE"),
        ):
            if environ.get(name):
                options[key] = int(environ[name])
    return options


def _instance_secret_key() -> str:
    """A development secret generated once and kept under ``instance/``."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


class Config:
    APP_NAME = "Bồi dưỡng công chức"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL")) or (
        "sqlite:///" + str(INSTANCE_DIR / "app.db")
    )
    SQLALCHEMY_ENGINE_OPTIONS = engine_options(SQLALCHEMY_DATABASE_URI)
    COURSES_DIR = os.environ.get("COURSES_DIR", str(BASE_DIR / "courses"))
    QUIZZES_DIR = os.environ.get("QUIZZES_DIR", str(BASE_DIR / "quizzes"))

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Login throttling: failures counted in the database, so every process sees them.
    LOGIN_WINDOW_MINUTES = int(os.environ.get("LOGIN_WINDOW_MINUTES", 15))
    LOGIN_MAX_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5))
    LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", 20))
    # Requests a minute per API client (counted in the database, shared by every process).
    API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", 600))

    # Behind a reverse proxy (nginx, a load balancer), the number of proxies to trust for the
    # client's address and scheme; without it every login would seem to come from the proxy.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", 0))
    PER_PAGE = 50
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024  # uploads: scans, roster and record imports
    HSTS_SECONDS = 0  # Strict-Transport-Security: browsers come back over HTTPS only
    # Certificates: who issues them, and the public address their QR codes point to.
    CERTIFICATE_ISSUER = os.environ.get(
        "CERTIFICATE_ISSUER", "Hệ thống bồi dưỡng cán bộ, công chức cấp xã"
    )
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL")
    # Reminders by e-mail; without MAIL_SERVER they stay in the outbox (Administration > Outbox).
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 587))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "1")
    MAIL_FROM = os.environ.get("MAIL_FROM", "no-reply@localhost")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")


class DevelopmentConfig(Config):
    DEBUG = False
    SECRET_KEY = os.environ.get("SECRET_KEY") or None  # filled by init() from instance/

    @classmethod
    def init(cls) -> None:
        if not cls.SECRET_KEY:
            cls.SECRET_KEY = _instance_secret_key()


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only-secret"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL")) or "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS = engine_options(SQLALCHEMY_DATABASE_URI)
    WTF_CSRF_ENABLED = False  # tests of CSRF turn it back on
    LOGIN_WINDOW_MINUTES = 15
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 20


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 365 * 24 * 3600))

    @classmethod
    def init(cls) -> None:
        if not cls.SECRET_KEY or len(cls.SECRET_KEY) < 16:
            raise RuntimeError(
                "SECRET_KEY must be set (at least 16 characters) in production; "
                "generate one with: python -c 'import secrets; print(secrets.token_hex(32))'"
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
