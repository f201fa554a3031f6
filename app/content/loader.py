"""Files to rows, all or nothing.

``read_content`` parses and validates every file (no database); ``load_content``
writes a fully valid set in the caller's transaction. When any file is broken,
callers write nothing and the previous content stays live.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app.content.courses import CourseData, read_courses
from app.content.errors import ContentError
from app.learn.services import recount_lessons
from app.models import Course, Lesson, db

logger = logging.getLogger(__name__)


@dataclass
class ContentSet:
    courses: list[CourseData] = field(default_factory=list)


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)


def read_content(
    courses_dir: str | Path,
    quizzes_dir: str | Path,
    *,
    on_progress: Callable[[str], None] | None = None,
) -> tuple[ContentSet, list[ContentError]]:
    """Parse and check everything; returns the content and every problem found."""
    courses, errors = read_courses(Path(courses_dir), on_progress=on_progress)
    return ContentSet(courses=courses), sorted(errors)


def _course_fields(data: CourseData) -> dict:
    return {
        "title": data.title,
        "track": data.track,
        "hours": data.hours,
        "summary": data.summary,
        "sort_order": data.order,
        "version": data.version,
        "body_html": data.body_html,
        "source_path": data.source_path,
    }


def load_content(content: ContentSet, *, now: datetime) -> LoadReport:
    """Sync a valid ``ContentSet`` into the database (flush only; the caller commits).

    Rows are keyed by slug: an unchanged file leaves its row untouched, a changed
    one bumps ``revision``, a removed one is deactivated (history is kept).
    """
    report = LoadReport()
    courses = {c.slug: c for c in db.session.scalars(select(Course))}
    lessons: dict[int, dict[str, Lesson]] = {}
    for lesson in db.session.scalars(select(Lesson)):
        lessons.setdefault(lesson.course_id, {})[lesson.slug] = lesson
    touched_courses: list[int] = []

    for data in content.courses:
        course = courses.get(data.slug)
        if course is None:
            course = Course(slug=data.slug, content_hash=data.content_hash, **_course_fields(data))
            db.session.add(course)
            db.session.flush()
            report.created.append(f"course {data.slug}")
        elif course.content_hash == data.content_hash and course.is_active:
            report.unchanged += 1
            continue
        else:
            for key, value in _course_fields(data).items():
                setattr(course, key, value)
            course.content_hash = data.content_hash
            course.revision += 1
            course.is_active = True
            course.updated_at = now
            report.updated.append(f"course {data.slug} (revision {course.revision})")
        touched_courses.append(course.id)

        existing = lessons.get(course.id, {})
        for item in data.lessons:
            lesson = existing.pop(item.slug, None)
            fields = {
                "position": item.position,
                "title": item.title,
                "minutes": item.minutes,
                "body_html": item.body_html,
                "toc_html": item.toc_html,
                "source_path": item.source_path,
            }
            if lesson is None:
                db.session.add(
                    Lesson(course=course, slug=item.slug, content_hash=item.content_hash, **fields)
                )
            elif lesson.content_hash != item.content_hash or not lesson.is_active:
                for key, value in fields.items():
                    setattr(lesson, key, value)
                if lesson.content_hash != item.content_hash:
                    lesson.revision += 1
                lesson.content_hash = item.content_hash
                lesson.is_active = True
                lesson.updated_at = now
            elif lesson.position != item.position:
                lesson.position = item.position
        for gone in existing.values():
            if gone.is_active:
                gone.is_active = False
                gone.updated_at = now

    present = {c.slug for c in content.courses}
    for slug, course in courses.items():
        if slug not in present and course.is_active:
            course.is_active = False
            course.updated_at = now
            report.deactivated.append(f"course {slug}")

    db.session.flush()
    recount_lessons(touched_courses)
    logger.info(
        "content loaded: %d created, %d updated, %d deactivated, %d unchanged",
        len(report.created),
        len(report.updated),
        len(report.deactivated),
        report.unchanged,
    )
    return report
