"""Fixtures: a fresh database per test, clients, logged-in users of each role, query counting.

Set ``TEST_DATABASE_URL`` (e.g. ``postgresql://user@/db?host=/tmp``) to run the same
suite on PostgreSQL.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import make_url

from app import create_app
from app.models import Role, db
from tests import factories

# Under pytest-xdist each worker has a database of its own on the server (created by
# scripts/test-postgres.sh): "…/boiduong_test" becomes "…/boiduong_test_gw0" in worker gw0.
# Set before any app is created, so the config and the browser tests' servers all see it.
if os.environ.get("TEST_DATABASE_URL") and os.environ.get("PYTEST_XDIST_WORKER"):
    _url = make_url(os.environ["TEST_DATABASE_URL"])
    os.environ["TEST_DATABASE_URL"] = _url.set(
        database=f"{_url.database}_{os.environ['PYTEST_XDIST_WORKER']}"
    ).render_as_string(hide_password=False)


@pytest.fixture
def content_dirs(tmp_path: Path) -> tuple[Path, Path]:
    courses = tmp_path / "courses"
    quizzes = tmp_path / "quizzes"
    courses.mkdir()
    quizzes.mkdir()
    return courses, quizzes


class FreshRequestClient(FlaskClient):
    """The fixtures keep one app context pushed, which requests then share; clear ``g`` before
    each request so that nothing cached there (the signed-in user, the locale) leaks between
    requests, as it cannot in a real server."""

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


def fresh_app(content_dirs, config="testing"):
    """An app on an empty schema, its context pushed, everything dropped afterwards (a
    generator for fixtures: ``yield from fresh_app(...)``)."""
    app = create_app(config)
    app.test_client_class = FreshRequestClient
    app.config.update(COURSES_DIR=str(content_dirs[0]), QUIZZES_DIR=str(content_dirs[1]))
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


class Clock:
    """The one clock of the tests: ``clock.freeze(moment)`` stops time at ``moment`` (naive UTC,
    as ``utcnow()`` returns it) for everything — services, views, commands, served apps — until
    the test ends; ``clock.move_to(moment)`` moves it."""

    def __init__(self) -> None:
        self._travel = None

    def freeze(self, moment: datetime) -> None:
        self.stop()
        self._travel = time_machine.travel(moment.replace(tzinfo=UTC), tick=False)
        self._travel.start()

    move_to = freeze

    def stop(self) -> None:
        if self._travel is not None:
            self._travel.stop()
            self._travel = None


@pytest.fixture
def clock():
    frozen = Clock()
    yield frozen
    frozen.stop()


@pytest.fixture
def app(content_dirs):
    yield from fresh_app(content_dirs)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def units(app):
    """Province P with communes A and B; commune A has a village-level unit A1 (depth 3)."""
    return factories.make_unit_tree()


@pytest.fixture
def official(units):
    return factories.make_user("official.a", role=Role.OFFICIAL, unit=units["A"])


@pytest.fixture
def official_b(units):
    return factories.make_user("official.b", role=Role.OFFICIAL, unit=units["B"])


@pytest.fixture
def hr_a(units):
    return factories.make_user("hr.a", role=Role.HR, unit=units["A"])


@pytest.fixture
def hr_b(units):
    return factories.make_user("hr.b", role=Role.HR, unit=units["B"])


@pytest.fixture
def hr_province(units):
    return factories.make_user("hr.p", role=Role.HR, unit=units["P"])


@pytest.fixture
def admin(units):
    return factories.make_user("admin", role=Role.ADMIN)


@pytest.fixture
def login(client):
    def do_login(user, password: str = factories.PASSWORD, **extra):
        return client.post(
            "/auth/login", data={"username": user.username, "password": password, **extra}
        )

    return do_login


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...`` then ``counter.count``."""

    class Counter:
        count = 0
        statements: list[str] = []

    @contextmanager
    def counting():
        counter = Counter()
        counter.statements = []

        def before(conn, cursor, statement, *args):
            counter.count += 1
            counter.statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting
