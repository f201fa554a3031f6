"""A live server in a thread and Debian's Chromium driven by Playwright.

These tests are marked ``browser``; they are skipped when Chromium is not installed
(``make test`` installs Debian's ``chromium`` package first when it can).
"""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from app.content.loader import read_content
from app.models import Course, Lesson, Position, Role, UnitKind, db, utcnow
from app.people.services import create_unit, sync_positions
from app.progress.services import complete_lesson
from tests.factories import PASSWORD, load_content, make_user, write_course, write_quiz

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
            item.add_marker(pytest.mark.slow)


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
        quizzes,
        "mot-cua",
        settings="course: mot-cua\ntime_limit: 20\nshuffle_answers: false\nreview: feedback\n",
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


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run (each test gets its own context): starting it costs
    about a second each time."""
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
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


REPO = Path(__file__).resolve().parents[2]
FAMILY = ["Trần", "Lê", "Phạm", "Vũ", "Đỗ"]
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}


@dataclass
class Site:
    url: str
    app: object


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The real catalogue (courses/, quizzes/, the year's standard) with a small province:
    HR of the province, officials in two communes, some with lessons done. Shared by a
    module's tests: each test signs in as its own official."""
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    tmp = tmp_path_factory.mktemp("site")
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp}/site.db"
    app = create_app("testing")
    app.config.update(
        SQLALCHEMY_DATABASE_URI=url,
        COURSES_DIR=str(REPO / "courses"),
        QUIZZES_DIR=str(REPO / "quizzes"),
        WTF_CSRF_ENABLED=True,
        PER_PAGE=5,
    )
    now = utcnow()
    with app.app_context():
        db.drop_all()
        db.create_all()
        sync_positions()
        content, errors = read_content(REPO / "courses", REPO / "quizzes")
        assert errors == []
        load_content(content, now=now)
        positions = {p.code: p for p in db.session.scalars(select(Position))}
        province = create_unit("P", "Tỉnh Thử Nghiệm", UnitKind.PROVINCE)
        communes = [
            create_unit("A", "Xã An Phú (thử)", UnitKind.COMMUNE, province),
            create_unit("B", "Xã Bình Minh (thử)", UnitKind.COMMUNE, province),
        ]
        make_user("hr.tinh", role=Role.HR, unit=province, full_name="Cán bộ Sở Nội vụ")
        lessons = list(
            db.session.scalars(
                select(Lesson)
                .join(Course)
                .where(Course.slug == "cchc-mot-cua")
                .order_by(Lesson.position)
            )
        )
        for index, (commune, short) in enumerate([(communes[0], "an"), (communes[1], "binh")]):
            for number, code in enumerate(["LD-CVP", "CM-MC", "CM-TP", "CM-VP", "CM-TCKH"], 1):
                user = make_user(
                    f"{short}.{number:02d}",
                    unit=commune,
                    position=positions[code],
                    full_name=f"{FAMILY[number - 1]} Văn {short.title()}{number}",
                    commit=False,
                )
                db.session.flush()
                for lesson in lessons[: (number + index) % len(lessons)]:
                    complete_lesson(user, lesson, now=now)
        for viewport in [*VIEWPORTS, "weak"]:  # the officials who click through the site
            make_user(
                f"cc.{viewport}",
                unit=communes[0] if viewport in VIEWPORTS else communes[1],
                position=positions["CM-MC"],
                full_name="Nguyễn Thị Hoa",
                commit=False,
            )
        db.session.commit()
        db.session.remove()
    server = _serve(app)
    yield Site(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


# The innermost elements that stick out on the right: what to fix when a page is too wide.
WIDE_JS = """width => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > width + 1)
  .filter(e => !Array.from(e.children).some(c => c.getBoundingClientRect().right > width + 1))
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
    + ' "' + (e.textContent || '').trim().slice(0, 40) + '"')"""


@dataclass
class Visit:
    """A browser context that records what a reviewer would notice on every page: script
    errors, CSP refusals (they are console errors), requests leaving the site, a page wider
    than the screen. ``look`` checks the page shown and keeps a screenshot of it."""

    page: object
    shots: Path
    label: str
    width: int
    problems: list[str] = field(default_factory=list)
    tolerated: tuple[str, ...] = ()
    pages: list[str] = field(default_factory=list)

    def _console(self, message) -> None:
        if message.type == "error" and not any(t in message.text for t in self.tolerated):
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
            self.problems.append(f"request outside the site: {request.url}")

    def look(self, name: str, *, shot: bool = True) -> None:
        page = self.page
        page.wait_for_load_state("load")
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll > client:
            wide = page.evaluate(WIDE_JS, client)
            pytest.fail(f"{page.url} scrolls sideways: {scroll} > {client} px, because of {wide}")
        if shot and not os.environ.get("NOSHOT"):
            page.screenshot(  # JPEG: a long page in PNG takes a second to encode
                path=self.shots / f"{self.label}-{name}.jpg", full_page=True, quality=60
            )
        self.pages.append(name)
        assert self.problems == [], self.problems


@pytest.fixture
def visit(browser, site, tmp_path, request):
    """``visit(viewport, username=None, locale='vi-VN')``: a fresh context at that size,
    signed in when a username is given."""
    contexts = []

    def open_(viewport: str, username: str | None = None, locale: str = "vi-VN") -> Visit:
        size = VIEWPORTS[viewport]
        context = browser.new_context(viewport=size, locale=locale)  # CSP enforced
        contexts.append(context)
        page = context.new_page()
        seen = Visit(page, tmp_path, viewport, size["width"])
        page.on("console", seen._console)
        page.on("pageerror", lambda error: seen.problems.append(f"script error: {error}"))
        context.on("request", seen._request)
        if username:
            page.goto(site.url + "/auth/login")
            page.fill("#username", username)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(site.url + "/")
        return seen

    yield open_
    for context in contexts:
        context.close()


# axe-core (tests/browser/vendor/axe.min.js, MPL-2.0), vendored: nothing is fetched at test time.
AXE_SOURCE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_LOAD = "() => { if (!window.axe) {\n" + AXE_SOURCE + "\n} return window.axe.version; }"
AXE_RUN = """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '
    + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))"""


def axe_problems(page) -> list[str]:
    """Serious and critical axe-core violations on the page as it is now, one line each."""
    page.evaluate(AXE_LOAD)
    return [f"{page.url}: {line}" for line in page.evaluate(AXE_RUN)]


# `make screenshots` sets SCREENSHOTS=docs/screenshots: the README's pictures are taken by the
# accessibility tests on their way through the pages, so they show the site as it is.
SCREENSHOTS = os.environ.get("SCREENSHOTS")


def readme_screenshot(page, name: str) -> None:
    """The visible part of the page as docs/screenshots/<name>.png, in 256 colours (small)."""
    if not SCREENSHOTS:
        return
    import io

    from PIL import Image

    folder = REPO / SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    image = Image.open(io.BytesIO(page.screenshot(animations="disabled", caret="hide")))
    image.convert("RGB").quantize(colors=256, dither=Image.Dither.NONE).save(
        folder / f"{name}.png", optimize=True
    )
