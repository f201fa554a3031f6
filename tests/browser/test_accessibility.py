"""axe-core on every main page, as an official, HR and an admin, in Vietnamese and English,
on a phone and a desktop: no serious or critical violation. One browser context per language
and screen visits all of a role's pages (the official's in one; HR's, then the admin's after
signing out, in another): a sign-in per role, not per page.

The pages are looked at as a user meets them: the quiz while it runs (timer, answers, save
state), its result, the dashboard and its chart, forms sent with errors, the import pages.
The markup is the same whatever the database, so the PostgreSQL run leaves this to SQLite.
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.models import Position, Role, Unit, User, db
from tests.browser.conftest import axe_problems, readme_screenshot
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="the same markup is checked on SQLite"
)
COURSE = "cchc-mot-cua"
BAD_IMPORT = "username,title,hours,completed_on\nkhong.co,Lớp,abc,31/02/2026\n"
GOOD_IMPORT = "username,course,completed_on\nan.03,cchc-mot-cua,02/03/2026\n"


def upload(page, url: str, text: str) -> None:
    """The import form sent with ``text`` as a CSV file (a dry run, as the form proposes)."""
    page.goto(url)
    page.set_input_files(
        "#file", files=[{"name": "ho-so.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.click("main form button[type=submit]")


LANGUAGES = {"vi": "vi-VN", "en": "en-GB"}
combinations = pytest.mark.parametrize(
    ("language", "viewport"), [(lang, view) for lang in LANGUAGES for view in ("phone", "desktop")]
)


@pytest.fixture(scope="module")
def people(site):
    """An official per language and screen (each takes the quiz once), an admin, and the id
    of an official HR looks at."""
    with site.app.app_context():
        model = db.session.scalar(select(User).where(User.username == "an.01"))
        unit, position = (
            db.session.get(Unit, model.unit_id),
            db.session.get(Position, model.position_id),
        )
        for language in LANGUAGES:
            for viewport in ("phone", "desktop"):
                make_user(
                    f"a11y.{language}.{viewport}",
                    unit=unit,
                    position=position,
                    full_name="Lê Thị Hồng Nhung",
                    commit=False,
                )
        make_user("admin.a11y", role=Role.ADMIN, full_name="Quản trị hệ thống", commit=False)
        db.session.commit()
        record = db.session.scalar(select(User.id).where(User.username == "an.02"))
        db.session.remove()
    return {"record": record}


class Audit:
    """Opens pages in one context and collects every problem, so that one run names them all."""

    def __init__(self, seen, base: str):
        self.seen, self.page, self.base = seen, seen.page, base
        self.problems: list[str] = []

    def check(self, name: str) -> None:
        self.seen.look(name, shot=False)  # fits the screen, no console or script error
        self.problems += axe_problems(self.page)

    def open(self, path: str, name: str | None = None) -> None:
        self.page.goto(self.base + path)
        self.check(name or path)

    def sign_in(self, username: str, language: str, *, check: bool = True) -> None:
        self.page.goto(f"{self.base}/auth/login?lang={language}")
        if not check:  # seen already
            self.page.fill("#username", username)
            self.page.fill("#password", PASSWORD)
            self.page.click("main button[type=submit]")
            self.page.wait_for_url(self.base + "/")
            return
        self.check("login")
        self.seen.tolerated = ("status of 400",)  # a refused form is answered 400 on purpose
        self.page.fill("#username", username)
        self.page.fill("#password", "wrong password")
        self.page.click("main button[type=submit]")
        expect(self.page.locator("#password-errors")).to_be_visible()
        self.check("login with an error")
        self.page.fill("#password", PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(self.base + "/")
        self.seen.tolerated = ()

    def form_errors(self, path: str, name: str) -> None:
        """The form at ``path`` sent empty: its errors shown."""
        self.page.goto(self.base + path)
        self.seen.tolerated = ("status of 400",)
        form = (
            self.page.locator("main form[method=post]")
            .filter(
                has=self.page.locator(
                    "textarea, input[type=text], input[type=password], input[type=file]"
                )
            )
            .first
        )
        form.evaluate("f => f.noValidate = true")  # what an old browser would send
        form.locator("button[type=submit]").click()
        expect(self.page.locator(".errors").first).to_be_visible()
        self.check(name)
        self.seen.tolerated = ()


PRINTED = """() => ({
  hidden: ['.site-header', '.site-footer', 'form.filters', '.actions']
    .filter(s => document.querySelector(s)
      && getComputedStyle(document.querySelector(s)).display !== 'none'),
  clipped: Array.from(document.querySelectorAll('.table-wrap, .chart-wrap'))
    .filter(e => e.scrollWidth > e.clientWidth + 1).length,
})"""


def check_print(page, url: str) -> None:
    """On paper: no menu, filters or buttons; no table cut at the page's edge."""
    page.goto(url)
    page.set_viewport_size({"width": 718, "height": 1000})  # A4 less the print margins
    page.emulate_media(media="print")
    assert page.evaluate(PRINTED) == {"hidden": [], "clipped": 0}, url
    assert page.pdf(format="A4").startswith(b"%PDF")
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 800})


@combinations
def test_an_officials_pages_have_no_serious_violation(visit, site, people, language, viewport):
    audit = Audit(visit(viewport, locale=LANGUAGES[language]), site.url)
    page = audit.page
    audit.sign_in(f"a11y.{language}.{viewport}", language)
    audit.check("home")
    for path in ["/courses", f"/courses/{COURSE}", "/my/training", "/auth/password"]:
        audit.open(path)
    page.goto(f"{site.url}/courses/{COURSE}")
    page.locator("ol.lessons > li a").first.click()
    audit.check("lesson")
    if language == "vi" and viewport == "phone":
        readme_screenshot(page, "phone-lesson")
    page.goto(f"{site.url}/my/training")
    standard = page.locator("a[href*='/standards/']").first
    if standard.count():
        standard.click()
        audit.check("standard")
    audit.form_errors("/auth/password", "password form with errors")
    audit.seen.tolerated = ("status of 404",)
    audit.open("/courses/no-such-course", "not found")
    audit.seen.tolerated = ()

    # The quiz while it runs: the timer, answers, the save state.
    audit.open(f"/quiz/{COURSE}", "quiz overview")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/quiz/attempts/\d+$"))
    page.locator("fieldset.question input[type=radio]").first.check()
    expect(page.locator("#save-status")).to_have_text("Đã lưu" if language == "vi" else "Saved")
    expect(page.locator("#timer")).to_have_text(re.compile(r"^\d+:\d\d$"))
    audit.check("quiz running")
    if language == "vi" and viewport == "phone":
        page.locator("fieldset.question").nth(1).scroll_into_view_if_needed()
        readme_screenshot(page, "phone-quiz")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-attempt")
    page.wait_for_url(re.compile(r".*/result$"))
    audit.check("quiz result")
    if language == "vi" and viewport == "phone":
        page.goto(site.url + "/")
        readme_screenshot(page, "phone-home")
    assert audit.problems == [], "\n".join(audit.problems)


@combinations
def test_hr_and_admin_pages_have_no_serious_violation(visit, site, people, language, viewport):
    audit = Audit(visit(viewport, locale=LANGUAGES[language]), site.url)
    page = audit.page
    audit.sign_in("hr.tinh", language)
    record = f"/hr/officials/{people['record']}"
    page.goto(f"{site.url}/hr/")
    if language == "vi" and viewport == "desktop":
        readme_screenshot(page, "desktop-dashboard")
    for path in [
        "/hr/",
        "/hr/officials",
        "/hr/officials?unit=B&sort=hours",
        record,
        f"{record}/external",
        "/hr/import",
        f"/quiz/{COURSE}/overrides/{people['record']}",
        "/people/",
        "/people/?q=nguyen&active=yes",
        "/people/new",
        f"/people/{people['record']}",
        "/people/audit",
    ]:
        audit.open(path)
    audit.form_errors(record, "official's record, a form with errors")
    audit.form_errors(f"{record}/external", "external training with errors")
    # An import whose rows are wrong: every wrong row listed; a right one: the dry run's preview.
    audit.seen.tolerated = ("status of 400",)
    upload(page, f"{site.url}/hr/import", BAD_IMPORT)
    expect(page.locator("[role=alert]")).to_be_visible()
    audit.check("import with errors")
    audit.seen.tolerated = ()
    upload(page, f"{site.url}/hr/import", GOOD_IMPORT)
    expect(page.locator("main table.data")).to_contain_text("(an.03)")
    audit.check("import preview (dry run)")
    if viewport == "desktop":
        for path in [record, "/hr/", "/hr/officials"]:
            check_print(page, site.url + path)
    # Signed out (the sign-in page after it), then the admin: their own pages and the dashboard.
    page.locator(".account button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/auth/login"))
    audit.check("signed out")
    audit.sign_in("admin.a11y", language, check=False)
    for path in ["/admin/", "/admin/users", "/admin/outbox", f"/quiz/{COURSE}/statistics", "/hr/"]:
        audit.open(path)
    assert audit.problems == [], "\n".join(audit.problems)
