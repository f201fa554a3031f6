"""A live server in a thread and Debian's Chromium driven by Playwright.

These tests are marked ``browser``; they are skipped when Chromium is not installed
(``make test`` installs Debian's ``chromium`` package first when it can).
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.content.loader import load_content, read_content
from app.models import Role, db, utcnow
from app.people.services import create_unit, sync_positions
from tests.factories import PASSWORD, make_user, write_course, write_quiz

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live(tmp_path: Path):
    """The site on a free port with a file database, a course with a quiz, and an official."""
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    courses, quizzes = tmp_path / "courses", tmp_path / "quizzes"
    courses.mkdir()
    quizzes.mkdir()
    write_course(
        courses, "mot-cua", lessons={"01-tiep-nhan.md": "## Tiếp nhận\n" + "Nội dung. " * 200}
    )
    write_quiz(
        quizzes, "mot-cua", settings="course: mot-cua\ntime_limit: 20\nshuffle_answers: false\n"
    )
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path}/browser.db"
    app = create_app("testing")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=url,
        COURSES_DIR=str(courses),
        QUIZZES_DIR=str(quizzes),
        WTF_CSRF_ENABLED=True,
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        sync_positions()
        content, errors = read_content(courses, quizzes)
        assert errors == []
        load_content(content, now=utcnow())
        commune = create_unit("A", "Xã An (thử)", "commune")
        make_user("cc.an", role=Role.OFFICIAL, unit=commune, full_name="Nguyễn Văn An")
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser, live):
    """A phone-sized page, signed in as the official."""
    # bypass_csp: Playwright waits by evaluating script, which our CSP (rightly) refuses.
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="vi-VN", bypass_csp=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(live + "/auth/login")
    page.fill("#username", "cc.an")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live + "/")
    page.console_errors = errors
    yield page
    context.close()
