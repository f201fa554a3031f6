"""Error pages for 400/403/404/405/413/429/500; the 500 handler rolls the session back first."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from app.extensions import db

logger = logging.getLogger(__name__)

PAGES = (400, 403, 404, 405, 413, 429)


def register_error_handlers(app: Flask) -> None:
    def page(code: int):
        def handler(error):
            return render_template(f"errors/{code}.html", error=error), code

        return handler

    for code in PAGES:
        app.register_error_handler(code, page(code))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/400.html", error=error, csrf=True), 400

    @app.errorhandler(500)
    def internal_error(error):
        db.session.rollback()
        logger.exception("internal error")
        return render_template("errors/500.html"), 500
