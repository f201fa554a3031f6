"""Application factory: config -> extensions -> blueprints -> errors -> cli -> i18n -> logging."""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from pathlib import Path

from flask import Flask, abort, current_app, has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from app.auth.services import session_user
from app.extensions import csrf, db, login_manager, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: str | type | None = None) -> Flask:
    """Build the app. ``config`` is a config class or a name from ``config.CONFIGS``
    (default: ``APP_ENV``, else development)."""
    from config import CONFIGS

    app = App(__name__, instance_relative_config=True)
    if config is None or isinstance(config, str):
        config = CONFIGS[config or os.environ.get("APP_ENV", "development")]
    if hasattr(config, "init"):
        config.init()
    app.config.from_object(config)
    if app.config.get("PROXY_COUNT"):
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    _init_extensions(app)
    app.url_map.converters["int"] = DatabaseIntConverter
    _register_blueprints(app)

    from app.cli import register_cli
    from app.errors import register_error_handlers
    from app.i18n import register_i18n
    from app.layout import register_layout

    register_error_handlers(app)
    register_cli(app)
    register_i18n(app)
    register_layout(app)
    app.url_defaults(_static_version)
    app.before_request(_refuse_nul_in_url)
    app.after_request(_commit_request)
    if not event.contains(db.session, "before_flush", _refuse_writes_on_safe_requests):
        event.listen(db.session, "before_flush", _refuse_writes_on_safe_requests)
    from app.compliance import kept

    kept.listen(db.session)
    app.after_request(_security_headers)
    _configure_logging(app)
    return app


# No inline script anywhere: scripts come from /static only.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # table alignment from Markdown uses style attributes
        "img-src 'self' data: https:",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ]
)


class App(Flask):
    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """Static files linked with their version (``?v=``) are kept by browsers for a year:
        no round trip per page on a weak connection. A changed file gets a new address."""
        if request.args.get("v"):
            return STATIC_MAX_AGE
        return super().get_send_file_max_age(filename)


STATIC_MAX_AGE = 365 * 24 * 3600
_versions: dict[tuple[str, int], str] = {}


def _static_version(endpoint: str, values: dict) -> None:
    """``url_for('static', ...)`` adds ``v``: a hash of the file's content."""
    if endpoint != "static" or "v" in values or "filename" not in values:
        return
    path = Path(current_app.static_folder, values["filename"])
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError:
        return
    if key not in _versions:
        _versions[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    values["v"] = _versions[key]


def _refuse_nul_in_url():
    """A NUL in the address is never a real link; PostgreSQL would refuse it as a parameter.
    (Forms drop it instead, see app.forms, so that nothing typed is lost.)"""
    if "\x00" in request.path or any(
        "\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)
    ):
        abort(400)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _commit_request(response):
    """One commit per request, here (as Indico's ``RH.process``): services only flush. A
    request that changes something commits once its view has answered without a server error
    (a refused login still counts as a failure). An exception never reaches this: the 500
    handler rolls back. GET and HEAD never write (``_refuse_writes_on_safe_requests``)."""
    if request.method in SAFE_METHODS:
        return response
    if response.status_code >= 500:
        db.session.rollback()
    else:
        db.session.commit()
    return response


def _refuse_writes_on_safe_requests(session, _flush_context, _instances):
    """A GET or HEAD that tries to write is a bug: fail loudly instead of writing."""
    if has_request_context() and request.method in SAFE_METHODS:
        raise RuntimeError(f"{request.method} {request.path} tried to write to the database")


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["HSTS_SECONDS"]:
        hsts = f"max-age={current_app.config['HSTS_SECONDS']}"
        response.headers.setdefault("Strict-Transport-Security", hsts)
    # What a signed-in user sees (records, exports, scans, certificates, results) stays in no
    # cache: not for the next person at a shared computer, not in a proxy.
    if request.endpoint != "static" and current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` limited to what an INTEGER column holds: a larger number is a 404,
    not an overflow in the database driver."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to open this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(session_user)  # the session must still exist on the server


def _register_blueprints(app: Flask) -> None:
    from app.admin.views import bp as admin_bp
    from app.api.client_views import bp as api_clients_bp
    from app.api.views import init_api
    from app.auth.views import bp as auth_bp
    from app.certificates.record_views import bp as records_bp
    from app.certificates.views import bp as certificates_bp
    from app.compliance.views import bp as compliance_bp
    from app.learn.views import bp as learn_bp
    from app.offline.views import bp as offline_bp
    from app.ops.views import bp as ops_bp
    from app.people.roster_views import bp as roster_bp
    from app.people.views import bp as people_bp
    from app.quiz.views import bp as quiz_bp

    blueprints = (auth_bp, learn_bp, quiz_bp, compliance_bp, certificates_bp, records_bp, admin_bp)
    for bp in (*blueprints, people_bp, roster_bp, offline_bp, api_clients_bp, ops_bp):
        app.register_blueprint(bp)
    init_api(app)


def _configure_logging(app: Flask) -> None:
    if app.testing:
        return
    root = logging.getLogger("app")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(app.config.get("LOG_LEVEL", "INFO"))
