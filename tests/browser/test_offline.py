"""Lessons readable offline, proven with the network switched off (Playwright's offline mode,
which the service worker's own requests obey too)."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.models import Course, Lesson, LessonCompletion, User, db
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("TEST_DATABASE_URL")), reason="browser storage, the same on any engine"
)
COURSE = "cchc-mot-cua"
OFFLINE = "net::ERR_"
NEW_TEXT = "Phiên bản mới của bài học: quy trình tiếp nhận hồ sơ đã thay đổi."


@pytest.fixture(scope="module")
def readers(site):
    with site.app.app_context():
        unit_id = db.session.scalar(select(User.unit_id).where(User.username == "an.01"))
        for name in ("offline.reader", "offline.shared", "offline.first", "offline.second"):
            make_user(name, commit=False).unit_id = unit_id
        db.session.commit()
        lessons = db.session.scalars(
            select(Lesson.slug).join(Course).where(Course.slug == COURSE).order_by(Lesson.position)
        ).all()
        db.session.remove()
    return lessons


def completions(site, username: str) -> list[str]:
    with site.app.app_context():
        rows = db.session.scalars(
            select(Lesson.slug)
            .join(LessonCompletion, LessonCompletion.lesson_id == Lesson.id)
            .join(User, User.id == LessonCompletion.user_id)
            .where(User.username == username)
        ).all()
        db.session.remove()
    return sorted(rows)


def saved_pages(page) -> list[str]:
    return page.evaluate(
        """() => caches.keys().then(names => Promise.all(names.map(name => caches.open(name)
             .then(cache => cache.keys()).then(keys => keys.map(r => new URL(r.url).pathname)))))
             .then(lists => lists.flat())"""
    )


def save_course(page, base: str) -> None:
    page.goto(f"{base}/courses/{COURSE}")
    page.click("text=Lưu để đọc khi không có mạng")
    expect(page.locator("[data-offline-state]")).to_contain_text("Đã lưu trên máy này")
    expect(page.locator("text=Xóa bản đã lưu")).to_be_visible()


def test_a_saved_course_opens_offline_and_completions_wait_for_the_connection(visit, site, readers):
    seen = visit("phone", "offline.reader")
    page, base = seen.page, site.url
    save_course(page, base)
    lesson = f"{base}/courses/{COURSE}/{readers[1]}"
    assert f"/courses/{COURSE}/{readers[-1]}" in saved_pages(page)

    # No network: the saved lessons open, from the device.
    seen.tolerated = (OFFLINE,)
    page.context.set_offline(True)
    assert page.evaluate("fetch('/').then(() => 'reached', () => 'unreachable')") == "unreachable"
    response = page.goto(lesson)
    assert response.from_service_worker
    expect(page.locator("h1")).not_to_be_empty()
    expect(page.locator("#offline-note")).to_have_text(
        "Không có mạng: các khóa học đã lưu để đọc ngoại tuyến vẫn mở được."
    )
    seen.look("offline-lesson")
    page.goto(f"{base}/my/training")  # not saved: said so, with the courses that were
    expect(page.locator("h1")).to_have_text("Không có kết nối mạng")
    expect(page.locator("[data-offline-list] a")).to_have_text([re.compile("một cửa")])
    seen.look("offline-not-saved")
    page.locator("[data-offline-list] a").click()
    expect(page.locator("ol.lessons > li")).to_have_count(len(readers))
    page.goto(lesson)

    # "Mark as completed" without a connection: kept on the device, and said so.
    page.click("text=Đánh dấu đã học xong")
    queued = "Đã đánh dấu học xong trên máy này: sẽ được gửi đi khi có mạng trở lại."
    expect(page.locator("#offline-note")).to_have_text(queued)
    expect(page.locator("[data-offline-queued]")).to_be_visible()
    expect(page.locator("form[data-offline-complete]")).to_be_hidden()
    page.goto(f"{base}/courses/{COURSE}/{readers[2]}")
    page.click("text=Đánh dấu đã học xong")
    page.goto(lesson)  # still marked on the device after moving around
    expect(page.locator("[data-offline-queued]")).to_be_visible()
    assert completions(site, "offline.reader") == []

    # A connection that looks up but fails: the mark is kept too, not lost on an error page.
    page.context.route("**/complete", lambda route: route.abort("internetdisconnected"))
    page.context.set_offline(False)
    page.goto(f"{base}/courses/{COURSE}/{readers[3]}")
    page.click("text=Đánh dấu đã học xong")
    expect(page.locator("#offline-note")).to_have_text(queued)
    assert page.url.endswith(f"/{readers[3]}")
    page.context.unroute("**/complete")
    page.context.set_offline(True)
    page.goto(lesson)

    # Meanwhile the page's CSRF token has expired: the refusal fetches a fresh one.
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(i => i.value = 'x')")
    seen.tolerated = (OFFLINE, "status of 400")
    page.context.set_offline(False)  # the connection returns: sent without a click
    expect(page.locator("#offline-note")).to_have_text(
        "Các bài đã đánh dấu học xong khi không có mạng đã được gửi đi."
    )
    assert completions(site, "offline.reader") == sorted(readers[1:4])
    assert page.evaluate("localStorage.getItem('offline-completions')") is None
    seen.tolerated = ()
    page.reload()  # the saved copy is the fresh page now: completed
    expect(page.locator(".lesson-actions .badge.ok")).to_be_visible()
    # Connected, with the service worker in place, marking is the ordinary round trip.
    page.goto(f"{base}/courses/{COURSE}/{readers[4]}")
    page.click("text=Đánh dấu đã học xong")
    expect(page.locator(".flash-success")).to_have_text("Đã ghi nhận hoàn thành bài học.")
    assert readers[4] in completions(site, "offline.reader")


def test_a_new_version_of_a_lesson_replaces_the_saved_copy(visit, site, readers):
    seen = visit("desktop", "offline.reader")
    page, base = seen.page, site.url
    save_course(page, base)
    last = readers[-1]
    with site.app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.slug == last))
        lesson.body_html = f"<p>{NEW_TEXT}</p>"
        lesson.content_hash = "changed" + lesson.content_hash[7:]
        db.session.commit()
        db.session.remove()
    page.goto(f"{base}/courses/{COURSE}")  # the course page notices the change and saves again
    expect(page.locator("[data-offline-state]")).to_contain_text("Đã lưu trên máy này")
    seen.tolerated = (OFFLINE,)
    page.context.set_offline(True)
    page.goto(f"{base}/courses/{COURSE}/{last}")
    expect(page.locator(".prose")).to_have_text(NEW_TEXT)
    page.context.set_offline(False)


def test_signing_out_removes_the_saved_copies(visit, site, readers):
    seen = visit("phone", "offline.shared")
    page, base = seen.page, site.url
    save_course(page, base)
    assert saved_pages(page)
    page.click("text=Đăng xuất")
    page.wait_for_url(re.compile(r".*/auth/login"))
    assert saved_pages(page) == []
    assert page.evaluate("navigator.serviceWorker.getRegistrations().then(r => r.length)") == 0
    seen.tolerated = (OFFLINE,)
    page.context.set_offline(True)
    with pytest.raises(Exception, match="net::ERR_"):
        page.goto(f"{base}/courses/{COURSE}/{readers[0]}")


def sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/auth/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")


def test_a_second_account_on_the_same_phone_neither_sees_nor_sends_the_firsts(visit, site, readers):
    seen = visit("phone", "offline.first")
    page, base = seen.page, site.url
    save_course(page, base)
    seen.tolerated = (OFFLINE,)
    page.context.set_offline(True)
    page.goto(f"{base}/courses/{COURSE}/{readers[3]}")
    page.click("text=Đánh dấu đã học xong")
    expect(page.locator("[data-offline-queued]")).to_be_visible()

    # The session ends without signing out (cookies gone): back online, the mark waits.
    page.context.clear_cookies()
    page.context.set_offline(False)
    expect(page.locator("#offline-note")).to_have_text(
        "Hãy đăng nhập lại để gửi các bài đã đánh dấu học xong khi không có mạng."
    )
    seen.tolerated = ()

    # Someone else signs in on the phone: nothing of the first account is shown or sent.
    sign_in(page, base, "offline.second")
    page.wait_for_function("() => caches.keys().then(names => names.length === 0)")
    assert saved_pages(page) == []
    assert page.evaluate("localStorage.getItem('offline-completions')") is not None
    assert completions(site, "offline.second") == [] and completions(site, "offline.first") == []
    page.goto(f"{base}/courses/{COURSE}/{readers[3]}")
    expect(page.locator("form[data-offline-complete]")).to_be_visible()  # not marked for them

    # The first account signs in again: its mark is sent.
    page.context.clear_cookies()
    sign_in(page, base, "offline.first")
    expect(page.locator("#offline-note")).to_have_text(
        "Các bài đã đánh dấu học xong khi không có mạng đã được gửi đi."
    )
    assert completions(site, "offline.first") == [readers[3]]
    assert completions(site, "offline.second") == []
