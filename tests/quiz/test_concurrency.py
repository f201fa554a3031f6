"""A class submitting at the deadline: many officials saving and submitting at the same moment,
each request in its own thread and database connection, as under a threaded or multi-process
server. Nothing is lost and no request fails, on SQLite (a file, as deployed) and PostgreSQL.
One attempt submitted from several tabs at once is graded once, with the answers it keeps."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from app.content.questions import question_from_dict
from app.models import AttemptState, QuizAttempt, db
from app.quiz import forms as quiz_forms
from app.quiz import grading, services
from tests import factories
from tests.conftest import fresh_app
from tests.quiz.test_attempts import load_quiz, right_form, start
from tests.served import Browser, at_once, on_file, served

OFFICIALS = 12


@pytest.fixture
def app(content_dirs, tmp_path):
    """The suite's app, but on a database file when on SQLite: connections are not shared."""
    yield from fresh_app(content_dirs, on_file(tmp_path))


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


SUBMITS = 6
SAVES = 12


def _served_attempt(app, content_dirs, base):
    """An official signed in over HTTP with an attempt started; (browser, attempt id, the form
    answering every question right, its answer fields in order)."""
    quiz = load_quiz(content_dirs)
    units = factories.make_unit_tree()
    official = factories.make_user("hv.dua", unit=units["A"])
    db.session.commit()
    browser = Browser(base)
    assert (
        browser.post("/auth/login", {"username": official.username, "password": factories.PASSWORD})
        == 302
    )
    assert browser.post(f"/quiz/{quiz.slug}/start") == 302
    attempt = db.session.scalar(select(QuizAttempt))
    form = right_form(attempt)
    fields = sorted(k for k in form if k != "shown")
    db.session.remove()
    return browser, attempt.id, form, fields


def _partial(form: dict, fields: list[str], keep: int) -> dict:
    """The form with only the first ``keep`` answers given: each thread sends other answers."""
    return {k: v for k, v in form.items() if k == "shown" or k in fields[:keep]}


def _graded_as_stored(attempt_id: int) -> list:
    """Each question's grade recomputed from the stored answer, next to the stored grade."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    pairs = []
    for item in services.attempt_questions(attempt):
        fraction = grading.grade(question_from_dict(item.question.data), item.response)
        expected = None if fraction is None else round(float(fraction), 6)
        stored = None if item.fraction is None else float(item.fraction)
        pairs.append((item.id, expected, stored))
    return pairs


def test_simultaneous_submits_grade_once_with_the_stored_answers(app, content_dirs, caplog):
    with served(app) as base:
        browser, attempt_id, form, fields = _served_attempt(app, content_dirs, base)
        caplog.set_level(logging.INFO, logger="app.quiz.services")
        forms = [_partial(form, fields, keep) for keep in range(1, SUBMITS + 1)]
        url = f"/quiz/attempts/{attempt_id}/submit"
        codes = at_once([lambda f=f: browser.post(url, f) for f in forms])
    assert codes == [302] * SUBMITS
    graded = [r for r in caplog.records if r.getMessage().startswith("attempt submitted")]
    assert len(graded) == 1, [r.getMessage() for r in graded]
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.state == AttemptState.SUBMITTED
    for item_id, expected, stored in _graded_as_stored(attempt_id):
        assert expected == stored, item_id
    # the answers stored are one submission's, whole: not a mix of several
    answered = sum(1 for i in services.attempt_questions(attempt) if i.response is not None)
    assert 1 <= answered <= SUBMITS


def test_saves_racing_a_submit_never_change_the_graded_answers(app, content_dirs, monkeypatch):
    parse = quiz_forms.responses

    def slow_parse(*args, **kwargs):  # a slow server: each request reads the form slowly
        time.sleep(0.2)
        return parse(*args, **kwargs)

    monkeypatch.setattr(quiz_forms, "responses", slow_parse)
    with served(app) as base:
        browser, attempt_id, form, fields = _served_attempt(app, content_dirs, base)
        other = _partial(form, fields, 1)  # one answer given, the others left empty
        json = {"Accept": "application/json"}
        save = f"/quiz/attempts/{attempt_id}/save"
        calls = [lambda: browser.post(f"/quiz/attempts/{attempt_id}/submit", form)]
        calls += [
            lambda delay=n * 0.03: time.sleep(delay) or browser.post(save, other, json)
            for n in range(SAVES)
        ]  # spread over the time the submission takes
        codes = at_once(calls)
        late = browser.post(save, other, json)  # after the submission: refused
    assert codes[0] == 302 and set(codes[1:]) <= {200, 409}, codes
    assert late == 409
    for item_id, expected, stored in _graded_as_stored(attempt_id):
        assert expected == stored, item_id
    assert db.session.get(QuizAttempt, attempt_id).state == AttemptState.SUBMITTED
