"""What a real user does, on a phone (360×740) and on a desktop, with the CSP enforced.

Every page looked at (``Visit.look``) must fit the screen's width, log no console error
(CSP refusals are console errors), raise no script error and fetch nothing from outside
127.0.0.1; a screenshot of it is kept in the test's tmp dir.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

both = pytest.mark.parametrize("viewport", ["phone", "desktop"])
OFFLINE = "net::ERR_INTERNET_DISCONNECTED"
SAVED = "Đã lưu"
NOT_SAVED = re.compile("^Chưa lưu")
COURSE = "cchc-mot-cua"

# Every answer field of the attempt form, as the page shows it now.
ANSWERS_JS = """() => Array.from(document.querySelectorAll(
  '#attempt-form fieldset input:not([type=hidden]), #attempt-form select, #attempt-form textarea'
)).map(e => [e.name, e.value, (e.type === 'radio' || e.type === 'checkbox') ? e.checked : null])"""
STORED_JS = "Object.keys(localStorage).filter(key => key.startsWith('attempt:'))"
UNSENT_JS = (
    "localStorage.getItem('attempt:' + document.getElementById('attempt-form').dataset.saveUrl)"
)


def _progress(page) -> int:
    return int(page.locator("progress.progress").first.get_attribute("value"))


def _answer_everything(page) -> None:
    """Answer each question the way a hurried official would: the first choice, "2"."""
    for fieldset in page.locator("fieldset.question").all():
        fieldset.scroll_into_view_if_needed()
        choices = fieldset.locator("input[type=radio], input[type=checkbox]")
        selects = fieldset.locator("select")
        texts = fieldset.locator("input[type=text], textarea")
        if choices.count():
            choices.first.check()
        elif selects.count():
            for select in selects.all():
                select.select_option(index=1)
        elif texts.count():
            texts.first.fill("2")


@both
def test_an_official_signs_in_reads_a_lesson_and_takes_the_quiz(visit, site, viewport):
    seen = visit(viewport)
    page = seen.page
    page.goto(site.url + "/")  # not signed in: sent to the sign-in page
    expect(page.locator("#username")).to_be_visible()
    seen.look("login")

    # A wrong password: said so, the username kept, the password not sent back.
    page.fill("#username", f"cc.{viewport}")
    page.fill("#password", "not the password")
    seen.tolerated = ("status of 400",)  # the refused sign-in is answered 400 on purpose
    page.click("button[type=submit]")
    expect(page.locator("#password-errors")).to_have_text("Sai tên đăng nhập hoặc mật khẩu.")
    expect(page.locator("#username")).to_have_value(f"cc.{viewport}")
    expect(page.locator("#password")).to_have_value("")
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    seen.look("login-error")
    seen.tolerated = ()
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site.url + "/")
    expect(page.locator("h1")).to_contain_text("Nguyễn Thị Hoa")
    seen.look("home")
    page.click(".nav >> text=Khóa học")
    expect(page.locator("h1")).to_have_text("Danh mục khóa học")
    seen.look("catalogue")

    # The course page, then its first lesson, marked as read: the progress bar moves.
    page.goto(f"{site.url}/courses/{COURSE}")
    before = _progress(page)
    lessons = page.locator("ol.lessons > li")
    total = lessons.count()
    assert before == 0 and total >= 2
    seen.look("course")
    lessons.first.locator("a").click()
    expect(page.locator(".crumbs")).to_contain_text(f"Bài 1/{total}")
    seen.look("lesson")
    page.click("text=Đánh dấu đã học xong")
    expect(page.locator(".flash-success")).to_have_text("Đã ghi nhận hoàn thành bài học.")
    expect(page.locator(".crumbs")).to_contain_text(f"Bài 2/{total}")  # on to the next one
    page.click(".crumbs a")
    assert _progress(page) == 100 // total
    expect(lessons.first).to_have_class("done")
    expect(lessons.first.locator(".badge.ok")).to_be_visible()
    seen.look("course-after", shot=False)

    page.click(".nav >> text=Bồi dưỡng của tôi")
    required = page.locator("ul.required > li", has=page.locator(f"a[href$='/{COURSE}']"))
    expect(required.locator("progress")).to_have_attribute("value", str(100 // total))
    seen.look("my-training")

    # The quiz: started from the course page, a timer, answers saved as they are given.
    page.goto(f"{site.url}/courses/{COURSE}")
    page.click(".quiz-card a.button")
    seen.look("quiz-overview")
    page.click("text=Bắt đầu làm bài")
    page.wait_for_url(re.compile(r".*/quiz/attempts/\d+$"))
    timer = page.locator("#timer")
    expect(timer).to_have_text(re.compile(r"^(1?\d|20):\d\d$"))
    _answer_everything(page)
    expect(page.locator("#save-status")).to_have_text(SAVED)
    assert page.evaluate(UNSENT_JS) is None  # the server has every answer
    answers = page.evaluate(ANSWERS_JS)
    assert sum(1 for _name, _value, checked in answers if checked) >= 1
    # the timer stays in sight at the bottom of a long attempt
    page.locator("#submit-attempt").scroll_into_view_if_needed()
    box = timer.bounding_box()
    assert box is not None and 0 <= box["y"] < page.viewport_size["height"]
    seen.look("attempt")

    page.reload()  # nothing lost
    assert page.evaluate(ANSWERS_JS) == answers

    # The connection drops while answering: the answers wait on the phone.
    seen.tolerated = (OFFLINE,)
    page.context.set_offline(True)
    questions = page.locator("fieldset.question")
    radio = questions.filter(has=page.locator("input[type=radio]")).first
    radio.locator("input[type=radio]").last.check()
    text = questions.filter(has=page.locator("input[type=text]"))
    if text.count():
        text.first.locator("input[type=text]").fill("02")
    expect(page.locator("#save-status")).to_have_text(NOT_SAVED)
    assert page.evaluate(UNSENT_JS) is not None
    answers = page.evaluate(ANSWERS_JS)
    page.context.set_offline(False)  # ... and comes back: sent without a click
    expect(page.locator("#save-status")).to_have_text(SAVED)
    assert page.evaluate(UNSENT_JS) is None
    seen.tolerated = ()
    page.reload()
    assert page.evaluate(ANSWERS_JS) == answers

    # Submitting asks first; saying no keeps the attempt open.
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    page.click("#submit-attempt")
    expect(page.locator("#attempt-form")).to_be_visible()
    assert messages == ["Nộp bài? Sau khi nộp sẽ không sửa được câu trả lời."]
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-attempt")
    page.wait_for_url(re.compile(r".*/result$"))
    expect(page.locator("h1")).to_have_text("Kết quả lượt 1")
    expect(page.locator(".result .score")).to_have_text(re.compile(r"^\d+(,\d+)?%$"))
    # The shipped quizzes show the score between attempts, the answer key after the last one.
    expect(page.locator("section.review")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("sau lần làm bài cuối cùng")
    page.wait_for_load_state("load")
    assert page.evaluate(STORED_JS) == []  # received: no copy left on the phone
    seen.look("result")
    page.click("a.button >> text=Quay lại")
    expect(page.locator("table.data tbody tr")).to_have_count(1)
    seen.look("quiz-overview-after", shot=False)


def test_a_quiz_on_a_weak_connection_and_a_phone_clock_hours_ahead(visit, site):
    seen = visit("phone", "cc.weak")
    page = seen.page
    page.clock.install(time=datetime.now() + timedelta(hours=3))
    page.goto(f"{site.url}/quiz/{COURSE}")
    page.click("text=Bắt đầu làm bài")
    page.wait_for_url(re.compile(r".*/quiz/attempts/\d+$"))
    attempt_url = page.url
    timer = page.locator("#timer")
    expect(timer).to_have_text(re.compile(r"^(20:00|19:[45]\d)$"))  # the server's time counts

    # The request fails though the phone believes it is online: no "online" event will come.
    seen.tolerated = ("net::ERR_FAILED",)
    page.route("**/save", lambda route: route.abort("failed"))
    questions = page.locator("fieldset.question")
    questions.filter(has=page.locator("input[type=radio]")).first.locator("input").last.check()
    expect(page.locator("#save-status")).to_have_text(NOT_SAVED)
    page.unroute("**/save")
    page.clock.run_for(11_000)  # tried again a little later
    expect(page.locator("#save-status")).to_have_text(SAVED)
    assert page.evaluate(UNSENT_JS) is None
    expect(timer).to_have_text(re.compile(r"^19:[345]\d$"))

    # Submitting without a connection: nothing is sent, the answers stay, the page says why.
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.context.set_offline(True)
    page.click("#submit-attempt")
    expect(page.locator("#save-status")).to_have_text(NOT_SAVED)
    assert page.url == attempt_url and dialogs == []
    page.context.set_offline(False)
    seen.tolerated = ()
    seen.look("attempt-offline")
    page.click("#submit-attempt")
    page.wait_for_url(re.compile(r".*/result$"))
    assert len(dialogs) == 1
    expect(page.locator(".result .score")).to_have_text(re.compile(r"^\d+(,\d+)?%$"))
    seen.look("result-weak")


@both
def test_hr_follows_the_units_and_exports(visit, site, viewport, tmp_path):
    seen = visit(viewport, "hr.tinh")
    page = seen.page
    page.click(".nav >> text=Đạt chuẩn")
    expect(page.locator("h1")).to_contain_text("Theo dõi đạt chuẩn năm")
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(2)
    seen.look("dashboard")

    # The dashboard's units CSV
    with page.expect_download() as download:
        page.click("a[href*='export.csv'][href*='level=units']")
    table = _csv(download.value, tmp_path)
    assert any("Xã An Phú (thử)" in row for row in table)

    # Drill down into a commune: its officials, two pages of five.
    rows.filter(has_text="Xã An Phú").locator("a").first.click()
    expect(page.locator("h1")).to_have_text("Công chức · Xã An Phú (thử)")
    officials = page.locator("table.data tbody tr")
    expect(officials).to_have_count(5)
    expect(page.locator("select[name=unit]")).to_have_value("A")
    seen.look("officials")
    page.click(".pagination a[rel=next]")
    expect(officials).to_have_count(2)
    expect(page.locator("h1")).to_contain_text("Xã An Phú")  # still that commune

    # Sorting by hours, then filtering by status: the unit filter holds.
    page.click("thead a[href*='sort=hours']")
    expect(page.locator("th[aria-sort]")).to_have_count(1)
    expect(page.locator("th[aria-sort] a")).to_have_attribute("href", re.compile("sort=hours"))
    hours = [
        float(cell.split("/")[0].replace(",", "."))
        for cell in page.locator("table.data tbody td.num").all_inner_texts()
    ]
    assert hours == sorted(hours, reverse=True)
    seen.look("officials-sorted", shot=False)
    page.select_option("select[name=status]", "not_started")
    page.click(".filters button")
    expect(page.locator("select[name=unit]")).to_have_value("A")
    assert "sort=hours" in page.url
    badges = page.locator("table.data tbody .badge")
    assert badges.count() >= 1
    for badge in badges.all():
        expect(badge).to_have_class(re.compile("status-not_started"))
    page.select_option("select[name=status]", "")
    page.fill("input[name=q]", "trần")
    page.click(".filters button")
    expect(officials).to_have_count(1)
    expect(officials.first).to_contain_text("Trần Văn An1")
    seen.look("officials-search")

    # The officials CSV holds what the page shows.
    with page.expect_download() as download:
        page.click("a[href*='export.csv'][href*='level=officials']")
    assert download.value.suggested_filename.endswith(".csv")
    table = _csv(download.value, tmp_path)
    assert len(table) == 2 and "Trần Văn An1" in table[1]

    # One official's record.
    officials.first.locator("a").first.click()
    expect(page.locator("h1")).to_have_text("Trần Văn An1")
    expect(page.locator("table.data").first).to_contain_text("một cửa")
    seen.look("official")
    page.click(".crumbs a")
    expect(page.locator("h1")).to_contain_text("Xã An Phú")

    # In English and back: the same list, its filters and sorting kept.
    page.goto(f"{site.url}/hr/officials?unit=B&sort=hours")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.click("footer >> text=English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Officials · Xã Bình Minh (thử)")
    assert "sort=hours" in page.url
    seen.look("officials-en")
    page.click(".nav >> text=Compliance")  # the choice is kept from page to page
    expect(page.locator("h1")).to_contain_text("Training compliance")
    seen.look("dashboard-en", shot=False)
    page.click("footer >> text=Tiếng Việt")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator(".nav")).to_contain_text("Công chức")


def _csv(download, tmp_path) -> list[list[str]]:
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_every_page_of_the_catalogue_fits_a_phone(visit, site):
    """Every lesson of the real courses, and the other pages an official can open."""
    seen = visit("phone", "cc.phone")
    page = seen.page
    page.goto(site.url + "/courses")
    courses = page.eval_on_selector_all(
        ".course-card h3 a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(courses) >= 5
    checked = 0
    for course in courses:
        page.goto(site.url + course)
        seen.look("course-" + course.rsplit("/", 1)[-1], shot=False)
        for href in page.eval_on_selector_all(
            "ol.lessons a", "links => links.map(a => a.getAttribute('href'))"
        ):
            page.goto(site.url + href)
            seen.look("lesson-" + href.rsplit("/", 1)[-1], shot=False)
            checked += 1
    assert checked >= 20
    page.goto(site.url + "/my/training")
    page.click(".status-card a, .card a[href*='/standards/']")
    expect(page.locator("dl.facts")).to_be_visible()
    seen.look("standard")
    page.goto(site.url + "/auth/password")
    seen.look("password")
