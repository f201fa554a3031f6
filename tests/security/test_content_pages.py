"""Markdown lessons, course front matter and the yearly standard, loaded from files full of
payloads: the catalogue, course, lesson, standard and admin pages carry nothing executable."""

from __future__ import annotations

import pytest
import yaml
from sqlalchemy import select

from app.models import Course, Role, db
from tests.factories import make_user
from tests.security.content import file_payloads, load, write_courses, write_standards
from tests.security.html_check import (
    assert_inert_page,
    author_regions,
    fragment_problems,
    page_problems,
)


def test_checker_sees_what_a_browser_would_run():
    """The checks themselves: known-bad markup is reported, the site's own markup is not."""
    assert page_problems('<p><img src=x onerror="alert(1)"></p>')
    assert page_problems('<a href=" &#x0A;java&#x09;script:alert(1)">x</a>')
    assert page_problems("<div><script>alert(1)</script></div>")
    assert page_problems('<div><svg onload="x"></svg></div>')
    assert page_problems('<p><meta http-equiv="refresh" content="0;url=javascript:x"></p>')
    assert page_problems('<p><form action="https://evil.example"></form></p>')
    assert page_problems('<p style="background:url(x)">x</p>')
    assert not page_problems('<a href="jav ascript:x">a relative link</a>')
    assert fragment_problems('<form action="/auth/logout"></form>')
    assert fragment_problems("<input value=x>")
    assert not fragment_problems('<td style="text-align: center">x</td>')
    page = '<div class="prose"><p>a</p><div><form></form></div></div><p>after</p>'
    assert author_regions(page) == ["<p>a</p><div><form></form></div>"]


@pytest.mark.slow  # every payload through a course load and its pages
def test_markdown_and_front_matter_payloads_are_inert(app, client, login, content_dirs, official):
    courses, quizzes = content_dirs
    slugs = write_courses(courses)
    years = write_standards(courses, slugs[0])
    (quizzes / "nho.gift").write_text("::Q::Câu hỏi?{T}\n", encoding="utf-8")
    settings = {"title": file_payloads()[1], "course": slugs[0], "intro": file_payloads()[2]}
    (quizzes / "nho.yml").write_text(yaml.safe_dump(settings, allow_unicode=True))
    load(content_dirs)
    assert db.session.scalar(select(Course).where(Course.slug == slugs[0])).body_html

    login(official)
    pages = ["/", "/courses", "/my/training", f"/my/training?year={years[0]}", "/quiz/nho"]
    pages += [f"/standards/{year}" for year in years]
    for slug in slugs:
        pages += [f"/courses/{slug}", f"/courses/{slug}/bai-mot"]
    pages.append(f"/courses/{slugs[0]}/bai-hai")
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert_page(response.get_data(as_text=True), where=url)

    lesson = client.get(f"/courses/{slugs[0]}/bai-mot").get_data(as_text=True)
    assert "Kết thúc bài an toàn." in lesson  # the whole lesson was rendered
    assert len(author_regions(lesson)) >= 2  # the table of contents and the body
    assert "&lt;script" in client.get("/courses").get_data(as_text=True)  # titles as text

    complete = client.post(f"/courses/{slugs[0]}/bai-mot/complete")
    assert complete.status_code == 302
    assert_inert_page(client.get(f"/courses/{slugs[0]}/bai-hai").get_data(as_text=True))

    admin = make_user("admin.xss", role=Role.ADMIN)
    login(admin)
    for url in ("/admin/", "/admin/users", f"/hr/?year={years[0]}", f"/standards/{years[-1]}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert_page(response.get_data(as_text=True), where=url)
