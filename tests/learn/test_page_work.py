"""The official's pages do a small, fixed amount of work per request (issue 11, "Pages"): the
number of SQL statements does not grow with the officials and their records, and a course's
text is read once per process until its files are reloaded."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import event, select

from app.content.loader import read_content
from app.models import Lesson, Quiz, db
from app.progress.services import complete_lesson
from app.quiz import services as quiz_services
from tests.factories import load_content, make_user, write_course, write_lesson, write_quiz

NOW = datetime(2026, 3, 10, 3, 0)
LESSONS = {
    "01-tiep-nhan.md": "Nội dung tiếp nhận.",
    "02-xu-ly.md": "Nội dung xử lý.",
    "03-tra-ket-qua.md": "Nội dung trả kết quả.",
}


def load(content_dirs) -> None:
    courses, quizzes = content_dirs
    content, errors = read_content(courses, quizzes)
    assert errors == [], errors
    load_content(content, now=NOW)
    db.session.commit()


@pytest.fixture
def course(app, content_dirs, clock):
    clock.freeze(NOW)
    courses, quizzes = content_dirs
    write_course(courses, "mot-cua", title="Một cửa", lessons=LESSONS)
    write_quiz(quizzes, "mot-cua", settings="course: mot-cua\npass_mark: 60\n")
    load(content_dirs)


def lessons() -> list[Lesson]:
    return list(db.session.scalars(select(Lesson).order_by(Lesson.position)))


def add_officials(units, prefix: str, n: int) -> None:
    """``n`` officials, each with every lesson completed (hence course progress) and a quiz
    attempt: rows the pages of another official must not read."""
    quiz = db.session.scalar(select(Quiz))
    for i in range(n):
        user = make_user(f"{prefix}{i}", unit=units["A" if i % 2 else "B"], commit=False)
        db.session.flush()
        for item in lessons():
            complete_lesson(user, item, now=NOW)
        quiz_services.start_attempt(quiz, user, now=NOW)
    db.session.commit()


PAGES = {
    "lesson page": "/courses/mot-cua/xu-ly",
    "course page": "/courses/mot-cua",
    "official's home": "/",
    "quiz overview": "/quiz/mot-cua",
    "catalogue": "/courses",
}


def statements(client, count_queries, path: str) -> list[str]:
    client.get(path)  # the first load of the process may read the course's text
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return counter.statements


@pytest.mark.parametrize("page", PAGES)
def test_statements_per_page_do_not_grow_with_ten_times_the_officials(
    client, login, official, units, course, count_queries, page
):
    complete_lesson(official, lessons()[0], now=NOW)
    db.session.commit()
    add_officials(units, "few", 3)
    login(official)
    few = statements(client, count_queries, PAGES[page])
    add_officials(units, "many", 30)
    many = statements(client, count_queries, PAGES[page])
    assert len(few) == len(many), (few, many)


@pytest.mark.parametrize("page", ["lesson page", "course page"], ids=["lesson page", "course page"])
def test_lesson_and_course_pages_take_two_statements(
    client, login, official, course, count_queries, page
):
    """The signed-in account with its session row, then the course's stamp with the
    official's progress in it; the course's text comes from the process's copy."""
    login(official)
    assert len(statements(client, count_queries, PAGES[page])) == 2


def test_pages_show_each_official_their_own_progress_from_the_shared_copy(
    client, login, official, official_b, course
):
    complete_lesson(official, lessons()[1], now=NOW)
    db.session.commit()
    login(official)
    page = client.get(PAGES["lesson page"]).get_data(as_text=True)
    assert "Nội dung xử lý." in page
    assert "Bài 2/3" in page
    assert "Bạn đã học xong bài này trong năm 2026." in page
    course_page = client.get(PAGES["course page"]).get_data(as_text=True)
    assert "Đã học 1/3 bài trong năm 2026" in course_page

    client.post("/auth/logout")
    login(official_b)
    page = client.get(PAGES["lesson page"]).get_data(as_text=True)
    assert "Nội dung xử lý." in page
    assert "Bạn đã học xong bài này" not in page
    assert "Đánh dấu đã học xong" in page
    course_page = client.get(PAGES["course page"]).get_data(as_text=True)
    assert "Đã học 0/3 bài trong năm 2026" in course_page


def test_a_reload_of_the_course_s_files_shows_on_the_next_request(
    client, login, official, course, content_dirs, count_queries
):
    """Another process reloading the content changes the course's stamp in the database: the
    kept copy is read again on the next request, then kept."""
    login(official)
    assert "Nội dung xử lý." in client.get(PAGES["lesson page"]).get_data(as_text=True)
    courses, _quizzes = content_dirs
    write_lesson(courses / "mot-cua" / "02-xu-ly.md", title="Xử lý hồ sơ", body="Bản mới.")
    load(content_dirs)

    with count_queries() as reread:
        page = client.get(PAGES["lesson page"]).get_data(as_text=True)
    assert "Bản mới." in page and "Xử lý hồ sơ" in page
    assert "Nội dung xử lý." not in page
    assert len(reread.statements) > 2  # the course was read again
    assert len(statements(client, count_queries, PAGES["lesson page"])) == 2  # and kept


def test_a_removed_lesson_or_course_is_gone_on_the_next_request(
    client, login, official, course, content_dirs
):
    login(official)
    assert client.get("/courses/mot-cua/tra-ket-qua").status_code == 200
    courses, _quizzes = content_dirs
    (courses / "mot-cua" / "03-tra-ket-qua.md").unlink()
    load(content_dirs)
    assert client.get("/courses/mot-cua/tra-ket-qua").status_code == 404
    page = client.get(PAGES["course page"]).get_data(as_text=True)
    assert "Tra Ket Qua" not in page and "Xu Ly" in page

    for path in (courses / "mot-cua").iterdir():
        path.unlink()
    (courses / "mot-cua").rmdir()
    (content_dirs[1] / "mot-cua.gift").unlink()
    (content_dirs[1] / "mot-cua.yml").unlink()
    load(content_dirs)
    assert client.get(PAGES["course page"]).status_code == 404
    assert client.get(PAGES["lesson page"]).status_code == 404


def test_cards_follow_each_request_s_language(client, login, official, official_b, course):
    """The card macro is imported once and kept between requests: its strings and numbers
    still follow the language of each request."""
    official_b.locale = "en"
    db.session.commit()
    for _round in range(2):
        login(official)
        page = client.get("/").get_data(as_text=True)
        assert "Cải cách hành chính · 4 giờ" in page and "Administrative reform" not in page
        client.post("/auth/logout")
        login(official_b)
        page = client.get("/").get_data(as_text=True)
        assert "Administrative reform · 4 hours" in page and "Cải cách hành chính" not in page
        client.post("/auth/logout")


def test_home_cards_show_each_official_their_own_progress(
    client, login, official, official_b, course, content_dirs
):
    for item in lessons()[:2]:
        complete_lesson(official, item, now=NOW)
    db.session.commit()
    login(official)
    page = client.get("/").get_data(as_text=True)
    assert "Đã học 2/3 bài" in page and 'value="67"' in page
    client.post("/auth/logout")
    login(official_b)
    page = client.get("/").get_data(as_text=True)
    assert "Chưa bắt đầu" in page and "Đã học 2/3 bài" not in page and 'value="0"' in page

    # a course added by a content load shows on the next request (the catalogue's stamp)
    write_course(content_dirs[0], "dao-duc", title="Đạo đức công vụ", track="ethics")
    load(content_dirs)
    page = client.get("/").get_data(as_text=True)
    assert "Đạo đức công vụ" in page and "Một cửa" in page


# Tables with rows per official: a page of one official reaches its rows through an index
# that starts with the official (or a primary or unique key), never by reading other
# officials' rows. Checked on SQLite's plans (the suite's default engine).
PER_OFFICIAL = ("course_progress", "lesson_completion", "quiz_attempt", "quiz_override")


@pytest.mark.parametrize(
    "path", ["/courses/mot-cua/xu-ly", "/courses/mot-cua", "/courses", "/quiz/mot-cua"]
)
def test_pages_reach_the_official_s_rows_by_index(
    client, login, official, units, course, count_queries, path
):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("query plans are read from SQLite")
    add_officials(units, "other", 3)
    login(official)
    client.get(path)
    captured: list[tuple[str, tuple]] = []

    def capture(conn, cursor, statement, parameters, *args):
        captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    with db.engine.connect() as connection:
        for statement, parameters in captured:
            plan = [
                row[-1]
                for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            ]
            for step in plan:
                table = next((t for t in PER_OFFICIAL if f" {t} " in f" {step} "), None)
                if table is None:
                    continue
                assert step.startswith("SEARCH"), (step, statement)
                assert "user_id=?" in step or "PRIMARY KEY" in step, (step, statement)


def test_the_home_of_hr_shows_its_links_and_reads_only_the_account(
    client, login, hr_a, course, count_queries
):
    login(hr_a)
    client.get("/")
    with count_queries() as counter:
        page = client.get("/").get_data(as_text=True)
    assert "Công chức thuộc đơn vị tôi quản lý và tiến độ học tập" in page
    assert "Một cửa" not in page  # no course cards
    assert counter.count == 1, counter.statements
