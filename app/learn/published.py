"""Published courses as their pages show them, read once per process and kept.

A course's text, its lessons and its quiz's title change only when ``content load`` reloads
their files, which bumps the course's (and the quiz's) ``revision`` and ``content_hash``. The
pages ask the database for that stamp on every request (with the official's own progress, in
one query: ``progress.queries.course_state``) and rebuild a course here only when its stamp
differs from the kept one, so a reload by another process or server shows on the next request.

The copies are plain frozen values (no ORM objects: nothing to expire, refresh or lazy-load
after the request that read them), kept per application, hence per gunicorn worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from app.models import Course, Lesson, Quiz, db

_KEY = "learn.published"


@dataclass(frozen=True, slots=True)
class PublishedLesson:
    id: int
    slug: str
    position: int
    title: str
    minutes: int
    body_html: str
    toc_html: str
    content_hash: str  # the offline copy's version (``offline_version``)


@dataclass(frozen=True, slots=True)
class PublishedQuiz:
    id: int
    slug: str
    title: str
    pass_mark: Decimal


@dataclass(frozen=True, slots=True)
class PublishedCourse:
    id: int
    slug: str
    title: str
    track: str
    hours: Decimal
    summary: str
    version: str
    body_html: str
    updated_at: datetime
    lessons: tuple[PublishedLesson, ...]  # the active ones, in order
    quiz: PublishedQuiz | None

    def lesson_index(self, slug: str) -> int | None:
        return next((i for i, lesson in enumerate(self.lessons) if lesson.slug == slug), None)


def published_course(course_id: int, stamp: tuple) -> PublishedCourse:
    """The course ``course_id`` as of ``stamp`` (see ``course_state``): the kept copy, or read
    again (three queries) when the stamp has changed since it was kept."""
    kept: dict[int, tuple[tuple, PublishedCourse]] = current_app.extensions.setdefault(_KEY, {})
    entry = kept.get(course_id)
    if entry is not None and entry[0] == stamp:
        return entry[1]
    course = _read(course_id)
    kept[course_id] = (stamp, course)  # one assignment: safe with threaded workers too
    return course


def _read(course_id: int) -> PublishedCourse:
    course = db.session.get_one(Course, course_id)
    lessons = db.session.execute(
        select(
            Lesson.id,
            Lesson.slug,
            Lesson.position,
            Lesson.title,
            Lesson.minutes,
            Lesson.body_html,
            Lesson.toc_html,
            Lesson.content_hash,
        )
        .where(Lesson.course_id == course_id, Lesson.is_active.is_(True))
        .order_by(Lesson.position)
    ).all()
    quiz = db.session.execute(
        select(Quiz.id, Quiz.slug, Quiz.title, Quiz.pass_mark).where(
            Quiz.course_id == course_id, Quiz.is_active.is_(True)
        )
    ).first()
    return PublishedCourse(
        id=course.id,
        slug=course.slug,
        title=course.title,
        track=course.track,
        hours=course.hours,
        summary=course.summary,
        version=course.version,
        body_html=course.body_html,
        updated_at=course.updated_at,
        lessons=tuple(PublishedLesson(*row) for row in lessons),
        quiz=PublishedQuiz(*quiz) if quiz is not None else None,
    )
