from __future__ import annotations

from app import create_app
from config import TestingConfig


def test_healthz_answers_without_login_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path):
    class Unreachable(TestingConfig):  # a directory that does not exist: SQLite cannot open it
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'gone' / 'app.db'}"

    app = create_app(Unreachable)
    with app.app_context():
        response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
