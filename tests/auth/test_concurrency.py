"""Sign-in attempts sent all at once, as a script would: each request in its own thread and
database connection against a served app, on SQLite (a file, as deployed) and PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app.auth import services
from app.models import LoginFailure, db
from app.models import user as user_model
from tests import factories
from tests.conftest import fresh_app
from tests.served import Browser, at_once, on_file, served

GUESSES = 40


@pytest.fixture
def app(content_dirs, tmp_path):
    """The suite's app, but on a database file when on SQLite: connections are not shared."""
    yield from fresh_app(content_dirs, on_file(tmp_path))


@pytest.fixture
def checks(monkeypatch) -> list[int]:
    """Every password hash checked, wherever it is checked (a known or an unknown account)."""
    checked: list[int] = []
    lock = threading.Lock()
    for module in (services, user_model):
        real = module.check_password_hash

        def counted(*args, real=real, **kwargs):
            with lock:
                checked.append(1)
            return real(*args, **kwargs)

        monkeypatch.setattr(module, "check_password_hash", counted)
    return checked


def test_simultaneous_guesses_check_no_more_wrong_passwords_than_the_limit(app, checks):
    units = factories.make_unit_tree()
    official = factories.make_user("bi.doan", unit=units["A"])
    db.session.commit()
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    guess = {"username": official.username, "password": "đoán sai"}
    right = {"username": official.username, "password": factories.PASSWORD}
    forms = [guess] * GUESSES
    forms[GUESSES // 2] = right  # the official signs in while the guessing goes on
    db.session.remove()
    with served(app) as base:
        codes = at_once([lambda f=f: Browser(base).post("/auth/login", f) for f in forms])
    # At most the limit of wrong passwords checked (seventeen before the fix), plus the right
    # one if it came before the limit: a success is not a failure, so it leaves its place.
    assert codes.count(400) <= limit, codes
    assert codes.count(302) <= 1
    assert len(checks) == codes.count(400) + codes.count(302) <= limit + 1
    assert codes.count(429) == GUESSES - len(checks)
    failures = db.session.scalar(
        select(func.count(LoginFailure.id)).where(LoginFailure.username == official.username)
    )
    assert failures == codes.count(400)  # a right password among them did not wipe the count
