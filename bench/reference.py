"""The reference page of the HTTP benchmark: the least a Flask-Login page can do.

``gunicorn bench.reference:app`` serves ``/`` for a signed-in user: Flask reads the session
cookie set by the real app (same ``SECRET_KEY``), Flask-Login loads the user with one
primary-key query, and the page is one line of text. Every page of the app is measured as a
fraction of this one's throughput, in the same run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask  # noqa: E402
from flask_login import LoginManager, current_user, login_required  # noqa: E402

from app.extensions import db  # noqa: E402
from app.models import User  # noqa: E402
from config import database_url  # noqa: E402


def create_reference_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ["SECRET_KEY"],
        SQLALCHEMY_DATABASE_URI=database_url(os.environ["DATABASE_URL"]),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
    )
    db.init_app(app)
    login_manager = LoginManager(app)

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        ident, _sep, _version = user_id.partition(".")
        return db.session.get(User, int(ident)) if ident.isdigit() else None

    @app.get("/")
    @login_required
    def bare():
        return f"Hello {current_user.full_name}"

    return app


app = create_reference_app() if "DATABASE_URL" in os.environ else None
