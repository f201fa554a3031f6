"""Keyboard only: signing in, reading a lesson, answering and submitting a quiz, filtering the
dashboard, with Tab, Space, the arrow keys and Enter, the focus visible at every stop."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="the same pages on any engine"
)
COURSE = "cchc-mot-cua"
FOCUSED = "s => !!document.activeElement && document.activeElement.matches(s)"
FOCUS_SHOWN = """() => { const style = getComputedStyle(document.activeElement);
  return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 }"""


def tab_to(page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until ``selector`` has the focus; it must show that it has it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED, selector):
            assert page.evaluate(FOCUS_SHOWN), f"{selector} has the focus but does not show it"
            return
    pytest.fail(f"{selector} is not reached with Tab on {page.url}")


def test_an_official_signs_in_reads_and_takes_the_quiz_with_the_keyboard(visit, site):
    seen = visit("desktop")
    page = seen.page
    page.goto(site.url + "/auth/login")
    tab_to(page, "#username")
    page.keyboard.type("cc.desktop")
    tab_to(page, "#password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(site.url + "/")

    # The skip link first, then the menu: to the catalogue, a course, its first lesson.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED, "a.skip")
    tab_to(page, ".nav a[href='/courses']")
    page.keyboard.press("Enter")
    page.wait_for_url(site.url + "/courses")
    tab_to(page, f"main a[href='/courses/{COURSE}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}/courses/{COURSE}")
    tab_to(page, "ol.lessons a")
    page.keyboard.press("Enter")
    expect(page.locator(".crumbs")).to_contain_text("Bài 1/")
    tab_to(page, "form[data-offline-complete] button")
    page.keyboard.press("Enter")
    expect(page.locator(".flash-success")).to_have_text("Đã ghi nhận hoàn thành bài học.")
    expect(page.locator(".crumbs")).to_contain_text("Bài 2/")

    # The quiz: started, a choice made with Space and changed with an arrow key, submitted.
    page.goto(f"{site.url}/quiz/{COURSE}")
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/quiz/attempts/\d+$"))
    tab_to(page, "fieldset.question input[type=radio]")
    page.keyboard.press("Space")
    first = page.evaluate("document.activeElement.value")
    page.keyboard.press("ArrowDown")
    chosen = page.evaluate("[document.activeElement.name, document.activeElement.value]")
    assert chosen[1] != first
    expect(page.locator(f"input[name='{chosen[0]}'][value='{chosen[1]}']")).to_be_checked()
    expect(page.locator("#save-status")).to_have_text("Đã lưu")
    page.once("dialog", lambda dialog: dialog.accept())
    tab_to(page, "#submit-attempt", limit=200)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/result$"))
    expect(page.locator("h1")).to_have_text("Kết quả lượt 1")
    assert seen.problems == []


def test_hr_filters_the_dashboard_with_the_keyboard(visit, site):
    seen = visit("desktop", "hr.tinh")
    page = seen.page
    page.goto(site.url + "/hr/")
    tab_to(page, "select[name=unit]")
    for _ in range(5):  # down the list of units to the first commune
        if page.evaluate("document.activeElement.value") == "A":
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "A"
    tab_to(page, "form.filters button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*[?&]unit=A(&|$)"))
    expect(page.locator("h1")).to_contain_text("Xã An Phú (thử)")
    # the chart's text equivalent opens from the keyboard too
    tab_to(page, "details.chart-text summary")
    page.keyboard.press("Enter")
    expect(page.locator("details.chart-text li").first).to_be_visible()
    assert seen.problems == []
