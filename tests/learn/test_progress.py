"""Reading lessons, marking them completed, and the per-year course summary."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from app.content.loader import read_content
from app.models import CourseProgress, Lesson, LessonCompletion, db
from app.progress.services import complete_lesson
from tests.factories import load_content, write_course


@pytest.fixture
def course(app, content_dirs):
    courses, quizzes = content_dirs
    write_course(
        courses,
        "mot-cua",
        title="Một cửa",
        hours="3.5",
        lessons={
            "01-tiep-nhan.md": "## Tiếp nhận\nNội dung.",
            "02-xu-ly.md": "Xử lý.",
            "03-tra-ket-qua.md": "Trả kết quả.",
        },
    )
    content, errors = read_content(courses, quizzes)
    assert errors == []
    load_content(content, now=datetime(2026, 1, 2))
    db.session.commit()
    return content.courses[0]


def lesson(slug: str) -> Lesson:
    return db.session.scalar(select(Lesson).where(Lesson.slug == slug))


def test_official_reads_lessons_with_previous_and_next(client, login, official, course):
    login(official)
    page = client.get("/courses/mot-cua/xu-ly").get_data(as_text=True)
    assert "/courses/mot-cua/tiep-nhan" in page and "/courses/mot-cua/tra-ket-qua" in page
    assert "Xử lý." in page
    assert client.get("/courses/mot-cua/khong-co").status_code == 404
    assert client.get("/courses/khong-co").status_code == 404


def test_marking_completed_moves_to_next_lesson_and_shows_progress(client, login, official, course):
    login(official)
    response = client.post("/courses/mot-cua/tiep-nhan/complete")
    assert response.status_code == 302 and response.location.endswith("/courses/mot-cua/xu-ly")
    page = client.get("/courses/mot-cua").get_data(as_text=True)
    assert 'value="33"' in page  # the progress bar
    home = client.get("/").get_data(as_text=True)
    assert "Một cửa" in home and 'value="33"' in home


def test_completing_every_lesson_completes_the_course_with_its_hours(official, course):
    days = {"tiep-nhan": 3, "xu-ly": 5, "tra-ket-qua": 4}
    for slug, day in days.items():
        complete_lesson(official, lesson(slug), now=datetime(2026, 3, day, 2))
    db.session.commit()
    progress = db.session.scalar(select(CourseProgress))
    assert progress.year == 2026 and progress.lessons_completed == 3
    assert progress.completed_at == datetime(2026, 3, 5, 2)  # the last of the lessons
    assert float(progress.hours) == 3.5


def test_marking_twice_records_once(client, login, official, course):
    login(official)
    client.post("/courses/mot-cua/tiep-nhan/complete")
    client.post("/courses/mot-cua/tiep-nhan/complete")
    assert db.session.scalar(select(func.count(LessonCompletion.id))) == 1


def test_each_year_is_a_new_cycle_in_vietnam_time(official, course):
    # 31/12/2025 23:30 in Hà Nội is 16:30 UTC: it belongs to 2025.
    complete_lesson(official, lesson("tiep-nhan"), now=datetime(2025, 12, 31, 16, 30))
    # 01/01/2026 00:30 in Hà Nội is 31/12/2025 17:30 UTC: it belongs to 2026.
    complete_lesson(official, lesson("tiep-nhan"), now=datetime(2025, 12, 31, 17, 30))
    db.session.commit()
    years = db.session.scalars(select(LessonCompletion.year).order_by(LessonCompletion.year))
    assert list(years) == [2025, 2026]
    rows = db.session.scalars(select(CourseProgress).order_by(CourseProgress.year)).all()
    assert [(p.year, p.lessons_completed, p.completed_at) for p in rows] == [
        (2025, 1, None),
        (2026, 1, None),
    ]


def test_marking_completed_needs_post_and_login(client, official, course):
    assert client.post("/courses/mot-cua/tiep-nhan/complete").status_code == 302
    assert db.session.scalar(select(func.count(LessonCompletion.id))) == 0


def test_hr_sees_progress_of_own_officials(client, login, official, hr_a, course):
    complete_lesson(official, lesson("tiep-nhan"), now=datetime(2026, 3, 3))
    db.session.commit()
    login(hr_a)
    listing = client.get("/hr/officials?year=2026").get_data(as_text=True)
    assert official.full_name in listing and "03/03/2026" in listing
    detail = client.get(f"/hr/officials/{official.id}?year=2026").get_data(as_text=True)
    assert "Một cửa" in detail and "1/3" in detail


def test_hr_listing_uses_a_constant_number_of_queries(
    client, login, hr_province, units, course, count_queries
):
    from tests.factories import make_user

    login(hr_province)

    def officials(n: int, prefix: str) -> None:
        for i in range(n):
            user = make_user(f"{prefix}{i}", unit=units["A" if i % 2 else "B"], commit=False)
            db.session.flush()
            complete_lesson(user, lesson("tiep-nhan"), now=datetime(2026, 3, 3))
        db.session.commit()

    officials(3, "few")
    with count_queries() as few:
        assert client.get("/hr/officials?year=2026").status_code == 200
    officials(30, "many")
    with count_queries() as many:
        assert client.get("/hr/officials?year=2026").status_code == 200
    assert few.count == many.count
