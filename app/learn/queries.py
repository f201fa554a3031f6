"""Read-only queries for the learner's pages: a fixed number per page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, func, select

from app.models import Course, CourseProgress, Lesson, Quiz, User, db


@dataclass
class CourseCard:
    id: int
    slug: str
    title: str
    track: str
    hours: Decimal
    summary: str
    lesson_count: int
    lessons_completed: int
    completed_at: datetime | None

    @property
    def percent(self) -> int:
        if self.completed_at is not None:
            return 100
        if not self.lesson_count:
            return 0
        return min(100, round(100 * self.lessons_completed / self.lesson_count))

    @property
    def started(self) -> bool:
        return self.lessons_completed > 0 or self.completed_at is not None


def lesson_counts():
    return (
        select(Lesson.course_id, func.count(Lesson.id).label("n"))
        .where(Lesson.is_active.is_(True))
        .group_by(Lesson.course_id)
        .subquery()
    )


def course_cards(user: User, year: int) -> list[CourseCard]:
    """Every active course with the user's progress in ``year``: one query."""
    counts = lesson_counts()
    rows = db.session.execute(
        select(
            Course.id,
            Course.slug,
            Course.title,
            Course.track,
            Course.hours,
            Course.summary,
            func.coalesce(counts.c.n, 0),
            func.coalesce(CourseProgress.lessons_completed, 0),
            CourseProgress.completed_at,
        )
        .outerjoin(counts, counts.c.course_id == Course.id)
        .outerjoin(
            CourseProgress,
            and_(
                CourseProgress.course_id == Course.id,
                CourseProgress.user_id == user.id,
                CourseProgress.year == year,
            ),
        )
        .where(Course.is_active.is_(True))
        .order_by(Course.sort_order, Course.title)
    ).all()
    return [CourseCard(*row) for row in rows]


def active_lessons(course: Course) -> list[Lesson]:
    return list(
        db.session.scalars(
            select(Lesson)
            .where(Lesson.course_id == course.id, Lesson.is_active.is_(True))
            .order_by(Lesson.position)
        )
    )


def course_progress(user: User, course: Course, year: int) -> CourseProgress | None:
    return db.session.scalar(
        select(CourseProgress).where(
            CourseProgress.user_id == user.id,
            CourseProgress.course_id == course.id,
            CourseProgress.year == year,
        )
    )


def course_quiz(course: Course) -> Quiz | None:
    return db.session.scalar(
        select(Quiz).where(Quiz.course_id == course.id, Quiz.is_active.is_(True))
    )


def practice_quizzes() -> list[Quiz]:
    """Quizzes not tied to a course: practice, open to every official."""
    return list(
        db.session.scalars(
            select(Quiz)
            .where(Quiz.course_id.is_(None), Quiz.is_active.is_(True))
            .order_by(Quiz.title)
        )
    )
