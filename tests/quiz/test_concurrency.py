"""A class submitting at the deadline: many officials saving and submitting at the same moment,
each request in its own thread and database connection, as under a threaded or multi-process
server. Nothing is lost and no request fails, on SQLite (a file, as deployed) and PostgreSQL."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from app.models import AttemptState, QuizAttempt, db
from app.quiz import services
from config import TestingConfig
from tests import factories
from tests.conftest import fresh_app
from tests.quiz.test_attempts import load_quiz, right_form, start

OFFICIALS = 12


@pytest.fixture
def app(content_dirs, tmp_path):
    """The suite's app, but on a database file when on SQLite: connections are not shared."""

    class OnFile(TestingConfig):
        if not os.environ.get("TEST_DATABASE_URL"):
            SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'app.db'}"

    yield from fresh_app(content_dirs, OnFile)


def test_sqlite_file_uses_write_ahead_logging(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 15000


@pytest.mark.slow  # a served app and a class of threads
def test_a_class_saving_and_submitting_at_once_loses_nothing(app, content_dirs):
    quiz = load_quiz(content_dirs)
    units = factories.make_unit_tree()
    people = [factories.make_user(f"hv{n:02d}", unit=units["A"]) for n in range(OFFICIALS)]
    db.session.commit()
    clients, forms = [], []
    for person in people:
        client = app.test_client()
        client.post(
            "/auth/login", data={"username": person.username, "password": factories.PASSWORD}
        )
        attempt = start(client, quiz)
        clients.append((client, attempt.id))
        forms.append(right_form(attempt))
    db.session.remove()  # the threads use their own sessions

    def work(n: int) -> list[int]:
        client, attempt_id = clients[n]
        codes = []
        for _ in range(3):
            codes.append(
                client.post(f"/quiz/attempts/{attempt_id}/save", data=forms[n]).status_code
            )
        codes.append(client.post(f"/quiz/attempts/{attempt_id}/submit", data=forms[n]).status_code)
        return codes

    with ThreadPoolExecutor(max_workers=OFFICIALS) as pool:
        results = list(pool.map(work, range(OFFICIALS)))
    assert all(code == 302 for codes in results for code in codes), results
    attempts = db.session.scalars(select(QuizAttempt)).all()
    assert len(attempts) == OFFICIALS
    for attempt in attempts:
        assert attempt.state == AttemptState.SUBMITTED and attempt.score == 100
        answered = [i for i in services.attempt_questions(attempt) if i.response is not None]
        assert len(answered) == len(services.attempt_questions(attempt))
