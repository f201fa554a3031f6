"""Published courses as their pages show them, read once per process and kept.

A course's text, its lessons and its quiz's title change only when ``content load`` reloads
their files, which bumps the course's (and the quiz's) ``revision`` and ``content_hash``. The
pages ask the database for that stamp on every request (with the official's own progress, in
one query: ``progress.queries.course_state``) and rebuild a course here only when its stamp
differs from the kept one, so a reload by another process or server shows on the next request.

The catalogue (active courses with their lesson counts, for the home page's and the
catalogue's cards) is kept the same way, keyed by every course's (id, revision, active), read
on each request with the official's course summaries (``progress.queries.catalogue_state``).

The copies are plain frozen values (no ORM objects: nothing to expire, refresh or lazy-load
after the request that read them), kept per application, hence per gunicorn worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from app.models import Course, Lesson, Quiz, User, db, local_date
from app.progress import queries as progress_queries

_KEY = "learn.published"
_CATALOGUE_KEY = "learn.catalogue"


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


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    id: int
    slug: str
    title: str
    track: str
    hours: Decimal
    summary: str
    lesson_count: int  # active lessons


@dataclass(frozen=True, slots=True)
class CourseCard:
    """A course as its card shows it to one official. Only values the card displays (the
    completion's local date, not its time), so that cards are kept by what they show."""

    id: int
    slug: str
    title: str
    track: str
    hours: Decimal
    summary: str
    lesson_count: int
    lessons_completed: int
    completed_on: date | None

    @property
    def percent(self) -> int:
        if self.completed_on is not None:
            return 100
        if not self.lesson_count:
            return 0
        return min(100, round(100 * self.lessons_completed / self.lesson_count))

    @property
    def started(self) -> bool:
        return self.lessons_completed > 0 or self.completed_on is not None


def course_cards(user: User, year: int) -> list[CourseCard]:
    """Every active course, in the catalogue's order, with ``user``'s progress in ``year``:
    one query (the catalogue's stamp and the official's summaries); the catalogue itself is
    kept per process and read again (one query) only when its stamp changes."""
    stamp, progress = progress_queries.catalogue_state(user, year)
    cards = []
    for entry in published_catalogue(stamp):
        done, completed_at = progress.get(entry.id, (0, None))
        cards.append(
            CourseCard(
                entry.id,
                entry.slug,
                entry.title,
                entry.track,
                entry.hours,
                entry.summary,
                entry.lesson_count,
                done,
                local_date(completed_at) if completed_at is not None else None,
            )
        )
    return cards


def published_catalogue(stamp: tuple) -> tuple[CatalogueEntry, ...]:
    kept = current_app.extensions.get(_CATALOGUE_KEY)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    counts = progress_queries.lesson_counts()
    rows = db.session.execute(
        select(
            Course.id,
            Course.slug,
            Course.title,
            Course.track,
            Course.hours,
            Course.summary,
            func.coalesce(counts.c.n, 0),
        )
        .outerjoin(counts, counts.c.course_id == Course.id)
        .where(Course.is_active.is_(True))
        .order_by(Course.sort_order, Course.title)
    ).all()
    catalogue = tuple(CatalogueEntry(*row) for row in rows)
    current_app.extensions[_CATALOGUE_KEY] = (stamp, catalogue)
    return catalogue
