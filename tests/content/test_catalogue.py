"""The shipped catalogue: every course complete, with its lessons, sources, quiz and hours."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.content.loader import read_content
from app.models import Course, Lesson, Question, Quiz, Standard, StandardCourse, db, utcnow
from app.people.services import sync_positions
from tests.factories import load_content

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalogue(app):
    sync_positions()
    content, errors = read_content(ROOT / "courses", ROOT / "quizzes")
    assert errors == [], [str(e) for e in errors]
    load_content(content, now=utcnow())
    db.session.commit()
    return content


def test_three_tracks_of_at_least_three_courses(catalogue):
    tracks = Counter(db.session.scalars(select(Course.track).where(Course.is_active.is_(True))))
    assert set(tracks) == {"reform", "it", "ethics"} and min(tracks.values()) >= 3
    assert db.session.scalar(select(func.count(Lesson.id))) >= 40
    assert db.session.scalar(select(func.count(Question.id))) >= 180


def test_each_course_has_lessons_with_sources_a_quiz_and_hours(catalogue):
    for course in db.session.scalars(select(Course)):
        lessons = db.session.scalars(select(Lesson).where(Lesson.course_id == course.id)).all()
        assert 4 <= len(lessons) <= 6, course.slug
        assert course.hours > 0 and course.title and course.summary, course.slug
        for lesson in lessons:
            assert "Căn cứ" in lesson.body_html, (course.slug, lesson.slug)
            assert lesson.minutes > 0, (course.slug, lesson.slug)
        quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == course.id))
        assert quiz is not None, course.slug
        assert quiz.draw_count == 10 and quiz.attempts_allowed > 0, course.slug
        types = Counter(
            db.session.scalars(select(Question.type).where(Question.quiz_id == quiz.id))
        )
        assert sum(types.values()) >= 20, course.slug
        assert {"multichoice", "truefalse", "shortanswer", "match"} <= set(types), course.slug


def test_every_question_explains_its_answer(catalogue):
    for question in db.session.scalars(select(Question)):
        feedback = question.rendered["general_feedback"] + "".join(question.rendered["feedback"])
        assert feedback.strip(), (question.quiz_id, question.title)


def test_the_standard_of_the_year_requires_shipped_courses(catalogue):
    standard = db.session.scalar(select(Standard).where(Standard.year == 2026))
    assert standard is not None and standard.legal_basis
    assert "minh họa" in " ".join(standard.legal_basis)  # the local plan number is an example
    required = db.session.scalar(
        select(func.count(StandardCourse.id)).where(StandardCourse.standard_id == standard.id)
    )
    assert required >= 3
